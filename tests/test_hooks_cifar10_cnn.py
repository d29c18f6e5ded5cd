"""Every CIFAR-10 hook against the reference solution and at least two wrong answers (three for the whitening).

The reference functions are taken from the source notebook's solution cells
(``tests.notebook_reference``), so the hooks are proven against the very code
the autograder's reference runs.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import problem_unittests.cifar10_cnn as hooks
from tests.conftest import REPO
from tests.notebook_reference import fails, reference_namespace

matplotlib.use("Agg")

NOTEBOOK = REPO / "notebooks" / "04_cifar10_cnn" / "cifar10_cnn.ipynb"
SOLUTION_CELLS = ("imports", "one_hot", "normalisation", "build_augmentation", "learning_rate_schedule",
                  "patch_whitening", "build_model", "overfit_tiny_batch", "compile_model")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells (they read no global data)."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)


def test_one_hot(reference, capsys):
    hooks.test_one_hot(reference["one_hot"])
    assert "Public tests passed: one_hot." in capsys.readouterr().out
    right = reference["one_hot"]

    def column_labels_unflattened(vector, number_classes):
        vector = np.asarray(vector)
        return np.eye(number_classes, dtype=np.float32)[vector]

    def in_place(vector, number_classes):
        encoded = right(vector, number_classes)
        vector += 1
        return encoded

    fails(hooks.test_one_hot, lambda vector, n: right(vector, n).T, "transpose")  # assignment 3's checks...
    fails(hooks.test_one_hot, lambda vector, n: right((np.ravel(vector) + 1) % n, n), "one column to the right")
    fails(hooks.test_one_hot, lambda vector, n: right(vector, n).astype(np.int64), "should return floats")
    fails(hooks.test_one_hot, lambda vector, n: right(vector, int(np.max(vector)) + 1), "use number_classes")
    fails(hooks.test_one_hot, lambda vector, n: None, "returned None")
    fails(hooks.test_one_hot, column_labels_unflattened, r"shape \(5, 1\)")  # ... and this assignment's
    fails(hooks.test_one_hot, in_place, "changed its input")


def test_channel_statistics(reference):
    hooks.test_channel_statistics(reference["channel_statistics"])
    right = reference["channel_statistics"]

    def everything(images):
        return np.float32(images.mean()), np.float32(images.std())

    def per_image(images):
        return images.mean(axis=(1, 2)).astype(np.float32), images.std(axis=(1, 2)).astype(np.float32)

    def variance(images):
        mean, std = right(images)
        return mean, std ** 2

    fails(hooks.test_channel_statistics, everything, "one mean per colour channel")
    fails(hooks.test_channel_statistics, per_image, "average over every image too")
    fails(hooks.test_channel_statistics, variance, "that is the variance")
    fails(hooks.test_channel_statistics, lambda images: right(images.astype(np.float32) / 255), "0..1 units")
    fails(hooks.test_channel_statistics, lambda images: tuple(v.astype(np.float64) for v in right(images)),
          "float32")
    fails(hooks.test_channel_statistics, lambda images: right(images)[0], r"tuple \(mean, std\)")


def test_standardize(reference):
    hooks.test_standardize(reference["standardize"])
    statistics = reference["channel_statistics"]

    def own_statistics(images, mean, std):
        mean, std = statistics(images)
        return ((images - mean) / std).astype(np.float32)

    fails(hooks.test_standardize, own_statistics, "used the statistics of the images it was given")
    fails(hooks.test_standardize, lambda images, mean, std: ((images - mean) / std ** 2).astype(np.float32),
          "not by the variance")
    fails(hooks.test_standardize, lambda images, mean, std: (images / std - mean).astype(np.float32),
          "subtract the mean first")
    fails(hooks.test_standardize, lambda images, mean, std: (images - mean) / std.astype(np.float64), "float32")

    def in_place(images, mean, std):
        images -= images.min()
        return ((images - mean) / std).astype(np.float32)

    fails(hooks.test_standardize, in_place, "changed its input")


def test_augmentation(reference, capsys):
    hooks.test_augmentation(reference["build_augmentation"])
    out = capsys.readouterr().out
    assert "Public tests passed: build_augmentation." in out and "Note:" not in out
    import keras
    from keras import layers

    def layers_of(*augmentations):
        return lambda: keras.Sequential(list(augmentations))

    def numpy_shift():
        return lambda images, training=False: np.roll(np.asarray(images), 2, axis=2)

    fails(hooks.test_augmentation, lambda: None, "returned None")
    fails(hooks.test_augmentation, layers_of(layers.RandomFlip("vertical"), layers.RandomTranslation(0.1, 0.1)),
          "upside down")
    fails(hooks.test_augmentation, layers_of(layers.RandomFlip("horizontal")), "a flip alone makes only 2")
    fails(hooks.test_augmentation, layers_of(layers.Identity()), "changed nothing")
    fails(hooks.test_augmentation, layers_of(layers.RandomCrop(24, 24)), "keep their shape")
    fails(hooks.test_augmentation, layers_of(layers.RandomFlip("horizontal"), layers.Rescaling(255.0)),
          "do not rescale them")
    fails(hooks.test_augmentation, numpy_shift, "tf.data pipeline")
    fails(hooks.test_augmentation, lambda: "flip", "should return Keras layers")
    hooks.test_augmentation(layers_of(layers.RandomFlip("horizontal"), layers.RandomTranslation(0.125, 0.125)))
    assert "your shifts blur" in capsys.readouterr().out  # bilinear shifts are allowed, with a note
    hooks.test_augmentation(layers_of(layers.RandomFlip("horizontal"),  # large shifts are not taken for a flip
                                      layers.RandomTranslation(0.35, 0.35, interpolation="nearest")))


def test_learning_rate_schedule(reference):
    hooks.test_learning_rate_schedule(reference["learning_rate_schedule"])
    import keras

    schedules = keras.optimizers.schedules

    def no_warmup(peak, warmup_steps, total_steps):
        return schedules.CosineDecay(peak, total_steps)

    def decay_counts_warmup(peak, warmup_steps, total_steps):
        return schedules.CosineDecay(0.0, total_steps, warmup_target=peak, warmup_steps=warmup_steps)

    def step_decay(peak, warmup_steps, total_steps):
        return schedules.CosineDecay(0.0, 10 * total_steps, alpha=0.0, warmup_target=peak, warmup_steps=warmup_steps)

    def plain_function(peak, warmup_steps, total_steps):
        return lambda step: peak

    fails(hooks.test_learning_rate_schedule, no_warmup, "warm-up should start low")
    fails(hooks.test_learning_rate_schedule, decay_counts_warmup, "the warm-up comes first")
    fails(hooks.test_learning_rate_schedule, step_decay, "decay to about zero")
    fails(hooks.test_learning_rate_schedule, plain_function, "LearningRateSchedule")


# --- a whitened first layer ----------------------------------------------------------------------------------

def test_extract_patches(reference, capsys):
    hooks.test_extract_patches(reference["extract_patches"])
    assert "Public tests passed: extract_patches." in capsys.readouterr().out
    right = reference["extract_patches"]

    def channel_first(images):
        rows, columns = images.shape[1:3]
        corners = [images[:, i:i + rows - 1, j:j + columns - 1] for i in (0, 1) for j in (0, 1)]
        return np.stack(corners, axis=-1).reshape(-1, 4 * images.shape[-1])   # (..., C, 4 corners)

    def column_by_column(images):
        rows, columns = images.shape[1:3]
        corners = [images[:, i:i + rows - 1, j:j + columns - 1] for j in (0, 1) for i in (0, 1)]
        return np.stack(corners, axis=-2).reshape(-1, 4 * images.shape[-1])

    def tiles(images):   # stride 2: only the patches that tile the image
        count, rows, columns, channels = images.shape
        blocks = images[:, :rows // 2 * 2, :columns // 2 * 2].reshape(count, rows // 2, 2, columns // 2, 2, channels)
        return blocks.transpose(0, 1, 3, 2, 4, 5).reshape(-1, 4 * channels)

    def not_flattened(images):
        return right(images).reshape(len(images), images.shape[1] - 1, images.shape[2] - 1, -1)

    def shuffled_rows(images):
        return right(images)[::-1]

    def in_place(images):
        patches = right(images)
        images -= 1
        return patches

    fails(hooks.test_extract_patches, channel_first, r"wrong order \(channel first")
    fails(hooks.test_extract_patches, column_by_column, r"wrong order \(the pixels column by column")
    fails(hooks.test_extract_patches, tiles, "stride 1, overlapping")
    fails(hooks.test_extract_patches, not_flattened, "one row per patch")
    fails(hooks.test_extract_patches, shuffled_rows, "listed in another order")
    fails(hooks.test_extract_patches, in_place, "changed its input")
    fails(hooks.test_extract_patches, lambda images: None, "returned None")


def _whitening(reference, *, centred=True, scale=0.5, eps_used=None, minus=True, order="ijc", columns=True):
    """A patch_whitening with one thing changed (the defaults give the reference's answer)."""
    extract = reference["extract_patches"]

    def patch_whitening(images, eps=5e-4):
        images = np.asarray(images, dtype=np.float64)
        channels = images.shape[-1]
        patches = extract(images)
        if order == "cij":
            patches = patches.reshape(-1, 4, channels).transpose(0, 2, 1).reshape(len(patches), -1)
        if centred:
            patches = patches - patches.mean(axis=0)
        values, vectors = np.linalg.eigh(patches.T @ patches / len(patches))
        used = eps if eps_used is None else eps_used
        filters = (vectors if columns else vectors.T) / (values + used) ** scale
        kernel = filters.reshape(2, 2, channels, -1)
        return (np.concatenate([kernel, -kernel], axis=-1) if minus else kernel).astype(np.float32)

    return patch_whitening


def test_patch_whitening(reference, capsys):
    hooks.test_patch_whitening(reference["patch_whitening"])
    assert "Public tests passed: patch_whitening." in capsys.readouterr().out
    right = reference["patch_whitening"]

    def descending(images, eps=5e-4):   # the filters in another order, with other signs: right too
        kernel = right(images, eps)
        half = kernel.shape[-1] // 2
        filters = -kernel[..., :half][..., ::-1]
        return np.concatenate([filters, -filters], axis=-1)

    hooks.test_patch_whitening(descending)
    fails(hooks.test_patch_whitening, _whitening(reference, minus=False), "add their negatives")
    fails(hooks.test_patch_whitening, _whitening(reference, scale=0.0), "not yet scaled")
    fails(hooks.test_patch_whitening, _whitening(reference, scale=1.0), "divide by its square root")
    fails(hooks.test_patch_whitening, _whitening(reference, eps_used=0.0), r"add eps \(0.0005\)")
    fails(hooks.test_patch_whitening, _whitening(reference, eps_used=5e-4), "use the eps it is given")
    fails(hooks.test_patch_whitening, _whitening(reference, centred=False), "not centred")
    fails(hooks.test_patch_whitening, _whitening(reference, order="cij"), r"wrong order \(channel first")
    fails(hooks.test_patch_whitening, _whitening(reference, columns=False), "COLUMNS")
    fails(hooks.test_patch_whitening, lambda images, eps=5e-4: right(images, eps).astype(np.float64), "float32")
    fails(hooks.test_patch_whitening, lambda images, eps=5e-4: right(images, eps).reshape(12, 24), "reshape it")

    def swapped_halves(images, eps=5e-4):
        kernel = right(images, eps)
        return np.concatenate([kernel[..., 12:], kernel[..., :12][..., ::-1]], axis=-1)

    fails(hooks.test_patch_whitening, swapped_halves, "negatives of the first 12, in the same order")


def test_the_whitened_layer_whitens_real_looking_patches_in_keras(reference):
    """The reference kernel in a real Conv2D: the layer's first 12 outputs have (near) identity covariance."""
    import keras
    from keras import layers

    noise = np.random.default_rng(3).normal(size=(300, 33, 33, 3)).astype(np.float32)
    images = noise[:, 1:, 1:] + noise[:, :-1, :-1] + 0.5 * noise[:, 1:, :-1, ::-1]   # correlated, as photos are
    kernel = reference["patch_whitening"](images[:200])
    layer = layers.Conv2D(24, 2, use_bias=False)
    layer.build((None, 32, 32, 3))
    layer.set_weights([kernel])
    outputs = np.asarray(layer(keras.ops.convert_to_tensor(images[200:])))[..., :12].reshape(-1, 12)
    covariance = np.cov(outputs, rowvar=False)
    assert np.allclose(np.diag(covariance), 1, atol=0.05), np.diag(covariance)
    assert np.abs(covariance - np.diag(np.diag(covariance))).max() < 0.05
    assert np.allclose(np.asarray(layer(images[:2]))[..., 12:], -np.asarray(layer(images[:2]))[..., :12], atol=1e-5)


def test_plot_whitening(reference):
    from course_lib import plotting

    images = np.random.default_rng(0).normal(size=(20, 9, 9, 3)).astype(np.float32)
    kernel = reference["patch_whitening"](images)
    before = np.cov(reference["extract_patches"](images), rowvar=False)
    filters = kernel[..., :12].reshape(12, 12)
    figure = plotting.plot_whitening(before, filters.T @ before @ filters, kernel)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[:2] == ["patches: covariance", "whitened: covariance"]
    heatmaps = [ax for ax in figure.axes if ax.get_title().endswith("covariance")]
    assert [label.get_text() for label in heatmaps[0].get_xticklabels()][:4] == ["R00", "G00", "B00", "R01"]
    tiles = [ax for ax in figure.axes if ax.images and ax.images[0].get_array().shape == (2, 2, 3)]
    variances = [float(ax.get_title()) for ax in tiles]
    assert len(tiles) == 12 and variances == sorted(variances, reverse=True)
    assert np.isclose(sum(variances), np.trace(before), rtol=1e-2)   # the 12 directions hold all the variance
    with pytest.raises(ValueError, match="expected covariances"):
        plotting.plot_whitening(before, before, kernel[..., :6])


# --- the network ------------------------------------------------------------------------------------------------

def _plain_model(*, activation=None, classes=None, dropout_always=False, frozen=False, takes_whitening=True):
    """A wrong build_model: a small network with one thing changed."""
    import keras
    from keras import layers

    def network(input_shape=(32, 32, 3), num_classes=10):
        inputs = keras.Input(input_shape)
        x = layers.Conv2D(8, 3, activation="relu", trainable=not frozen)(inputs)
        x = layers.GlobalAveragePooling2D()(x)
        if dropout_always:  # random at inference too: keras.random outside a Dropout layer
            x = layers.Lambda(lambda tensor: keras.random.dropout(tensor, 0.5))(x)
        outputs = layers.Dense(classes or num_classes, activation=activation, trainable=not frozen)(x)
        return keras.Model(inputs, outputs)

    if takes_whitening:
        return lambda input_shape=(32, 32, 3), num_classes=10, whitening=None: network(input_shape, num_classes)
    return network


def test_model_shapes(reference, capsys):
    hooks.test_build_model(reference["build_model"])
    out = capsys.readouterr().out
    assert "Public tests passed: build_model shapes." in out and "build_model scores." in out
    import keras
    from keras import layers

    def flat_input(input_shape=(32, 32, 3), num_classes=10, whitening=None):
        inputs = keras.Input((32 * 32 * 3,))
        return keras.Model(inputs, layers.Dense(num_classes)(inputs))

    fails(hooks.test_model_shapes, _plain_model(classes=10), "use num_classes")
    fails(hooks.test_model_shapes, flat_input, r"input shape \(None, 32, 32, 3\)")
    fails(hooks.test_model_shapes, lambda *args, **kwargs: None, "returned None")
    fails(hooks.test_model_shapes, _plain_model(takes_whitening=False), "should take whitening=")


def test_the_reference_network_uses_the_whitening_it_is_given_and_learns_its_first_layer_without(reference):
    import keras

    kernel = hooks.example_whitening()
    fixed, learned = reference["build_model"](whitening=kernel), reference["build_model"]()
    first = [layer for layer in fixed.layers if isinstance(layer, keras.layers.Conv2D)][0]
    assert np.array_equal(first.get_weights()[0], kernel) and not first.trainable
    assert [layer for layer in learned.layers if isinstance(layer, keras.layers.Conv2D)][0].trainable
    assert fixed.count_params() == learned.count_params()


def test_model_scores(reference):
    hooks.test_model_scores(reference["build_model"])
    fails(hooks.test_model_scores, _plain_model(activation="softmax"), "the outputs are probabilities")
    fails(hooks.test_model_scores, _plain_model(activation="sigmoid"), "every output is >= 0")
    fails(hooks.test_model_scores, _plain_model(activation="relu"), "every output is >= 0")
    fails(hooks.test_model_scores, _plain_model(dropout_always=True), "training only")


# --- the sanity check: sound networks pass it, broken ones fail -------------------------------------------------

def _sound_and_broken_networks():
    """Other networks for the overfitting check: sound ones of different designs, and broken ones."""
    import keras
    from keras import layers

    def plain(input_shape=(32, 32, 3), num_classes=10, whitening=None):   # assignment 3's kind of network
        inputs = keras.Input(input_shape)
        x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
        x = layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(x))
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D()(layers.Conv2D(64, 3, activation="relu")(x))
        x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    def keras_example(input_shape=(32, 32, 3), num_classes=10, whitening=None):   # with its heavy dropout
        inputs = keras.Input(input_shape)
        x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
        x = layers.Dropout(0.25)(layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(x)))
        x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
        x = layers.Dropout(0.25)(layers.MaxPooling2D()(layers.Conv2D(64, 3, activation="relu")(x)))
        x = layers.Dropout(0.5)(layers.Dense(512, activation="relu")(layers.Flatten()(x)))
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    def batchnorm_average(input_shape=(32, 32, 3), num_classes=10, whitening=None):
        inputs = x = keras.Input(input_shape)
        for filters in (32, 64, 128):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.MaxPooling2D()(layers.ReLU()(layers.BatchNormalization()(x)))
        x = layers.Dropout(0.2)(layers.GlobalAveragePooling2D()(x))
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    def frozen(input_shape=(32, 32, 3), num_classes=10, whitening=None):
        model = plain(input_shape, num_classes)
        for layer in model.layers:
            layer.trainable = False
        return model

    def averaged_away(input_shape=(32, 32, 3), num_classes=10, whitening=None):   # only each channel's mean is left
        inputs = keras.Input(input_shape)
        x = layers.Dense(16, activation="relu")(layers.GlobalAveragePooling2D()(inputs))
        return keras.Model(inputs, layers.Dense(num_classes)(x))

    return {"plain": plain, "keras_example": keras_example, "batchnorm_average": batchnorm_average}, \
        {"frozen": frozen, "averaged_away": averaged_away, "too_small": _plain_model()}


SOUND, BROKEN = ("plain", "keras_example", "batchnorm_average"), ("frozen", "averaged_away", "too_small")


def test_model_overfits_the_reference(reference, capsys):
    hooks.test_model_overfits(reference["build_model"])
    out = capsys.readouterr().out
    steps = int(out.rsplit(" in ", 1)[1].split(" steps")[0])
    assert "learns 20 images by heart" in out and steps <= hooks.OVERFIT_STEPS // 4, out   # a wide margin


@pytest.mark.parametrize("name", SOUND)
def test_model_overfits_passes_sound_networks(name, capsys):
    hooks.test_model_overfits(_sound_and_broken_networks()[0][name])
    assert "learns 20 images by heart" in capsys.readouterr().out


@pytest.mark.parametrize("name", BROKEN)
def test_model_overfits_fails_broken_networks(name):
    fails(hooks.test_model_overfits, _sound_and_broken_networks()[1][name], "did not learn 20 images by heart")


def test_overfit_tiny_batch(reference):
    hooks.test_overfit_tiny_batch(reference["overfit_tiny_batch"])
    import keras

    def smoothed(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2))
        return [float(model.train_on_batch(images, labels)) for _ in range(steps)]

    def accuracies(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        return [float(model.train_on_batch(images, labels)[1]) for _ in range(steps)]

    def one_fit(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True))
        return model.fit(images, labels, epochs=1, verbose=0).history["loss"]

    def timid(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.SGD(1e-5), loss=keras.losses.CategoricalCrossentropy(from_logits=True))
        return [float(model.train_on_batch(images, labels)) for _ in range(steps)]

    def from_probabilities(model, images, labels, steps=40):   # the scores taken for probabilities
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
        return [float(model.train_on_batch(images, labels)) for _ in range(steps)]

    fails(hooks.test_overfit_tiny_batch, smoothed, "label smoothing keeps the loss high")
    fails(hooks.test_overfit_tiny_batch, accuracies, "not the accuracy")
    fails(hooks.test_overfit_tiny_batch, one_fit, "should return 80 losses")
    fails(hooks.test_overfit_tiny_batch, timid, "the loss should fall")
    fails(hooks.test_overfit_tiny_batch, from_probabilities, "from_logits=True")


def test_compile_model(reference, capsys):
    hooks.test_compile_model(reference["compile_model"])
    out = capsys.readouterr().out
    assert "Public tests passed: compile_model." in out and "Note:" not in out
    import keras

    logits = keras.losses.CategoricalCrossentropy(from_logits=True)

    def sparse_loss(model, steps_per_epoch, epochs):
        model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])

    def from_probabilities(model, steps_per_epoch, epochs):
        model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])

    def no_metrics(model, steps_per_epoch, epochs):
        model.compile(optimizer="sgd", loss=logits)

    def constant_rate(model, steps_per_epoch, epochs):
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss=logits, metrics=["accuracy"])

    fails(hooks.test_compile_model, sparse_loss, "not the sparse one")
    fails(hooks.test_compile_model, from_probabilities, "pass from_logits=True")
    fails(hooks.test_compile_model, no_metrics, "metrics=")
    hooks.test_compile_model(constant_rate)  # allowed (the student may argue for it), with notes
    out = capsys.readouterr().out
    assert "learning rate stayed at 0.01" in out and "not compiled with XLA" in out


# --- the graded result: the predictions file --------------------------------------------------------------------

def _test_set(count=400, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8), np.arange(count) % 10


def test_predictions_file(tmp_path, capsys):
    from course_lib import predictions_file

    images, labels = _test_set()
    path = tmp_path / hooks.PREDICTIONS_FILE
    right = np.where(np.arange(len(labels)) % 10 < 9, labels, (labels + 1) % 10)   # 90% right
    predictions_file.save(path, right, images, labels, training_minutes=12.5)
    order = np.random.default_rng(1).permutation(len(labels))   # the grader's copy lists them in another order
    assert hooks.test_predictions_file(path, images[order], labels[order]) == pytest.approx(0.9)
    assert "Public tests passed: predictions file (0.9000 of the 400 test images right)." in capsys.readouterr().out

    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "absent.npz",
          "there is no predictions file absent.npz.*FAST_MODE = False")
    (tmp_path / "text.npz").write_text("not a zip")
    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "text.npz",
          "cannot be read as a predictions file")
    np.savez(tmp_path / "pickled.npz", format=np.array(predictions_file.FORMAT), predictions=np.array([object()]))
    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "pickled.npz",
          "cannot be read as a predictions file")
    other_images, _ = _test_set(seed=5)
    predictions_file.save(tmp_path / "other.npz", labels, other_images, labels)
    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "other.npz",
          "made on another test set: 400 of its 400 images")
    predictions_file.save(tmp_path / "fast.npz", labels[:100], images[:100], labels[:100])
    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "fast.npz",
          "holds predictions for 100 images, but this test set has 400")
    predictions_file.save(tmp_path / "weak.npz", np.where(np.arange(400) % 10 < 8, labels, 0), images, labels)
    fails(lambda p: hooks.test_predictions_file(p, images, labels), tmp_path / "weak.npz",
          "gets 0.8000 of the 400 test images right, below the target 0.85")


def test_show_color_pixel_grid():
    """The notebook's first look at a photo: a colour image on its pixel grid (course_lib.plotting)."""
    from course_lib import plotting

    image = np.zeros((6, 5, 3), np.uint8)
    image[1, 2] = (255, 0, 0)
    ax = plotting.show_color_pixel_grid(image, "airplane (class 0)")
    assert ax.get_title() == "airplane (class 0)"
    assert ax.images[0].get_array().shape == (6, 5, 3)
    assert len(ax.get_xticks(minor=True)) == 6 and len(ax.get_yticks(minor=True)) == 7  # a line at every pixel edge
    with pytest.raises(ValueError, match="one colour image"):
        plotting.show_color_pixel_grid(np.zeros((6, 5)))
