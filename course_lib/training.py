"""Helpers for training Keras models in the notebooks: timing epochs, counting parameters.

Imports Keras (import this module only where a notebook trains a model).
"""

from __future__ import annotations

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Seconds each epoch took (``timer.seconds``), and the process's CPU seconds in it (``timer.cpu_seconds``);
    pass it in ``model.fit(..., callbacks=[timer])``. Each epoch is timed from its start to its end: what ``fit``
    does after the last one (throwing its data iterator away, which can wait for tf.data) is left out."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self._start = (0.0, 0.0)

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start[0])
        self.cpu_seconds.append(time.process_time() - self._start[1])

    @property
    def per_epoch(self) -> float:
        """The median seconds per epoch (the first epoch, which compiles the model, counts like the others)."""
        if not self.seconds:
            return float("nan")
        ordered = sorted(self.seconds)
        return ordered[len(ordered) // 2]


def count_parameters(model) -> int:
    """Trainable and non-trainable weights of a Keras model, in all."""
    return int(model.count_params())


def cosine_schedule(epochs: int, initial: float = 1.0, final: float = 0.0) -> keras.callbacks.LearningRateScheduler:
    """A callback setting the learning rate of each epoch along half a cosine, from ``initial`` down to ``final``.

    Epoch e (0-based) of ``epochs`` gets ``final + (initial - final) * (1 + cos(pi * e / epochs)) / 2``: large
    steps first, finer and finer ones at the end, so that training settles instead of bouncing around.
    Pass it in ``model.fit(..., callbacks=[...])``.
    """
    import math

    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if initial <= 0 or final < 0 or final > initial:
        raise ValueError(f"expected 0 <= final <= initial and initial > 0, got initial={initial}, final={final}")

    def rate(epoch, current=None):
        return final + (initial - final) * (1 + math.cos(math.pi * min(epoch, epochs) / epochs)) / 2

    return keras.callbacks.LearningRateScheduler(rate)
