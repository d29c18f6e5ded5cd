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


def show_pixel_grid(image, title: str | None = None, *, values: bool = True, ax=None):
    """One grayscale image (H, W) drawn pixel by pixel on a grid, each non-zero pixel's value written in it.

    values: write the values (legible up to about 28x28 at the default size). Returns the Axes.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim != 2:
        raise ValueError(f"show_pixel_grid draws one grayscale image (H, W) or (H, W, 1), got shape {image.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.3 * image.shape[1] + 1, 0.3 * image.shape[0] + 1))
    ax.imshow(image, cmap="gray_r")
    rows, columns = image.shape
    ax.set_xticks(np.arange(-0.5, columns, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="#bbbbbb", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(0, columns, 5))
    ax.set_yticks(range(0, rows, 5))
    if values:
        threshold = (image.max() + image.min()) / 2
        integer = np.issubdtype(image.dtype, np.integer)
        for row, column in zip(*np.nonzero(image)):
            value = image[row, column]
            ax.text(column, row, f"{value}" if integer else f"{value:.1f}", ha="center", va="center", fontsize=4,
                    color="white" if value > threshold else "black")
    if title:
        ax.set_title(title)
    return ax


def show_class_samples(images, labels, class_names, *, per_class: int = 10, seed: int = 0, cell: float = 0.9):
    """A grid with one row per class of ``per_class`` images picked at random (seeded), rows named by class.

    images: (N, H, W) or (N, H, W, 3); labels: (N,) class indexes. A class with fewer images shows them all.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    images, labels = np.asarray(images), np.asarray(labels).ravel()
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    rng = np.random.default_rng(seed)
    figure, axes = plt.subplots(len(class_names), per_class, squeeze=False,
                                figsize=(cell * per_class + 1.2, cell * len(class_names)))
    for row, name in enumerate(class_names):
        members = np.flatnonzero(labels == row)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for column, ax in enumerate(axes[row]):
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ax.spines.values():
                side.set_visible(False)
            if column < len(chosen):
                image = images[chosen[column]]
                ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
        axes[row][0].set_ylabel(str(name), rotation=0, ha="right", va="center", fontsize=9)
    figure.tight_layout()
    return figure


def show_color_pixel_grid(image, title: str | None = None, *, ax=None):
    """One colour image (H, W, 3), uint8 or floats in [0, 1], drawn pixel by pixel with a line at every pixel edge.

    The colour counterpart of ``show_pixel_grid`` (which writes each grayscale value in its pixel: three
    values per pixel would not be legible). Returns the Axes.
    """
    import matplotlib.pyplot as plt

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"show_color_pixel_grid draws one colour image (H, W, 3), got shape {image.shape}")
    rows, columns = image.shape[:2]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.15 * columns + 1, 0.15 * rows + 1))
    ax.imshow(image)
    ax.set_xticks(np.arange(-0.5, columns, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.3, alpha=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(range(0, columns, 4))
    ax.set_yticks(range(0, rows, 4))
    if title:
        ax.set_title(title)
    return ax


def plot_whitening(before, after, kernel):
    """A patch-whitening first layer at work: the covariance of the patches before and after it, and its filters.

    before: (D, D) covariance of the D values of each patch (D = 4 * C for 2x2 patches of C channels); after:
    (D, D) covariance of the layer's first D outputs; kernel: (2, 2, C, 2 * D) the layer's kernel, its first D
    filters drawn as 2x2 colour tiles (each stretched to its own range), from the direction of most variance
    to the least, each titled with the patches' variance along it. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    before, after, kernel = np.asarray(before), np.asarray(after), np.asarray(kernel)
    size = len(before)
    if before.shape != (size, size) or after.shape != (size, size) or kernel.shape[:2] != (2, 2) \
            or 4 * kernel.shape[2] != size or kernel.shape[3] < size:
        raise ValueError(f"expected covariances (D, D) and a kernel (2, 2, D / 4, >= D), got {before.shape}, "
                         f"{after.shape} and {kernel.shape}")
    channels = kernel.shape[2]
    names = "RGB" if channels == 3 else [str(c) for c in range(channels)]
    labels = [f"{names[c]}{i}{j}" for i in (0, 1) for j in (0, 1) for c in range(channels)]
    filters = kernel[..., :size].reshape(size, size).T   # row k: filter k, in the order of the labels
    directions = filters / np.linalg.norm(filters, axis=1, keepdims=True)
    variances = np.einsum("kd,de,ke->k", directions, before, directions)
    figure = plt.figure(figsize=(10, 6.2))
    grid = figure.add_gridspec(2, size, height_ratios=[5, 1], hspace=0.35)
    scale = max(np.abs(before).max(), np.abs(after).max(), 1e-12)
    for column, (matrix, title) in enumerate(((before, "patches: covariance"),
                                              (after, "whitened: covariance"))):
        ax = figure.add_subplot(grid[0, column * size // 2:(column + 1) * size // 2])
        shown = ax.imshow(matrix, cmap="RdBu_r", vmin=-scale, vmax=scale)
        ax.set_xticks(range(size), labels, rotation=90, fontsize=7)
        ax.set_yticks(range(size), labels, fontsize=7)
        ax.set_title(title)
    figure.colorbar(shown, ax=figure.axes, shrink=0.6, location="right")
    for position, k in enumerate(np.argsort(-variances)):
        ax = figure.add_subplot(grid[1, position])
        tile = filters[k].reshape(2, 2, channels)
        tile = (tile - tile.min()) / max(np.ptp(tile), 1e-12)
        ax.imshow(tile if channels == 3 else tile.mean(axis=-1), cmap=None if channels == 3 else "gray")
        ax.set_title(f"{variances[k]:.2g}", fontsize=8)
        ax.set_axis_off()
    figure.suptitle("the whitening filters, by the patches' variance along them", y=0.2, fontsize=9)
    return figure
