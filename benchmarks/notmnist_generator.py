"""Time the offline notMNIST generator, and check its images are not too easy.

    .venv/bin/python benchmarks/notmnist_generator.py                       # defaults: 18,700 + 220,000
    .venv/bin/python benchmarks/notmnist_generator.py --small 2000 --large 12000 --serial

Prints: usable fonts and how long finding them took; generation time and
images per second with every core (and with one process, for comparison,
with --serial); archive sizes; and the test accuracy of a logistic regression
trained on part of the large archive and tested on the small one (the real
notMNIST gives about 0.89-0.93: a generator whose images are too clean would
give nearly 1.0). How much the generated letters look like the real ones,
and what the issue's two recipes learn from them: benchmarks/notmnist_realism.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    from course_lib.notmnist import fonts, generate, read_manifest
    from course_lib.parallel import cores

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=18_700)
    parser.add_argument("--large", type=int, default=220_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--serial", action="store_true", help="also time the same generation in one process")
    parser.add_argument("--fit", type=int, default=20_000, help="training images for the logistic regression (0: skip)")
    parser.add_argument("--out", type=Path, default=None, help="folder to keep the archives in (default: temporary)")
    args = parser.parse_args()

    start = time.perf_counter()
    usable = fonts.usable_fonts()  # cached from here on: the timings below are rendering and writing
    print(f"usable fonts: {len(usable)} of {len(fonts.candidate_files())} font files, "
          f"found in {time.perf_counter() - start:.1f} s")

    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        total = args.small + args.large
        runs = [("all cores", None, out / "parallel")] + ([("one process", 1, out / "serial")] if args.serial else [])
        for label, workers, folder in runs:
            start = time.perf_counter()
            manifest_path = generate(folder, small=args.small, large=args.large, seed=args.seed, workers=workers)
            seconds = time.perf_counter() - start
            print(f"generate small={args.small:,} large={args.large:,} ({label}, {workers or cores()} worker(s)): "
                  f"{seconds:.1f} s, {total / seconds:,.0f} images/s")
        manifest = read_manifest(manifest_path)
        for name, record in manifest["archives"].items():
            defects = {key: len(value) for key, value in record["defects"].items() if value}
            print(f"  {name}: {record['bytes'] / 1e6:.1f} MB, {record['members']:,} files, defects {defects}")
        if args.fit:
            print(f"logistic regression, {args.fit:,} large images -> small: accuracy "
                  f"{logistic_accuracy(manifest_path.parent, args.fit):.3f}")


def logistic_accuracy(folder: Path, train_count: int) -> float:
    from sklearn.linear_model import LogisticRegression

    from course_lib.data.formats.notmnist import read_archive

    x_train, y_train, _ = read_archive(folder / "notMNIST_large.tar.gz", "ABCDEFGHIJ")
    x_test, y_test, _ = read_archive(folder / "notMNIST_small.tar.gz", "ABCDEFGHIJ")
    pick = np.random.default_rng(0).permutation(len(x_train))[:train_count]
    model = LogisticRegression(max_iter=300)
    model.fit(x_train[pick].reshape(len(pick), -1) / 255.0, y_train[pick])
    return float(model.score(x_test.reshape(len(x_test), -1) / 255.0, y_test))


if __name__ == "__main__":
    main()
