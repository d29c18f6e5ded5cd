"""Benchmark: TensorFlow's own memory pool (BFC allocator) against the C library's malloc, in a real training loop.

    flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/tensorflow_allocator.py

By default TensorFlow takes the memory of each tensor from the C library
(malloc), which hands large blocks back to the system when they are freed and
gets them again as fresh pages: one page fault per 4 kB, paid in the kernel.
``TF_CPU_ALLOCATOR_USE_BFC=true`` makes TensorFlow keep that memory in its own
pool instead; the course sets it everywhere (``course_lib/tensorflow_env.py``).

This measures it on assignment 5's training loop as the notebook runs it:
``multidigit.epoch_data`` (new sequences each epoch), the accuracy callback
and the validation data, 3 epochs of 6,000 sequences (trunk 16-32-64, batches
of 64, MNIST digits). Each measurement runs in a fresh interpreter, malloc
(the naive setting) and the pool interleaved, ``--rounds`` times; reported:
sequences per second (median of the rounds), and the page faults and CPU
seconds in user and kernel mode of each run.
Writes benchmarks/results/tensorflow_allocator.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402
from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT  # noqa: E402

EPOCHS, SEQUENCES = 3, 6_000
SETTINGS = {"malloc": "false", "BFC pool": "true"}


def measure_one() -> float:
    """Sequences per second of assignment 5's training loop, in this interpreter."""
    import keras

    from course_lib.digit_sequences import multidigit, sequences

    pools = sequences.mnist_pools(validation=500)
    style = sequences.SequenceStyle(placement="left")
    valid = sequences.build_sequences(pools.valid, 2_000, style, seed=10**6, progress=False)
    keras.utils.set_random_seed(0)
    model = multidigit.build_model((32, 128, 1), filters=(16, 32, 64), dense=256, batch_norm=False,
                                   learning_rate=2e-3)

    def make(epoch):
        batch = sequences.build_sequences(pools.train, SEQUENCES, style, seed=1000 + epoch, progress=False)
        return batch.images, batch.labels

    start = time.perf_counter()
    model.fit(multidigit.epoch_data(make, 64), epochs=EPOCHS, verbose=0,
              callbacks=[multidigit.accuracy_callback(valid.images, valid.labels)],
              validation_data=(valid.images[..., None], multidigit.targets(valid.labels)))
    return EPOCHS * SEQUENCES / (time.perf_counter() - start)


def measure(bfc: str) -> dict:
    """measure_one() in a fresh interpreter with TF_CPU_ALLOCATOR_USE_BFC=bfc, with its page faults and CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    environment = {**os.environ, **TENSORFLOW_ENVIRONMENT, "TF_CPU_ALLOCATOR_USE_BFC": bfc}
    result = subprocess.run([sys.executable, __file__, "--one"], capture_output=True, text=True, env=environment,
                            cwd=REPO)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise SystemExit(f"measuring with TF_CPU_ALLOCATOR_USE_BFC={bfc} failed:\n{result.stderr[-2000:]}")
    return {"sequences_per_second": round(float(result.stdout.strip().splitlines()[-1]), 1),
            "page_faults": after.ru_minflt - before.ru_minflt,
            "user_seconds": round(after.ru_utime - before.ru_utime, 1),
            "kernel_seconds": round(after.ru_stime - before.ru_stime, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved malloc/pool rounds")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(measure_one())
        return
    runs = {name: [] for name in SETTINGS}
    for _ in range(args.rounds):
        for name, value in SETTINGS.items():
            runs[name].append(measure(value))
            print(name, runs[name][-1], flush=True)
    medians = {name: statistics.median(run["sequences_per_second"] for run in runs[name]) for name in SETTINGS}
    measured_on = machine()
    measured_on.pop("tensorflow_allocator")  # each run sets its own
    results = {"command": "benchmarks/tensorflow_allocator.py " + " ".join(sys.argv[1:]), "machine": measured_on,
               "loop": f"assignment 5's training loop: {EPOCHS} epochs of {SEQUENCES:,} new sequences, batches of 64",
               "runs": runs, "median_sequences_per_second": medians,
               "ratio": round(medians["BFC pool"] / medians["malloc"], 2)}
    print(json.dumps({"median_sequences_per_second": medians, "ratio": results["ratio"]}))
    print(f"wrote {write_results('tensorflow_allocator', results)}")


if __name__ == "__main__":
    main()
