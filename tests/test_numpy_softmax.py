"""course_lib.numpy_softmax (softmax regression by minibatch SGD in numpy) and course_lib.curves (its plots)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from course_lib import curves, numpy_softmax
from problem_unittests.fundamentals import _centred_gradient

matplotlib.use("Agg")


def blobs(n=600, d=20, k=4, seed=0, spread=1.0):
    """Well-separated Gaussian clusters: float32 inputs (n, d), int labels (n,)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (k, d))
    labels = rng.integers(0, k, n)
    return (centres[labels] + rng.normal(0, spread, (n, d))).astype(np.float32), labels


def test_softmax_is_stable_and_normalises_rows():
    probabilities = numpy_softmax.softmax(np.array([[1000.0, 1001.0], [0.0, 0.0]]))
    assert np.allclose(probabilities, [[1 / (1 + np.e), np.e / (1 + np.e)], [0.5, 0.5]])
    assert np.allclose(numpy_softmax.softmax(np.array([3.0, 1.0, 0.2])).sum(), 1)


def test_one_hot_and_its_errors():
    assert np.array_equal(numpy_softmax.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert numpy_softmax.one_hot([1], 3).dtype == np.float32
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        numpy_softmax.one_hot([3], 3)


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_gradient_agrees_with_centred_differences(l2):
    rng = np.random.default_rng(1)
    inputs, weights, biases = rng.normal(size=(7, 5)), rng.normal(0, 0.5, (5, 3)), rng.normal(0, 0.1, 3)
    targets = np.eye(3)[rng.integers(0, 3, 7)]
    loss, grad_weights, grad_biases = numpy_softmax.loss_and_gradient(inputs, weights, biases, targets, l2)
    probabilities = numpy_softmax.softmax(inputs @ weights + biases)
    expected = -np.mean(np.log(probabilities[targets.astype(bool)])) + l2 * np.sum(weights ** 2)
    assert np.isclose(loss, expected)

    def loss_at():
        return numpy_softmax.loss_and_gradient(inputs, weights, biases, targets, l2)[0]

    assert numpy_softmax.relative_error(grad_weights, _centred_gradient(loss_at, weights)) < 1e-7
    assert numpy_softmax.relative_error(grad_biases, _centred_gradient(loss_at, biases)) < 1e-7


def test_relative_error():
    assert numpy_softmax.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert np.isclose(numpy_softmax.relative_error([1.0], [3.0]), 0.5)
    assert numpy_softmax.relative_error([0.0], [0.0]) == 0.0
    with pytest.raises(ValueError, match="shapes"):
        numpy_softmax.relative_error(np.zeros(2), np.zeros(3))


def test_momentum_update_and_decay():
    params, velocities = [np.array([1.0])], [np.array([0.5])]
    numpy_softmax.momentum_update(params, [np.array([2.0])], velocities, 0.1, 0.9)
    assert np.allclose(velocities[0], 0.9 * 0.5 - 0.2) and np.allclose(params[0], 1 + 0.25)
    assert np.isclose(numpy_softmax.exponential_decay(1.0, 150, 0.5, 100), 0.5 ** 1.5)


def test_train_learns_separable_data_and_records_its_curves():
    inputs, labels = blobs()
    run = numpy_softmax.train(inputs, labels, num_classes=4, epochs=5, batch_size=32, learning_rate=0.05,
                              momentum=0.9, decay_rate=0.5, progress=False)
    assert set(run.history) == {"loss", "learning_rate"} and len(run.history["loss"]) == 5
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert np.allclose(run.history["learning_rate"], [0.05 * 0.5 ** (e + 1) for e in range(5)])
    assert run.params[0].dtype == np.float32 and run.params[0].shape == (20, 4)
    assert (numpy_softmax.predict(inputs, *run.params) == labels).mean() > 0.95


def test_train_is_reproducible_and_scores_the_validation_set():
    inputs, labels = blobs(400, seed=2)
    test_inputs, test_labels = inputs[300:], labels[300:]
    runs = [numpy_softmax.train(inputs[:300], labels[:300], valid=(test_inputs, test_labels), num_classes=4, epochs=3,
                                batch_size=50, learning_rate=0.1, seed=3, progress=False) for _ in range(2)]
    assert np.array_equal(runs[0].params[0], runs[1].params[0])
    assert len(runs[0].history["val_accuracy"]) == 3 and runs[0].history["val_accuracy"][-1] > 0.9
    other = numpy_softmax.train(inputs[:300], labels[:300], num_classes=4, epochs=3, batch_size=50, seed=4,
                                progress=False)
    assert not np.array_equal(other.params[0], runs[0].params[0])


def test_train_uses_the_functions_it_is_given():
    inputs, labels = blobs(120, d=6, k=3, seed=5)
    calls = {"gradient": 0, "update": 0, "schedule": []}

    def gradient(x, w, b, y, l2):
        calls["gradient"] += 1
        return numpy_softmax.loss_and_gradient(x, w, b, y, l2)

    def update(params, grads, velocities, rate):
        calls["update"] += 1
        return [p - rate * g for p, g in zip(params, grads)], velocities

    def schedule(step):
        calls["schedule"].append(step)
        return 0.1

    initial = [np.zeros((6, 3)), np.zeros(3)]
    run = numpy_softmax.train(inputs, labels, num_classes=3, epochs=2, batch_size=40, initial=initial,
                              gradient=gradient, update=update, schedule=schedule, progress=False)
    assert calls["gradient"] == calls["update"] == 6  # 3 batches, 2 epochs
    assert calls["schedule"] == [0, 1, 2, 3, 3, 4, 5, 6]  # each step; and after each epoch, for the history
    assert not initial[0].any(), "the initial weights are copied, not trained in place"
    assert run.params[0].dtype == np.float32


def test_train_refuses_bad_input():
    inputs, labels = blobs(50, d=4, k=3)
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        numpy_softmax.train(inputs, labels + 1, num_classes=3, epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"inputs \(N, D\) and labels \(N,\)"):
        numpy_softmax.train(inputs, labels[:10], num_classes=3, epochs=1, progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        numpy_softmax.train(inputs, labels, num_classes=3, batch_size=0, progress=False)


def test_predict_flattens_images_and_handles_many_rows():
    weights = np.zeros((4, 2), np.float32)
    weights[3, 1] = 1
    images = np.zeros((10_000, 2, 2), np.float32)
    images[::2, 1, 1] = 1
    predictions = numpy_softmax.predict(images, weights, np.zeros(2, np.float32), batch_size=999)
    assert predictions.shape == (10_000,) and predictions[::2].all() and not predictions[1::2].any()


def test_compare_runs_draws_one_line_per_run_and_panel_per_metric():
    histories = {"SGD": {"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.7]},
                 "momentum": {"loss": [0.9, 0.3, 0.2], "val_accuracy": [0.6, 0.8, 0.85]}}
    figure = curves.compare_runs(histories, ["loss", "val_accuracy"], title="t")
    assert len(figure.axes) == 2
    assert [line.get_label() for line in figure.axes[0].lines] == ["SGD", "momentum"]
    assert figure.axes[1].get_title() == "validation accuracy"
    assert list(figure.axes[1].lines[1].get_ydata()) == [0.6, 0.8, 0.85]
    with pytest.raises(ValueError, match="run 'SGD' has no accuracy"):
        curves.compare_runs(histories, ["accuracy"])
    with pytest.raises(ValueError, match="no runs"):
        curves.compare_runs({})


def test_train_vs_validation_pairs_solid_and_dashed_lines_per_run():
    class History:  # what keras.Model.fit returns: the curves are in .history
        history = {"accuracy": [0.5, 1.0], "val_accuracy": [0.4, 0.6]}

    figure = curves.train_vs_validation({"plain": History(), "dropout": {"accuracy": [0.4, 0.9],
                                                                        "val_accuracy": [0.5, 0.7]}})
    (ax,) = figure.axes
    assert [line.get_label() for line in ax.lines] == ["plain: training", "plain: validation", "dropout: training",
                                                       "dropout: validation"]
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    assert ax.lines[0].get_color() == ax.lines[1].get_color() != ax.lines[2].get_color()
    with pytest.raises(ValueError, match="val_loss"):
        curves.train_vs_validation({"plain": History()}, "loss")
