"""Benchmark: assignment 2 in full mode, and numpy softmax regression against scikit-learn on 200,000 images.

    .venv/bin/python benchmarks/fundamentals.py                    # the notebook in full mode
    .venv/bin/python benchmarks/fundamentals.py --library          # course_lib.numpy_softmax against scikit-learn
    .venv/bin/python benchmarks/fundamentals.py --notebook --library

Run it under the shared lock (`flock /tmp/course-kit-cpu.lock ...`): the figures are times.

The data is what the notebook's full mode uses, ``notmnist.curated_splits()``:
assignment 1's curated notMNIST, 200,000 training images and the sanitised
validation and test splits, from the real archives when they are here
(COURSE_DATA_DIR or the cache), otherwise from the generated ones (the JSON
says which, and the generator version). Re-run it whenever the generator
changes: the curated cache follows the archives.

--notebook (the default): the reference notebook in full mode, as
  ``course solutions run 02_fundamentals --full`` runs it: its run time and
  every figure it records. In one run, on the same standardised data, it
  trains softmax regression with the students' functions in
  ``course_lib.numpy_softmax.train`` (float32 minibatches of 256, momentum
  0.9, learning rate 0.01 decaying by 0.8 per epoch, 10 epochs) and fits
  scikit-learn's ``LogisticRegression()`` (L-BFGS, float64), and records
  the accuracies, the numpy training time and the ratio of the two times.
  Targets: numpy under 60 s, at least 0.88 on the test split and within one
  point of scikit-learn; the regularised 1024-unit network at least 0.93
  and 3 points above softmax regression. Parts 7 and 8: the 256-unit
  two-layer network trained with the students' backward pass and momentum
  SGD (5 epochs) at least 0.93 and within 2 points of the same network
  trained by Keras from the same weights; the students' Adam within 1e-6
  of Keras's after 10 steps on the same gradients.
--library: the same comparison with the library's own functions
  (``numpy_softmax.train`` with its defaults for the gradient and update).

Writes benchmarks/results/fundamentals.json.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow

from benchmarks.common import machine, write_results  # noqa: E402

NAME = "02_fundamentals"
SETTINGS = {"epochs": 10, "batch_size": 256, "learning_rate": 0.01, "momentum": 0.9, "decay_rate": 0.8}


def data_description(data) -> dict:
    from course_lib import notmnist

    return {"kind": data.kind, "generator_version": data.generator_version if data.generated else None,
            "current_generator_version": notmnist.GENERATOR_VERSION, "origin": data.origin,
            "train": len(data.train_labels), "valid": len(data.valid_labels), "test": len(data.test_labels),
            "removed": data.removed}


def speed(data) -> dict:
    """course_lib.numpy_softmax.train (its own gradient and update) against LogisticRegression, same data."""
    from sklearn.linear_model import LogisticRegression

    from course_lib import numpy_softmax

    mean, std = float(data.train_images.mean()), float(data.train_images.std())
    train, valid, test = (numpy_softmax.flatten((images - mean) / std)
                          for images in (data.train_images, data.valid_images, data.test_images))

    run = numpy_softmax.train(train, data.train_labels, valid=(valid, data.valid_labels), seed=0, **SETTINGS)
    ours_accuracy = float((numpy_softmax.predict(test, *run.params) == data.test_labels).mean())
    print(f"ours  (numpy minibatch SGD, {SETTINGS['epochs']} epochs): {run.seconds:6.1f} s, "
          f"test accuracy {ours_accuracy:.4f}", flush=True)

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # L-BFGS stops at max_iter=100, before its tolerance
        fitted = LogisticRegression().fit(train, data.train_labels)
    sklearn_seconds = time.perf_counter() - start
    sklearn_accuracy = float(fitted.score(test, data.test_labels))
    print(f"scikit-learn LogisticRegression (lbfgs): {sklearn_seconds:6.1f} s, test accuracy {sklearn_accuracy:.4f}; "
          f"ratio {sklearn_seconds / run.seconds:.1f}x", flush=True)
    return {"ours": {"seconds": round(run.seconds, 1), "test_accuracy": round(ours_accuracy, 4),
                     "val_accuracy_per_epoch": [round(v, 4) for v in run.history["val_accuracy"]], **SETTINGS},
            "sklearn": {"seconds": round(sklearn_seconds, 1), "test_accuracy": round(sklearn_accuracy, 4),
                        "iterations": int(np.max(fitted.n_iter_)), "solver": "lbfgs"},
            "ratio": round(sklearn_seconds / run.seconds, 1),
            "accuracy_gap": round(ours_accuracy - sklearn_accuracy, 4),
            "targets": {"seconds_under": 60, "test_accuracy_at_least": 0.88, "within_of_sklearn": 0.01}}


def notebook() -> dict:
    from course_lib.solutions import run_notebook

    (source,) = sorted((REPO / "notebooks" / NAME).glob("*.ipynb"))
    output = REPO / "build" / "benchmarks" / NAME / source.name
    run = run_notebook(source, output, full=True, assignment=NAME)
    print(f"notebook, full mode: {run.seconds:.0f} s, {run.headline()}" + (f"; {run.problem()}" if not run.ok else ""),
          flush=True)
    return {"command": f"course solutions run {NAME} --full", "seconds": round(run.seconds), "ok": run.ok,
            "error": run.error, "executed": str(output.relative_to(REPO)),
            "figures": {f["name"]: {"value": float(f"{f['value']:.4g}"), "at_least": f.get("at_least"),
                                    "at_most": f.get("at_most"), "passed": f["passed"]} for f in run.figures}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", action="store_true", help="run the notebook in full mode (the default)")
    parser.add_argument("--library", action="store_true", help="compare course_lib.numpy_softmax with scikit-learn")
    args = parser.parse_args()
    run_notebook = args.notebook or not args.library

    from course_lib import notmnist

    start = time.perf_counter()
    data = notmnist.curated_splits(fast=False)
    print(f"{data}\n(loaded in {time.perf_counter() - start:.1f} s)", flush=True)
    result = {"command": " ".join(["benchmarks/fundamentals.py", *sys.argv[1:]]), "machine": machine(),
              "measured": time.strftime("%Y-%m-%d"), "data": data_description(data)}
    if args.library:
        result["library"] = speed(data)
    del data
    if run_notebook:
        result["notebook"] = notebook()
    print(f"written to {write_results('fundamentals', result)}")


if __name__ == "__main__":
    main()
