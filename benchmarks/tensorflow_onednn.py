"""Benchmark: TensorFlow's oneDNN kernels on or off, for the networks the assignments train.

    flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/tensorflow_onednn.py

`TF_ENABLE_ONEDNN_OPTS=0` silences TensorFlow's oneDNN notice by turning
oneDNN off. The course used to set it; it now keeps TensorFlow's default (on)
and silences the notice with `TF_CPP_MIN_LOG_LEVEL=2` instead. This measures
what that is worth: training images per second (`model.fit` on random pixels,
after a warm-up epoch) of

- assignment 4's reference network (the notebook's `build_model` and
  `compile_model`: a quarter-width ResNet-9 with augmentation layers),
  batches of 256, 32x32x3;
- assignment 5's reference model (`multidigit.build_model`, trunk 16-32-64,
  no batch normalisation, six heads), batches of 64, 32x128x1;
- assignment 6's whole-number model (trunk 16-32-48), batches of 64, 54x54x3;

each in a fresh interpreter with oneDNN off (the naive setting) and on,
interleaved, `--rounds` times; the median of the rounds is reported.
Writes benchmarks/results/tensorflow_onednn.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402

# name: (description, batch size, batches timed)
MODELS = {
    "cifar10_resnet9": ("assignment 4's reference network, 32x32x3, batches of 256", 256, 12),
    "digit_sequences": ("assignment 5's reference model, 32x128x1, batches of 64", 64, 60),
    "house_numbers": ("assignment 6's whole-number model, 54x54x3, batches of 64", 64, 40),
}


def build(name: str):
    """The model ``name`` of MODELS, compiled, and a function making (images, targets) of a given count."""
    import keras

    from course_lib.digit_sequences import multidigit

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    if name == "cifar10_resnet9":
        from benchmarks.cifar10_input_pipeline import new_model, reference

        model = new_model(reference(rng.standard_normal((2000, 32, 32, 3), np.float32)), augment_inside=True,
                          steps=100)

        def data(count):
            return rng.standard_normal((count, 32, 32, 3), np.float32), np.eye(10, dtype=np.float32)[
                rng.integers(0, 10, count)]
        return model, data
    shape, filters = ((32, 128, 1), (16, 32, 64)) if name == "digit_sequences" else ((54, 54, 3), (16, 32, 48))
    model = multidigit.build_model(shape, filters=filters, dense=256, batch_norm=False)

    def data(count):
        return (rng.integers(0, 256, (count, *shape), dtype=np.uint8),
                multidigit.targets(rng.integers(0, multidigit.NUM_CLASSES, (count, multidigit.MAX_DIGITS))))
    return model, data


def measure_one(name: str) -> dict:
    """Images/s of one timed epoch of model ``name``, in this interpreter (oneDNN as its environment says)."""
    _, batch, batches = MODELS[name]
    model, data = build(name)
    model.fit(*data(2 * batch), batch_size=batch, epochs=1, verbose=0)
    images, targets = data(batch * batches)
    start = time.perf_counter()
    model.fit(images, targets, batch_size=batch, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return {"images": len(images), "seconds": round(seconds, 2), "images_per_second": round(len(images) / seconds, 1)}


def measure(name: str, onednn: bool) -> dict:
    """measure_one(name) in a fresh interpreter with TF_ENABLE_ONEDNN_OPTS set to 1 or 0."""
    environment = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1" if onednn else "0", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True,
                            env=environment, cwd=REPO)
    if result.returncode:
        raise SystemExit(f"measuring {name} (oneDNN {'on' if onednn else 'off'}) failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="interleaved off/on rounds per model")
    parser.add_argument("--one", choices=sorted(MODELS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return
    results = {"command": "benchmarks/tensorflow_onednn.py " + " ".join(sys.argv[1:]), "machine": machine(),
               "data": "random pixels (speed does not depend on them)", "models": {}}
    print(f"{'model':70} {'oneDNN off':>12} {'oneDNN on':>12} {'ratio':>6}")
    for name, (description, batch, batches) in MODELS.items():
        rounds = {"off": [], "on": []}
        for _ in range(args.rounds):
            for setting in ("off", "on"):
                rounds[setting].append(measure(name, setting == "on")["images_per_second"])
        off, on = statistics.median(rounds["off"]), statistics.median(rounds["on"])
        results["models"][name] = {"description": description, "batch": batch, "images_timed": batch * batches,
                                   "images_per_second_off": rounds["off"], "images_per_second_on": rounds["on"],
                                   "median_off": off, "median_on": on, "ratio": round(on / off, 2)}
        print(f"{description:70} {off:12.1f} {on:12.1f} {on / off:5.2f}x", flush=True)
    print(f"wrote {write_results('tensorflow_onednn', results)}")


if __name__ == "__main__":
    main()
