"""Benchmark: does the generated notMNIST look like the real one, and what do models trained on it learn?

    .venv/bin/python benchmarks/notmnist_realism.py                        # 18,700 + 80,000 images, both recipes
    .venv/bin/python benchmarks/notmnist_realism.py --speed-only --small 18724 --large 529114   # the real sizes
    .venv/bin/python benchmarks/notmnist_realism.py --real-archive PATH/notMNIST_small.tar.gz    # also on real letters

Generates both archives with the default seed and every usable font (timed:
images per second, all cores), then:

- fingerprint: the statistics of ``../shared/notmnist/fingerprint.py`` on
  20,000 images of the large archive beside the real notMNIST's
  (``../shared/notmnist/real-fingerprint.json``); each statistic's distance
  is |ours - real| divided by its tolerance (20% of the real figure, or 0.02
  for fractions below 0.1): a worst ratio at most 1 means every statistic is
  within tolerance;
- the two recipes of issue 13, trained on the large archive (its planted
  6.5% wrong labels included, as the real large archive has them) and
  tested on a held-out set of 1,000 images per letter from the small
  archive, without the images planted as copies of large ones:
  logistic regression (scikit-learn defaults, pixels in [-0.5, 0.5]) on
  20,000 images, and a small CNN (Conv 32, pool, Conv 64, pool, dropout 0.3,
  Dense 128, softmax; Adam, batch 128, 4 epochs) on 60,000 images;
- with ``--real-archive``: the same two models on 1,000 real images per
  letter of that archive (the figure the generator is for).

Writes benchmarks/results/notmnist_realism.json (or notmnist_speed.json with --speed-only).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow

SHARED = REPO.parent / "shared" / "notmnist"
LETTERS = "ABCDEFGHIJ"
PER_LETTER_TEST = 1_000
LOGISTIC_TRAIN, CNN_TRAIN = 20_000, 60_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=18_700)
    parser.add_argument("--large", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-only", action="store_true", help="time the generation, nothing else")
    parser.add_argument("--real-archive", type=Path, help="a real notMNIST_*.tar.gz to test both models on too")
    parser.add_argument("--keep", type=Path, help="keep the generated archives in this folder")
    args = parser.parse_args()

    from course_lib.notmnist import fonts, generate, read_manifest
    from course_lib.parallel import cores

    start = time.perf_counter()
    usable, symbols = fonts.usable_fonts(), fonts.symbol_fonts()
    survey_seconds = time.perf_counter() - start
    print(f"fonts: {len(usable):,} usable, {len(symbols)} symbol fonts (survey {survey_seconds:.1f} s)")
    result = {"command": " ".join(["benchmarks/notmnist_realism.py", *sys.argv[1:]]), "machine": machine(),
              "fonts": {"usable": len(usable), "symbol": len(symbols), "survey_seconds": round(survey_seconds, 1)}}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        start = time.perf_counter()
        manifest = read_manifest(generate(folder, small=args.small, large=args.large, seed=args.seed))
        seconds = time.perf_counter() - start
        total = args.small + args.large
        result["generation"] = {"small": args.small, "large": args.large, "seed": args.seed, "workers": cores(),
                                "seconds": round(seconds, 1), "images_per_second": round(total / seconds),
                                "generator_version": manifest["version"],
                                "font_set_sha256": manifest["font_set_sha256"]}
        print(f"generated {total:,} images in {seconds:.1f} s: {total / seconds:,.0f} images/s on {cores()} cores")
        if args.speed_only:
            print(f"wrote {write_results('notmnist_speed', result)}")
            return
        train, train_labels, test, test_labels = sets(folder)

    print(f"train pool {len(train):,} (large archive), held-out test {len(test):,} (small archive)")
    result["fingerprint"] = fingerprint_distance(train, train_labels)
    real = real_letters(args.real_archive) if args.real_archive else None
    result["logistic_regression"] = logistic(train[:LOGISTIC_TRAIN], train_labels[:LOGISTIC_TRAIN], test, test_labels,
                                             real)
    result["cnn"] = cnn(train[:CNN_TRAIN], train_labels[:CNN_TRAIN], test, test_labels, real, args.seed)
    result["targets_on_real_notmnist"] = {"logistic_regression": 0.85, "cnn": 0.92,
                                          "fingerprint_worst_ratio_at_most": 1.0}
    print(f"wrote {write_results('notmnist_realism', result)}")


def sets(folder: Path):
    """(train images, labels) from the large archive in a fixed random order; (test, labels): 1,000 per
    letter of the small archive, without the exact copies of large images planted in it."""
    from course_lib import curation
    from course_lib.data.formats.notmnist import read_archive

    large, large_labels, _ = read_archive(folder / "notMNIST_large.tar.gz", LETTERS)
    small, small_labels, _ = read_archive(folder / "notMNIST_small.tar.gz", LETTERS)
    order = np.random.default_rng(133).permutation(len(large))
    large, large_labels = large[order], large_labels[order]
    fresh = ~curation.exact_duplicates(small, large)
    rng = np.random.default_rng(7)
    pick = np.concatenate([rng.permutation(np.flatnonzero(fresh & (small_labels == c)))[:PER_LETTER_TEST]
                           for c in range(len(LETTERS))])
    return large, large_labels, small[pick], small_labels[pick]


def real_letters(archive: Path):
    """1,000 real images per letter (fewer if the archive has fewer) of a real notMNIST archive."""
    from course_lib.data.formats.notmnist import read_archive

    images, labels, skipped = read_archive(archive, LETTERS)
    rng = np.random.default_rng(0)
    pick = np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:PER_LETTER_TEST] for c in range(10)])
    print(f"real letters: {len(pick):,} of {archive} ({len(skipped)} unreadable skipped)")
    return images[pick], labels[pick]


def scaled(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> float32 in [-0.5, 0.5]."""
    return (images.astype(np.float32) - 127.5) / 255.0


def logistic(train, train_labels, test, test_labels, real) -> dict:
    from sklearn.linear_model import LogisticRegression

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs stops at its default 100 iterations: the recipe's setting
        model = LogisticRegression().fit(scaled(train).reshape(len(train), -1), train_labels)
    seconds = time.perf_counter() - start
    accuracy = float(model.score(scaled(test).reshape(len(test), -1), test_labels))
    entry = {"train": len(train), "test": len(test), "seconds": round(seconds, 1),
             "generated_test_accuracy": round(accuracy, 4)}
    print(f"logistic regression, {len(train):,} generated -> held-out generated: {accuracy:.4f} ({seconds:.0f} s)")
    if real is not None:
        entry["real_accuracy"] = round(float(model.score(scaled(real[0]).reshape(len(real[0]), -1), real[1])), 4)
        print(f"  on real letters: {entry['real_accuracy']:.4f}")
    return entry


def cnn(train, train_labels, test, test_labels, real, seed: int) -> dict:
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Dropout(0.3),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(scaled(train)[..., None], train_labels, batch_size=128, epochs=4, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(model.evaluate(scaled(test)[..., None], test_labels, verbose=0)[1])
    entry = {"train": len(train), "test": len(test), "epochs": 4, "seconds": round(seconds, 1),
             "generated_test_accuracy": round(accuracy, 4)}
    print(f"CNN, {len(train):,} generated -> held-out generated: {accuracy:.4f} ({seconds:.0f} s)")
    if real is not None:
        entry["real_accuracy"] = round(float(model.evaluate(scaled(real[0])[..., None], real[1], verbose=0)[1]), 4)
        print(f"  on real letters: {entry['real_accuracy']:.4f}")
    return entry


def fingerprint_distance(images: np.ndarray, labels: np.ndarray) -> dict | None:
    """Ours beside the real figures, statistic by statistic, with each one's distance in tolerances."""
    script, real_file = SHARED / "fingerprint.py", SHARED / "real-fingerprint.json"
    if not (script.is_file() and real_file.is_file()):
        print(f"no {script}: fingerprint skipped")
        return None
    spec = importlib.util.spec_from_file_location("notmnist_fingerprint", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pick = np.random.default_rng(0).permutation(len(images))[:20_000]
    ours = module.fingerprint(images[pick], labels[pick])
    real = json.loads(real_file.read_text())
    ratios = {}
    for key, value in real.items():
        pairs = zip(np.atleast_1d(value), np.atleast_1d(ours[key]))
        ratios[key] = round(max(abs(o - r) / (0.02 if abs(r) < 0.1 else 0.2 * abs(r)) for r, o in pairs), 2)
        print(f"  {key:<48} real {json.dumps(value):<40} ours {json.dumps(ours[key]):<40} {ratios[key]:.2f}")
    worst = max(ratios, key=ratios.get)
    print(f"fingerprint: worst statistic {worst} at {ratios[worst]:.2f} tolerances (<= 1: within)")
    return {"ours": ours, "real": real, "distance_in_tolerances": ratios, "worst": worst,
            "worst_ratio": float(ratios[worst]), "within_tolerance": bool(ratios[worst] <= 1.0)}


if __name__ == "__main__":
    main()
