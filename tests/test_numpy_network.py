"""course_lib.numpy_network: the two-layer network, He initialisation, Adam, the training loop and the figure."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from course_lib import numpy_network, numpy_softmax
from problem_unittests.fundamentals import _centred_gradient, _two_layer_problem
from tests.test_numpy_softmax import blobs

matplotlib.use("Agg")


def test_he_normal_has_the_standard_deviation_of_its_inputs_and_zero_biases():
    weights, biases = numpy_network.he_normal(500, 200, seed=3)
    assert weights.dtype == biases.dtype == np.float32 and weights.shape == (500, 200) and not biases.any()
    assert abs(weights.std() / np.sqrt(2 / 500) - 1) < 0.01
    assert np.array_equal(numpy_network.he_normal(500, 200, seed=3)[0], weights)


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradient_agrees_with_centred_differences(l2):
    inputs, params, targets = _two_layer_problem(seed=2)
    loss, grads = numpy_network.loss_and_gradient(inputs, params, targets, l2)
    scores, hidden = numpy_network.forward(inputs, params)
    assert hidden.min() >= 0 and scores.shape == targets.shape
    expected = -np.mean(np.log(numpy_softmax.softmax(scores)[targets.astype(bool)]))
    assert np.isclose(loss, expected + l2 * (np.sum(params[0] ** 2) + np.sum(params[2] ** 2)))
    for param, grad in zip(params, grads):
        numeric = _centred_gradient(lambda: numpy_network.loss_and_gradient(inputs, params, targets, l2)[0], param)
        assert numpy_softmax.relative_error(grad, numeric) < 1e-7


def test_float32_stays_float32():
    inputs, params, targets = _two_layer_problem(seed=3)
    loss, grads = numpy_network.loss_and_gradient(inputs.astype(np.float32), [p.astype(np.float32) for p in params],
                                                  targets.astype(np.float32), 0.1)
    assert np.isfinite(loss) and all(grad.dtype == np.float32 for grad in grads)


def test_adam_first_step_moves_each_weight_by_the_learning_rate_and_later_steps_follow_keras_order():
    params, grads = [np.ones((3, 2))], [np.array([[1.0, -2.0], [0.5, 4.0], [-3.0, 0.1]])]
    state = numpy_network.AdamState.zeros(params)
    moved, state = numpy_network.adam_update(params, grads, state, learning_rate=0.01)
    assert state.step == 1 and np.allclose(moved[0], 1 - 0.01 * np.sign(grads[0]), atol=1e-6)
    again, state = numpy_network.adam_update(moved, grads, state, learning_rate=0.01, beta_1=0.5, beta_2=0.9)
    m = 0.5 * (0.1 * grads[0]) + 0.5 * grads[0]
    v = 0.9 * (0.001 * grads[0] ** 2) + 0.1 * grads[0] ** 2
    rate = 0.01 * np.sqrt(1 - 0.9 ** 2) / (1 - 0.5 ** 2)
    assert state.step == 2 and np.allclose(again[0], moved[0] - rate * m / (np.sqrt(v) + 1e-7))


def test_train_learns_with_momentum_and_with_adam_and_scores_the_validation_set():
    inputs, labels = blobs(600, d=20, k=4)
    params = [*numpy_network.he_normal(20, 16, seed=0), *numpy_network.he_normal(16, 4, seed=1)]
    runs = [numpy_network.train(inputs, labels, params, gradient=numpy_network.loss_and_gradient,
                                update=numpy_network.momentum(0.9), learning_rate=0.05, valid=(inputs, labels),
                                num_classes=4, epochs=4, batch_size=32, progress=False),
            numpy_network.train(inputs, labels, params, gradient=numpy_network.loss_and_gradient,
                                update=numpy_network.adam_update, state=numpy_network.AdamState.zeros(params),
                                learning_rate=0.01, valid=(inputs, labels), num_classes=4, epochs=4, batch_size=32,
                                progress=False)]
    for run in runs:
        assert run.history["loss"][-1] < run.history["loss"][0] and run.history["val_accuracy"][-1] > 0.95
        assert (numpy_network.predict(inputs, run.params) == labels).mean() > 0.95
        assert all(p.dtype == np.float32 for p in run.params)
    assert np.array_equal(params[0], numpy_network.he_normal(20, 16, seed=0)[0])  # the initial weights are copied


def test_train_refuses_bad_input():
    inputs, labels = blobs(50, d=4, k=3)
    params = [*numpy_network.he_normal(4, 5), *numpy_network.he_normal(5, 3)]
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        numpy_network.train(inputs, labels + 1, params, gradient=numpy_network.loss_and_gradient,
                            update=numpy_network.momentum(), num_classes=3, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        numpy_network.train(inputs, labels, params, gradient=numpy_network.loss_and_gradient,
                            update=numpy_network.momentum(), num_classes=3, batch_size=0, progress=False)


def test_scaled_difference():
    assert numpy_network.scaled_difference([1.0, 2.0], [1.0, 4.0]) == 0.5
    assert numpy_network.scaled_difference([0.0], [0.0]) == 0.0
    with pytest.raises(ValueError, match="shapes"):
        numpy_network.scaled_difference(np.zeros(2), np.zeros(3))


def test_activation_histograms_draws_a_panel_per_layer_and_start():
    rng = np.random.default_rng(0)
    layers = {name: {"hidden": rng.normal(0, scale, (50, 8)), "scores": rng.normal(0, scale, (50, 3))}
              for name, scale in (("small", 0.01), ("large", 10.0))}
    figure = numpy_network.activation_histograms(layers)
    assert len(figure.axes) == 4 and "standard deviation" in figure.axes[3].get_title()
    with pytest.raises(ValueError, match="layers"):
        numpy_network.activation_histograms({"a": {"hidden": np.zeros(2)}, "b": {"scores": np.zeros(2)}})
    with pytest.raises(ValueError, match="no activations"):
        numpy_network.activation_histograms({})
