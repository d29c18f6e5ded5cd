"""Measuring a classifier: confusion matrices, its most confident mistakes, test-time views (pure numpy)."""

from __future__ import annotations

import numpy as np


def confusion_matrix(labels, predictions, num_classes: int) -> np.ndarray:
    """Counts (num_classes, num_classes), int64: row = true class, column = predicted class."""
    labels, predictions = np.asarray(labels).ravel(), np.asarray(predictions).ravel()
    if labels.shape != predictions.shape:
        raise ValueError(f"{labels.size} labels but {predictions.size} predictions")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} must be class indexes in 0..{num_classes - 1}, "
                             f"got {values.min()}..{values.max()}")
    return np.bincount(labels * num_classes + predictions, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def most_confident_mistakes(probabilities, labels, count: int = 20) -> np.ndarray:
    """Indexes of the wrong predictions the model was surest of, surest first.

    probabilities: (N, classes) rows of class probabilities; labels: (N,) true classes.
    """
    probabilities, labels = np.asarray(probabilities), np.asarray(labels).ravel()
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(f"expected probabilities (N, classes) for {len(labels)} labels, got {probabilities.shape}")
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:count]


def shifted(images, down: int, right: int) -> np.ndarray:
    """Images (N, H, W, C) moved `down` rows down and `right` columns right (negative: up, left).

    The pixels that come in at the edges mirror the image (``d c b a | a b c d``), as Keras'
    ``RandomTranslation`` fills them by default, so a shifted test image looks like a training one.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"expected images (N, H, W, C), got shape {images.shape}")
    height, width = images.shape[1:3]
    if abs(down) >= height or abs(right) >= width:
        raise ValueError(f"a shift of ({down}, {right}) pixels does not fit images of {height}x{width}")
    pad_y, pad_x = abs(down), abs(right)
    padded = np.pad(images, ((0, 0), (pad_y, pad_y), (pad_x, pad_x), (0, 0)), mode="symmetric")
    top, left = pad_y - down, pad_x - right
    return padded[:, top:top + height, left:left + width]


def augmented_views(images, shift: int = 1):
    """The views of each image that `average_over_views` averages, one batch (N, H, W, C) at a time.

    10 views: as is and shifted `shift` pixels up, down, left and right, each also mirrored left to right
    (2 views when shift is 0: as is and mirrored).
    """
    images = np.asarray(images)
    moves = [(0, 0)] if shift == 0 else [(0, 0), (-shift, 0), (shift, 0), (0, -shift), (0, shift)]
    for source in (images, images[:, :, ::-1]):
        for down, right in moves:
            yield shifted(source, down, right)


def average_over_views(predict, images, shift: int = 1) -> np.ndarray:
    """Test-time augmentation: the mean of predict(view) over `augmented_views(images, shift)`.

    predict: a function of a batch of images (N, H, W, C) -> class probabilities (N, classes),
    for example ``lambda views: model.predict(views, batch_size=500, verbose=0)``.
    Returns (N, classes) float32. shift=0 averages each image with its mirror image only.
    """
    total = 0
    for count, view in enumerate(augmented_views(images, shift), start=1):
        probabilities = np.asarray(predict(view), dtype=np.float32)
        if probabilities.ndim != 2 or len(probabilities) != len(view):
            raise ValueError(f"predict must return (N, classes) for {len(view)} images, got {probabilities.shape}")
        total = total + probabilities
    return total / count
