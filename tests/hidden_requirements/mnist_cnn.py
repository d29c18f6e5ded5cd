"""Assignment 3's hidden requirements, each with a wrong answer that the public hook rejects (see __init__)."""

from __future__ import annotations

import numpy as np

from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong, in_fast_mode
from tests.notebook_reference import reference_namespace

NOTEBOOK = REPO / "notebooks" / "03_mnist_cnn" / "mnist_cnn.ipynb"
CELLS = ("imports", "parameters", "sizes", "normalize_images", "add_channel_axis", "one_hot", "conv_output_size",
         "convolve2d", "net_1", "train", "net_2", "net_augmented", "fashion_load", "fashion_setup", "fashion_train")


@in_fast_mode
def context() -> dict:
    """The notebook's reference functions, and net_1 trained on Fashion-MNIST as the fast mode trains it."""
    import matplotlib.pyplot as plt

    namespace = reference_namespace(NOTEBOOK, CELLS)
    plt.close("all")
    return namespace


# --- wrong answers ----------------------------------------------------------------------------------------------

def normalize_float64(images):
    return np.asarray(images) / 255


def normalize_by_256(images):
    return np.asarray(images, dtype=np.float32) / 256


def normalize_and_change_input(images):
    result = np.asarray(images, dtype=np.float32) / 255
    images[..., -1] = 0
    return result


def channel_first(images):
    return np.asarray(images)[:, np.newaxis]


def channel_for_28_by_28_only(images):
    return np.resize(np.asarray(images), (len(images), 28, 28, 1))


def one_hot_transposed(vector, number_classes):
    return np.eye(number_classes, dtype=np.float32)[np.asarray(vector)].T


def one_hot_shifted(vector, number_classes):
    return np.roll(np.eye(number_classes, dtype=np.float32)[np.asarray(vector)], 1, axis=1)


def size_without_padding(input, kernel, stride=1, padding=0):  # noqa: A002 (the notebook's name)
    return (input - kernel) // stride + 1


def convolve_square_kernel(image, kernel):
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    size = kernel.shape[0]  # the kernel's rows used for both directions
    out = np.zeros((image.shape[0] - size + 1, image.shape[1] - size + 1))
    for row in range(out.shape[0]):
        for column in range(out.shape[1]):
            out[row, column] = np.sum(image[row:row + size, column:column + kernel.shape[1]] * kernel)
    return out


def convolve_flipped(image, kernel):
    from scipy.signal import convolve2d

    return convolve2d(np.asarray(image, dtype=float), np.asarray(kernel, dtype=float), mode="valid")


def _net(sample_shape, nb_classes, *, strides=1, pool=True, padding="valid", softmax=True, extra_dense=False):
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=sample_shape),
        layers.Conv2D(32, 3, activation="relu", padding=padding),
        layers.Conv2D(64, 3, strides=strides, activation="relu", padding=padding),
        *([layers.MaxPooling2D(2)] if pool else []),
        layers.Dropout(0.25), layers.Flatten(), layers.Dense(128, activation="relu"),
        *([layers.Dense(64, activation="relu")] if extra_dense else []),
        layers.Dropout(0.5), layers.Dense(nb_classes, activation="softmax" if softmax else None)])


def net_1_without_softmax(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, softmax=False)


def net_1_padded(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, padding="same")


def net_1_three_dense(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, extra_dense=True)


def net_2_without_softmax(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, strides=2, pool=False, softmax=False)


def net_2_padded(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, strides=2, pool=False, padding="same")


def net_2_as_asked(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes, strides=2, pool=False)


def net_2_that_pools(sample_shape, nb_classes):
    return _net(sample_shape, nb_classes)  # net_1: the same weights, shrunk by pooling


def _augmented(sample_shape, nb_classes, *, augment_first=True, normalised=True, noisy=False):
    import keras
    from keras import layers

    augmentation = [layers.RandomRotation(0.04, fill_mode="constant"),
                    layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
                    layers.RandomZoom(0.1, fill_mode="constant")]

    def block(layer, normalise=True):
        return [layer, *([layers.BatchNormalization(momentum=0.9)] if normalise else []), layers.Activation("relu")]

    convolutions = [*block(layers.Conv2D(32, 3, use_bias=False)),
                    *block(layers.Conv2D(32, 3, use_bias=False), normalised),
                    layers.MaxPooling2D(2)]
    noise = [layers.Lambda(lambda x: x + keras.random.uniform(keras.ops.shape(x), maxval=0.3))] if noisy else []
    head = [*block(layers.Conv2D(64, 3, use_bias=False), normalised),
            *block(layers.Conv2D(64, 3, use_bias=False), normalised), layers.MaxPooling2D(2), layers.Flatten(),
            *block(layers.Dense(128, use_bias=False), normalised), layers.Dropout(0.5),
            layers.Dense(nb_classes, activation="softmax")]
    order = [*noise, *augmentation, *convolutions, *head] if augment_first else [*convolutions, *augmentation, *head]
    return keras.Sequential([keras.Input(shape=sample_shape), *order])


def augmented_after_convolutions(sample_shape, nb_classes):
    return _augmented(sample_shape, nb_classes, augment_first=False)


def augmented_normalised_once(sample_shape, nb_classes):
    return _augmented(sample_shape, nb_classes, normalised=False)


def augmented_at_prediction_time(sample_shape, nb_classes):
    return _augmented(sample_shape, nb_classes, noisy=True)


def train_without_validation(model, images, labels, batch_size, epochs, callbacks=None):
    import keras

    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(images, labels, batch_size=batch_size, epochs=epochs, callbacks=callbacks, verbose=0)


def train_default_rate(model, images, labels, batch_size, epochs, callbacks=None):
    import keras

    model.compile(optimizer=keras.optimizers.Adadelta(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model.fit(images, labels, batch_size=batch_size, epochs=epochs, validation_split=0.1,
                     callbacks=callbacks, verbose=0)


def fashion_model_from(build):
    """Part 6 answered with ``build``'s model left untrained, and its accuracy measured honestly."""
    def replace(namespace: dict) -> dict:
        import keras

        keras.utils.set_random_seed(0)
        model = build((28, 28, 1), 10)
        images = (namespace["fashion_test_images"].astype(np.float32) / 255)[..., None]
        accuracy = float(np.mean(model.predict(images, verbose=0).argmax(axis=1) == namespace["fashion_test_labels"]))
        return {"fashion_model": model, "fashion_accuracy": accuracy}

    return replace


def fashion_training_accuracy(namespace: dict) -> dict:
    return {"fashion_accuracy": float(namespace["fashion_history"].history["accuracy"][-1])}


def fashion_one_epoch(namespace: dict) -> dict:
    from problem_unittests.mnist_cnn import separable_images, small_model

    images, labels = separable_images()
    model = small_model()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    history = model.fit(images, labels, epochs=1, validation_split=0.1, verbose=0)
    return {"fashion_history": history}


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("normalize_images_tests", "_y.dtype == np.float32", {"normalize_images": normalize_float64}, "float32"),
    Wrong("normalize_images_tests", "np.arange(256) / 255", {"normalize_images": normalize_by_256},
          "255 should become 1.0"),
    Wrong("normalize_images_tests", "_x[3, 7, 7] == 255", {"normalize_images": normalize_and_change_input},
          "changed its input"),
    Wrong("add_channel_axis_tests", "(2, 28, 28, 1)", {"add_channel_axis": channel_first}, "channels last"),
    Wrong("add_channel_axis_tests", "(1, 4, 9, 1)", {"add_channel_axis": channel_for_28_by_28_only},
          "keep the others"),
    Wrong("one_hot_tests", "_encoded.shape == (50, 7)", {"one_hot": one_hot_transposed}, "transpose"),
    Wrong("one_hot_tests", "to_categorical(_labels, 7)", {"one_hot": one_hot_shifted}, "one column to the right"),
    Wrong("conv_output_size_tests", "conv_output_size(*_args) == _expected",
          {"conv_output_size": size_without_padding}, "ignore the padding"),
    Wrong("convolve2d_tests", "_result.shape == (6, 9)", {"convolve2d": convolve_square_kernel},
          "rows and columns swapped"),
    Wrong("convolve2d_tests", "np.allclose(_result, _expected", {"convolve2d": convolve_flipped},
          "flipped the kernel"),
    Wrong("net_1_tests", "_out.shape == (2, 7)", {"net_1": net_1_without_softmax}, "not probabilities"),
    Wrong("net_1_tests", "_model.count_params()", {"net_1": net_1_padded}, "parameters, expected between"),
    Wrong("net_1_tests", '_types.count("Conv2D") == 2', {"net_1": net_1_three_dense}, "two Dense layers"),
    Wrong("train_tests", '_history.params["steps"] == 9', {"train": train_without_validation},
          "validation_split=0.1"),
    Wrong("train_tests", "learning_rate)), 1.0)", {"train": train_default_rate}, "Adadelta needs learning_rate=1.0"),
    Wrong("net_2_tests", "_out.shape == (2, 7)", {"net_2": net_2_without_softmax}, "not probabilities"),
    Wrong("net_2_tests", "_model.count_params()", {"net_2": net_2_padded}, "parameters, expected between"),
    Wrong("net_2_tests", '"Pooling" in _name', {"net_2": net_2_that_pools}, "should not pool"),
    Wrong("net_augmented_tests", '_types.index("Conv2D")', {"net_augmented": augmented_after_convolutions},
          "augment the images first"),
    Wrong("net_augmented_tests", '_types.count("BatchNormalization") >= 2',
          {"net_augmented": augmented_normalised_once}, "after each convolution"),
    Wrong("net_augmented_tests", "training=False)), np.asarray(_model(_x, training=False))",
          {"net_augmented": augmented_at_prediction_time}, "at prediction time"),
    Wrong("fashion_tests", '_types.count("Conv2D") == 2', fashion_model_from(net_2_as_asked),
          "should be net_1"),
    Wrong("fashion_tests", "abs(_accuracy - fashion_accuracy) < 2e-3", fashion_training_accuracy,
          "on the test images"),
    Wrong("fashion_tests", "_accuracy >= (0.5 if FAST_MODE else 0.9)", fashion_model_from(_net), "did it train"),
    Wrong("fashion_tests", 'len(fashion_history.history["val_loss"]) == FASHION_EPOCHS', fashion_one_epoch,
          "train for FASHION_EPOCHS"),
], needs_none={
    ("one_hot_tests", "[[0, 0, 1]]"): "a single label: a special case of the comparison with to_categorical",
})
