"""Assignment 4's hidden requirements, each with a wrong answer that the public hook rejects (see __init__).

Most of assignment 4's hidden blocks call the public checks themselves (``tests.check_whitening`` and the
like) on other data, and assert nothing more; the assertions listed here are the rest. The context loads
the real CIFAR-10 (../shared's class-folder tree, as ``tests.shared_data`` lays it out) in fast mode, and a
predictions file made from the true test labels stands in for the full-mode run's.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong, in_fast_mode
from tests.notebook_reference import reference_namespace

NOTEBOOK = REPO / "notebooks" / "04_cifar10_cnn" / "cifar10_cnn.ipynb"
CELLS = ("imports", "parameters", "sizes", "load", "split", "one_hot", "one_hot_run", "normalisation",
         "normalisation_run", "build_augmentation", "learning_rate_schedule", "patch_whitening", "build_model",
         "overfit_tiny_batch", "compile_model")


def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cifar10-catalogue-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _predictions_file(namespace: dict, right: float, name: str) -> str:
    """A predictions file for the namespace's whole test set, ``right`` of it predicted right."""
    from course_lib import predictions_file

    labels = namespace["y_test_all"]
    predictions = np.where(np.arange(len(labels)) < right * len(labels), labels, (labels + 1) % 10)
    return str(predictions_file.save(namespace["_catalogue_folder"] / name, predictions, namespace["x_test_all"],
                                     labels))


@in_fast_mode
def context() -> dict:
    """The notebook's data and reference functions; a file of right predictions stands in for the full run's."""
    import matplotlib.pyplot as plt
    import pytest

    from tests.shared_data import assignment_data_dir

    tree = assignment_data_dir()
    if tree is None:
        pytest.skip("assignment 4's catalogue needs the real CIFAR-10 of ../shared/data")
    before = os.environ.get("COURSE_DATA_DIR")
    os.environ["COURSE_DATA_DIR"] = str(tree)
    try:
        namespace = reference_namespace(NOTEBOOK, CELLS)
    finally:
        if before is None:
            os.environ.pop("COURSE_DATA_DIR", None)
        else:
            os.environ["COURSE_DATA_DIR"] = before
    plt.close("all")
    namespace["_catalogue_folder"] = _folder()
    namespace["PREDICTIONS_FILE"] = _predictions_file(namespace, 1.0, "cifar10_predictions.npz")
    return namespace


# --- wrong answers ----------------------------------------------------------------------------------------------

def one_hot_transposed(vector, number_classes):
    return np.eye(number_classes, dtype=np.float32)[np.ravel(vector)].T


def one_hot_shifted(vector, number_classes):
    return np.eye(number_classes, dtype=np.float32)[(np.ravel(vector) + 1) % number_classes]


def one_hot_unflattened(vector, number_classes):
    return np.eye(number_classes, dtype=np.float32)[np.asarray(vector)]


def statistics_of_everything(images):
    return np.float32(images.mean()), np.float32(images.std())


def statistics_with_variance(images):
    pixels = np.asarray(images, dtype=np.float64).reshape(-1, 3)
    return pixels.mean(axis=0).astype(np.float32), pixels.var(axis=0).astype(np.float32)


def standardize_float64(images, mean, std):
    return (np.asarray(images, dtype=np.float64) - mean) / std


def standardize_mean_last(images, mean, std):
    return (np.asarray(images, dtype=np.float32) / std - mean).astype(np.float32)


def standardize_by_variance(images, mean, std):
    return ((np.asarray(images, dtype=np.float32) - mean) / std ** 2).astype(np.float32)


def standardize_own_statistics(images, mean, std):
    pixels = np.asarray(images, dtype=np.float64).reshape(-1, 3)
    return ((images - pixels.mean(axis=0)) / pixels.std(axis=0)).astype(np.float32)


def schedule_without_warmup(peak, warmup_steps, total_steps):
    import keras

    return keras.optimizers.schedules.CosineDecay(peak, total_steps)


def schedule_decaying_too_slowly(peak, warmup_steps, total_steps):
    import keras

    return keras.optimizers.schedules.CosineDecay(0.0, 10 * total_steps, warmup_target=peak,
                                                  warmup_steps=warmup_steps)


def model_with_ten_classes(input_shape=(32, 32, 3), num_classes=10, whitening=None):
    import keras
    from keras import layers

    inputs = keras.Input(input_shape)
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, activation="relu")(inputs))
    return keras.Model(inputs, layers.Dense(10)(x))


def frozen_model(input_shape=(32, 32, 3), num_classes=10, whitening=None):
    import keras
    from keras import layers

    inputs = keras.Input(input_shape)
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D()(layers.Conv2D(32, 3, activation="relu")(x))
    x = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    model = keras.Model(inputs, layers.Dense(num_classes)(x))
    for layer in model.layers:
        layer.trainable = False
    return model


def weak_predictions(namespace: dict) -> dict:
    """A full-mode run that reached 0.80 only."""
    return {"PREDICTIONS_FILE": _predictions_file(namespace, 0.80, "weak.npz")}


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("one_hot_tests", "_encoded.shape == (50, 10)", {"one_hot": one_hot_transposed}, "transpose"),
    Wrong("one_hot_tests", "_encoded.argmax(axis=1), y_test[:50]", {"one_hot": one_hot_shifted},
          "one column to the right"),
    Wrong("one_hot_tests", "np.array([[4], [0], [4]])", {"one_hot": one_hot_unflattened}, r"shape \(5, 1\)"),
    Wrong("channel_statistics_tests", "_mean.shape == (3,)", {"channel_statistics": statistics_of_everything},
          "one mean per colour channel"),
    Wrong("channel_statistics_tests", "np.allclose(_mean, _pixels.mean(axis=0)",
          {"channel_statistics": statistics_with_variance}, "that is the variance"),
    Wrong("standardize_tests", "_scaled.dtype == np.float32", {"standardize": standardize_float64}, "float32"),
    Wrong("standardize_tests", ".mean(axis=0), 0, atol", {"standardize": standardize_mean_last},
          "subtract the mean first"),
    Wrong("standardize_tests", ".std(axis=0), 1, atol", {"standardize": standardize_by_variance},
          "not by the variance"),
    Wrong("standardize_tests", "standardize(x_test[:100], _mean, _std)", {"standardize": standardize_own_statistics},
          "used the statistics of the images it was given"),
    Wrong("learning_rate_schedule_tests", "_rates[0] < _rates[1] < _rates[2]",
          {"learning_rate_schedule": schedule_without_warmup}, "warm-up should start low"),
    Wrong("learning_rate_schedule_tests", "_rates[2] > _rates[3] > _rates[4]",
          {"learning_rate_schedule": schedule_decaying_too_slowly}, "decay to about zero"),
    Wrong("model_shapes_tests", "tuple(_model.output_shape) == (None, 100)", {"build_model": model_with_ten_classes},
          "use num_classes"),
    Wrong("model_overfits_tests", "tests.overfitted(_losses)", {"build_model": frozen_model},
          "did not learn 20 images by heart"),
    Wrong("accuracy_tests", "_accuracy >= 0.85", weak_predictions, "below the target 0.85"),
], needs_none={
    ("model_shapes_tests", "(3, 100)"): "a model gives outputs of the shape it declares: a wrong number of classes "
                                        "breaks the assertion before",
    ("model_shapes_tests", "build_model((32, 32, 3), 7)"): "num_classes again, without a kernel: a fixed number of "
                                                           "classes breaks the first assertion, and a network that "
                                                           "fails without a kernel fails the public test's own "
                                                           "build_model((32, 32, 3), 4), its error shown in the "
                                                           "student's code",
})
