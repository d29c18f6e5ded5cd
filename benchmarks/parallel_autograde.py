"""Benchmark: autograding 20 submissions, serial nbgrader against ``course autograde --workers 2``.

    .venv/bin/python benchmarks/parallel_autograde.py [--submissions 20] [--workers 2]

Builds a scratch course with the example assignment of the test suite
(tests/fixtures/course: two graded parts, 3 points), 20 submissions of it
(correct, partly correct and blank, in turn), then grades two identical
copies of that course in the same run:
- naive: ``nbgrader autograde example``, as instructors run it (serial, no sandbox);
- ours: ``course autograde example --workers 2`` (sandboxed, repaired, merged);
and ``course autograde --workers 1`` for the cost of the sandbox alone;
three interleaved rounds, medians reported (this machine's speed varies).
Checks that every cell's score is identical, and writes
benchmarks/results/parallel_autograde.json. Target: at least 1.8x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_lib.grading import nbgrader_course  # noqa: E402
from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT  # noqa: E402
from tests.hostile_submissions import SQUARES, SUM, WRONG_SUM, answered  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "parallel_autograde.json"
BIN = Path(sys.executable).parent


def make_course(folder: Path, count: int) -> Path:
    import nbformat

    root = folder / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(REPO / "tests" / "fixtures" / "course" / "notebooks", root / "notebooks")
    released = nbgrader_course.generate_assignment(nbgrader_course.load_config(root), "example")[0]
    kinds = [(SQUARES, SUM), (SQUARES, WRONG_SUM), (None, None)]
    for number in range(count):
        squares, sum_ = kinds[number % len(kinds)]
        notebook = answered(nbformat.read(released, as_version=4), squares, sum_)
        target = root / "submitted" / f"student{number:02d}" / "example"
        target.mkdir(parents=True)
        nbformat.write(notebook, target / "example.ipynb")
    return root


def scores(root: Path) -> dict:
    config = nbgrader_course.load_config(root)
    with nbgrader_course.gradebook(config) as book:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in book.find_assignment("example").submissions}


def timed(command, cwd, env=None) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=dict(os.environ, **(env or {})), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the medians are reported")
    args = parser.parse_args()
    env = {"COURSE_PROGRESS": "0", **TENSORFLOW_ENVIRONMENT}
    runs = {"naive": [], "ours": [], "ours_serial": []}
    results = {}
    with tempfile.TemporaryDirectory(prefix="autograde-bench-") as scratch:
        template = make_course(Path(scratch) / "template", args.submissions)
        for round_ in range(args.repeat):  # interleaved, so that a slow moment of the machine hits all three
            copies = {}
            for name in runs:
                copies[name] = Path(scratch) / f"{name}-{round_}" / "course"
                shutil.copytree(template, copies[name])
            runs["naive"].append(timed([BIN / "nbgrader", "autograde", "example"], cwd=copies["naive"] / "admin",
                                       env=env))
            runs["ours"].append(timed([sys.executable, "-m", "course_lib", "autograde", "example", "--workers",
                                       str(args.workers)], cwd=copies["ours"],
                                      env=dict(env, COURSE_ROOT=str(copies["ours"]))))
            runs["ours_serial"].append(timed([sys.executable, "-m", "course_lib", "autograde", "example",
                                              "--workers", "1"], cwd=copies["ours_serial"],
                                             env=dict(env, COURSE_ROOT=str(copies["ours_serial"]))))
            for name, path in copies.items():
                results.setdefault(name, scores(path))
                if scores(path) != results[name]:
                    raise SystemExit(f"{name}: scores differ between rounds")
    naive, ours, ours_serial = (statistics.median(runs[name]) for name in ("naive", "ours", "ours_serial"))
    identical = results["naive"] == results["ours"] == results["ours_serial"]
    total = {name: sum(sum(cells.values()) for cells in result.values()) for name, result in results.items()}
    ratio = naive / ours
    print(f"{args.submissions} submissions of the example assignment, {os.cpu_count()} cores, "
          f"median of {args.repeat} rounds")
    print(f"naive  nbgrader autograde (serial, no sandbox):     {naive:6.1f} s")
    print(f"ours   course autograde --workers {args.workers} (sandboxed): {ours:6.1f} s   ratio {ratio:.2f}x")
    print(f"ours   course autograde --workers 1 (sandboxed):    {ours_serial:6.1f} s")
    print(f"identical scores in all three: {identical} (total points {total})")
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor())
    record = {"command": " ".join(["benchmarks/parallel_autograde.py", *sys.argv[1:]]),
              "submissions": args.submissions, "workers": args.workers,
              "machine": {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version()},
              "seconds": {"naive_nbgrader_serial": round(naive, 1), "ours_parallel": round(ours, 1),
                          "ours_serial": round(ours_serial, 1)},
              "all_rounds": {name: [round(t, 1) for t in times] for name, times in runs.items()},
              "ratio": round(ratio, 2), "identical_scores": identical, "total_points": total,
              "target": {"ratio_at_least": 1.8}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    temporary = RESULTS.with_suffix(".json.partial")
    temporary.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(temporary, RESULTS)
    if not identical:
        raise SystemExit("scores differ between the runs")


if __name__ == "__main__":
    main()
