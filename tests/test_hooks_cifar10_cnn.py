"""Every CIFAR-10 hook against the reference solution and at least two wrong answers.

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
                  "build_model", "overfit_tiny_batch", "compile_model")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells.

    The reference build_model computes its first layer from the notebook's standardised `train_images`:
    here, images whose neighbouring pixels are correlated, as in photos.
    """
    noise = np.random.default_rng(0).normal(size=(200, 33, 33, 3)).astype(np.float32)
    images = noise[:, 1:, 1:] + noise[:, :-1, :-1]
    train_images = (images - images.mean(axis=(0, 1, 2))) / images.std(axis=(0, 1, 2))
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS, {"train_images": train_images})


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


def _plain_model(*, activation="softmax", classes=None, dropout_always=False, frozen=False):
    """A wrong build_model: a small network with one thing changed."""
    import keras
    from keras import layers

    def build_model(input_shape=(32, 32, 3), num_classes=10):
        inputs = keras.Input(input_shape)
        x = layers.Conv2D(8, 3, activation="relu", trainable=not frozen)(inputs)
        x = layers.GlobalAveragePooling2D()(x)
        if dropout_always:  # random at inference too: keras.random outside a Dropout layer
            x = layers.Lambda(lambda tensor: keras.random.dropout(tensor, 0.5))(x)
        outputs = layers.Dense(classes or num_classes, activation=activation, trainable=not frozen)(x)
        return keras.Model(inputs, outputs)

    return build_model


def test_model_shapes(reference, capsys):
    hooks.test_build_model(reference["build_model"])
    out = capsys.readouterr().out
    assert "Public tests passed: build_model shapes." in out and "build_model probabilities." in out
    import keras
    from keras import layers

    def flat_input(input_shape=(32, 32, 3), num_classes=10):
        inputs = keras.Input((32 * 32 * 3,))
        return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(inputs))

    fails(hooks.test_model_shapes, _plain_model(classes=10), "use num_classes")
    fails(hooks.test_model_shapes, flat_input, r"input shape \(None, 32, 32, 3\)")
    fails(hooks.test_model_shapes, lambda *args, **kwargs: None, "returned None")


def test_model_probabilities(reference):
    hooks.test_model_probabilities(reference["build_model"])
    fails(hooks.test_model_probabilities, _plain_model(activation=None), "not probabilities")
    fails(hooks.test_model_probabilities, _plain_model(activation="sigmoid"), "not probabilities")
    fails(hooks.test_model_probabilities, _plain_model(dropout_always=True), "training only")


def test_model_overfits(reference, capsys):
    hooks.test_model_overfits(reference["build_model"])
    assert "learns 20 images by heart" in capsys.readouterr().out
    fails(hooks.test_model_overfits, _plain_model(), "did not learn 20 images by heart")  # too little capacity
    fails(hooks.test_model_overfits, _plain_model(frozen=True), "did not learn 20 images by heart")


def test_overfit_tiny_batch(reference):
    hooks.test_overfit_tiny_batch(reference["overfit_tiny_batch"])
    import keras

    def smoothed(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.2))
        return [float(model.train_on_batch(images, labels)) for _ in range(steps)]

    def accuracies(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
        return [float(model.train_on_batch(images, labels)[1]) for _ in range(steps)]

    def one_fit(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
        return model.fit(images, labels, epochs=1, verbose=0).history["loss"]

    def timid(model, images, labels, steps=40):
        model.compile(optimizer=keras.optimizers.SGD(1e-5), loss="categorical_crossentropy")
        return [float(model.train_on_batch(images, labels)) for _ in range(steps)]

    fails(hooks.test_overfit_tiny_batch, smoothed, "label smoothing keeps the loss high")
    fails(hooks.test_overfit_tiny_batch, accuracies, "not the accuracy")
    fails(hooks.test_overfit_tiny_batch, one_fit, "should return 80 losses")
    fails(hooks.test_overfit_tiny_batch, timid, "the loss should fall")


def test_compile_model(reference, capsys):
    hooks.test_compile_model(reference["compile_model"])
    out = capsys.readouterr().out
    assert "Public tests passed: compile_model." in out and "Note:" not in out
    import keras

    def sparse_loss(model, steps_per_epoch, epochs):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def no_metrics(model, steps_per_epoch, epochs):
        model.compile(optimizer="sgd", loss="categorical_crossentropy")

    def constant_rate(model, steps_per_epoch, epochs):
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="categorical_crossentropy", metrics=["accuracy"])

    fails(hooks.test_compile_model, sparse_loss, "not the sparse one")
    fails(hooks.test_compile_model, no_metrics, "metrics=")
    hooks.test_compile_model(constant_rate)  # allowed (the student may argue for it), with notes
    out = capsys.readouterr().out
    assert "learning rate stayed at 0.01" in out and "not compiled with XLA" in out


def test_show_colour_pixel_grid():
    """The notebook's first look at a photo: a colour image on its pixel grid (course_lib.plotting)."""
    from course_lib import plotting

    image = np.zeros((6, 5, 3), np.uint8)
    image[1, 2] = (255, 0, 0)
    ax = plotting.show_colour_pixel_grid(image, "airplane (class 0)")
    assert ax.get_title() == "airplane (class 0)"
    assert ax.images[0].get_array().shape == (6, 5, 3)
    assert len(ax.get_xticks(minor=True)) == 6 and len(ax.get_yticks(minor=True)) == 7  # a line at every pixel edge
    with pytest.raises(ValueError, match="one colour image"):
        plotting.show_colour_pixel_grid(np.zeros((6, 5)))
