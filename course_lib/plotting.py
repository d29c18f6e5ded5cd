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
