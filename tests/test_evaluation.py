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


def test_shifted_moves_pixels_and_mirrors_the_edge():
    image = np.arange(16).reshape(1, 4, 4, 1)
    down = evaluation.shifted(image, 1, 0)[0, :, :, 0]
    assert down[1:].tolist() == image[0, :3, :, 0].tolist() and down[0].tolist() == image[0, 0, :, 0].tolist()
    left = evaluation.shifted(image, 0, -2)[0, :, :, 0]
    assert left[:, :2].tolist() == image[0, :, 2:, 0].tolist()
    assert left[:, 2:].tolist() == image[0, :, 3:1:-1, 0].tolist()   # d c | c d: the edge mirrored
    assert np.array_equal(evaluation.shifted(image, 0, 0), image)
    with pytest.raises(ValueError, match="does not fit"):
        evaluation.shifted(image, 4, 0)
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        evaluation.shifted(image[0], 1, 0)


def test_average_over_views_averages_ten_views_mirrored_and_shifted():
    rng = np.random.default_rng(0)
    images = rng.random((3, 5, 6, 2)).astype(np.float32)
    views = list(evaluation.augmented_views(images, shift=1))
    assert len(views) == 10 and all(view.shape == images.shape for view in views)
    assert np.array_equal(views[0], images) and np.array_equal(views[5], images[:, :, ::-1])
    assert len({view.tobytes() for view in views}) == 10
    assert len(list(evaluation.augmented_views(images, shift=0))) == 2

    def predict(batch):   # "probabilities" that record each view's mean brightness and its top-left pixel
        return np.stack([batch.mean(axis=(1, 2, 3)), batch[:, 0, 0, 0]], axis=1)

    averaged = evaluation.average_over_views(predict, images)
    assert averaged.shape == (3, 2) and averaged.dtype == np.float32
    expected = np.mean([predict(view) for view in views], axis=0)
    assert np.allclose(averaged, expected)
    assert not np.allclose(averaged, predict(images))   # not a single look
    with pytest.raises(ValueError, match=r"predict must return \(N, classes\) for 3 images"):
        evaluation.average_over_views(lambda batch: batch.mean(axis=(1, 2, 3)), images)


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
