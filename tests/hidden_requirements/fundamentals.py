"""Assignment 2's hidden requirements, each with a wrong answer that the public hook rejects (see __init__).

The wrong answers are built from the library's own functions (``course_lib.numpy_softmax`` and
``course_lib.numpy_network``), with one mistake each, so that each breaks one requirement and nothing else.
"""

from __future__ import annotations

import numpy as np

from course_lib import numpy_network, numpy_softmax
from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong
from tests.notebook_reference import reference_namespace
from tests.test_hooks_fundamentals import (
    SOLUTION_CELLS,
    _adam,
    _backward,
    numerical_gradient_not_restored,
    numerical_gradient_one_sided,
)

NOTEBOOK = REPO / "notebooks" / "02_fundamentals" / "fundamentals.ipynb"


def context() -> dict:
    """The notebook's reference functions (its solution cells; the hidden blocks need no data)."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)


# --- wrong answers ----------------------------------------------------------------------------------------------

softmax = numpy_softmax.softmax


def softmax_over_the_wrong_axis(scores):
    exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=0, keepdims=True)


def softmax_doubled_scores(scores):
    return softmax(2 * np.asarray(scores))


def softmax_without_the_shift(scores):
    exps = np.exp(scores)
    return exps / exps.sum(axis=-1, keepdims=True)


def softmax_of_clipped_scores(scores):
    return softmax(np.clip(scores, -500, 500))


def softmax_vector_as_a_column(scores):
    scores = np.asarray(scores)
    return softmax(scores.reshape(-1, 1) if scores.ndim == 1 else scores)


def one_hot_as_integers(labels, num_classes):
    return np.eye(num_classes, dtype=np.int64)[labels]


def one_hot_shifted(labels, num_classes):
    return np.eye(num_classes, dtype=np.float32)[(np.asarray(labels) + 1) % num_classes]


def one_hot_as_wide_as_the_labels(labels, num_classes):
    return np.eye(np.max(labels) + 1, dtype=np.float32)[labels]


def cross_entropy_summed(probabilities, targets):
    return float(-np.sum(np.log(np.sum(targets * probabilities, axis=1))))


def cross_entropy_textbook(probabilities, targets):
    return float(-np.mean(np.sum(targets * np.log(probabilities), axis=1)))


def _from_scores(scores, targets):
    scores = np.asarray(scores)
    largest = scores.max(axis=1, keepdims=True)
    log_p = scores - largest - np.log(np.exp(scores - largest).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(targets * log_p, axis=1)))


def from_scores_summed(scores, targets):
    return _from_scores(scores, targets) * len(scores)


def from_scores_through_probabilities(scores, targets):
    return cross_entropy_textbook(softmax(scores), targets)


def _standardized(sets, mean, std, dtype=np.float32):
    return tuple(((np.asarray(images, dtype=np.float64) - mean) / std).astype(dtype) for images in sets)


def standardize_in_float64(train, *others):
    return _standardized((train, *others), train.mean(), train.std(), np.float64)


def standardize_each_with_its_own(*sets):
    return tuple(_standardized((images,), images.mean(), images.std())[0] for images in sets)


def standardize_the_first_other_only(train, *others):
    return (*_standardized((train, others[0]), train.mean(), train.std()), *others[1:])


def _normal(n_in, n_out, sigma, seed, dtype=np.float32):
    return np.random.default_rng(seed).normal(0, sigma, (n_in, n_out)).astype(dtype), np.zeros(n_out, dtype)


def init_in_float64(n_in, n_out, sigma=0.01, seed=0):
    return _normal(n_in, n_out, sigma, seed, np.float64)


def init_sigma_as_variance(n_in, n_out, sigma=0.01, seed=0):
    return _normal(n_in, n_out, np.sqrt(sigma), seed)


def init_unseeded(n_in, n_out, sigma=0.01, seed=0):
    return _normal(n_in, n_out, sigma, int(np.random.default_rng().integers(1 << 30)))


def init_ignoring_the_seed(n_in, n_out, sigma=0.01, seed=0):
    return _normal(n_in, n_out, sigma, 0)


def forward_without_biases(inputs, weights, biases):
    return softmax(inputs @ weights)


def _loss_and_gradient(x, w, b, y, l2=0.0):
    return numpy_softmax.loss_and_gradient(*(np.asarray(a, dtype=np.float64) for a in (x, w, b, y)), l2)


def loss_summed(x, w, b, y, l2=0.0):
    loss, grad_w, grad_b = _loss_and_gradient(x, w, b, y, l2)
    return loss * len(x), grad_w, grad_b


def gradient_the_wrong_way(x, w, b, y, l2=0.0):
    loss, grad_w, grad_b = _loss_and_gradient(x, w, b, y, l2)
    return loss, -grad_w, -grad_b


def sgd_step_uphill(params, grads, learning_rate):
    return [p + learning_rate * g for p, g in zip(params, grads)]


def momentum_step_forgetting_the_velocity(params, grads, velocities, learning_rate, momentum=0.9):
    velocities = [-learning_rate * g for g in grads]
    return [p + v for p, v in zip(params, velocities)], velocities


def decay_in_stairs(initial_rate, step, decay_rate, decay_steps):
    return initial_rate * decay_rate ** (step // decay_steps)


def _keras_network(d, k, hidden, **options):
    import keras

    from tests.test_hooks_fundamentals import _network

    return _network(keras, d, k, hidden, **options)


def softmax_model_with_a_hidden_layer(input_dim, num_classes, learning_rate=0.01, momentum=0.9):
    import keras

    model = keras.Sequential([keras.Input((input_dim,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(num_classes, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum),
                  loss="sparse_categorical_crossentropy")
    return model


def softmax_model_without_softmax(input_dim, num_classes, learning_rate=0.01, momentum=0.9):
    import keras

    model = keras.Sequential([keras.Input((input_dim,)), keras.layers.Dense(num_classes)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum),
                  loss="sparse_categorical_crossentropy")
    return model


def network_of_fixed_width(input_dim, num_classes, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001,
                           seed=0):
    return _keras_network(input_dim, num_classes, 1024, l2_first=l2, l2_second=l2, dropout=dropout, seed=seed)


def network_dropping_at_inference(input_dim, num_classes, hidden_units=1024, l2=0.0, dropout=0.0,
                                  learning_rate=0.001, seed=0):
    return _keras_network(input_dim, num_classes, hidden_units, l2_first=l2, l2_second=l2, dropout=dropout,
                          always_drop=True, seed=seed)


def network_without_dropout(input_dim, num_classes, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001,
                            seed=0):
    return _keras_network(input_dim, num_classes, hidden_units, l2_first=l2, l2_second=l2, seed=seed)


def network_with_l2_on_the_first_layer(input_dim, num_classes, hidden_units=1024, l2=0.0, dropout=0.0,
                                       learning_rate=0.001, seed=0):
    return _keras_network(input_dim, num_classes, hidden_units, l2_first=l2, dropout=dropout, seed=seed)


def network_unseeded(input_dim, num_classes, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
    return _keras_network(input_dim, num_classes, hidden_units, l2_first=l2, l2_second=l2, dropout=dropout,
                          seed=int(np.random.default_rng().integers(1 << 30)))


def two_layer_forward_swapped(inputs, params):
    scores, hidden = numpy_network.forward(inputs, params)
    return hidden, scores


def two_layer_forward_without_relu(inputs, params):
    w1, b1, w2, b2 = params
    hidden = inputs @ w1 + b1
    return hidden @ w2 + b2, hidden


def two_layer_forward_probabilities(inputs, params):
    scores, hidden = numpy_network.forward(inputs, params)
    return softmax(scores), hidden


LIBRARY = {"two_layer_forward": numpy_network.forward, "softmax": softmax, "cross_entropy_from_scores": _from_scores}


def two_layer_summed(inputs, params, targets, l2=0.0):
    loss, grads = numpy_network.loss_and_gradient(inputs, params, targets, l2)
    return loss * len(inputs), grads


def two_layer_in_float64(inputs, params, targets, l2=0.0):
    return numpy_network.loss_and_gradient(inputs.astype(np.float64), [p.astype(np.float64) for p in params],
                                           targets.astype(np.float64), l2)


def he_init_from(sigma_of, *, uniform=False, dtype=np.float32, seeded=True):
    def he_init(n_in, n_out, seed=0):
        sigma = sigma_of(n_in, n_out)
        rng = np.random.default_rng(seed if seeded else None)
        weights = (rng.uniform(-sigma * np.sqrt(3), sigma * np.sqrt(3), (n_in, n_out)) if uniform
                   else rng.normal(0, sigma, (n_in, n_out)))
        return weights.astype(dtype), np.zeros(n_out, dtype)

    return he_init


def he_sigma(n_in, n_out):
    return np.sqrt(2 / n_in)


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("softmax_tests", "_p.shape == (7, 5)", {"softmax": softmax_over_the_wrong_axis}, "each ROW"),
    Wrong("softmax_tests", "np.allclose(_p, np.exp(_scores)", {"softmax": softmax_doubled_scores},
          r"should be about \[0.836, 0.113, 0.051\]"),
    Wrong("softmax_tests", "np.isfinite(_big)", {"softmax": softmax_without_the_shift}, "Subtract the largest score"),
    Wrong("softmax_tests", "_big[1]", {"softmax": softmax_of_clipped_scores}, r"should equal softmax\(\[0, 1, 2\]\)"),
    Wrong("softmax_tests", "np.array([2.0, 2.0])", {"softmax": softmax_vector_as_a_column}, "Wrong shape"),
    Wrong("one_hot_tests", "_encoded.dtype.kind", {"one_hot": one_hot_as_integers}, "Wrong dtype"),
    Wrong("one_hot_tests", "np.eye(10)[_labels]", {"one_hot": one_hot_shifted}, r"its 1 in column labels\[i\]"),
    Wrong("one_hot_tests", "(2, 7)", {"one_hot": one_hot_as_wide_as_the_labels}, "10 columns"),
    Wrong("cross_entropy_tests", "_p[np.arange(9), _labels]", {"cross_entropy": cross_entropy_summed}, "the SUM"),
    Wrong("cross_entropy_tests", "np.eye(3), np.eye(3)", {"cross_entropy": cross_entropy_textbook},
          r"0 \* \(-inf\) is nan"),
    Wrong("cross_entropy_from_scores_tests", "_log_p[np.arange(8), _labels]",
          {"cross_entropy_from_scores": from_scores_summed}, "the SUM"),
    Wrong("cross_entropy_from_scores_tests", "np.isfinite(_value)",
          {"cross_entropy_from_scores": from_scores_through_probabilities}, "large but finite"),
    Wrong("standardize_tests", "_c.dtype == np.float32", {"standardize": standardize_in_float64}, "float32"),
    Wrong("standardize_tests", "np.allclose(_b,", {"standardize": standardize_each_with_its_own}, "their OWN mean"),
    Wrong("standardize_tests", "np.allclose(_c,", {"standardize": standardize_the_first_other_only},
          "EVERY set after the first"),
    Wrong("init_weights_tests", "_w.dtype == np.float32", {"init_weights": init_in_float64}, "use float32"),
    Wrong("init_weights_tests", "_w.std()", {"init_weights": init_sigma_as_variance}, "not the variance"),
    Wrong("init_weights_tests", "np.array_equal(init_weights(784, 10, 0.1, 7)", {"init_weights": init_unseeded},
          "same seed should give the same weights"),
    Wrong("init_weights_tests", "not np.array_equal", {"init_weights": init_ignoring_the_seed},
          "a different seed should give different weights"),
    Wrong("forward_tests", "_p.shape == (4, 3)", {"forward": forward_without_biases}, "biases are missing"),
    Wrong("loss_and_gradient_tests", "np.isclose(_loss,", {"loss_and_gradient": loss_summed},
          "the mean cross-entropy over the batch"),
    Wrong("loss_and_gradient_tests", "np.allclose(_gw,", {"loss_and_gradient": gradient_the_wrong_way},
          "points the wrong way"),
    Wrong("loss_and_gradient_tests", "_gw32.dtype", {"loss_and_gradient": _loss_and_gradient},
          "float32 in, float32 out"),
    Wrong("numerical_gradient_tests", "np.array_equal(_x, _before)",
          {"numerical_gradient": numerical_gradient_not_restored}, "put each entry back"),
    Wrong("numerical_gradient_tests", "< 1e-8", {"numerical_gradient": numerical_gradient_one_sided},
          "one-sided difference"),
    Wrong("sgd_step_tests", "_new[0], 0.5", {"sgd_step": sgd_step_uphill}, "goes UP the gradient"),
    Wrong("momentum_step_tests", "-0.271", {"momentum_step": momentum_step_forgetting_the_velocity},
          "ignores the old one"),
    Wrong("decayed_learning_rate_tests", "0.5 ** 0.5", {"decayed_learning_rate": decay_in_stairs}, "decay smoothly"),
    Wrong("build_softmax_model_tests", "[(30, 6), (6,)]", {"build_softmax_model": softmax_model_with_a_hidden_layer},
          "ONE Dense layer"),
    Wrong("build_softmax_model_tests", "_out.shape == (5, 6)", {"build_softmax_model": softmax_model_without_softmax},
          "softmax activation"),
    Wrong("build_network_tests", "(20, 48)", {"build_network": network_of_fixed_width}, "two Dense layers"),
    Wrong("build_network_tests", "np.asarray(_net(_x)))", {"build_network": network_dropping_at_inference},
          "dropout must be off at inference"),
    Wrong("build_network_tests", "training=True", {"build_network": network_without_dropout},
          "add a keras.layers.Dropout"),
    Wrong("build_network_tests", "_cross_entropy + _penalty", {"build_network": network_with_l2_on_the_first_layer},
          "BOTH Dense layers"),
    Wrong("build_network_tests", "_again.get_weights()", {"build_network": network_unseeded}, "set_random_seed"),
    Wrong("two_layer_forward_tests", "_scores.shape == (9, 4)", {"two_layer_forward": two_layer_forward_swapped},
          r"returned \(hidden, scores\)"),
    Wrong("two_layer_forward_tests", "np.allclose(_hidden,", {"two_layer_forward": two_layer_forward_without_relu},
          "output of the ReLU"),
    Wrong("two_layer_forward_tests", "np.allclose(_scores,", {"two_layer_forward": two_layer_forward_probabilities},
          "returned probabilities"),
    Wrong("two_layer_loss_and_gradient_tests", "np.isclose(_loss,", {"two_layer_loss_and_gradient": two_layer_summed},
          "the SUM over the batch"),
    Wrong("two_layer_loss_and_gradient_tests", "np.isclose(_loss,",
          {"two_layer_loss_and_gradient": _backward(LIBRARY, l2_on=("w1",))}, "penalise BOTH weight matrices"),
    Wrong("two_layer_loss_and_gradient_tests", "np.allclose(_grads[2]",
          {"two_layer_loss_and_gradient": _backward(LIBRARY, sign=-1.0)}, "points the wrong way"),
    Wrong("two_layer_loss_and_gradient_tests", "np.allclose(_grads[2]",
          {"two_layer_loss_and_gradient": _backward(LIBRARY, w2_from="before")}, "BEFORE its ReLU"),
    Wrong("two_layer_loss_and_gradient_tests", "np.allclose(_grads[0]",
          {"two_layer_loss_and_gradient": _backward(LIBRARY, mask=False)}, r"by \(hidden > 0\)"),
    Wrong("two_layer_loss_and_gradient_tests", "_grads32", {"two_layer_loss_and_gradient": two_layer_in_float64},
          "float32 in, float32 out"),
    Wrong("adam_step_tests", "zip(_first, _m)", {"adam_step": _adam(first_of=lambda m, g, beta: g)}, "not g"),
    Wrong("adam_step_tests", "zip(_first, _m)", {"adam_step": _adam(squares=False)}, "SQUARED gradients"),
    Wrong("adam_step_tests", "zip(_mine, _p)", {"adam_step": _adam(correct=False)}, "bias correction"),
    Wrong("adam_step_tests", "_after[0]", {"adam_step": _adam(paper=True)}, r"add epsilon to sqrt\(v\)"),
    Wrong("he_init_tests", "_w.dtype == _b.dtype", {"he_init": he_init_from(he_sigma, dtype=np.float64)}, "float32"),
    Wrong("he_init_tests", "_w.std()", {"he_init": he_init_from(lambda n_in, n_out: np.sqrt(2 / n_out))},
          "uses n_out"),
    Wrong("he_init_tests", "0.683", {"he_init": he_init_from(he_sigma, uniform=True)}, "use rng.normal"),
    Wrong("he_init_tests", "he_init(800, 64, 3)[0], _w", {"he_init": he_init_from(he_sigma, seeded=False)},
          "same seed should give the same weights"),
], needs_none={
    ("softmax_tests", "np.zeros((2, 10))"): "the wrong axis on a square-free batch: the (7, 5) assertion breaks first",
    ("standardize_tests", "abs(float(_b.mean())) > 0.5"): "a validation set centred on its own mean breaks the "
                                                          "assertion on its values first",
    ("decayed_learning_rate_tests", "0.96 ** 3"): "whole multiples of decay_steps: a special case of the assertion "
                                                  "before, which a stepwise decay breaks first",
})
