"""Benchmark: decoding the real CIFAR-10 class-folder tree (60,000 JPEGs) into arrays.

    .venv/bin/python benchmarks/decode.py          # needs ../shared/data (tests/shared_data.py lays it out)

Compared in one run, on the same files, each in a fresh interpreter that imported TensorFlow first
(as a student's script does), best of ``--repeat`` runs plus the first (cold) one:
- ours: ``course_lib.data.load("cifar10")``, decoding on every core in joblib's (loky) worker
  processes, which never re-import the calling script;
- naive: the same decoding in one process (``course_lib.parallel.ordered_map(..., parallel=False)``);
- before: the earlier method, a ``concurrent.futures`` process pool from a fork (it had to fall back
  to forkserver when TensorFlow was loaded, which re-imports the caller's script; here it is timed
  from a script without TensorFlow, where it could fork).
Target: ours within 20% of "before" (issue 7), and faster than naive.
Writes benchmarks/results/decode.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402
from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT  # noqa: E402
from tests.shared_data import assignment_data_dir  # noqa: E402

SCRIPT = {
    "ours": """
import keras, time
from course_lib.data import load
start = time.perf_counter(); (x, y), (xt, yt) = load("cifar10"); print(time.perf_counter() - start, len(x) + len(xt))
""",
    "naive": """
import keras, time
from course_lib.data import decode
decode.PARALLEL_FROM = 10 ** 9  # never in parallel: one process decodes everything
from course_lib.data import load
start = time.perf_counter(); (x, y), (xt, yt) = load("cifar10"); print(time.perf_counter() - start, len(x) + len(xt))
""",
    "before": """
import time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from course_lib import parallel
from course_lib.data import decode
def forked_map(function, tasks, *, workers=None, parallel=True):
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(function, tasks)
decode.ordered_map = forked_map
from course_lib.data import load
start = time.perf_counter(); (x, y), (xt, yt) = load("cifar10"); print(time.perf_counter() - start, len(x) + len(xt))
""",
}


def run(method: str, data_dir: Path) -> float:
    environment = {"COURSE_DATA_DIR": str(data_dir), "COURSE_PROGRESS": "0", "PATH": "/usr/bin:/bin",
                   **TENSORFLOW_ENVIRONMENT}
    result = subprocess.run([sys.executable, "-c", SCRIPT[method]], capture_output=True, text=True, cwd=REPO,
                            env=environment, check=True)
    seconds, count = result.stdout.split()
    assert int(count) == 60_000, count
    return float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_dir = assignment_data_dir()
    if data_dir is None:
        raise SystemExit("../shared/data is absent: this benchmark needs the real CIFAR-10")
    times = {method: [] for method in SCRIPT}
    for _ in range(args.repeat):  # interleaved, so that a slow moment of the machine hits every method
        for method in SCRIPT:
            times[method].append(run(method, data_dir))
            print(f"{method}: {times[method][-1]:.2f} s", flush=True)
    summary = {method: {"runs": [round(t, 2) for t in runs], "median": round(statistics.median(runs), 2)}
               for method, runs in times.items()}
    ours, naive, before = (summary[m]["median"] for m in ("ours", "naive", "before"))
    results = {"command": "python benchmarks/decode.py", "machine": machine(), "images": 60_000,
               "data": "real CIFAR-10, JPEG class-folder tree from ../shared/data/cifar10", **summary,
               "ours_vs_naive": round(naive / ours, 2), "ours_vs_before": round(ours / before, 3),
               "target": "ours within 20% of before (ours / before <= 1.2)"}
    path = write_results("decode", results)
    print(f"ours {ours:.2f} s, naive {naive:.2f} s ({naive / ours:.2f}x), before {before:.2f} s "
          f"(ours / before = {ours / before:.2f}); written to {path}")


if __name__ == "__main__":
    main()
