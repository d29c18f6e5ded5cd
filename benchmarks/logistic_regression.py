"""Benchmark: logistic regression on 200,000 notMNIST training images.

    .venv/bin/python benchmarks/logistic_regression.py                 # ours and the naive method
    .venv/bin/python benchmarks/logistic_regression.py --skip-naive    # ours only

The data is what the assignment's full mode uses: the real archives when
they are here (COURSE_DATA_DIR or the cache), otherwise the generated ones.
Train: the first 200,000 of the large archive after a seed-133 shuffle; test:
the small archive without the images that also occur in train.

Compared in one run:
- ours: course_lib.linear.softmax_regression (one softmax layer, Keras,
  mini-batches of 256, 10 epochs, float32);
- naive: what the public solutions ran, scikit-learn's
  LogisticRegression(solver="sag") on all the data (their write-ups report
  about 10 minutes; one gave up).
Target: test accuracy at least 0.89 in under 60 s.
Writes benchmarks/results/logistic_regression.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine  # noqa: E402
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow

RESULTS = REPO / "benchmarks" / "results" / "logistic_regression.json"
TRAIN = 200_000


def notmnist_sets():
    from course_lib import curation, notmnist
    from course_lib.data.formats.notmnist import read_archive

    archives = notmnist.find_archives("auto", fast=False)
    large, large_labels, _ = read_archive(archives.large, notmnist.LETTERS)
    small, small_labels, _ = read_archive(archives.small, notmnist.LETTERS)
    order = np.random.default_rng(133).permutation(len(large))[:TRAIN]
    train, train_labels = large[order], large_labels[order]
    keep = ~curation.exact_duplicates(small, train)
    normalise = lambda x: (x.astype(np.float32) - 127.5) / 255  # noqa: E731
    return (normalise(train), train_labels, normalise(small[keep]), small_labels[keep],
            "generated" if archives.generated else "real")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="do not run scikit-learn's sag solver")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()

    train, train_labels, test, test_labels, kind = notmnist_sets()
    print(f"data: {kind} notMNIST, train {train.shape}, sanitised test {test.shape}")

    from course_lib import linear

    start = time.perf_counter()
    model = linear.softmax_regression(train, train_labels, epochs=args.epochs)
    ours_seconds = time.perf_counter() - start
    ours_accuracy = float((linear.predict_classes(model, test) == test_labels).mean())
    print(f"ours  (Keras softmax, {args.epochs} epochs): {ours_seconds:6.1f} s, test accuracy {ours_accuracy:.4f}")

    naive = None
    if not args.skip_naive:
        from sklearn.linear_model import LogisticRegression

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = LogisticRegression(solver="sag").fit(train.reshape(len(train), -1), train_labels)
        naive_seconds = time.perf_counter() - start
        naive_accuracy = float(fitted.score(test.reshape(len(test), -1), test_labels))
        naive = {"seconds": round(naive_seconds, 1), "test_accuracy": round(naive_accuracy, 4),
                 "iterations": int(np.max(fitted.n_iter_))}
        print(f"naive (sklearn sag):                 {naive_seconds:6.1f} s, test accuracy {naive_accuracy:.4f}, "
              f"ratio {naive_seconds / ours_seconds:.1f}x")

    result = {"command": " ".join(["benchmarks/logistic_regression.py", *sys.argv[1:]]), "data": kind,
              "train": len(train), "test": len(test), "machine": machine(),
              "ours": {"seconds": round(ours_seconds, 1), "test_accuracy": round(ours_accuracy, 4),
                       "epochs": args.epochs},
              "naive": naive, "target": {"test_accuracy_at_least": 0.89, "seconds_under": 60}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    temporary = RESULTS.with_suffix(".json.partial")
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(temporary, RESULTS)


if __name__ == "__main__":
    main()
