"""Benchmark: does data augmentation starve the CIFAR-10 network of assignment 4? Where does an epoch's time go?

    COURSE_DATA_DIR=$(.venv/bin/python -m tests.shared_data) \\
        flock /tmp/course-kit-cpu.lock .venv/bin/python benchmarks/cifar10_input_pipeline.py

The network is the notebook's reference (`build_model` of
notebooks/04_cifar10_cnn/cifar10_cnn.ipynb, compiled by its `compile_model`
with XLA), trained with `model.fit` in batches of 64 on real CIFAR-10
training images, standardised; the augmentation is the notebook's
`build_augmentation` (RandomFlip + RandomTranslation, whole pixels).
Training speed (images/s, after a warm-up) with:

- no augmentation (the baseline), the step compiled with XLA;
- the notebook's choice: the Keras layers in a tf.data pipeline, on whole
  batches, prefetched; the step compiled with XLA;
- the same layers as the first layers of the model (assignment 3's way):
  Keras cannot compile them with XLA and falls back to the plain step;
- no augmentation, without XLA (what XLA is worth);
- the same Keras layers in a tf.data pipeline, mapped over single images
  (the usual tf.data idiom);
- a vectorised numpy random crop (4-pixel reflected padding) and flip per
  batch, fed by a keras.utils.PyDataset.

Also the augmentation layers alone (images/s), and a profile of one epoch
(45,000 images) of the notebook's training with TensorFlow's profiler: the
seconds of the XLA-compiled training step's runs, of the augmentation ops
and of the rest of the pipeline's ops (tf.data's threads), against the
epoch's CPU seconds.
Every figure is timed from the start of the epoch to its end
(`course_lib.training.EpochTimer`), not around `model.fit`: when `fit`
returns it throws its tf.data iterator away, and TensorFlow then waits,
both cores idle, until tf.data's tuning thread next wakes up (it sleeps for
longer and longer, up to a minute). Timed around `fit`, 10,240 images took
41 s whatever the pipeline.
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
BATCH = 64  # the notebook's BATCH_SIZE
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


def reference(train_images: np.ndarray) -> dict:
    """The notebook's solution cells, and ``whitening``: their patch_whitening kernel of these standardised images,
    for build_model's fixed first layer (as the notebook computes it from 2,000 training images)."""
    from tests.notebook_reference import reference_namespace

    ref = reference_namespace(NOTEBOOK, ("imports", "build_augmentation", "learning_rate_schedule", "patch_whitening",
                                         "build_model", "compile_model"))
    ref["whitening"] = ref["patch_whitening"](train_images[:2000])
    return ref


def new_model(ref, steps: int, *, augment_inside: bool = False, xla: bool = True):
    """The notebook's network compiled by its compile_model; with its augmentation as first layers if asked."""
    import keras

    keras.utils.set_random_seed(0)
    model = ref["build_model"](whitening=ref["whitening"])
    if augment_inside:
        inputs = keras.Input(model.input_shape[1:])
        model = keras.Model(inputs, model(ref["build_augmentation"]()(inputs)))
    ref["compile_model"](model, steps, 1)
    if not xla or augment_inside:
        model.jit_compile = False  # with the layers inside, Keras would fall back to this anyway, with a warning
    return model


def timed_fit(model, inputs, labels=None, warmup=None) -> dict:
    """Images/s and CPU ms per image of one epoch of ``model.fit`` after a warm-up epoch on ``warmup``."""
    model.fit(*warmup, batch_size=BATCH, epochs=1, verbose=0) if warmup else None
    from course_lib.training import EpochTimer

    count = len(labels) if labels is not None else len(inputs) * BATCH
    clock = EpochTimer()
    if labels is None:
        model.fit(inputs, epochs=1, verbose=0, callbacks=[clock])
    else:
        model.fit(inputs, labels, batch_size=BATCH, epochs=1, verbose=0, shuffle=True, callbacks=[clock])
    seconds, cpu = clock.seconds[0], clock.cpu_seconds[0]
    return {"images": count, "seconds": round(seconds, 2), "images_per_second": round(count / seconds, 1),
            "cpu_ms_per_image": round(1000 * cpu / count, 3)}


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


def tf_data(ref, images, labels, per_image: bool = False, augment: bool = True):
    """The notebook's pipeline (per_image=False): shuffled, batches of one size, augmented per batch, prefetched."""
    import tensorflow as tf

    augmentation = ref["build_augmentation"]()
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=0)
    augment_one = lambda x, y: (augmentation(x, training=True), y)  # noqa: E731
    if not augment:
        dataset = dataset.batch(BATCH, drop_remainder=True)
    elif per_image:
        dataset = dataset.map(augment_one, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH, drop_remainder=True)
    else:
        dataset = dataset.batch(BATCH, drop_remainder=True).map(augment_one, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def augmentation_alone(ref, images) -> dict:
    import tensorflow as tf

    augmentation = ref["build_augmentation"]()
    step = tf.function(lambda batch: augmentation(batch, training=True))
    step(images[:BATCH])
    start, cpu = time.perf_counter(), time.process_time()
    for index in range(0, len(images), BATCH):
        result = step(images[index:index + BATCH])
    np.asarray(result)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"images": len(images), "seconds": round(seconds, 3), "images_per_second": round(len(images) / seconds),
            "cpu_ms_per_image": round(1000 * cpu / len(images), 4)}


AUGMENTATION = "augmentation (RandomFlip, RandomTranslation), in tf.data"
STEP = "the training step, compiled by XLA"
PIPELINE = "the rest of the input pipeline (shuffle, batch, prefetch)"


def op_kind(line: str, name: str) -> str | None:
    """What a profiler event measures: the XLA step's run, an op of the pipeline, or None (counted elsewhere)."""
    if name == "CpuExecutable::ExecuteAsyncOnStream":  # one run of the compiled step, start to end
        return STEP
    if not line.startswith("tf_data") or ":" not in name or name.endswith(":Process") or "::" in name:
        return None
    return AUGMENTATION if "random_flip" in name or "random_translation" in name else PIPELINE


def profile_epoch(ref, images, labels) -> dict:
    """One epoch of the notebook's training (its tf.data pipeline, XLA) under TensorFlow's profiler: op time
    summed by kind, over TensorFlow's compute threads and tf.data's."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    from course_lib.training import EpochTimer

    model = new_model(ref, steps=len(images) // BATCH)
    model.fit(tf_data(ref, images[:2 * BATCH], labels[:2 * BATCH]), epochs=1, verbose=0)
    batches = tf_data(ref, images, labels)
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        clock = EpochTimer()
        model.fit(batches, epochs=1, verbose=0, callbacks=[clock])
        seconds, cpu = clock.seconds[0], clock.cpu_seconds[0]
        tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        space.ParseFromString(Path(sorted(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True))[-1]).read_bytes())
    by_kind = collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_"):  # TensorFlow's threads: compute and tf.data
                continue
            for event in line.events:
                kind = op_kind(line.name, plane.event_metadata[event.metadata_id].name)
                if kind:
                    by_kind[kind] += event.duration_ps / 1e12
    return {"images": len(images), "epoch_seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "seconds_by_kind": {kind: round(value, 1) for kind, value in by_kind.most_common()},
            "share_of_cpu_seconds": {kind: round(value / cpu, 4) for kind, value in by_kind.most_common()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_240, help="images per speed measurement")
    parser.add_argument("--profile-images", type=int, default=45_000, help="images in the profiled epoch")
    args = parser.parse_args()

    images, labels = cifar10_training_images(max(args.images, args.profile_images))
    ref = reference(images)
    if ref["BATCH_SIZE"] != BATCH:
        raise SystemExit(f"the notebook trains in batches of {ref['BATCH_SIZE']}, this benchmark of {BATCH}: set BATCH")
    subset, subset_labels = images[:args.images], labels[:args.images]
    warmup = (images[:2 * BATCH], labels[:2 * BATCH])
    steps = int(np.ceil(args.images / BATCH))
    speeds = {}
    print(f"training speed, batches of {BATCH}, {args.images:,} real CIFAR-10 images each:")

    def report(name, figures):
        speeds[name] = figures
        print(f"  {name:58} {figures['images_per_second']:8.1f} images/s  "
              f"({figures['cpu_ms_per_image']:.2f} CPU ms per image)")

    pipeline = "the notebook: Keras layers in tf.data on batches, XLA"
    base_name = "no augmentation, XLA"
    report(base_name, timed_fit(new_model(ref, steps), tf_data(ref, subset, subset_labels, augment=False),
                                warmup=warmup))
    report(pipeline, timed_fit(new_model(ref, steps), tf_data(ref, subset, subset_labels), warmup=warmup))
    report("Keras layers inside the model (no XLA: Keras falls back)",
           timed_fit(new_model(ref, steps, augment_inside=True), subset, subset_labels, warmup))
    report("no augmentation, without XLA",
           timed_fit(new_model(ref, steps, xla=False), tf_data(ref, subset, subset_labels, augment=False),
                     warmup=warmup))
    report("numpy crop + flip per batch (PyDataset), XLA",
           timed_fit(new_model(ref, steps), numpy_batches(subset, subset_labels), warmup=warmup))
    few = args.images // 4  # the slow one, on fewer images
    report("Keras layers in tf.data, mapped over single images, XLA",
           timed_fit(new_model(ref, steps), tf_data(ref, subset[:few], subset_labels[:few], per_image=True),
                     warmup=warmup))
    alone = augmentation_alone(ref, subset)
    print(f"  augmentation layers alone: {alone['images_per_second']:,} images/s "
          f"({alone['cpu_ms_per_image']:.3f} CPU ms per image)")

    base = speeds[base_name]["images_per_second"]
    slowdown = 1 - speeds[pipeline]["images_per_second"] / base
    xla_gain = base / speeds["no augmentation, without XLA"]["images_per_second"]
    print(f"\nthe notebook's augmentation costs {slowdown:.1%} of the training speed (target under "
          f"{TARGET_SHARE:.0%}); alone, {alone['cpu_ms_per_image'] / speeds[base_name]['cpu_ms_per_image']:.1%}"
          f" of a training step's CPU time. XLA: {xla_gain:.2f}x the speed of the plain step")

    print(f"\nprofiling one epoch of {args.profile_images:,} images (the notebook's pipeline and XLA)...")
    profile = profile_epoch(ref, images[:args.profile_images], labels[:args.profile_images])
    print(f"  {profile['epoch_seconds']} s, {profile['cpu_seconds']} CPU s; of them:")
    for kind, value in profile["seconds_by_kind"].items():
        print(f"    {kind:58} {value:7.1f} s  ({profile['share_of_cpu_seconds'][kind]:.1%} of the CPU seconds)")
    augmentation_share = profile["share_of_cpu_seconds"].get(AUGMENTATION, 0.0)
    results = {
        "command": "benchmarks/cifar10_input_pipeline.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "data": "real CIFAR-10 training images, standardised",
        "batch": BATCH,
        "training_speed": speeds,
        "augmentation_alone": alone,
        "augmentation_slowdown": round(slowdown, 4),
        "xla_speedup": round(xla_gain, 2),
        "profile_one_epoch": profile,
        "augmentation_share_of_epoch": augmentation_share,
        "target": {"augmentation_share_under": TARGET_SHARE},
        "met": bool(slowdown < TARGET_SHARE and augmentation_share < TARGET_SHARE),
    }
    print(f"wrote {write_results('cifar10_input_pipeline', results)}")


if __name__ == "__main__":
    main()
