"""A classifier's predictions on a test set, in a file a grader can score without retraining.

Assignment 4 trains for half an hour in full mode, which the autograder does
not repeat. The full-mode run writes its predictions on the test set with
``save``; the submission carries the file; the grader scores it with
``accuracy`` against the test set it loaded itself.

The file is a ``.npz`` of plain arrays, read with ``allow_pickle=False``:

- ``predictions`` (N,) int64: the predicted class of each test image;
- ``labels`` (N,) int64: the labels the notebook loaded, in the same order;
- ``fingerprints`` (N, 48) uint8: each image's mean colour in each 8×8-pixel
  block (4 × 4 blocks × 3 channels for a 32×32 image), rounded;
- ``format`` (a string naming this layout) and the figures given to ``save``
  (``training_minutes``, say), each a number.

Copies of a test set list their images in different orders (CIFAR-10's
official batches in their own order, a class-folder tree class by class and
by file name) and may store different pixels (a JPEG copy). So the grader
finds each image of the file in its own copy by its fingerprint, class by
class, with an optimal one-to-one matching
(``scipy.optimize.linear_sum_assignment``): the file scores the same
whatever order either copy lists the images in. Measured on CIFAR-10's test
set, in a copy as a class-folder tree of JPEGs of quality 75 (root mean
square over the 48 values): re-encoding every image as JPEG moves
its fingerprint by at most 2.1 levels at quality 90 and 4.0 at quality 50
(pixels off by about 6 levels on average); two different test images of one
class differ by 4.2 levels at the very least, 99.9% of them by more than 7;
the nearest training image of the same class is further than 4 levels from
all but 0.13% of the test images (CIFAR-10 has a few near-duplicates across
its splits). A file made on other images (fast mode's subset, training
images, a copy with images missing) is refused with a message saying so.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from course_lib.errors import CourseError

FORMAT = "course-kit test-set predictions, version 1"
BLOCK = 8  # pixels: a fingerprint holds each channel's mean over every BLOCK x BLOCK block
SAME_IMAGE = 4.0  # levels (RMS over a fingerprint): at most this far apart, two fingerprints are the same image
ALLOWED_STRAYS = 0.001  # the fraction of images that may match worse than SAME_IMAGE (re-encoding outliers)
LARGEST_FILE = 20 * 2**20  # bytes: a predictions file for 10,000 images is about 0.5 MB
ARRAYS = {"predictions": "i", "labels": "i", "fingerprints": "u"}


class PredictionsFileError(CourseError, ValueError):
    """A predictions file is missing, unreadable, malformed, or was made on another test set."""


def fingerprints(images) -> np.ndarray:
    """uint8 images (N, H, W, C) -> uint8 (N, H/BLOCK * W/BLOCK * C): each block's mean per channel, rounded.

    H and W must be multiples of BLOCK (CIFAR-10's 32x32 images give 4 x 4 blocks x 3 channels = 48 values).
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] % BLOCK or images.shape[2] % BLOCK:
        raise ValueError(f"expected images (N, H, W, C) with H and W multiples of {BLOCK}, got shape {images.shape}")
    count, height, width, channels = images.shape
    blocks = images.reshape(count, height // BLOCK, BLOCK, width // BLOCK, BLOCK, channels)
    return np.rint(blocks.mean(axis=(2, 4), dtype=np.float64)).astype(np.uint8).reshape(count, -1)


def save(path, predictions, images, labels, **figures) -> Path:
    """Write the predictions file ``path`` (atomically: a temporary file, then renamed). Returns the path.

    predictions: (N,) predicted classes of ``images`` (N, H, W, C) uint8, whose true ``labels`` (N,) the notebook
    loaded; figures: numbers to keep beside them (e.g. training_minutes=24.8).
    """
    path = Path(path)
    predictions, labels = np.asarray(predictions).ravel(), np.asarray(labels).ravel()
    prints = fingerprints(images)
    if not (len(predictions) == len(labels) == len(prints)):
        raise ValueError(f"{len(predictions)} predictions, {len(labels)} labels and {len(prints)} images: "
                         "one prediction and one label per image")
    arrays = {"format": np.array(FORMAT), "predictions": predictions.astype(np.int64),
              "labels": labels.astype(np.int64), "fingerprints": prints}
    arrays.update({name: np.array(float(value)) for name, value in figures.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez_compressed(stream, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read(path, how_to_make: str = "") -> dict:
    """The arrays of a predictions file, checked (no pickle is ever loaded). Raises PredictionsFileError.

    how_to_make: a sentence added to every error message, saying how to make the file.
    """
    path = Path(path)
    advice = f" {how_to_make}" if how_to_make else ""
    if not path.is_file():
        raise PredictionsFileError(f"there is no predictions file {path.name}.{advice}")
    if path.stat().st_size > LARGEST_FILE:
        raise PredictionsFileError(f"{path.name} is {path.stat().st_size:,} bytes, far more than a predictions "
                                   f"file holds: it is not one.{advice}")
    try:
        with np.load(io.BytesIO(path.read_bytes()), allow_pickle=False) as stored:
            content = {name: stored[name] for name in stored.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise PredictionsFileError(f"{path.name} cannot be read as a predictions file ({type(error).__name__}: "
                                   f"{str(error).splitlines()[0] if str(error) else ''}).{advice}") from None
    if str(content.get("format", "")) != FORMAT:
        raise PredictionsFileError(f"{path.name} is not a predictions file of this course (its format should be "
                                   f"{FORMAT!r}).{advice}")
    for name, kind in ARRAYS.items():
        value = content.get(name)
        if value is None or value.dtype.kind != kind:
            raise PredictionsFileError(f"{path.name} has no {name} array of the right type: it was not written "
                                       f"by course_lib.predictions_file.save.{advice}")
    count = len(content["predictions"])
    if content["predictions"].ndim != 1 or content["labels"].shape != (count,) or \
            content["fingerprints"].ndim != 2 or len(content["fingerprints"]) != count:
        raise PredictionsFileError(f"{path.name}: its predictions, labels and fingerprints do not have one row "
                                   f"per image.{advice}")
    return content


def aligned_predictions(path, images, labels, how_to_make: str = "") -> np.ndarray:
    """The file's predictions in the order of ``images`` (N, H, W, C) uint8, whose true classes are ``labels``.

    Each image of the file is found among ``images`` by its fingerprint, within its class. Raises
    PredictionsFileError when the file was not made on these images (another count, other classes, other
    images), saying so; how_to_make: a sentence added to every message, saying how to make the file.
    """
    content = read(path, how_to_make)
    name, advice = Path(path).name, f" {how_to_make}" if how_to_make else ""
    labels = np.asarray(labels).ravel().astype(np.int64)
    prints = fingerprints(images)
    predictions, their_labels, their_prints = content["predictions"], content["labels"], content["fingerprints"]
    if len(predictions) != len(labels):
        raise PredictionsFileError(f"{name} holds predictions for {len(predictions):,} images, but this test set "
                                   f"has {len(labels):,}: make it on the whole test set.{advice}")
    if their_prints.shape[1] != prints.shape[1]:
        raise PredictionsFileError(f"{name} was made on images of another size.{advice}")
    classes = max(int(labels.max(initial=0)), int(their_labels.max(initial=0))) + 1
    if min(predictions.min(initial=0), their_labels.min(initial=0)) < 0 or predictions.max(initial=0) >= classes:
        raise PredictionsFileError(f"{name} holds classes outside 0..{classes - 1}.{advice}")
    if not np.array_equal(np.bincount(their_labels, minlength=classes), np.bincount(labels, minlength=classes)):
        raise PredictionsFileError(f"{name} was made on another test set: its images are not of the same classes "
                                   f"as these ({np.bincount(their_labels, minlength=classes).tolist()} per class "
                                   f"against {np.bincount(labels, minlength=classes).tolist()}).{advice}")
    order = _same_order(their_labels, their_prints, labels, prints)
    if order is None:
        order = _matching(their_labels, their_prints, labels, prints)
    distances = _distances(their_prints[order], prints)
    strays = int(np.sum(distances > SAME_IMAGE))
    if strays > ALLOWED_STRAYS * len(labels):
        raise PredictionsFileError(f"{name} was made on another test set: {strays:,} of its {len(labels):,} images "
                                   f"are not among these test images.{advice}")
    return predictions[order]


def accuracy(path, images, labels, how_to_make: str = "") -> float:
    """The fraction of ``images`` whose class the file predicts right (see ``aligned_predictions``)."""
    predicted = aligned_predictions(path, images, labels, how_to_make)
    return float(np.mean(predicted == np.asarray(labels).ravel()))


def _distances(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Root mean square difference of each row of two uint8 fingerprint arrays of the same shape."""
    return np.sqrt(np.mean((first.astype(np.float32) - second.astype(np.float32)) ** 2, axis=1))


def _same_order(their_labels, their_prints, labels, prints):
    """np.arange(N) when the file lists the same images in the same order, else None."""
    if np.array_equal(their_labels, labels) and \
            np.sum(_distances(their_prints, prints) > SAME_IMAGE) <= ALLOWED_STRAYS * len(labels):
        return np.arange(len(labels))
    return None


def _matching(their_labels, their_prints, labels, prints) -> np.ndarray:
    """``order`` such that the file's row ``order[i]`` is the image ``i``: matched class by class, one to one."""
    from scipy.optimize import linear_sum_assignment

    order = np.empty(len(labels), dtype=np.int64)
    for label in np.unique(labels):
        mine, theirs = np.flatnonzero(labels == label), np.flatnonzero(their_labels == label)
        a, b = prints[mine].astype(np.float32), their_prints[theirs].astype(np.float32)
        cost = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2 * a @ b.T   # squared distances
        rows, columns = linear_sum_assignment(cost)
        order[mine[rows]] = theirs[columns]
    return order
