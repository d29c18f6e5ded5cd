"""Figures of house numbers: pictures with their digit boxes, and photos with the model's reading.

Each returns its Figure and never calls ``plt.show()``.
"""

from __future__ import annotations

import math

import numpy as np


def show_numbers(numbers, count: int = 12, *, ncols: int = 4, readings=None):
    """The first ``count`` pictures of a NumberSet, each with its digit boxes and its number as title.

    readings: optional texts (what a model read), shown beside the true number, in red when they differ.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    count = min(count, len(numbers))
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    figure, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 2.2 * nrows), squeeze=False)
    truths = numbers.numbers()
    for index, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if index >= count:
            continue
        ax.imshow(numbers.images[index])
        for left, top, width, height in numbers.boxes[index]:
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, color="lime", linewidth=1))
        title, colour = truths[index], "black"
        if readings is not None:
            title = f"{truths[index]} read as {readings[index]}"
            colour = "black" if readings[index] == truths[index] else "red"
        ax.set_title(title, fontsize=9, color=colour)
    figure.suptitle("SYNTHETIC house numbers (generated here)" if numbers.synthetic else "SVHN house numbers")
    figure.tight_layout()
    return figure


def show_photo_readings(images, titles, *, boxes=None, colours=None, ncols: int = 3):
    """Photos (a list of uint8 arrays) in a grid, each titled (e.g. "read 27 (0.98)"), with its box if given."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    count = len(images)
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    figure, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.6 * nrows), squeeze=False)
    for index, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if index >= count:
            continue
        ax.imshow(np.asarray(images[index]))
        if boxes is not None and boxes[index] is not None:
            left, top, right, bottom = boxes[index]
            ax.add_patch(Rectangle((left, top), right - left, bottom - top, fill=False, color="yellow", linewidth=1.5))
        ax.set_title(str(titles[index]), fontsize=10, color=(colours[index] if colours is not None else "black"))
    figure.tight_layout()
    return figure
