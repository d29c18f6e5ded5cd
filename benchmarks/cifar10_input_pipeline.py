"""Benchmark: does data augmentation starve the CIFAR-10 network of assignment 4? Where does an epoch's time go?

    COURSE_DATA_DIR=$(.venv/bin/python -m tests.shared_data) \\
        flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/cifar10_input_pipeline.py

The network is the notebook's reference (`build_model` of
notebooks/04_cifar10_cnn/cifar10_cnn.ipynb, compiled by its `compile_model`),
trained with `model.fit` in batches of 256 on real CIFAR-10 training images,
standardised. Training speed (images/s, after a warm-up) with:

- no augmentation (the baseline);
- the notebook's choice: RandomFlip + RandomTranslation as the first layers
  of the model, on whole batches inside the compiled training step;
- the same Keras layers in a tf.data pipeline, on whole batches (prefetched);
- the same Keras layers in a tf.data pipeline, mapped over single images
  (the usual tf.data idiom, and the slow one);
- a vectorised numpy random crop (4-pixel reflected padding) and flip per
  batch, fed by a keras.utils.PyDataset.

Also the augmentation layers alone (images/s), and a profile of one epoch
(45,000 images) of the notebook's training with TensorFlow's profiler: the
time of every TensorFlow op, summed by kind (convolutions forward and
backward, batch normalisation, augmentation, optimizer, ...).
Target: augmentation under 15% of an epoch.
Writes benchmarks/results/cifar10_input_pipeline.json.
"""

from __future__ import annotations

import argparse
import collections
import glob
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.common import machine, write_results  # noqa: E402
from course_lib import tensorflow_env  # noqa: E402

tensorflow_env.set_defaults()  # as the course command runs TensorFlow
NOTEBOOK = REPO / "notebooks" / "04_cifar10_cnn" / "cifar10_cnn.ipynb"
BATCH = 256
TARGET_SHARE = 0.15


def cifar10_training_images(count: int, seed: int = 0):
    """``count`` real CIFAR-10 training images, standardised float32 (count, 32, 32, 3), and one-hot labels."""
    from benchmarks.cifar10_cnn import use_real_cifar10
    from course_lib import data

    use_real_cifar10()

    (images, labels), _ = data.load("cifar10", download=False)
    chosen = np.random.default_rng(seed).permutation(len(images))[:count]
    images, labels = images[chosen], labels[chosen]
    mean, std = images.mean(axis=(0, 1, 2)), images.std(axis=(0, 1, 2))
    return ((images - mean) / std).astype(np.float32), np.eye(10, dtype=np.float32)[labels]


def reference():
    from tests.notebook_reference import reference_namespace

    return reference_namespace(NOTEBOOK, ("imports", "learning_rate_schedule", "build_model", "compile_model"))


def new_model(ref, augment: bool, steps: int):
    import keras

    keras.utils.set_random_seed(0)
    model = ref["build_model"](augment=augment)
    ref["compile_model"](model, steps, 1)
    return model


def timed_fit(model, inputs, labels=None, warmup=None) -> dict:
    """Images/s and CPU ms per image of one epoch of ``model.fit`` after a warm-up epoch on ``warmup``."""
    model.fit(*warmup, batch_size=BATCH, epochs=1, verbose=0) if warmup else None
    count = len(labels) if labels is not None else len(inputs) * BATCH
    start, cpu = time.perf_counter(), time.process_time()
    if labels is None:
        model.fit(inputs, epochs=1, verbose=0)
    else:
        model.fit(inputs, labels, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"images": count, "seconds": round(seconds, 2), "images_per_second": round(count / seconds, 1),
            "cpu_ms_per_image": round(1000 * cpu / count, 3)}


def keras_augmentation():
    import keras
    from keras import layers

    return keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomTranslation(0.125, 0.125)])


def crop_flip(batch: np.ndarray, rng: np.random.Generator, padding: int = 4) -> np.ndarray:
    """Random crops of the reflected-padded images and random horizontal flips: (N, H, W, C) -> same, vectorised."""
    count, height, width, _ = batch.shape
    padded = np.pad(batch, ((0, 0), (padding, padding), (padding, padding), (0, 0)), mode="reflect")
    rows = rng.integers(0, 2 * padding + 1, count)[:, None] + np.arange(height)
    columns = rng.integers(0, 2 * padding + 1, count)[:, None] + np.arange(width)
    columns = np.where(rng.random(count)[:, None] < 0.5, columns[:, ::-1], columns)
    return padded[np.arange(count)[:, None, None], rows[:, :, None], columns[:, None, :]]


def numpy_batches(images, labels):
    import keras

    class CropFlipBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(0)
            self.order = self.rng.permutation(len(images))

        def __len__(self):
            return int(np.ceil(len(images) / BATCH))

        def __getitem__(self, index):
            chosen = self.order[index * BATCH:(index + 1) * BATCH]
            return crop_flip(images[chosen], self.rng), labels[chosen]

    return CropFlipBatches()


def tf_data(images, labels, per_image: bool):
    import tensorflow as tf

    augmentation = keras_augmentation()
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=0)
    augment = lambda x, y: (augmentation(x, training=True), y)  # noqa: E731
    if per_image:
        dataset = dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH)
    else:
        dataset = dataset.batch(BATCH).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def augmentation_alone(images) -> dict:
    import tensorflow as tf

    augmentation = keras_augmentation()
    step = tf.function(lambda batch: augmentation(batch, training=True))
    step(images[:BATCH])
    start, cpu = time.perf_counter(), time.process_time()
    for index in range(0, len(images), BATCH):
        result = step(images[index:index + BATCH])
    np.asarray(result)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"images": len(images), "seconds": round(seconds, 3), "images_per_second": round(len(images) / seconds),
            "cpu_ms_per_image": round(1000 * cpu / len(images), 4)}


KINDS = (  # (kind, test on the op's "scope/name:Type"), first match wins
    ("augmentation (RandomFlip, RandomTranslation)", lambda n: "random_flip" in n or "random_translation" in n),
    ("convolution, backward", lambda n: "Conv2DBackprop" in n),
    ("convolution, forward", lambda n: n.endswith(":Conv2D")),
    ("batch normalisation", lambda n: "batch_normalization" in n),
    ("optimizer (SGD, schedule, weight decay)", lambda n: "/sgd/" in n or n.startswith("sgd/")),
    ("pooling", lambda n: "pooling" in n),
    ("ReLU", lambda n: "re_lu" in n),
    ("loss and metrics", lambda n: "categorical_crossentropy" in n or "compile_loss" in n or "accuracy" in n
     or "mean" in n.split("/")[-1].lower()),
)


def op_kind(name: str) -> str:
    return next((kind for kind, test in KINDS if test(name)), "other ops")


def profile_epoch(ref, images, labels) -> dict:
    """One epoch of the notebook's training under TensorFlow's profiler: op time summed by kind."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    model = new_model(ref, augment=True, steps=int(np.ceil(len(images) / BATCH)))
    model.fit(images[:2 * BATCH], labels[:2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(images, labels, batch_size=BATCH, epochs=1, verbose=0)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        space.ParseFromString(Path(sorted(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True))[-1]).read_bytes())
    by_kind, others = collections.Counter(), collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):  # the threads that run TensorFlow's ops
                continue
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                # "...:Process" events enclose the ops a thread runs: counting them would count that time twice
                if ":" in name and not name.startswith("Threadpool") and not name.endswith(":Process"):
                    kind = op_kind(name)
                    by_kind[kind] += event.duration_ps / 1e12
                    if kind == "other ops":
                        others[name.rsplit(":", 1)[-1]] += event.duration_ps / 1e12
    total = sum(by_kind.values())
    return {"images": len(images), "epoch_seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "op_seconds": round(total, 1),
            "share_of_op_time": {kind: round(value / total, 4) for kind, value in by_kind.most_common()},
            "other_ops_by_type": {kind: round(value / total, 4) for kind, value in others.most_common(8)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_240, help="images per speed measurement")
    parser.add_argument("--profile-images", type=int, default=45_000, help="images in the profiled epoch")
    args = parser.parse_args()

    images, labels = cifar10_training_images(max(args.images, args.profile_images))
    ref = reference()
    subset, subset_labels = images[:args.images], labels[:args.images]
    warmup = (images[:2 * BATCH], labels[:2 * BATCH])
    steps = int(np.ceil(args.images / BATCH))
    speeds = {}
    print(f"training speed, batches of {BATCH}, {args.images:,} real CIFAR-10 images each:")

    def report(name, figures):
        speeds[name] = figures
        print(f"  {name:55} {figures['images_per_second']:8.1f} images/s  "
              f"({figures['cpu_ms_per_image']:.2f} CPU ms per image)")

    report("no augmentation", timed_fit(new_model(ref, False, steps), subset, subset_labels, warmup))
    report("Keras layers inside the model (the notebook)",
           timed_fit(new_model(ref, True, steps), subset, subset_labels, warmup))
    report("numpy crop + flip per batch (PyDataset)",
           timed_fit(new_model(ref, False, steps), numpy_batches(subset, subset_labels), warmup=warmup))
    report("Keras layers in tf.data, on batches",
           timed_fit(new_model(ref, False, steps), tf_data(subset, subset_labels, per_image=False), warmup=warmup))
    few = args.images // 4  # the slow one, on fewer images
    report("Keras layers in tf.data, mapped over single images",
           timed_fit(new_model(ref, False, steps), tf_data(subset[:few], subset_labels[:few], per_image=True),
                     warmup=warmup))
    alone = augmentation_alone(subset)
    print(f"  augmentation layers alone: {alone['images_per_second']:,} images/s "
          f"({alone['cpu_ms_per_image']:.3f} CPU ms per image)")

    base = speeds["no augmentation"]["images_per_second"]
    notebook = speeds["Keras layers inside the model (the notebook)"]["images_per_second"]
    slowdown = 1 - notebook / base
    print(f"\nthe notebook's augmentation costs {slowdown:.1%} of the training speed (target under "
          f"{TARGET_SHARE:.0%}); alone, {alone['cpu_ms_per_image'] / speeds['no augmentation']['cpu_ms_per_image']:.1%}"
          " of a training step's CPU time")

    print(f"\nprofiling one epoch of {args.profile_images:,} images (augmentation in the model)...")
    profile = profile_epoch(ref, images[:args.profile_images], labels[:args.profile_images])
    print(f"  {profile['epoch_seconds']} s, {profile['cpu_seconds']} CPU s; TensorFlow op time by kind:")
    for kind, share in profile["share_of_op_time"].items():
        print(f"    {kind:48} {share:6.1%}")
    print("  the other ops, by type:", ", ".join(f"{kind} {share:.1%}"
                                                for kind, share in profile["other_ops_by_type"].items()))
    augmentation_share = profile["share_of_op_time"].get(KINDS[0][0], 0.0)
    results = {
        "command": "benchmarks/cifar10_input_pipeline.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "data": "real CIFAR-10 training images, standardised",
        "batch": BATCH,
        "training_speed": speeds,
        "augmentation_alone": alone,
        "augmentation_slowdown": round(slowdown, 4),
        "profile_one_epoch": profile,
        "augmentation_share_of_epoch": augmentation_share,
        "target": {"augmentation_share_under": TARGET_SHARE},
        "met": bool(slowdown < TARGET_SHARE and augmentation_share < TARGET_SHARE),
    }
    print(f"wrote {write_results('cifar10_input_pipeline', results)}")


if __name__ == "__main__":
    main()
