"""Every hook of assignment 2 against the notebook's reference solution and at least three wrong answers.

The reference functions are taken from the source notebook's solution cells
(``tests.notebook_reference``), so the hooks are proven against the very code
the autograder's reference runs. Each wrong answer must fail with the hint
that names its mistake.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

import problem_unittests.fundamentals as hooks
from tests.conftest import REPO
from tests.notebook_reference import fails, passes, reference_namespace

matplotlib.use("Agg")

NOTEBOOK = REPO / "notebooks" / "02_fundamentals" / "fundamentals.ipynb"
SOLUTION_CELLS = ("imports", "softmax", "one_hot", "cross_entropy", "cross_entropy_from_scores", "standardize",
                  "init_weights", "forward", "loss_and_gradient", "numerical_gradient", "sgd_step", "momentum_step",
                  "decayed_learning_rate", "build_softmax_model", "build_network", "two_layer_forward",
                  "two_layer_loss_and_gradient", "adam_step", "he_init")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)



# --- Part 1 ---------------------------------------------------------------------------------------------------------

def test_softmax(reference, capsys):
    passes(hooks.test_softmax, reference["softmax"], capsys, "softmax")

    def naive(scores):
        return np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)

    def wrong_axis(scores):
        exps = np.exp(scores - scores.max(axis=-1, keepdims=True))
        return exps / exps.sum(axis=0, keepdims=True)

    def one_maximum_for_the_batch(scores):
        exps = np.exp(scores - scores.max())
        return exps / exps.sum(axis=-1, keepdims=True)

    def rows_only(scores):
        exps = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exps / exps.sum(axis=1, keepdims=True)

    fails(hooks.test_softmax, naive, "overflows.*Subtract the largest score")
    fails(hooks.test_softmax, wrong_axis, "each ROW .* should sum to 1")
    fails(hooks.test_softmax, one_maximum_for_the_batch, "each ROW's own maximum")
    # an error in the student's own code keeps its traceback, with a note naming the call and what to look at
    fails(hooks.test_softmax, rows_only, "A single example is a vector", exception=np.exceptions.AxisError)
    fails(hooks.test_softmax, lambda scores: None, "returned None")


# --- Part 2 ---------------------------------------------------------------------------------------------------------

def test_one_hot(reference, capsys):
    passes(hooks.test_one_hot, reference["one_hot"], capsys, "one_hot")
    right = reference["one_hot"]
    fails(hooks.test_one_hot, lambda labels, k: right(labels, k).T, "Wrong shape")
    fails(hooks.test_one_hot, lambda labels, k: right(labels, k).astype(np.int64), "Wrong dtype")
    fails(hooks.test_one_hot, lambda labels, k: right((labels + 1) % k, k), r"its 1 in column labels\[i\]")
    fails(hooks.test_one_hot, lambda labels, k: right(labels, labels.max() + 1), "10 columns")


def test_cross_entropy(reference, capsys):
    passes(hooks.test_cross_entropy, reference["cross_entropy"], capsys, "cross_entropy")

    def total(p, y):
        return float(-np.sum(np.log(np.sum(y * p, axis=1))))

    def no_minus(p, y):
        return float(np.mean(np.log(np.sum(y * p, axis=1))))

    def textbook(p, y):
        return float(-np.mean(np.sum(y * np.log(p), axis=1)))

    def per_example(p, y):
        return -np.log(np.sum(y * p, axis=1))

    fails(hooks.test_cross_entropy, total, "the SUM")
    fails(hooks.test_cross_entropy, no_minus, "never negative")
    fails(hooks.test_cross_entropy, textbook, r"0 \* \(-inf\) is nan")
    fails(hooks.test_cross_entropy, per_example, "one number")


def test_cross_entropy_from_scores(reference, capsys):
    passes(hooks.test_cross_entropy_from_scores, reference["cross_entropy_from_scores"], capsys,
           "cross_entropy_from_scores")
    softmax, cross_entropy = reference["softmax"], reference["cross_entropy"]

    def through_probabilities(scores, y):
        return cross_entropy(softmax(scores), y)

    def without_the_maximum(scores, y):
        log_sum_exp = np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return float(-np.mean(np.sum(y * (scores - log_sum_exp), axis=1)))

    def total(scores, y):
        return 2 * reference["cross_entropy_from_scores"](scores, y)

    fails(hooks.test_cross_entropy_from_scores, through_probabilities, "large but finite.*logsumexp")
    fails(hooks.test_cross_entropy_from_scores, without_the_maximum, "large but finite")
    fails(hooks.test_cross_entropy_from_scores, total, "the SUM over the 2 examples")


# --- Part 3 ---------------------------------------------------------------------------------------------------------

def _standardised(images, mean, std):
    return ((images - mean) / std).astype(np.float32)


def test_standardize(reference, capsys):
    passes(hooks.test_standardize, reference["standardize"], capsys, "standardize")

    def own_statistics(*sets):
        return tuple(_standardised(images, images.mean(), images.std()) for images in sets)

    def test_statistics(train, *others):
        source = others[-1]  # the test set, passed last
        return tuple(_standardised(images, source.mean(), source.std()) for images in (train, *others))

    def pooled(*sets):
        every = np.concatenate([images.ravel() for images in sets])
        return tuple(_standardised(images, every.mean(), every.std()) for images in sets)

    def per_pixel(train, *others):
        return tuple(_standardised(images, train.mean(axis=0), train.std(axis=0)) for images in (train, *others))

    def float64(train, *others):
        return tuple((images - train.mean()) / np.float64(train.std()) for images in (train, *others))

    def in_place(train, *others):
        mean, std = train.mean(), train.std()
        for images in (*others, train):
            images -= mean
            images /= std
        return (train, *others)

    fails(hooks.test_standardize, own_statistics, "their OWN mean")
    fails(hooks.test_standardize, test_statistics, "mean 0 and standard deviation 1.*TRAINING images only")
    fails(hooks.test_standardize, pooled, "TRAINING images only")
    fails(hooks.test_standardize, per_pixel, "not one per pixel")
    fails(hooks.test_standardize, float64, "float32")
    fails(hooks.test_standardize, in_place, "changed its inputs")

    def first_other_only(train, *others):
        mean, std = train.mean(), train.std()
        return (_standardised(train, mean, std), _standardised(others[0], mean, std), *others[1:])

    fails(hooks.test_standardize, first_other_only, "EVERY set after the first")


def test_init_weights(reference, capsys):
    passes(hooks.test_init_weights, reference["init_weights"], capsys, "init_weights")

    def variance(n_in, n_out, sigma=0.01, seed=0):
        return (np.random.default_rng(seed).normal(0, np.sqrt(sigma), (n_in, n_out)).astype(np.float32),
                np.zeros(n_out, np.float32))

    def uniform(n_in, n_out, sigma=0.01, seed=0):
        half_width = sigma * np.sqrt(3)  # the same standard deviation
        return (np.random.default_rng(seed).uniform(-half_width, half_width, (n_in, n_out)).astype(np.float32),
                np.zeros(n_out, np.float32))

    def unseeded(n_in, n_out, sigma=0.01, seed=0):
        return reference["init_weights"](n_in, n_out, sigma, int(np.random.default_rng().integers(1 << 30)))

    def transposed(n_in, n_out, sigma=0.01, seed=0):
        weights, biases = reference["init_weights"](n_out, n_in, sigma, seed)
        return weights, np.zeros(n_out, np.float32)

    def biases_of_one(n_in, n_out, sigma=0.01, seed=0):
        return reference["init_weights"](n_in, n_out, sigma, seed)[0], np.ones(n_out, np.float32)

    fails(hooks.test_init_weights, variance, "standard deviation, not the variance")
    fails(hooks.test_init_weights, uniform, "use rng.normal")
    fails(hooks.test_init_weights, unseeded, "same seed should give the same weights")
    fails(hooks.test_init_weights, transposed, "Wrong shape")
    fails(hooks.test_init_weights, biases_of_one, "biases should start at zero")


# --- Part 4 ---------------------------------------------------------------------------------------------------------

def test_forward(reference, capsys):
    passes(hooks.test_forward, reference["forward"], capsys, "forward")
    softmax = reference["softmax"]
    fails(hooks.test_forward, lambda x, w, b: x @ w + b, "probabilities summing to 1")
    fails(hooks.test_forward, lambda x, w, b: softmax(x @ w), "biases are missing")
    fails(hooks.test_forward, lambda x, w, b: softmax((x @ w + b).T).T, "probabilities summing to 1")


def test_loss_and_gradient(reference, capsys):
    passes(hooks.test_loss_and_gradient, reference["loss_and_gradient"], capsys, "loss_and_gradient")
    right = reference["loss_and_gradient"]

    def wrong_sign(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, l2)
        return loss, -grad_w, -grad_b

    def missing_one_over_n(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, 0.0)
        return loss + l2 * np.sum(w ** 2), len(x) * grad_w + 2 * l2 * w, len(x) * grad_b

    def no_l2_in_the_gradient(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, 0.0)
        return loss + l2 * np.sum(w ** 2), grad_w, grad_b

    def l2_without_the_two(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, 0.0)
        return loss + l2 * np.sum(w ** 2), grad_w + l2 * w, grad_b

    def biases_penalised(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, l2)
        return loss + l2 * np.sum(b ** 2), grad_w, grad_b + 2 * l2 * b

    def summed_loss(x, w, b, y, l2=0.0):
        loss, grad_w, grad_b = right(x, w, b, y, l2)
        return loss * len(x), grad_w, grad_b

    fails(hooks.test_loss_and_gradient, wrong_sign, "points the wrong way")
    fails(hooks.test_loss_and_gradient, missing_one_over_n, "6 times too large.*divide the gradient")
    fails(hooks.test_loss_and_gradient, no_l2_in_the_gradient, "adds 2 \\* l2 \\* weights")
    fails(hooks.test_loss_and_gradient, l2_without_the_two, "adds 2 \\* l2 \\* weights")
    fails(hooks.test_loss_and_gradient, biases_penalised, "penalise the weights only")
    fails(hooks.test_loss_and_gradient, summed_loss, "the mean cross-entropy over the batch")

    def in_float64(x, w, b, y, l2=0.0):
        return right(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), y.astype(np.float64), l2)

    fails(hooks.test_loss_and_gradient, in_float64, "float32 in, float32 out")


def numerical_gradient_one_sided(f, x, h=1e-5):
    gradient = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        saved = x[index]
        base = f(x)
        x[index] = saved + h
        gradient[index] = (f(x) - base) / h
        x[index] = saved
    return gradient


def numerical_gradient_not_restored(f, x, h=1e-5):
    gradient = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        x[index] += h
        plus = f(x)
        x[index] -= 2 * h
        gradient[index] = (plus - f(x)) / (2 * h)
    return gradient


def test_numerical_gradient(reference, capsys):
    passes(hooks.test_numerical_gradient, reference["numerical_gradient"], capsys, "numerical_gradient")

    def without_the_two(f, x, h=1e-5):
        return 2 * reference["numerical_gradient"](f, x, h)

    def vectors_only(f, x, h=1e-5):
        gradient = np.zeros(len(x))
        for i in range(len(x)):
            saved = x[i].copy()
            x[i] = saved + h
            plus = f(x)
            x[i] = saved - h
            gradient[i] = (plus - f(x)) / (2 * h)
            x[i] = saved
        return gradient

    fails(hooks.test_numerical_gradient, numerical_gradient_one_sided, "one-sided difference")
    fails(hooks.test_numerical_gradient, without_the_two, "twice too large")
    fails(hooks.test_numerical_gradient, numerical_gradient_not_restored, "put each entry back")
    fails(hooks.test_numerical_gradient, vectors_only, "array of any shape")


def test_sgd_step(reference, capsys):
    passes(hooks.test_sgd_step, reference["sgd_step"], capsys, "sgd_step")
    fails(hooks.test_sgd_step, lambda ps, gs, rate: [p + rate * g for p, g in zip(ps, gs)], "goes UP the gradient")
    fails(hooks.test_sgd_step, lambda ps, gs, rate: [p - 0.1 * g for p, g in zip(ps, gs)], "learning_rate argument")
    fails(hooks.test_sgd_step, lambda ps, gs, rate: None, "should return the list")


def test_momentum_step(reference, capsys):
    passes(hooks.test_momentum_step, reference["momentum_step"], capsys, "momentum_step")

    def forgets_the_velocity(ps, gs, vs, rate, momentum=0.9):
        vs = [-rate * g for g in gs]
        return [p + v for p, v in zip(ps, vs)], vs

    def moves_by_the_old_velocity(ps, gs, vs, rate, momentum=0.9):
        new = [momentum * v - rate * g for v, g in zip(vs, gs)]
        return [p + v for p, v in zip(ps, vs)], new

    def adds_the_gradient(ps, gs, vs, rate, momentum=0.9):
        vs = [momentum * v + rate * g for v, g in zip(vs, gs)]
        return [p + v for p, v in zip(ps, vs)], vs

    fails(hooks.test_momentum_step, forgets_the_velocity, "ignores the old one")
    fails(hooks.test_momentum_step, moves_by_the_old_velocity, "NEW velocity")
    fails(hooks.test_momentum_step, adds_the_gradient, "momentum \\* velocity - learning_rate \\* gradient")


def test_decayed_learning_rate(reference, capsys):
    passes(hooks.test_decayed_learning_rate, reference["decayed_learning_rate"], capsys, "decayed_learning_rate")
    fails(hooks.test_decayed_learning_rate, lambda rate, step, decay, steps: rate * decay ** (step // steps),
          "decay smoothly")
    fails(hooks.test_decayed_learning_rate, lambda rate, step, decay, steps: rate * decay ** step,
          "after decay_steps steps")
    fails(hooks.test_decayed_learning_rate, lambda rate, step, decay, steps: rate * (1 - decay * step / steps),
          "after decay_steps steps")


# --- Parts 5 and 6 (Keras) ------------------------------------------------------------------------------------------

def test_build_softmax_model(reference, capsys):
    import keras

    passes(hooks.test_build_softmax_model, reference["build_softmax_model"], capsys, "build_softmax_model")

    def compiled(layers, loss="sparse_categorical_crossentropy", rate=0.01):
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.9), loss=loss)
        return model

    def with_hidden_layer(d, k, learning_rate=0.01, momentum=0.9):
        return compiled([keras.Input((d,)), keras.layers.Dense(8, activation="relu"),
                         keras.layers.Dense(k, activation="softmax")])

    def no_softmax(d, k, learning_rate=0.01, momentum=0.9):
        return compiled([keras.Input((d,)), keras.layers.Dense(k)])

    def not_compiled(d, k, learning_rate=0.01, momentum=0.9):
        return keras.Sequential([keras.Input((d,)), keras.layers.Dense(k, activation="softmax")])

    def one_hot_loss(d, k, learning_rate=0.01, momentum=0.9):
        return compiled([keras.Input((d,)), keras.layers.Dense(k, activation="softmax")], "categorical_crossentropy")

    def does_not_learn(d, k, learning_rate=0.01, momentum=0.9):
        return compiled([keras.Input((d,)), keras.layers.Dense(k, activation="softmax")], rate=0.0)

    fails(hooks.test_build_softmax_model, with_hidden_layer, "ONE Dense layer")
    fails(hooks.test_build_softmax_model, no_softmax, "softmax activation")
    fails(hooks.test_build_softmax_model, not_compiled, "compile")
    fails(hooks.test_build_softmax_model, one_hot_loss, "sparse_categorical_crossentropy")
    fails(hooks.test_build_softmax_model, does_not_learn, "did not lower the loss")


def _always_dropping(keras, rate):
    """A hand-made dropout layer that forgets to switch itself off at inference."""

    class AlwaysDropout(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.seeds = keras.random.SeedGenerator(0)

        def call(self, x):
            return keras.random.dropout(x, rate, seed=self.seeds)

    return AlwaysDropout()


def _network(keras, d, k, hidden, *, l2_first=0.0, l2_second=0.0, dropout=0.0, always_drop=False, seed=0):
    keras.utils.set_random_seed(seed)

    def regulariser(value):
        return keras.regularizers.L2(value) if value else None

    inputs = keras.Input((d,))
    hidden_layer = keras.layers.Dense(hidden, activation="relu", kernel_regularizer=regulariser(l2_first))(inputs)
    if dropout:
        layer = _always_dropping(keras, dropout) if always_drop else keras.layers.Dropout(dropout)
        hidden_layer = layer(hidden_layer)
    outputs = keras.layers.Dense(k, activation="softmax", kernel_regularizer=regulariser(l2_second))(hidden_layer)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def test_build_network(reference, capsys):
    import keras

    passes(hooks.test_build_network, reference["build_network"], capsys, "build_network")

    def no_dropout(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, hidden_units, l2_first=l2, l2_second=l2, seed=seed)

    def dropout_at_inference(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, hidden_units, l2_first=l2, l2_second=l2, dropout=dropout, always_drop=True,
                        seed=seed)

    def l2_on_the_first_layer_only(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, hidden_units, l2_first=l2, dropout=dropout, seed=seed)

    def no_l2(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, hidden_units, dropout=dropout, seed=seed)

    def fixed_width(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, 1024, l2_first=l2, l2_second=l2, dropout=dropout, seed=seed)

    fails(hooks.test_build_network, no_dropout, "add a keras.layers.Dropout")
    fails(hooks.test_build_network, dropout_at_inference, "dropout must be off at inference")
    fails(hooks.test_build_network, l2_on_the_first_layer_only, "BOTH Dense layers")
    fails(hooks.test_build_network, no_l2, "BOTH Dense layers")
    fails(hooks.test_build_network, fixed_width, "two Dense layers")

    def unseeded(d, k, hidden_units=1024, l2=0.0, dropout=0.0, learning_rate=0.001, seed=0):
        return _network(keras, d, k, hidden_units, l2_first=l2, l2_second=l2, dropout=dropout,
                        seed=int(np.random.default_rng().integers(1 << 30)))

    fails(hooks.test_build_network, unseeded, "set_random_seed")


# --- Part 7 ---------------------------------------------------------------------------------------------------------

def test_two_layer_forward(reference, capsys):
    passes(hooks.test_two_layer_forward, reference["two_layer_forward"], capsys, "two_layer_forward")
    right, softmax = reference["two_layer_forward"], reference["softmax"]

    def no_relu(x, params):
        w1, b1, w2, b2 = params
        hidden = x @ w1 + b1
        return hidden @ w2 + b2, hidden

    def no_first_bias(x, params):
        w1, b1, w2, b2 = params
        return right(x, [w1, np.zeros_like(b1), w2, b2])

    def probabilities(x, params):
        scores, hidden = right(x, params)
        return softmax(scores), hidden

    def relu_on_the_scores(x, params):
        scores, hidden = right(x, params)
        return np.maximum(scores, 0), hidden

    def scores_from_before_the_relu(x, params):
        w1, b1, w2, b2 = params
        before = x @ w1 + b1
        return before @ w2 + b2, np.maximum(before, 0)

    def swapped(x, params):
        scores, hidden = right(x, params)
        return hidden, scores

    fails(hooks.test_two_layer_forward, no_relu, "hidden has negative values.*output of the ReLU")
    fails(hooks.test_two_layer_forward, no_first_bias, "biases are missing")
    fails(hooks.test_two_layer_forward, probabilities, "returned probabilities")
    fails(hooks.test_two_layer_forward, relu_on_the_scores, "no ReLU on the output layer")
    fails(hooks.test_two_layer_forward, scores_from_before_the_relu, "BEFORE its ReLU")
    fails(hooks.test_two_layer_forward, swapped, r"returned \(hidden, scores\)")
    fails(hooks.test_two_layer_forward, lambda x, params: None, "should return a tuple")


def _backward(reference, *, mask=True, w2_from=None, sign=1.0, scale=1.0, l2_on=("w1", "w2"), l2_bias=False):
    """A two-layer loss_and_gradient built from the reference forward pass, with one mistake switched on."""
    forward, softmax, cross_entropy_from_scores = (reference[name] for name in
                                                   ("two_layer_forward", "softmax", "cross_entropy_from_scores"))

    def loss_and_gradient(x, params, y, l2=0.0):
        w1, b1, w2, b2 = params
        scores, hidden = forward(x, params)
        weights = {"w1": w1, "b1": b1, "w2": w2, "b2": b2}
        penalised = [*l2_on, *(("b1", "b2") if l2_bias else ())]
        loss = cross_entropy_from_scores(scores, y) + l2 * float(sum(np.sum(weights[n] ** 2) for n in penalised))
        grad_scores = scale * sign * (softmax(scores) - y) / len(x)
        grad_hidden = grad_scores @ w2.T
        if mask:
            grad_hidden = grad_hidden * (hidden > 0)
        source = hidden if w2_from is None else x @ w1 + b1
        grads = [x.T @ grad_hidden, grad_hidden.sum(axis=0), source.T @ grad_scores, grad_scores.sum(axis=0)]
        return loss, [g + 2 * l2 * weights[n] if n in penalised else g for g, n in zip(grads, weights)]

    return loss_and_gradient


def test_two_layer_loss_and_gradient(reference, capsys):
    hook = hooks.test_two_layer_loss_and_gradient
    passes(hook, reference["two_layer_loss_and_gradient"], capsys, "two_layer_loss_and_gradient")
    right = reference["two_layer_loss_and_gradient"]

    def summed(x, params, y, l2=0.0):
        loss, grads = right(x, params, y, l2)
        return loss * len(x), grads

    def in_float64(x, params, y, l2=0.0):
        return right(x.astype(np.float64), [p.astype(np.float64) for p in params], y.astype(np.float64), l2)

    def gradients_as_a_tuple_of_five(x, params, y, l2=0.0):
        loss, grads = right(x, params, y, l2)
        return loss, [*grads, np.zeros(1)]

    fails(hook, _backward(reference, mask=False), r"multiply d loss / d hidden\s+by \(hidden > 0\)")
    fails(hook, _backward(reference, w2_from="before"), "grad_w2 uses the hidden layer BEFORE its ReLU")
    fails(hook, _backward(reference, sign=-1.0), "points the wrong way")
    fails(hook, _backward(reference, scale=6.0), "6 times too large")
    fails(hook, _backward(reference, l2_on=("w1",)), "penalise BOTH weight matrices")
    fails(hook, _backward(reference, l2_bias=True), "not the biases")
    fails(hook, summed, "the SUM over the batch")
    fails(hook, in_float64, "float32 in, float32 out")
    fails(hook, gradients_as_a_tuple_of_five, "a list of four arrays")


# --- Part 8 ---------------------------------------------------------------------------------------------------------

def _adam(*, correct=True, first_of=None, squares=True, paper=False, step_offset=0, sign=1.0, fixed_betas=False):
    """An adam_step with one mistake switched on (the arguments name it)."""

    def adam_step(params, grads, first_moments, second_moments, step, learning_rate=0.001, beta_1=0.9,
                  beta_2=0.999, epsilon=1e-7):
        if fixed_betas:
            beta_1, beta_2 = 0.9, 0.999
        t = step + step_offset
        first = [first_of(m, g, beta_1) if first_of else beta_1 * m + (1 - beta_1) * g
                 for m, g in zip(first_moments, grads)]
        second = [beta_2 * v + (1 - beta_2) * (g * g if squares else np.abs(g)) for v, g in zip(second_moments, grads)]
        with np.errstate(all="ignore"):
            if paper:
                steps = [learning_rate * (m / (1 - beta_1 ** t)) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
                         for m, v in zip(first, second)]
            else:
                rate = learning_rate * (np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) if correct else 1.0)
                steps = [rate * m / (np.sqrt(v) + epsilon) for m, v in zip(first, second)]
        return [p - sign * s for p, s in zip(params, steps)], first, second

    return adam_step


def test_adam_step(reference, capsys):
    passes(hooks.test_adam_step, reference["adam_step"], capsys, "adam_step")
    fails(hooks.test_adam_step, _adam(correct=False), "bias correction")
    fails(hooks.test_adam_step, _adam(first_of=lambda m, g, beta: g), r"not g")
    fails(hooks.test_adam_step, _adam(first_of=lambda m, g, beta: (1 - beta) * m + beta * g), "are swapped")
    fails(hooks.test_adam_step, _adam(first_of=lambda m, g, beta: (1 - beta) * g), "after step 2 the moments")
    fails(hooks.test_adam_step, _adam(squares=False), "SQUARED gradients")
    fails(hooks.test_adam_step, _adam(paper=True), "add epsilon to sqrt\\(v\\)")
    fails(hooks.test_adam_step, _adam(step_offset=-1), "counts from 1")
    fails(hooks.test_adam_step, _adam(step_offset=1), "the parameters are off after step 1|about learning_rate")
    fails(hooks.test_adam_step, _adam(sign=-1.0), "goes UP the gradient")
    fails(hooks.test_adam_step, _adam(fixed_betas=True), "with the beta_1 and beta_2 given")
    fails(hooks.test_adam_step, lambda params, grads, m, v, step, *rest: params, "should return")


def test_he_init(reference, capsys):
    passes(hooks.test_he_init, reference["he_init"], capsys, "he_init")

    def drawn(n_in, n_out, std, seed=0, uniform=False, dtype=np.float32):
        rng = np.random.default_rng(seed)
        weights = (rng.uniform(-std * np.sqrt(3), std * np.sqrt(3), (n_in, n_out)) if uniform
                   else rng.normal(0, std, (n_in, n_out)))
        return weights.astype(dtype), np.zeros(n_out, dtype)

    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(2 / n_out), seed), "uses n_out")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(1 / n_in), seed), "LeCun")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, 2 / n_in, seed), "is the VARIANCE")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(2 / (n_in + n_out)), seed),
          "Glorot")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, 0.01, seed), "Part 3's fixed value")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(2 / n_in), seed, uniform=True),
          "use rng.normal")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(2 / n_in), seed,
                                                              dtype=np.float64), "float32")
    fails(hooks.test_he_init, lambda n_in, n_out, seed=0: drawn(n_in, n_out, np.sqrt(2 / n_in), 0) if seed == 0
          else drawn(n_in, n_out, np.sqrt(2 / n_in), 0), "a different seed")
