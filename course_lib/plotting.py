"""Plots the notebooks share. Each returns its Figure and never calls ``plt.show()``."""

from __future__ import annotations

import math

import numpy as np


def image_grid(count: int, ncols: int = 10, cell: float = 1.2, figure=None):
    """A figure with ``count`` bare image axes in rows of ``ncols``; returns (figure, axes list)."""
    import matplotlib.pyplot as plt

    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    figure = figure or plt.figure(figsize=(cell * ncols, cell * nrows * 1.15))
    axes = []
    for index in range(count):
        ax = figure.add_subplot(nrows, ncols, index + 1)
        ax.set_axis_off()
        axes.append(ax)
    return figure, axes


def show_images(images, titles=None, *, ncols: int = 10, cmap: str = "gray", title_colors=None, suptitle=None):
    """Show images (N, H, W) or (N, H, W, 3) in a grid, each with an optional title."""
    images = np.asarray(images)
    figure, axes = image_grid(len(images), ncols)
    for index, (ax, image) in enumerate(zip(axes, images)):
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None)
        if titles is not None:
            color = title_colors[index] if title_colors is not None else "black"
            ax.set_title(str(titles[index]), fontsize=9, color=color)
    if suptitle:
        figure.suptitle(suptitle)
    figure.tight_layout()
    return figure


def show_predictions(images, labels, predictions, class_names, *, ncols: int = 10, limit: int = 30):
    """The first ``limit`` images titled with their prediction; wrong ones in red: "predicted X, was Y"."""
    images, labels = np.asarray(images)[:limit], np.asarray(labels)[:limit]
    predictions = np.asarray(predictions)[:limit]
    titles, colors = [], []
    for label, prediction in zip(labels, predictions):
        if label == prediction:
            titles.append(f"{class_names[prediction]}")
            colors.append("black")
        else:
            titles.append(f"predicted {class_names[prediction]},\nwas {class_names[label]}")
            colors.append("red")
    wrong = int((labels != predictions).sum())
    return show_images(images, titles, ncols=ncols, title_colors=colors,
                       suptitle=f"{wrong} of {len(labels)} wrong (in red)")


def bar_counts(counts: dict, *, title: str = "images per class", ax=None):
    """A bar chart of ``{class: count}`` with the mean as a dashed line; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    names, values = list(counts), [counts[name] for name in counts]
    ax.bar(names, values, color="#4a6fa5")
    ax.axhline(np.mean(values), color="black", linestyle="--", linewidth=1, label=f"mean {np.mean(values):,.0f}")
    ax.set_title(title)
    ax.legend(loc="lower right")
    return ax


def plot_history(history, metrics=None, *, title: str | None = None, figure=None):
    """Training curves: one panel per metric, training and validation on the same axes, per epoch.

    history: a Keras ``History`` (what ``model.fit`` returns) or its ``.history`` dict.
    metrics: the metrics to plot (default: every one recorded for training, e.g. loss and accuracy);
        a metric's validation curve is ``"val_" + metric`` when it was recorded.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    curves = dict(getattr(history, "history", history))
    if metrics is None:
        metrics = [name for name in curves if not name.startswith("val_") and name not in ("learning_rate", "lr")]
    missing = [name for name in metrics if name not in curves]
    if missing:
        raise ValueError(f"the history has no {', '.join(missing)}; it has {', '.join(curves)}")
    figure = figure or plt.figure(figsize=(4.5 * len(metrics), 3.2))
    for index, name in enumerate(metrics):
        ax = figure.add_subplot(1, len(metrics), index + 1)
        epochs = np.arange(1, len(curves[name]) + 1)
        ax.plot(epochs, curves[name], marker="o", markersize=3, label="training")
        if f"val_{name}" in curves:
            ax.plot(epochs, curves[f"val_{name}"], marker="o", markersize=3, label="validation")
        ax.set_xlabel("epoch")
        ax.set_title(name.replace("_", " "))
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_confusion_matrix(labels, predictions, class_names, *, normalize: bool = False, ax=None):
    """A confusion matrix (rows: true class, columns: predicted class) with class names; returns the Axes.

    normalize: show each row as fractions of its true class instead of counts.
    """
    import matplotlib.pyplot as plt

    from course_lib.evaluation import confusion_matrix

    matrix = confusion_matrix(labels, predictions, len(class_names))
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    if ax is None:
        size = 1.5 + 0.5 * len(class_names)
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(shown, cmap="Blues")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, [str(name) for name in class_names], rotation=45, ha="right")
    ax.set_yticks(ticks, [str(name) for name in class_names])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    threshold = shown.max() / 2 if shown.size else 0
    for row in range(len(class_names)):
        for column in range(len(class_names)):
            value = shown[row, column]
            text = f"{value:.2f}" if normalize else f"{int(value)}"
            ax.text(column, row, text, ha="center", va="center", fontsize=7,
                    color="white" if value > threshold else "black")
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    ax.set_title(f"confusion matrix (accuracy {accuracy:.3f})")
    return ax
