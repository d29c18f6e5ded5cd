"""Training curves of several runs on the same axes, to compare them. Each function returns its Figure.

A history is what ``model.fit`` returns (a Keras ``History``), its ``.history``
dict, or any ``{metric: [one value per epoch]}`` such as
``course_lib.numpy_softmax.Run.history``.

>>> compare_runs({"SGD": sgd.history, "momentum": momentum.history}, ["loss", "val_accuracy"])   # doctest: +SKIP
>>> train_vs_validation({"no regularisation": plain, "dropout + L2": regularised})               # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np


def _curves(history) -> dict:
    return dict(getattr(history, "history", history))


def _require(runs: dict, metrics) -> dict:
    if not runs:
        raise ValueError("no runs to plot: pass {name: history}")
    curves = {name: _curves(history) for name, history in runs.items()}
    for name, history in curves.items():
        missing = [metric for metric in metrics if metric not in history]
        if missing:
            raise ValueError(f"run {name!r} has no {', '.join(missing)}; it has {', '.join(history) or 'nothing'}")
    return curves


def compare_runs(runs: dict, metrics=("loss", "val_accuracy"), *, title: str | None = None, figure=None):
    """One panel per metric, one line per run, against the epoch.

    runs: ``{run name: history}`` (see the module docstring); metrics: the metrics to plot.
    """
    import matplotlib.pyplot as plt

    metrics = list(metrics)
    curves = _require(runs, metrics)
    figure = figure or plt.figure(figsize=(4.8 * len(metrics), 3.4))
    for index, metric in enumerate(metrics):
        ax = figure.add_subplot(1, len(metrics), index + 1)
        for name, history in curves.items():
            values = history[metric]
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", markersize=3, label=name)
        ax.set_xlabel("epoch")
        ax.set_title(metric.replace("val_", "validation ").replace("_", " "))
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def train_vs_validation(runs: dict, metric: str = "accuracy", *, title: str | None = None, ax=None):
    """Training (solid) and validation (dashed) curves of ``metric`` for each run, one colour per run, one Axes.

    Each history needs ``metric`` and ``"val_" + metric``. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    curves = _require(runs, [metric, f"val_{metric}"])
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for index, (name, history) in enumerate(curves.items()):
        color = f"C{index}"
        for key, style, where in ((metric, "-", "training"), (f"val_{metric}", "--", "validation")):
            values = history[key]
            ax.plot(np.arange(1, len(values) + 1), values, style, color=color, label=f"{name}: {where}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    ax.figure.tight_layout()
    return ax.figure
