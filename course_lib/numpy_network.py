"""A network with one hidden layer in plain numpy: He initialisation, the forward and backward pass, Adam.

The library version of what assignment 2 (Parts 7 and 8) has students write
by hand, the minibatch loop the notebook trains their pieces in, and the
figure of what the initial weights do to the activations:

>>> from course_lib import numpy_network
>>> params = [*numpy_network.he_normal(784, 256, seed=0), *numpy_network.he_normal(256, 10, seed=1)]
>>> run = numpy_network.train(train_x, train_labels, params, gradient=numpy_network.loss_and_gradient,
...                           update=numpy_network.momentum(0.9), learning_rate=0.01)    # doctest: +SKIP
>>> (numpy_network.predict(test_x, run.params) == test_labels).mean()                  # doctest: +SKIP

Layout: one example per row. inputs (N, D) float32, params
``[w1 (D, H), b1 (H,), w2 (H, K), b2 (K,)]``; ``hidden = relu(inputs @ w1 + b1)``
(N, H), ``scores = hidden @ w2 + b2`` (N, K). The loss is the mean
cross-entropy of softmax(scores) against one-hot targets (N, K), plus
``l2 * (sum(w1 ** 2) + sum(w2 ** 2))`` (biases not penalised: the penalty of
``keras.regularizers.L2(l2)`` on both kernels). Everything stays in the dtype
of the inputs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from course_lib.progress import bar as progress_bar


def he_normal(n_in: int, n_out: int, seed: int = 0, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """(weights (n_in, n_out) ~ normal(0, sqrt(2 / n_in)), biases (n_out,) zeros): He et al. (2015) for ReLU.

    A ReLU zeroes half of its inputs, halving their second moment; a variance of 2 / n_in per weight doubles it
    back, so the second moment of the activations stays the same from layer to layer.
    """
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out)).astype(dtype)
    return weights, np.zeros(n_out, dtype=dtype)


def forward(inputs, params) -> tuple[np.ndarray, np.ndarray]:
    """(scores (N, K), hidden (N, H)): hidden = relu(inputs @ w1 + b1), scores = hidden @ w2 + b2."""
    w1, b1, w2, b2 = params
    hidden = np.maximum(inputs @ w1 + b1, 0)
    return hidden @ w2 + b2, hidden


def loss_and_gradient(inputs, params, targets, l2: float = 0.0) -> tuple[float, list]:
    """Mean cross-entropy of softmax(scores) against one-hot ``targets`` (N, K), plus the L2 term, and its gradient.

    Returns ``(loss, [grad_w1 (D, H), grad_b1 (H,), grad_w2 (H, K), grad_b2 (K,)])``, in the dtype of ``inputs``.
    Backpropagation: d scores = (P - Y) / N; d w2 = hidden.T @ d scores; d hidden = d scores @ w2.T, zero where
    the ReLU was off; d w1 = inputs.T @ d hidden; each bias gradient is its layer's sum over the rows.
    """
    w1, b1, w2, b2 = params
    scores, hidden = forward(inputs, params)
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    count = len(inputs)
    loss = (-float((targets * (shifted - np.log(sums))).sum()) / count
            + l2 * (float((w1 * w1).sum()) + float((w2 * w2).sum())))
    grad_scores = (exps / sums - targets) / count
    grad_hidden = (grad_scores @ w2.T) * (hidden > 0)
    grad_w2 = hidden.T @ grad_scores
    grad_w1 = inputs.T @ grad_hidden
    if l2:
        grad_w1 += (2 * l2) * w1
        grad_w2 += (2 * l2) * w2
    return loss, [grad_w1, grad_hidden.sum(axis=0), grad_w2, grad_scores.sum(axis=0)]


def predict(inputs, params, batch_size: int = 8192) -> np.ndarray:
    """The class with the highest score for each row of ``inputs`` (images are flattened): (N,) int64."""
    from course_lib.numpy_softmax import flatten

    rows = flatten(inputs)
    return np.concatenate([forward(rows[i:i + batch_size], params)[0].argmax(axis=1)
                           for i in range(0, len(rows), batch_size)] or [np.zeros(0, np.int64)])


def scaled_difference(a, b) -> float:
    """``max |a - b| / max |b|``: how far ``a`` is from ``b``, relative to ``b``'s largest entry (0 if both are 0).

    For float32 results (a gradient of Keras against a hand-written one), where the entry-by-entry relative error
    of a gradient check blows up on entries near 0: about 1e-6 when the two agree to float32's precision.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    difference = float(np.max(np.abs(a - b))) if a.size else 0.0
    return difference / scale if scale else difference


# --- updates ----------------------------------------------------------------------------------------------------

@dataclass
class AdamState:
    """Adam's running moments, one array per parameter, and the number of steps taken."""

    first: list
    second: list
    step: int = 0

    @classmethod
    def zeros(cls, params) -> AdamState:
        return cls([np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params], 0)


def adam_update(params, grads, state: AdamState, learning_rate: float = 0.001, beta_1: float = 0.9,
                beta_2: float = 0.999, epsilon: float = 1e-7) -> tuple[list, AdamState]:
    """One Adam step (Kingma and Ba, 2015), in the order Keras computes it; returns ``(params, state)`` (new arrays).

    m = beta_1 m + (1 - beta_1) g; v = beta_2 v + (1 - beta_2) g ** 2; with t the step (from 1),
    p = p - learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) * m / (sqrt(v) + epsilon).
    """
    step = state.step + 1
    rate = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    first = [beta_1 * m + (1 - beta_1) * g for m, g in zip(state.first, grads)]
    second = [beta_2 * v + (1 - beta_2) * g * g for v, g in zip(state.second, grads)]
    params = [p - (rate * m / (np.sqrt(v) + epsilon)).astype(p.dtype) for p, m, v in zip(params, first, second)]
    return params, AdamState(first, second, step)


def momentum(coefficient: float = 0.9):
    """``update(params, grads, velocities, rate) -> (params, velocities)``: SGD with momentum, for ``train``."""
    from course_lib.numpy_softmax import momentum_update

    def update(params, grads, velocities, rate):
        return momentum_update(params, grads, velocities, rate, coefficient)

    return update


# --- training ---------------------------------------------------------------------------------------------------

@dataclass
class Run:
    """A trained model and its curves: params, the list of arrays trained.

    history: per epoch, "loss" (mean training loss over the epoch's batches), "learning_rate" (at the
    epoch's end) and, with a validation set, "val_accuracy". seconds: training time (validation included).
    """

    params: list
    history: dict = field(default_factory=dict)
    seconds: float = 0.0


def train(inputs, labels, params, *, gradient, update, learning_rate: float = 0.01, schedule=None, state=None,
          predict=predict, valid=None, num_classes: int = 10, epochs: int = 10, batch_size: int = 256,
          l2: float = 0.0, seed=0, threads: int | None = 1, progress: bool = True) -> Run:
    """Minibatch training of any model given as a list of float32 arrays; returns a ``Run``.

    inputs: (N, D) or images (N, H, W), floats (kept as float32); labels: (N,) ints in 0..num_classes-1.
    params: the initial arrays (copied). gradient: ``gradient(inputs, params, targets, l2) -> (loss, grads)``
        with one-hot ``targets`` (N, num_classes). update: ``update(params, grads, state, rate) -> (params, state)``.
    state: the update's initial state (default: one array of zeros per parameter, the velocities of momentum).
    schedule: ``schedule(step) -> learning rate`` (default: ``learning_rate`` throughout).
    predict: ``predict(inputs, params) -> labels``, for the validation set ``valid`` = (inputs, labels), scored
        after every epoch. seed: an int or a ``np.random.Generator``; the batches of each epoch are a fresh
        permutation from it.
    threads: BLAS threads while training (None: the library's default). One is the fastest for these small
        products, and by far when other programs share the cores.
    """
    from course_lib.numpy_softmax import flatten

    rows = flatten(inputs)
    labels = np.asarray(labels)
    if rows.ndim != 2 or len(rows) != len(labels) or len(rows) == 0:
        raise ValueError(f"expected inputs (N, D) and labels (N,), got {np.shape(inputs)} and {labels.shape}")
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"batch_size must be at least 1 and epochs at least 0, got {batch_size} and {epochs}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must be in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    eye = np.eye(num_classes, dtype=np.float32)  # eye[labels]: one-hot rows
    rng = np.random.default_rng(seed)
    params = [np.array(p, dtype=np.float32) for p in params]
    state = [np.zeros_like(p) for p in params] if state is None else state
    if schedule is None:
        def schedule(step):
            return learning_rate
    valid_rows, valid_labels = (flatten(valid[0]), np.asarray(valid[1])) if valid is not None else (None, None)
    history = {"loss": [], "learning_rate": []}
    if valid is not None:
        history["val_accuracy"] = []
    start, step = time.perf_counter(), 0
    with threadpool_limits(limits=threads, user_api="blas"):
        for _ in progress_bar(range(epochs), desc="epochs", unit="epoch", show=progress):
            order = rng.permutation(len(rows))
            total = 0.0
            for first in range(0, len(rows), batch_size):
                batch = order[first:first + batch_size]
                loss, grads = gradient(rows[batch], params, eye[labels[batch]], l2)
                params, state = update(params, grads, state, schedule(step))
                params = [np.asarray(p, dtype=np.float32) for p in params]
                total += float(loss) * len(batch)
                step += 1
            history["loss"].append(total / len(rows))
            history["learning_rate"].append(float(schedule(step)))
            if valid is not None:
                history["val_accuracy"].append(float((predict(valid_rows, params) == valid_labels).mean()))
    return Run(params, history, time.perf_counter() - start)


# --- the figure -------------------------------------------------------------------------------------------------

def activation_histograms(activations: dict, *, bins: int = 60, figure=None):
    """One row per initialisation, one panel per layer: a histogram of that layer's values.

    activations: ``{initialisation name: {layer name: array}}``, every initialisation with the same layers
    (the hidden layer's ReLU outputs and the output layer's scores, say). Each panel is titled with the values'
    standard deviation. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    if not activations:
        raise ValueError("no activations to plot: pass {initialisation: {layer: values}}")
    layers = list(next(iter(activations.values())))
    for name, by_layer in activations.items():
        if list(by_layer) != layers:
            raise ValueError(f"{name!r} has the layers {list(by_layer)}, the first initialisation {layers}")
    figure = figure or plt.figure(figsize=(4.4 * len(layers), 2.3 * len(activations)))
    axes = figure.subplots(len(activations), len(layers), squeeze=False)
    for row, (name, by_layer) in enumerate(activations.items()):
        for column, (layer, values) in enumerate(by_layer.items()):
            ax = axes[row, column]
            values = np.asarray(values, dtype=np.float64).ravel()
            counts, edges = np.histogram(values, bins=bins)
            ax.stairs(counts, edges, fill=True, color="#4a6fa5")
            ax.set_yticks([])
            ax.set_title(f"{name}: {layer}\nstandard deviation {values.std():.3g}", fontsize=9)
    figure.tight_layout()
    return figure
