"""Measuring a classifier: confusion matrices and its most confident mistakes (pure numpy)."""

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
