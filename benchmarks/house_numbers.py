"""Benchmark: the synthetic SVHN generator, and assignment 6 in full mode.

    .venv/bin/python benchmarks/house_numbers.py generator     # 100,000 crops on every core, and again: same bytes?
    .venv/bin/python benchmarks/house_numbers.py notebook      # the reference notebook, FAST_MODE = False

Run both under the shared lock (``flock /tmp/course-kit-cpu.lock ...``): the
figures are times. Each writes its part of benchmarks/results/house_numbers.json
(with the machine and the command).

generator: makes 100,000 crops (the size of the real SVHN's train + test) with
``course_lib.house_numbers.generate_crops`` on every core, writes them as a
``.mat`` file, and times it (target: under a minute); then makes 10,000 twice
and compares the files' sha256 (the same seed must give the same bytes), and
times one process alone for comparison. The font survey is timed apart (it is
kept in the cache after the first run).

notebook: runs notebooks/06_house_numbers/house_numbers.ipynb in full mode
with a real kernel (``course_lib.solutions.run_notebook``) in a scratch
folder, and records its headline figures (targets: crops test accuracy >= 0.95,
whole-number accuracy >= 0.90, coverage at 98% written down, >= 4 of the 5
example photos read) and the time of each training cell (target: under 30
minutes of training). On the real SVHN (``COURSE_DATA_DIR`` holding
``svhn/train_32x32.mat``, ``svhn/test_32x32.mat`` and the format-1 folders
``svhn/train/``, ``svhn/test/``) the same command measures the real thing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow
os.environ.setdefault("COURSE_OFFLINE", "1")  # the real download path is not measured here

NOTEBOOK = REPO / "notebooks" / "06_house_numbers" / "house_numbers.ipynb"
TRAINING_CELLS = ("train_crops", "train_numbers", "transfer")


def save(section: str, record: dict) -> None:
    """Write ``record`` under ``section`` of results/house_numbers.json, keeping the other sections."""
    from benchmarks.common import RESULTS, machine, write_results

    path = RESULTS / "house_numbers.json"
    results = json.loads(path.read_text()) if path.exists() else {"benchmark": "house_numbers", "runs": {}}
    record.update(command=" ".join([Path(sys.executable).name, *sys.argv]), machine=machine(),
                  date=time.strftime("%Y-%m-%d"))
    results["runs"][section] = record
    write_results("house_numbers", results)


def run_generator(count: int, check: int, serial: int) -> None:
    from course_lib.house_numbers import crops, fonts
    from course_lib.parallel import cores

    start = time.perf_counter()
    usable = fonts.digit_fonts()
    survey_seconds = time.perf_counter() - start
    print(f"fonts: {len(usable)} draw readable digits ({survey_seconds:.1f} s to find, cached afterwards)")
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        images, labels = crops.generate_crops(count, seed=0, split="train")
        made = time.perf_counter() - start
        crops.write_mat(Path(scratch) / "train_32x32.mat", images, labels)
        total = time.perf_counter() - start
        print(f"{count:,} crops on {cores()} workers: {made:.1f} s ({count / made:,.0f} crops/s); "
              f"with the .mat file: {total:.1f} s")
        digests = []
        for run in range(2):
            images, labels = crops.generate_crops(check, seed=7, split="test", progress=False)
            path = crops.write_mat(Path(scratch) / f"check{run}.mat", images, labels)
            digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
        print(f"{check:,} crops twice, seed 7: same bytes: {digests[0] == digests[1]}")
        start = time.perf_counter()
        crops.generate_crops(serial, seed=0, split="valid", workers=1, progress=False)
        one = time.perf_counter() - start
        print(f"one process: {serial / one:,.0f} crops/s ({serial:,} crops)")
    save("generator", {"crops": count, "workers": cores(), "seconds": round(made, 1),
                       "seconds_with_mat_file": round(total, 1), "crops_per_second": round(count / made),
                       "one_process_crops_per_second": round(serial / one), "fonts": len(usable),
                       "font_survey_seconds": round(survey_seconds, 1),
                       "same_seed_same_bytes": digests[0] == digests[1],
                       "target": "100,000 crops in under 60 s"})


def cell_seconds(notebook) -> dict[str, float]:
    """Seconds each cell took, by grade id, from the executed notebook's timing metadata."""
    from datetime import datetime

    seconds = {}
    for cell in notebook.cells:
        timing = cell.metadata.get("execution", {})
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id and "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            seconds[grade_id] = (end - begin).total_seconds()
    return seconds


def run_notebook_full(keep: Path | None) -> None:
    import shutil

    import nbformat

    from course_lib.solutions import run_notebook

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(keep or scratch) / "06_house_numbers"
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(NOTEBOOK.parent, work)
        run = run_notebook(work / NOTEBOOK.name, work / NOTEBOOK.name, full=True, assignment="06_house_numbers")
        notebook = nbformat.read(run.output, as_version=4)
    timings = cell_seconds(notebook)
    training = {name: round(timings.get(name, 0.0), 1) for name in TRAINING_CELLS}
    figures = {figure["name"]: {"value": figure["value"], "at_least": figure.get("at_least"),
                                "passed": figure["passed"]} for figure in run.figures}
    print(f"full mode: {run.seconds:.0f} s in all, training {sum(training.values()):.0f} s {training}")
    for name, figure in figures.items():
        verdict = "met" if figure["passed"] else "NOT met"
        print(f"  {name} = {figure['value']:.4f} (target {figure['at_least']}: {verdict})")
    if run.error:
        print("error:", run.error)
    save("notebook_full", {"seconds": round(run.seconds, 1), "training_seconds": training,
                           "training_minutes": round(sum(training.values()) / 60, 1), "figures": figures,
                           "error": run.error, "target": "training under 30 minutes; the figures' own targets"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("generator", "notebook"))
    parser.add_argument("--count", type=int, default=100_000, help="crops to time (generator)")
    parser.add_argument("--check", type=int, default=10_000, help="crops made twice to compare (generator)")
    parser.add_argument("--serial", type=int, default=3_000, help="crops made by one process (generator)")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the executed notebook in (notebook)")
    args = parser.parse_args()
    if args.what == "generator":
        run_generator(args.count, args.check, args.serial)
    else:
        run_notebook_full(args.keep)


if __name__ == "__main__":
    main()
