"""Softmax regression in plain numpy, trained by minibatch SGD with momentum and a decaying learning rate.

The library version of what assignment 2 has students write by hand, and the
training loop the notebook runs their pieces in:

>>> from course_lib import numpy_softmax
>>> run = numpy_softmax.train(train_x, train_y, valid=(valid_x, valid_y), epochs=10,     # doctest: +SKIP
...                           learning_rate=0.1, momentum=0.9, decay_rate=0.8)
>>> (numpy_softmax.predict(test_x, *run.params) == test_y).mean()                        # doctest: +SKIP

Layout: one example per row. inputs (N, D) float32 (images (N, H, W) are
flattened), weights (D, K), biases (K,), scores = inputs @ weights + biases
(N, K), and softmax normalises each row over the K classes. The loss is the
mean cross-entropy over the batch plus ``l2 * sum(weights ** 2)`` (biases are
not penalised: the same penalty as ``keras.regularizers.L2(l2)``).

Everything is vectorised and stays in float32: one epoch over 200,000
notMNIST images is a few hundred matrix products of (256, 784) by (784, 10).
"""

from __future__ import annotations

import numpy as np

from course_lib import numpy_network
from course_lib.numpy_network import Run

__all__ = ["Run", "exponential_decay", "flatten", "loss_and_gradient", "momentum_update", "one_hot", "predict",
           "relative_error", "softmax", "train"]


def softmax(scores) -> np.ndarray:
    """Probabilities over the last axis: (K,) -> (K,), (N, K) -> (N, K), rows summing to 1; never overflows."""
    scores = np.asarray(scores)
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes: int, dtype=np.float32) -> np.ndarray:
    """Integer labels (N,) -> (N, num_classes), 1 in each label's column and 0 elsewhere."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
    return np.eye(num_classes, dtype=dtype)[labels]


def loss_and_gradient(inputs, weights, biases, targets, l2: float = 0.0):
    """Mean cross-entropy of softmax(inputs @ weights + biases) against one-hot ``targets``, plus the L2 term.

    inputs (N, D), weights (D, K), biases (K,), targets (N, K) one-hot.
    Returns ``(loss, grad_weights (D, K), grad_biases (K,))``, in the dtype of ``inputs``.
    """
    scores = inputs @ weights + biases
    shifted = scores - scores.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(sums)
    count = len(inputs)
    loss = -float((targets * log_probabilities).sum()) / count + l2 * float((weights * weights).sum())
    grad_scores = (exps / sums - targets) / count
    grad_weights = inputs.T @ grad_scores
    if l2:
        grad_weights += (2 * l2) * weights
    return loss, grad_weights, grad_scores.sum(axis=0)


def momentum_update(params, grads, velocities, learning_rate: float, momentum: float):
    """One step of SGD with momentum (in place): v = momentum * v - learning_rate * g; p = p + v.

    Returns ``(params, velocities)`` (the same arrays, updated).
    """
    for param, grad, velocity in zip(params, grads, velocities):
        velocity *= momentum
        velocity -= learning_rate * grad
        param += velocity
    return params, velocities


def exponential_decay(initial: float, step: int, decay_rate: float, decay_steps: int) -> float:
    """The learning rate after ``step`` steps: ``initial * decay_rate ** (step / decay_steps)``."""
    return initial * decay_rate ** (step / decay_steps)


def relative_error(a, b) -> float:
    """The largest relative difference between two arrays of the same shape, as in a gradient check.

    ``max |a - b| / max(|a| + |b|, 1e-8)`` over the entries: about 1e-7 or less when a hand-written gradient
    and its centred-difference estimate agree in float64; 1e-2 or more when they do not.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def flatten(images) -> np.ndarray:
    """(N, ...) -> float32 rows (N, D)."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float32, copy=False)


def predict(inputs, weights, biases, batch_size: int = 8192) -> np.ndarray:
    """The class with the highest score for each row of ``inputs`` (images are flattened): (N,) int64."""
    rows = flatten(inputs)
    return np.concatenate([(rows[i:i + batch_size] @ weights + biases).argmax(axis=1)
                           for i in range(0, len(rows), batch_size)] or [np.zeros(0, np.int64)])


def train(inputs, labels, *, valid=None, num_classes: int = 10, epochs: int = 10, batch_size: int = 256,
          learning_rate: float = 0.1, momentum: float = 0.0, decay_rate: float = 1.0, decay_steps: int | None = None,
          l2: float = 0.0, initial=None, seed: int = 0, gradient=None, update=None, schedule=None,
          threads: int | None = 1, progress: bool = True) -> Run:
    """Minibatch SGD on softmax regression; returns a ``Run`` (params = [weights (D, K), biases (K,)]).

    inputs: (N, D) or images (N, H, W), floats (kept as float32); labels: (N,) ints in 0..num_classes-1.
    valid: optional (inputs, labels), scored after every epoch.
    learning_rate, momentum, decay_rate, decay_steps: the rate at step t is
        ``learning_rate * decay_rate ** (t / decay_steps)`` (decay_steps: one epoch unless given);
        decay_rate=1 keeps it constant, momentum=0 is plain SGD.
    initial: [weights, biases] to start from (copied); default: normal(0, 0.01) weights, zero biases.
    gradient: ``gradient(inputs, weights, biases, targets, l2) -> (loss, grad_w, grad_b)``
        (default ``loss_and_gradient``); update: ``update(params, grads, velocities, learning_rate)
        -> (params, velocities)`` (default: ``momentum_update`` with ``momentum``); schedule:
        ``schedule(step) -> learning rate`` (default: the exponential decay above). The notebook passes
        the students' own functions here.
    The batches of each epoch are a fresh permutation from ``np.random.default_rng(seed)``.
    threads: BLAS threads while training (None: the library's default). One is the fastest for these small
        products, and by far when other programs share the cores (measured: 0.4 ms against 8.7 ms a step
        with two threads on a busy 2-core machine).
    The loop itself is ``course_lib.numpy_network.train``, which trains any list of arrays.
    """
    rows = flatten(inputs)
    rng = np.random.default_rng(seed)
    if initial is None:
        initial = [(rng.standard_normal((rows.shape[1], num_classes)) * 0.01).astype(np.float32),
                   np.zeros(num_classes, np.float32)]
    decay_steps = decay_steps or -(-len(rows) // max(batch_size, 1))  # one epoch (train refuses batch_size < 1)
    linear_gradient = gradient or loss_and_gradient

    def gradient(inputs, params, targets, l2):
        loss, grad_weights, grad_biases = linear_gradient(inputs, params[0], params[1], targets, l2)
        return loss, [grad_weights, grad_biases]

    if update is None:
        def update(params, grads, velocities, rate):
            return momentum_update(params, grads, velocities, rate, momentum)
    if schedule is None:
        def schedule(step):
            return exponential_decay(learning_rate, step, decay_rate, decay_steps)
    return numpy_network.train(rows, labels, initial, gradient=gradient, update=update, schedule=schedule,
                               predict=lambda rows, params: predict(rows, *params), valid=valid,
                               num_classes=num_classes, epochs=epochs, batch_size=batch_size, l2=l2, seed=rng,
                               threads=threads, progress=progress)
