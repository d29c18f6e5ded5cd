"""The shared evaluation and training-curve helpers the CNN notebooks use."""

import matplotlib
import numpy as np
import pytest

from course_lib import evaluation, plotting

matplotlib.use("Agg")


def test_confusion_matrix_rows_are_true_classes():
    matrix = evaluation.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    with pytest.raises(ValueError, match="class indexes in 0..2"):
        evaluation.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="2 labels but 3 predictions"):
        evaluation.confusion_matrix([0, 1], [0, 1, 1], 3)


def test_most_confident_mistakes_surest_first():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.05, 0.95]])
    labels = np.array([0, 0, 1, 0])
    assert evaluation.most_confident_mistakes(probabilities, labels).tolist() == [3, 1, 2]
    assert evaluation.most_confident_mistakes(probabilities, labels, count=1).tolist() == [3]


def test_plot_history_draws_training_and_validation():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
    figure = plotting.plot_history(history)
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy"]
    assert [line.get_label() for line in figure.axes[0].lines] == ["training", "validation"]
    with pytest.raises(ValueError, match="has no top5"):
        plotting.plot_history(history, ["top5"])


def test_plot_confusion_matrix_names_classes_and_accuracy():
    ax = plotting.plot_confusion_matrix([0, 1, 1], [0, 1, 0], ["cat", "dog"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    assert "accuracy 0.667" in ax.get_title()
