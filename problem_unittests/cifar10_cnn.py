"""Public tests for assignment 4 (your own CNN for CIFAR-10). Call each right under your function:

    import problem_unittests.cifar10_cnn as tests
    tests.test_one_hot(one_hot)

They run your function on small fixed inputs and say what to look at when
something is off. The model tests check what a model does (input and output
shapes, probabilities, whether it can learn), never how Keras stores it.
Passing them is a good sign, not a grade: the autograder's hidden tests use
data you have not seen.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np

from problem_unittests.checks import check, check_array, passed, public_hooks

# The sanity check of the notebook: a network that works can learn a tiny batch by heart.
TINY_BATCH = 20            # images
OVERFIT_STEPS = 40         # full-batch training steps
OVERFIT_LOSS = 0.1         # the loss it must get under, at the median of its last 5 steps (plain cross-entropy)


# --- preparing the data ------------------------------------------------------------------------------

def test_one_hot(one_hot) -> None:
    """Assignment 3's checks of one_hot (the function comes over from there), then labels of shape (N, 1)."""
    from problem_unittests.mnist_cnn import test_one_hot as assignment_3_checks

    labels = np.array([3, 0, 9, 2, 2], dtype=np.int64)
    original = labels.copy()
    flat = one_hot(labels, 10)
    check(np.array_equal(labels, original), "one_hot changed its input: return a new array")
    with contextlib.redirect_stdout(io.StringIO()):  # one line of success below, not two
        assignment_3_checks(one_hot)
    column = one_hot(labels.reshape(5, 1), 10)
    check(isinstance(column, np.ndarray) and column.shape == (5, 10),
          f"labels of shape (5, 1), as keras.datasets.cifar10 returns them, should give (5, 10), got "
          f"{getattr(column, 'shape', None)}: flatten the labels first (np.ravel)")
    check(np.array_equal(column, flat), "labels of shape (5, 1) should give the same rows as labels of shape (5,)")
    passed("one_hot")


def _colour_images(count: int = 6, seed: int = 0) -> np.ndarray:
    """uint8 (count, 4, 5, 3) whose three channels have clearly different means and spreads."""
    rng = np.random.default_rng(seed)
    red = rng.integers(150, 256, (count, 4, 5))
    green = rng.integers(0, 100, (count, 4, 5))
    blue = rng.integers(0, 256, (count, 4, 5))
    return np.stack([red, green, blue], axis=-1).astype(np.uint8)


def _unpack_statistics(result, name: str):
    check(result is not None, f"{name} returned None: did you forget a `return`?")
    check(isinstance(result, tuple) and len(result) == 2, f"{name} should return a tuple (mean, std)")
    mean, std = (np.asarray(value) for value in result)
    return mean, std


def test_channel_statistics(channel_statistics) -> None:
    images = _colour_images()
    original = images.copy()
    mean, std = _unpack_statistics(channel_statistics(images), "channel_statistics")
    check(np.array_equal(images, original), "channel_statistics changed its input")
    if mean.shape in {(), (1,)}:
        check(False, "channel_statistics should give one mean per colour channel, shape (3,), got a single number: "
                     "average over the images, rows and columns (axis=(0, 1, 2)), not over everything")
    if mean.shape == (6, 3) or mean.shape == (6, 4, 5):
        check(False, f"channel_statistics gave statistics of shape {mean.shape}: average over every image too "
                     f"(axis=(0, 1, 2)), the statistics are of the whole training set")
    check(mean.shape == (3,) and std.shape == (3,),
          f"mean and std should each have shape (3,), one value per channel; got {mean.shape} and {std.shape}")
    check(mean.dtype == np.float32 and std.dtype == np.float32,
          f"return float32 statistics (the dtype of the images you will feed the network), got {mean.dtype} and "
          f"{std.dtype}")
    pixels = images.reshape(-1, 3).astype(np.float64)
    if np.allclose(mean, pixels.mean(axis=0) / 255, rtol=1e-4):
        check(False, "the statistics are in 0..1 units: compute them on the uint8 pixel values (0..255), as they "
                     "come from the loader, and standardise those")
    check(np.allclose(mean, pixels.mean(axis=0), rtol=1e-4),
          f"the mean of each channel should be {np.round(pixels.mean(axis=0), 3).tolist()}, got "
          f"{np.round(mean, 3).tolist()}")
    check(np.allclose(std, pixels.std(axis=0), rtol=1e-4),
          f"the standard deviation of each channel should be {np.round(pixels.std(axis=0), 3).tolist()}, got "
          f"{np.round(std, 3).tolist()}" + (": that is the variance, take its square root"
                                           if np.allclose(std, pixels.var(axis=0), rtol=1e-4) else ""))
    passed("channel_statistics")


def test_standardize(standardize) -> None:
    train = _colour_images(seed=1)
    other = _colour_images(count=3, seed=2) // 2  # another set, with other statistics
    pixels = train.reshape(-1, 3).astype(np.float64)
    mean, std = pixels.mean(axis=0).astype(np.float32), pixels.std(axis=0).astype(np.float32)
    original = other.copy()
    result = check_array(standardize(other, mean, std), name="standardize", shape=other.shape, dtype_kind="f")
    check(np.array_equal(other, original), "standardize changed its input: return a new array")
    check(result.dtype == np.float32, f"standardize should return float32 (half the memory of float64, what "
                                      f"Keras computes in), got {result.dtype}")
    expected = (other.astype(np.float64) - mean) / std
    own = other.reshape(-1, 3).astype(np.float64)
    if np.allclose(result, (other - own.mean(axis=0)) / own.std(axis=0), atol=1e-4):
        check(False, "standardize used the statistics of the images it was given: use the mean and std passed in "
                     "(the training set's), so that validation and test images are scaled exactly like training "
                     "images")
    if np.allclose(result, (other.astype(np.float64) - mean) / std ** 2, atol=1e-4):
        check(False, "divide by the standard deviation, not by the variance")
    if np.allclose(result, other.astype(np.float64) / std - mean, atol=1e-4):
        check(False, "subtract the mean first, then divide: (images - mean) / std")
    check(np.allclose(result, expected, atol=1e-4),
          "each pixel should become (value - mean[channel]) / std[channel]: check that mean and std are applied per "
          "channel (the last axis)")
    standardized_train = np.asarray(standardize(train, mean, std))
    check(np.allclose(standardized_train.reshape(-1, 3).mean(axis=0), 0, atol=1e-4)
          and np.allclose(standardized_train.reshape(-1, 3).std(axis=0), 1, atol=1e-3),
          "with the training set's own statistics, every channel should come out with mean 0 and std 1")
    passed("standardize")


# --- the learning-rate schedule ----------------------------------------------------------------------

def _rate(schedule, step: int) -> float:
    return float(np.asarray(schedule(step)))


def test_learning_rate_schedule(learning_rate_schedule) -> None:
    import keras

    peak, warmup, total = 0.4, 25, 100
    schedule = learning_rate_schedule(peak, warmup, total)
    check(schedule is not None, "learning_rate_schedule returned None: did you forget a `return`?")
    check(isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule),
          f"return a keras.optimizers.schedules.LearningRateSchedule (e.g. keras.optimizers.schedules.CosineDecay), "
          f"which an optimizer accepts as its learning_rate; got {type(schedule).__name__}")
    rates = np.array([_rate(schedule, step) for step in range(total + 1)])
    check(np.all(np.isfinite(rates)) and np.all(rates >= 0), "the learning rate should be a number >= 0 at every step")
    check(rates[0] <= 0.2 * peak,
          f"the warm-up should start low (at most a fifth of the peak), got {rates[0]:.3g} at step 0 for peak {peak}")
    check(np.all(np.diff(rates[:warmup + 1]) > 0),
          "the learning rate should rise at every step of the warm-up (steps 0 to warmup_steps)")
    check(np.isclose(rates[warmup], peak, rtol=0.02),
          f"the learning rate should reach its peak {peak} at the end of the warm-up (step {warmup}), got "
          f"{rates[warmup]:.4g}")
    check(np.all(np.diff(rates[warmup:]) <= 1e-9),
          "after the warm-up the learning rate should only go down (decay), never up again")
    check(rates[total] <= 0.02 * peak,
          f"the learning rate should decay to about zero by the last step ({total}), got {rates[total]:.3g}"
          + (": the decay lasts total_steps - warmup_steps steps, the warm-up comes first"
             if rates[total] > 0.05 * peak else ""))
    check(0.3 * peak < rates[(warmup + total) // 2] < 0.8 * peak,
          f"half-way through the decay the learning rate should be about half the peak, got "
          f"{rates[(warmup + total) // 2]:.3g} (peak {peak}): decay smoothly, over every step after the warm-up")
    passed("learning_rate_schedule")


# --- data augmentation -----------------------------------------------------------------------------------

def _vertical_ramp(count: int, size: int = 32) -> np.ndarray:
    """float32 (count, size, size, 3): each row one value, rising from the top row to the bottom one."""
    ramp = np.linspace(-1.5, 1.5, size, dtype=np.float32)
    return np.broadcast_to(ramp[None, :, None, None], (count, size, size, 3)).copy()


def check_augmentation(build_augmentation, images=None, seed: int = 0) -> np.ndarray:
    """Run the student's augmentation on 16 copies of each of a few images, as the training pipeline does; return
    the augmented copies (images, 16, H, W, C). ``images``: standardised float32 (N, 32, 32, 3), random by default."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    augmentation = build_augmentation()
    check(augmentation is not None, "build_augmentation returned None: did you forget a `return`?")
    check(callable(augmentation), f"build_augmentation should return Keras layers (a keras.Sequential), got "
                                  f"{type(augmentation).__name__}")
    images = _images(3, seed=seed + 1) if images is None else np.asarray(images, dtype=np.float32)
    copies = np.repeat(images, 16, axis=0)
    try:
        batches = tf.data.Dataset.from_tensor_slices(copies).batch(16).map(
            lambda batch: augmentation(batch, training=True))
        augmented = np.concatenate([np.asarray(batch) for batch in batches])
    except Exception as error:  # numpy code, or a layer that cannot run in a tf.data pipeline
        check(False, f"your augmentation failed inside a tf.data pipeline ({type(error).__name__}: "
                     f"{str(error).splitlines()[0] if str(error) else ''}): it runs there in graph mode, on "
                     f"TensorFlow tensors, so build it from Keras preprocessing layers, not numpy")
    check(augmented.shape == copies.shape,
          f"augmented batches should keep their shape {copies.shape[1:]} per image, got {augmented.shape[1:]}: the "
          f"network takes 32x32 images (shift them with RandomTranslation, or pad before a RandomCrop to 32x32)")
    check(np.all(np.isfinite(augmented)), "the augmented images hold NaN or infinite values")
    low, high = images.min() - 1e-4, images.max() + 1e-4
    check(np.all(augmented >= min(low, 0)) and np.all(augmented <= max(high, 0)),
          f"augmented pixel values go outside the images' own range ({images.min():.2f} to {images.max():.2f}): "
          f"the images come standardised, so move pixels around, do not rescale them")
    per_image = augmented.reshape(len(images), 16, -1)
    check(not np.allclose(augmented, copies),
          "build_augmentation's layers changed nothing: they should flip and shift the images when called with "
          "training=True (Keras' preprocessing layers do)")
    distinct = min(len(np.unique(np.round(versions, 4), axis=0)) for versions in per_image)
    check(distinct >= 4, f"16 copies of one image came out in only {distinct} different versions: give each image "
                         f"its own random flip and shift (Keras' random layers draw one per image; a flip alone "
                         f"makes only 2 versions)")
    # the middle rows of a vertical ramp: shifted (by up to 12 pixels), they still rise; flipped, they fall
    ramps = np.asarray(augmentation(tf.constant(_vertical_ramp(64)), training=True))[:, 12:20, 16, 0]
    check(np.all(np.diff(ramps, axis=1) >= -1e-6),
          "some images came out upside down: a vertical flip makes photos that never occur (a ship above the "
          "sky); flip left to right only, RandomFlip('horizontal')")
    kept = np.mean([np.isin(np.round(out, 4), np.round(source, 4)).mean()
                    for source, outs in zip(images, per_image) for out in outs])
    if kept < 0.95:
        print(f"Note: only {kept:.0%} of the augmented pixel values are pixel values of the image: your shifts blur "
              f"the image (interpolation between pixels). RandomTranslation(..., interpolation='nearest') shifts "
              f"by whole pixels.")
    return augmented.reshape(len(images), 16, *images.shape[1:])


def test_augmentation(build_augmentation) -> None:
    """build_augmentation returns layers that flip and shift each image of a batch its own way, not upside down."""
    check_augmentation(build_augmentation)
    passed("build_augmentation")


# --- the network ---------------------------------------------------------------------------------------

def _images(count: int, shape=(32, 32, 3), seed: int = 0) -> np.ndarray:
    """Standardised-looking images: float32 (count, *shape), mean 0, std 1."""
    return np.random.default_rng(seed).normal(size=(count, *shape)).astype(np.float32)


def _one_hot(labels, classes: int) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[labels]


def _build(build_model, input_shape, num_classes):
    import keras

    model = build_model(input_shape, num_classes)
    check(model is not None, "build_model returned None: did you forget a `return`?")
    check(isinstance(model, keras.Model), f"build_model should return a Keras model, got {type(model).__name__}")
    return model


def test_model_shapes(build_model) -> None:
    """build_model takes batches of 32x32 colour images and gives one output per class (num_classes of them)."""
    model = _build(build_model, (32, 32, 3), 10)
    check(tuple(model.input_shape) == (None, 32, 32, 3),
          f"the model should take images of shape (32, 32, 3), in batches: input shape (None, 32, 32, 3); got "
          f"{model.input_shape}")
    check(tuple(model.output_shape) == (None, 10),
          f"the model should give one probability per class: output shape (None, 10), got {model.output_shape}")
    other = _build(build_model, (32, 32, 3), 4)
    check(tuple(other.output_shape) == (None, 4),
          f"build_model((32, 32, 3), 4) should give 4 probabilities per image, got output shape "
          f"{other.output_shape}: use num_classes, not a fixed 10")
    passed("build_model shapes")


def test_model_probabilities(build_model) -> None:
    """build_model's outputs are probabilities, and the same at every inference call."""
    model = _build(build_model, (32, 32, 3), 10)
    outputs = np.asarray(model(_images(4), training=False))
    check(outputs.shape == (4, 10), f"4 images should give outputs of shape (4, 10), got {outputs.shape}")
    check(np.all(outputs >= 0) and np.allclose(outputs.sum(axis=1), 1, atol=1e-4),
          f"the outputs are not probabilities (each row should be >= 0 and sum to 1, got sums "
          f"{np.round(outputs.sum(axis=1), 3).tolist()}): end with a Dense layer with activation='softmax'")
    again = np.asarray(model(_images(4), training=False))
    check(np.allclose(outputs, again, atol=1e-5),
          "at inference (training=False) the same images should give the same probabilities: dropout belongs to "
          "training only (Keras' Dropout layer does that by itself), and augmentation belongs in "
          "build_augmentation, not in the model")
    passed("build_model probabilities")


def test_build_model(build_model) -> None:
    """Both checks of build_model: shapes, then probabilities."""
    test_model_shapes(build_model)
    test_model_probabilities(build_model)


def overfit_losses(model, images, labels, steps: int = OVERFIT_STEPS) -> list[float]:
    """The course's own overfitting recipe: Adam (learning rate 1e-3), plain cross-entropy, full batches."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="categorical_crossentropy")
    return [float(np.asarray(model.train_on_batch(images, labels))) for _ in range(steps)]


def test_model_overfits(build_model, seed: int = 0) -> None:
    """Your network learns TINY_BATCH random images by heart in OVERFIT_STEPS steps."""
    import keras

    keras.utils.set_random_seed(seed)
    model = _build(build_model, (32, 32, 3), 10)
    images = _images(TINY_BATCH, seed=seed + 1)
    labels = _one_hot(np.arange(TINY_BATCH) % 10, 10)
    losses = overfit_losses(model, images, labels)
    final = float(np.median(losses[-5:]))
    check(final < OVERFIT_LOSS,
          f"your network did not learn {TINY_BATCH} images by heart: after {OVERFIT_STEPS} steps of Adam its loss is "
          f"{final:.3f} (started at {losses[0]:.3f}; a working network gets under {OVERFIT_LOSS}). Look for "
          "layers that cannot learn (trainable=False, a missing activation), heavy dropout or regularisation, "
          "augmentation layers inside the model (they belong in build_augmentation), or a bottleneck that throws "
          "the image away (pooling down to 1x1 too early)")
    passed(f"your network learns {TINY_BATCH} images by heart (loss {losses[0]:.2f} -> {final:.3f})")


# --- the sanity check --------------------------------------------------------------------------------------

def _tiny_model(classes: int, seed: int):
    """A small network that can learn a handful of 8x8 colour images by heart."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    x = layers.Flatten()(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def check_overfits(overfit_tiny_batch, *, classes: int = 4, count: int = 12, steps: int = 80, seed: int = 0):
    """Run the student's overfit_tiny_batch on a small network that can overfit; return the losses."""
    labels = _one_hot(np.arange(count) % classes, classes)
    images = _images(count, (8, 8, 3), seed=seed)
    losses = overfit_tiny_batch(_tiny_model(classes, seed), images, labels, steps)
    check(losses is not None, "overfit_tiny_batch returned None: did you forget a `return`?")
    losses = np.asarray(losses, dtype=np.float64).ravel()
    check(len(losses) == steps,
          f"overfit_tiny_batch(..., steps={steps}) should return {steps} losses, one per training step, got "
          f"{len(losses)}: take one step on the whole batch at a time (batch_size = number of images)")
    if losses[-1] > losses[0] and losses[-1] > 0.9:
        check(False, "the values rise towards 1: return the loss of each step, not the accuracy")
    check(losses[-1] < 0.5 * losses[0],
          f"the loss should fall: it went from {losses[0]:.3f} to {losses[-1]:.3f}. Did you compile the model "
          "with the optimizer and learning rate of the instructions?")
    check(losses[-1] < OVERFIT_LOSS,
          f"a network that works should learn {count} images by heart: the loss should end under {OVERFIT_LOSS}, "
          f"got {losses[-1]:.3f}"
          + (": label smoothing keeps the loss high even when every answer is right; use plain cross-entropy here"
             if losses[-1] > 0.2 else ""))
    return losses


def test_overfit_tiny_batch(overfit_tiny_batch) -> None:
    check_overfits(overfit_tiny_batch)
    passed("overfit_tiny_batch")


# --- training --------------------------------------------------------------------------------------------

def test_compile_model(compile_model) -> None:
    classes, count, batch = 4, 16, 4
    model = _tiny_model(classes, seed=3)
    result = compile_model(model, count // batch, 2)
    check(result is None or result is model, "compile_model should compile the model it is given (and may return it)")
    check(getattr(model, "optimizer", None) is not None and getattr(model, "compiled", True),
          "compile_model should call model.compile(optimizer=..., loss=..., metrics=[...])")
    images, labels = _images(count, (8, 8, 3), seed=5), _one_hot(np.arange(count) % classes, classes)
    start = float(np.asarray(model.optimizer.learning_rate))
    try:
        history = model.fit(images, labels, batch_size=batch, epochs=1, verbose=0)
    except Exception as error:  # the wrong loss for one-hot labels fails inside Keras
        check(False, f"training on one-hot labels failed ({type(error).__name__}): the labels are one-hot rows, so "
                     f"the loss should be a categorical cross-entropy (not the sparse one)")
    check("accuracy" in history.history,
          f"training should report the accuracy: pass metrics=['accuracy'] (it reported {list(history.history)})")
    check(np.isfinite(history.history["loss"][-1]), "the loss became NaN: is the learning rate far too high?")
    after = float(np.asarray(model.optimizer.learning_rate))
    if np.isclose(start, after):
        print(f"Note: the learning rate stayed at {start:.3g} during training: is your learning_rate_schedule "
              "passed to the optimizer?")
    if not model.jit_compile:
        print("Note: the training step is not compiled with XLA: pass jit_compile=True to model.compile, which trains "
              "about twice as fast on a CPU")
    passed("compile_model")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
