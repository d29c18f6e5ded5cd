"""Benchmark: every reference notebook in fast mode, today's against an earlier commit's, in one run.

    .venv/bin/python benchmarks/fast_modes.py                         # all six, against 20031b3
    .venv/bin/python benchmarks/fast_modes.py --baseline REV --rounds 2 01_notmnist 02_fundamentals

Run it under the shared lock (`flock /tmp/course-kit-cpu.lock ...`): the figures are times.

Issue 33 adds exercises to the notebooks on the condition that no fast mode
grows by more than 15 s. This measures that: the baseline commit's tree is
exported with ``git archive`` into a temporary folder, and each notebook is
run from that tree and from this one, alternately (the order swaps every
round), each run in a fresh interpreter whose ``PYTHONPATH`` puts that tree's
``course_lib`` and ``problem_unittests`` first, exactly as
``course solutions run NAME`` runs it (papermill, FAST_MODE = True). Both read
the same data and caches; the first round also fills any cache the
notebooks build, so give ``--rounds 2`` or more for figures without it.

For each run it records the wall time and the CPU time of the run's process
and its kernel (user + system): on a busy machine the wall time swings with
the load, the CPU time much less, so both are reported. And, from each
round's two executed notebooks, each cell's time (papermill's): the cells
only today's notebook has (the new exercises) summed, and the cells both
have summed for each, which shows how much of a difference is noise. Assignment 4 needs
the real CIFAR-10 (``COURSE_DATA_DIR=$(python -m tests.shared_data)``);
without it that notebook is skipped, as ``course demo`` skips it.

Writes benchmarks/results/fast_modes.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.common import machine, write_results  # noqa: E402

BASELINE = "20031b3"  # main on 2026-11-24, before issues 32 and 33 changed the notebooks
ASSIGNMENTS = ("01_notmnist", "02_fundamentals", "03_mnist_cnn", "04_cifar10_cnn", "05_digit_sequences",
               "06_house_numbers")
LIMIT = 15.0  # seconds a fast mode may grow (issue 33)

# Run in a fresh interpreter from one tree: the notebook's wall time, and the CPU time of this process and of
# the kernel it waited for.
RUN_ONE = """
import json, resource, sys
from pathlib import Path
import course_lib
from course_lib.solutions import run_assignments
tree, assignment, output = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
assert Path(course_lib.__file__).resolve().is_relative_to(tree.resolve()), course_lib.__file__
(run,) = run_assignments([assignment], output_dir=output)
assert run.source.resolve().is_relative_to(tree.resolve()), run.source
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"seconds": round(run.seconds, 1), "error": run.error,
                  "cpu_seconds": round(sum(u.ru_utime + u.ru_stime for u in usage), 1),
                  "figures": {f["name"]: f["value"] for f in run.figures}, "output": str(run.output)}))
"""


def export_tree(revision: str, folder: Path) -> Path:
    """The files of ``revision`` in ``folder``, by ``git archive`` (no checkout, no worktree left behind)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", revision],
                             check=True, capture_output=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run_once(tree: Path, assignment: str, scratch: Path) -> dict:
    """One fast-mode run of ``assignment`` from ``tree``, as ``course solutions run`` makes it."""
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(tree),
                                                                          os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", RUN_ONE, str(tree), assignment, str(scratch / tree.name)],
                          cwd=tree, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        return {"seconds": None, "cpu_seconds": None, "error": done.stderr.strip().splitlines()[-1][:300]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def cell_seconds(executed: Path) -> dict[str, float]:
    """Each cell's run time in an executed notebook (papermill's ``duration``), by grade id or cell id."""
    cells = json.loads(Path(executed).read_text())["cells"]
    return {cell["metadata"].get("nbgrader", {}).get("grade_id") or cell.get("id", str(index)):
            cell["metadata"].get("papermill", {}).get("duration") or 0.0 for index, cell in enumerate(cells)}


def compare_cells(baseline: dict[str, float], head: dict[str, float]) -> dict:
    """Where the time went, from one round's two executed notebooks: the cells only today's notebook has (the
    new exercises), and the cells both have (whose difference is the machine's noise, or a changed cell)."""
    added = {name: seconds for name, seconds in head.items() if name not in baseline}
    shared = [name for name in head if name in baseline]
    return {"added_cells_seconds": round(sum(added.values()), 1),
            "slowest_added_cells": {name: round(seconds, 1) for name, seconds in
                                    sorted(added.items(), key=lambda item: -item[1])[:5]},
            "shared_cells_seconds": {"baseline": round(sum(baseline[name] for name in shared), 1),
                                     "head": round(sum(head[name] for name in shared), 1)}}


def has_cifar10() -> bool:
    folder = os.environ.get("COURSE_DATA_DIR")
    return bool(folder) and (Path(folder) / "cifar10").is_dir()


def summary(runs: list[dict], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None and not run.get("error")]
    return round(statistics.median(values), 1) if values else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENTS))
    parser.add_argument("--baseline", default=BASELINE, help=f"the commit to compare with (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    results = {"command": " ".join(["python", "benchmarks/fast_modes.py"] + (argv or sys.argv[1:])),
               "machine": machine(), "baseline": args.baseline,
               "head": subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                      capture_output=True, text=True).stdout.strip(),
               "limit_seconds": LIMIT, "assignments": {}}
    written = None
    with tempfile.TemporaryDirectory(prefix="fast-modes-") as temporary:
        scratch = Path(temporary)
        trees = {"baseline": export_tree(args.baseline, scratch / "baseline"), "head": REPO}
        for assignment in args.assignments:
            if assignment == "04_cifar10_cnn" and not has_cifar10():
                print(f"{assignment}: skipped (no CIFAR-10 in COURSE_DATA_DIR)", flush=True)
                continue
            runs = {"baseline": [], "head": []}
            for number in range(args.rounds):
                order = ("baseline", "head") if number % 2 == 0 else ("head", "baseline")
                for name in order:
                    run = run_once(trees[name], assignment, scratch / f"round-{number}")
                    runs[name].append(run)
                    print(f"{assignment} round {number + 1} {name}: {run['seconds']} s wall, "
                          f"{run['cpu_seconds']} s CPU{'  ERROR ' + run['error'] if run.get('error') else ''}",
                          flush=True)
            row = {name: {"runs": runs[name], "seconds": summary(runs[name], "seconds"),
                          "cpu_seconds": summary(runs[name], "cpu_seconds")} for name in runs}
            row["cells_by_round"] = [compare_cells(cell_seconds(old["output"]), cell_seconds(new["output"]))
                                     for old, new in zip(runs["baseline"], runs["head"])
                                     if not old.get("error") and not new.get("error")]
            if row["baseline"]["seconds"] is not None and row["head"]["seconds"] is not None:
                row["added_seconds"] = round(row["head"]["seconds"] - row["baseline"]["seconds"], 1)
                row["added_cpu_seconds"] = round(row["head"]["cpu_seconds"] - row["baseline"]["cpu_seconds"], 1)
                row["within_limit"] = row["added_seconds"] <= LIMIT
            results["assignments"][assignment] = row
            written = write_results("fast_modes", results)  # after every notebook: a stopped run keeps what it measured
    print(f"{'assignment':<20} {'baseline s':>10} {'today s':>8} {'added':>7} {'CPU added':>9} {'new cells':>9}")
    for assignment, row in results["assignments"].items():
        new_cells = "/".join(str(r["added_cells_seconds"]) for r in row["cells_by_round"])
        print(f"{assignment:<20} {row['baseline']['seconds']!s:>10} {row['head']['seconds']!s:>8} "
              f"{row.get('added_seconds')!s:>7} {row.get('added_cpu_seconds')!s:>9} {new_cells:>9}")
    print(f"wrote {written}" if written else "nothing measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
