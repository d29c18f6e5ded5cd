"""Every hook of assignment 3 against the notebook's reference solution and at least two wrong answers.

The reference functions are taken from the source notebook's solution cells
(``tests.notebook_reference``), so the hooks are proven against the very code
the autograder's reference runs. Each wrong answer is a mistake students make,
and must fail with the hint that names it.
"""

from __future__ import annotations

import numpy as np
import pytest

import problem_unittests.mnist_cnn as hooks
from tests.conftest import REPO
from tests.notebook_reference import fails, reference_namespace

NOTEBOOK = REPO / "notebooks" / "03_mnist_cnn" / "mnist_cnn.ipynb"
SOLUTION_CELLS = ("imports", "normalize_images", "add_channel_axis", "one_hot", "conv_output_size", "convolve2d",
                  "net_1", "train", "net_2", "net_augmented")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)


@pytest.fixture(scope="module")
def keras_layers():
    import keras

    return keras, keras.layers


# --- preparing the data ------------------------------------------------------------------------------

def test_normalize_images(reference, capsys):
    hooks.test_normalize_images(reference["normalize_images"])
    assert "Public tests passed: normalize_images." in capsys.readouterr().out
    fails(hooks.test_normalize_images, lambda x: None, "returned None")
    fails(hooks.test_normalize_images, lambda x: x / 255, "float32")  # float64
    fails(hooks.test_normalize_images, lambda x: (x.astype(np.float32) - 127.5) / 255, "0 should become 0.0")
    fails(hooks.test_normalize_images, lambda x: x.astype(np.float32) / 256, "255 should become 1.0")
    fails(hooks.test_normalize_images, lambda x: (x // 255).astype(np.float32), "convert to float before dividing")


def test_add_channel_axis(reference, capsys):
    hooks.test_add_channel_axis(reference["add_channel_axis"])
    assert "Public tests passed: add_channel_axis." in capsys.readouterr().out
    fails(hooks.test_add_channel_axis, lambda x: x[:, np.newaxis], "channels last")
    fails(hooks.test_add_channel_axis, lambda x: x.reshape(len(x), -1, 1), r"expected \(3, 5, 7, 1\)")
    fails(hooks.test_add_channel_axis, lambda x: np.zeros((*x.shape, 1), np.float32), "the pixels moved")
    fails(hooks.test_add_channel_axis, lambda x: x.tolist(), "should return a numpy array")


def test_one_hot(reference, capsys):
    hooks.test_one_hot(reference["one_hot"])
    assert "Public tests passed: one_hot." in capsys.readouterr().out
    fails(hooks.test_one_hot, lambda v, n: np.eye(n, dtype=np.float32)[v].T, "you built the transpose")
    fails(hooks.test_one_hot, lambda v, n: np.eye(n, dtype=np.float32)[np.asarray(v) - 1], "one column to the left")
    fails(hooks.test_one_hot, lambda v, n: np.eye(n, dtype=np.float32)[(np.asarray(v) + 1) % n], "to the right")
    fails(hooks.test_one_hot, lambda v, n: np.eye(np.max(v) + 1, dtype=np.float32)[v], "use number_classes")
    fails(hooks.test_one_hot, lambda v, n: (np.asarray(v)[:, None] == np.arange(n)).astype(int), "return floats")


# --- convolution ------------------------------------------------------------------------------------

def test_conv_output_size(reference, capsys):
    hooks.test_conv_output_size(reference["conv_output_size"])
    assert "Public tests passed: conv_output_size." in capsys.readouterr().out
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: (i - k + 2 * p) // s, r"forget the \+ 1")
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: (i - k) // s + 1, "ignore the padding")
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: (i - k + p) // s + 1, r"not \+ padding")
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: i - k + 2 * p + 1, "ignore the stride")
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: -(-(i - k + 2 * p) // s) + 1, "round DOWN")
    fails(hooks.test_conv_output_size, lambda i, k, s=1, p=0: (i - k + 2 * p) / s + 1, "should return an int")


def test_convolve2d(reference, capsys):
    from scipy import signal

    hooks.test_convolve2d(reference["convolve2d"])
    assert "Public tests passed: convolve2d." in capsys.readouterr().out
    # True convolution flips the kernel: the symmetric worked example passes, an asymmetric kernel does not.
    fails(hooks.test_convolve2d, lambda image, kernel: signal.convolve2d(image, kernel, mode="valid"),
          "you flipped the kernel")
    fails(hooks.test_convolve2d, lambda image, kernel: signal.correlate2d(image, kernel, mode="same"),
          r"expected \(3, 3\), got \(5, 5\)")

    def kernel_transposed(image, kernel):  # passes the (symmetric) worked example
        return reference["convolve2d"](image, np.asarray(kernel).T)

    fails(hooks.test_convolve2d, kernel_transposed, "rows and columns swapped")

    def patch_sums(image, kernel):  # forgot to multiply by the kernel
        return reference["convolve2d"](image, np.ones_like(kernel))

    fails(hooks.test_convolve2d, patch_sums, "times the kernel")


# --- the networks -----------------------------------------------------------------------------------

def test_net_1(reference, keras_layers, capsys):
    keras, layers = keras_layers
    hooks.test_net_1(reference["net_1"])
    assert "Public tests passed: net_1." in capsys.readouterr().out

    def without_pooling(shape, classes):
        return keras.Sequential([keras.Input(shape), layers.Conv2D(32, 3, activation="relu"),
                                 layers.Conv2D(64, 3, activation="relu"), layers.Flatten(),
                                 layers.Dense(128, activation="relu"), layers.Dense(classes, activation="softmax")])

    def no_softmax(shape, classes):
        model = reference["net_1"](shape, classes)
        return keras.Sequential([*model.layers[:-1], layers.Dense(classes)])

    def ten_classes_always(shape, classes):
        return reference["net_1"](shape, 10)

    def filters_swapped(shape, classes):
        return keras.Sequential([keras.Input(shape), layers.Conv2D(64, 3, activation="relu"),
                                 layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
                                 layers.Flatten(), layers.Dense(128, activation="relu"),
                                 layers.Dense(classes, activation="softmax")])

    def padded(shape, classes):
        return keras.Sequential([keras.Input(shape), layers.Conv2D(32, 3, padding="same", activation="relu"),
                                 layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                                 layers.Flatten(), layers.Dense(128, activation="relu"),
                                 layers.Dense(classes, activation="softmax")])

    def frozen(shape, classes):
        model = reference["net_1"](shape, classes)
        model.trainable = False
        return model

    fails(hooks.test_net_1, lambda shape, classes: None, "returned None")
    fails(hooks.test_net_1, without_pooling, "one MaxPooling2D layer")
    fails(hooks.test_net_1, no_softmax, "not probabilities")
    fails(hooks.test_net_1, ten_classes_always, "use sample_shape and nb_classes")
    fails(hooks.test_net_1, filters_swapped, "32 then 64 filters")
    fails(hooks.test_net_1, padded, "parameters, expected between")
    fails(hooks.test_net_1, frozen, "does not learn")


def test_net_2(reference, keras_layers, capsys):
    keras, layers = keras_layers
    hooks.test_net_2(reference["net_2"])
    assert "Public tests passed: net_2." in capsys.readouterr().out

    def strided(first, second, pool=None):
        def build(shape, classes):
            return keras.Sequential([keras.Input(shape), layers.Conv2D(32, 3, strides=first, activation="relu"),
                                     layers.Conv2D(64, 3, strides=second, activation="relu"),
                                     *([pool] if pool else []), layers.Flatten(),
                                     layers.Dense(128, activation="relu"),
                                     layers.Dense(classes, activation="softmax")])
        return build

    fails(hooks.test_net_2, reference["net_1"], "should not pool")  # net_1 itself: pooling, no stride
    fails(hooks.test_net_2, strided(1, 2, layers.AveragePooling2D(2)), "should not pool")
    fails(hooks.test_net_2, strided(1, 1), "second convolution of net_2 should move 2 pixels")
    fails(hooks.test_net_2, strided(2, 1), "second convolution of net_2 should move 2 pixels")
    fails(hooks.test_net_2, strided(2, 2), "strides=2 in the second convolution only")


def test_net_augmented(reference, keras_layers, capsys):
    keras, layers = keras_layers
    hooks.test_net_augmented(reference["net_augmented"])
    assert "Public tests passed: net_augmented." in capsys.readouterr().out

    def augmented_net_1(augmentation, normalise=True):
        def build(shape, classes):
            convolutions = [layers.Conv2D(32, 3), *([layers.BatchNormalization()] if normalise else []),
                            layers.Activation("relu"), layers.Conv2D(64, 3),
                            *([layers.BatchNormalization()] if normalise else []), layers.Activation("relu")]
            return keras.Sequential([keras.Input(shape), *augmentation(), *convolutions, layers.MaxPooling2D(),
                                     layers.Flatten(), layers.Dense(128, activation="relu"),
                                     layers.Dense(classes, activation="softmax")])
        return build

    def all_three():
        return [layers.RandomRotation(0.04), layers.RandomTranslation(0.1, 0.1), layers.RandomZoom(0.1)]

    class Jitter(layers.Layer):
        """Augmentation by hand: noise added at every call, at prediction time too."""

        def call(self, images):
            return images + keras.random.uniform(keras.ops.shape(images), maxval=0.1)

    def hand_made(shape, classes):
        return augmented_net_1(lambda: [Jitter(), *all_three()])(shape, classes)

    fails(hooks.test_net_augmented, reference["net_1"], "lacks RandomRotation, RandomTranslation, RandomZoom")
    fails(hooks.test_net_augmented, augmented_net_1(lambda: all_three()[:2]), "lacks RandomZoom")
    fails(hooks.test_net_augmented, augmented_net_1(all_three, normalise=False), "has 0 BatchNormalization")

    def augmenting_late(shape, classes):
        model = augmented_net_1(all_three)(shape, classes)
        return keras.Sequential([keras.Input(shape), *model.layers[3:5], *all_three(), *model.layers[5:]])

    fails(hooks.test_net_augmented, augmenting_late, "augment the images first")
    fails(hooks.test_net_augmented, hand_made, "different answers for the same images")


# --- training ---------------------------------------------------------------------------------------

def test_train(reference, keras_layers, capsys):
    keras, _ = keras_layers
    hooks.test_train(reference["train"])
    assert "Public tests passed: train." in capsys.readouterr().out

    def trainer(optimizer=None, loss="categorical_crossentropy", metrics=("accuracy",), split=0.1, batch=True,
                pass_callbacks=True, returns_history=True):
        def train(model, images, labels, batch_size, epochs, callbacks=None):
            model.compile(optimizer=optimizer() if optimizer else keras.optimizers.Adadelta(learning_rate=1.0),
                          loss=loss, metrics=list(metrics))
            history = model.fit(images, labels, batch_size=batch_size if batch else None, epochs=epochs,
                                validation_split=split, callbacks=callbacks if pass_callbacks else None, verbose=0)
            return history if returns_history else model
        return train

    fails(hooks.test_train, trainer(optimizer=keras.optimizers.Adadelta), "learning rate is 0.001")
    fails(hooks.test_train, trainer(optimizer=keras.optimizers.Adam), "not Adam")
    fails(hooks.test_train, trainer(loss="mean_squared_error"), "loss='categorical_crossentropy'")
    fails(hooks.test_train, trainer(metrics=()), "metrics=\\['accuracy'\\]")
    fails(hooks.test_train, trainer(split=0.0), "validation_split=0.1")
    fails(hooks.test_train, trainer(split=0.2), "it took 8")
    fails(hooks.test_train, trainer(batch=False), "it took 3")
    fails(hooks.test_train, trainer(pass_callbacks=False), "callbacks given to train were not called")
    fails(hooks.test_train, trainer(returns_history=False), "should return what model.fit returns")
