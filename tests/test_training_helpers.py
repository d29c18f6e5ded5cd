"""The plotting helpers added for the CNN notebooks: a digit on its pixel grid, samples per class."""

import matplotlib
import numpy as np
import pytest

from course_lib import plotting

matplotlib.use("Agg")


def test_show_pixel_grid_writes_each_nonzero_pixel():
    image = np.zeros((6, 5), np.uint8)
    image[1, 2], image[4, 0] = 255, 7
    ax = plotting.show_pixel_grid(image, "label: 3")
    assert ax.get_title() == "label: 3"
    assert sorted(text.get_text() for text in ax.texts) == ["255", "7"]
    assert ax.images[0].get_array().shape == (6, 5)
    assert len(ax.get_xticks(minor=True)) == 6 and len(ax.get_yticks(minor=True)) == 7  # a line at every pixel edge
    floats = plotting.show_pixel_grid(image[..., None] / 255.0, values=True)
    assert sorted(text.get_text() for text in floats.texts) == ["0.0", "1.0"]
    assert len(plotting.show_pixel_grid(image, values=False).texts) == 0
    with pytest.raises(ValueError, match="one grayscale image"):
        plotting.show_pixel_grid(np.zeros((2, 6, 5)))


def test_show_class_samples_one_row_per_class():
    labels = np.repeat(np.arange(3), [5, 2, 6])
    images = np.repeat(labels[:, None, None], 4, axis=1).repeat(4, axis=2).astype(np.uint8)  # image value = label
    figure = plotting.show_class_samples(images, labels, ["zero", "one", "two"], per_class=4, seed=1)
    assert len(figure.axes) == 12
    rows = [figure.axes[4 * row:4 * row + 4] for row in range(3)]
    assert [row[0].get_ylabel() for row in rows] == ["zero", "one", "two"]
    for label, row in enumerate(rows):
        shown = [ax.images[0].get_array() for ax in row if ax.images]
        assert len(shown) == (2 if label == 1 else 4)  # class "one" has only 2 images
        assert all(np.all(np.asarray(image) == label) for image in shown)
    again = plotting.show_class_samples(images, labels, ["zero", "one", "two"], per_class=4, seed=1)
    picks = [np.asarray(ax.images[0].get_array()).sum() for ax in again.axes if ax.images]
    assert picks == [np.asarray(ax.images[0].get_array()).sum() for ax in figure.axes if ax.images]
    with pytest.raises(ValueError, match="13 images but 2 labels"):
        plotting.show_class_samples(images, labels[:2], ["a"])


def test_show_class_samples_takes_a_channel_axis():
    images = np.zeros((4, 5, 5, 1), np.float32)
    figure = plotting.show_class_samples(images, [0, 1, 0, 1], ["a", "b"], per_class=2)
    assert all(ax.images[0].get_array().shape == (5, 5) for ax in figure.axes)


def test_cosine_schedule_falls_from_initial_to_final():
    from course_lib.training import cosine_schedule

    schedule = cosine_schedule(4, initial=1.0)
    rates = [schedule.schedule(epoch, None) for epoch in range(4)]
    assert rates == pytest.approx([1.0, 0.853553, 0.5, 0.146447], abs=1e-6)
    assert cosine_schedule(10, initial=2.0, final=0.5).schedule(10, None) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="epochs must be at least 1"):
        cosine_schedule(0)
    with pytest.raises(ValueError, match="final <= initial"):
        cosine_schedule(3, initial=0.1, final=0.2)


def test_cosine_schedule_sets_the_optimiser_rate_and_the_timer_counts_epochs():
    import keras

    from course_lib.training import EpochTimer, cosine_schedule, count_parameters

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss="categorical_crossentropy")
    timer = EpochTimer()
    images, labels = np.ones((8, 3), np.float32), np.eye(2, dtype=np.float32)[np.arange(8) % 2]
    history = model.fit(images, labels, epochs=2, verbose=0, callbacks=[cosine_schedule(2), timer])
    assert history.history["learning_rate"] == pytest.approx([1.0, 0.5])
    assert len(timer.seconds) == 2 and timer.per_epoch > 0
    assert len(timer.cpu_seconds) == 2 and min(timer.cpu_seconds) >= 0
    assert count_parameters(model) == 8
