"""The multi-digit model kit that assignments 5 and 6 share (course_lib.digit_sequences.multidigit)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from course_lib.digit_sequences import multidigit
from course_lib.digit_sequences.multidigit import BLANK

matplotlib.use("Agg")

LABELS = np.array([[1, 2, 10, 10, 10], [3, 4, 5, 10, 10], [6, 10, 10, 10, 10], [7, 8, 9, 0, 1]])
PREDICTED = np.array([[1, 2, 10, 10, 10], [3, 4, 6, 10, 10], [6, 10, 10, 10, 10], [7, 8, 9, 0, 2]])


# --- labels and measures -----------------------------------------------------------------------------------------

def test_targets_one_array_per_head():
    result = multidigit.targets(LABELS)
    assert list(result) == ["digit_1", "digit_2", "digit_3", "digit_4", "digit_5", "length"]
    assert result["digit_3"].tolist() == [10, 5, 10, 9]
    assert result["length"].tolist() == [2, 3, 1, 5]
    assert list(multidigit.targets(LABELS[:, :3])) == ["digit_1", "digit_2", "digit_3", "length"]
    with pytest.raises(ValueError, match="max_digits"):
        multidigit.targets(np.array([1, 2, 10]))
    with pytest.raises(ValueError, match="BLANK"):
        multidigit.targets(np.array([[1, 11]]))


def test_accuracies():
    assert multidigit.per_digit_accuracy(LABELS, PREDICTED) == pytest.approx(0.9)
    assert multidigit.whole_sequence_accuracy(LABELS, PREDICTED) == pytest.approx(0.5)
    assert multidigit.per_position_accuracy(LABELS, PREDICTED).tolist() == [1, 1, 0.75, 1, 0.75]
    assert multidigit.sequence_correct(LABELS, PREDICTED).tolist() == [True, False, True, False]
    with pytest.raises(ValueError, match="differ in shape"):
        multidigit.per_digit_accuracy(LABELS, PREDICTED[:, :4])


def test_coverage_curve_and_coverage_at_accuracy():
    confidences = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    correct = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0, 0], bool)
    order = np.random.default_rng(0).permutation(10)
    coverage, accuracy, thresholds = multidigit.coverage_curve(confidences[order], correct[order])
    assert coverage.tolist() == pytest.approx(np.arange(1, 11) / 10)
    assert accuracy[3] == pytest.approx(0.75) and accuracy[7] == pytest.approx(0.875)
    assert thresholds.tolist() == sorted(confidences.tolist(), reverse=True)
    assert multidigit.coverage_at_accuracy(confidences, correct, 0.8) == pytest.approx(0.8)
    assert multidigit.coverage_at_accuracy(confidences, correct, 1.0) == pytest.approx(0.3)
    assert multidigit.coverage_at_accuracy(confidences, ~correct, 0.98) == 0.0
    # equal confidences are kept or rejected together
    coverage, accuracy, _ = multidigit.coverage_curve([0.9, 0.9, 0.5], [True, False, True])
    assert coverage.tolist() == pytest.approx([2 / 3, 1.0]) and accuracy.tolist() == pytest.approx([0.5, 2 / 3])
    assert multidigit.coverage_at_accuracy([0.9, 0.9, 0.5], [True, False, True], 0.75) == 0.0
    assert multidigit.coverage_at_accuracy([], [], 0.98) == 0.0
    with pytest.raises(ValueError, match="confidences"):
        multidigit.coverage_curve([0.5, 0.4], [True])


def test_readings_from_probabilities():
    probabilities = {f"digit_{k}": np.eye(11)[[k, BLANK]] * 0.8 + 0.2 / 11 for k in (1, 2)}
    probabilities["length"] = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    readings = multidigit.readings_from(probabilities)
    assert readings.labels.tolist() == [[1, 2], [BLANK, BLANK]]
    assert readings.lengths.tolist() == [1, 0]
    top = 0.8 + 0.2 / 11
    assert readings.confidence == pytest.approx([top * top] * 2)
    assert readings.length_confidence == pytest.approx([0.7, 0.5])
    assert readings.texts() == ["12", ""]
    no_length = multidigit.readings_from({"digit_1": probabilities["digit_1"]})
    assert no_length.lengths.tolist() == [-1, -1] and np.isnan(no_length.length_confidence).all()
    with pytest.raises(ValueError, match="no digit heads"):
        multidigit.readings_from({"length": probabilities["length"]})


def _random_heads(rng, count, positions, concentration):
    """Head probabilities {"digit_1": (count, 11), ..., "length": (count, positions + 1)}, Dirichlet-drawn."""
    heads = {f"digit_{k}": rng.dirichlet(np.full(11, concentration), size=count) for k in range(1, positions + 1)}
    heads["length"] = rng.dirichlet(np.full(positions + 1, concentration), size=count)
    return heads


@pytest.mark.parametrize("positions, concentration", [(1, 1.0), (2, 0.3), (3, 1.0), (3, 0.1)])
def test_decode_with_length_finds_the_reading_a_brute_force_finds(positions, concentration):
    """Against the course's one brute force over every length and digit string (assignment 5's hook checks the
    student's decoder with it): the same readings, ties to the shorter length and the smaller digits."""
    from problem_unittests.digit_sequences import _best_reading

    rng = np.random.default_rng(positions * 10 + int(concentration * 10))
    probabilities = _random_heads(rng, 40, positions, concentration)
    readings = multidigit.decode_with_length(probabilities)
    assert readings.labels.dtype == np.int64 and readings.labels.shape == (40, positions)
    labels, best = _best_reading(probabilities)
    assert readings.labels.tolist() == labels.tolist()
    assert readings.lengths.tolist() == multidigit.lengths_of(labels).tolist()
    assert readings.confidence == pytest.approx(np.exp(best), rel=1e-9)
    assert readings.length_confidence == pytest.approx(probabilities["length"][np.arange(40), readings.lengths])


def _head(**shares):
    """One image's (1, 11) probabilities: ``shares`` on the classes named d0..d9 and blank, the rest even."""
    table = np.zeros(11)
    for name, share in shares.items():
        table[BLANK if name == "blank" else int(name[1:])] = share
    rest = table == 0
    table[rest] = (1 - table.sum()) / rest.sum()
    return table[None, :]


def test_decode_with_length_never_reads_a_digit_after_a_blank():
    """The per-position argmax reads 1, blank, 3; the length head decides between "1" and "103"."""
    heads = {"digit_1": _head(d1=0.9), "digit_2": _head(blank=0.6, d0=0.3), "digit_3": _head(d3=0.5, blank=0.45)}
    assert multidigit.readings_from(heads).labels.tolist() == [[1, BLANK, 3]]
    one = multidigit.decode_with_length({**heads, "length": np.array([[0.05, 0.8, 0.05, 0.1]])})
    assert one.labels.tolist() == [[1, BLANK, BLANK]] and one.lengths.tolist() == [1] and one.texts() == ["1"]
    assert one.confidence == pytest.approx([0.8 * 0.9 * 0.6 * 0.45])
    assert one.length_confidence == pytest.approx([0.8])
    long = multidigit.decode_with_length({**heads, "length": np.array([[0.0, 0.05, 0.05, 0.9]])})
    assert long.labels.tolist() == [[1, 0, 3]] and long.lengths.tolist() == [3] and long.texts() == ["103"]
    assert long.confidence == pytest.approx([0.9 * 0.9 * 0.3 * 0.5])


def test_decode_with_length_takes_float32_and_zeros_and_says_what_is_missing():
    heads = {name: values.astype(np.float32) for name, values in
             _random_heads(np.random.default_rng(3), 20, 5, 1.0).items()}
    heads["digit_1"][:, :] = 0
    heads["digit_1"][:, BLANK] = 1  # sure of a blank first: every digit there has probability 0
    readings = multidigit.decode_with_length(heads)
    assert np.isfinite(readings.confidence).all() and (readings.confidence > 0).all()
    assert readings.confidence.max() <= 1 and readings.lengths.tolist() == [0] * 20  # nothing else is possible
    with pytest.raises(ValueError, match="needs the length head"):
        multidigit.decode_with_length({k: v for k, v in heads.items() if k != "length"})
    with pytest.raises(ValueError, match=r"must be \(N, 6\)"):
        multidigit.decode_with_length({**heads, "length": heads["length"][:, :5]})
    with pytest.raises(ValueError, match="no digit heads"):
        multidigit.decode_with_length({"length": heads["length"]})


# --- the model ---------------------------------------------------------------------------------------------------

def _tiny(input_shape=(16, 32, 1), max_digits=2, seed=0, **options):
    import keras

    keras.utils.set_random_seed(seed)
    options = {"filters": (4, 8), "dense": 16, **options}
    return multidigit.build_model(input_shape, max_digits=max_digits, **options)


def test_build_model_heads_and_trunk():
    model = multidigit.build_model((32, 128, 1))
    assert list(model.output_names) == multidigit.head_names(5)
    assert model.input_shape == (None, 32, 128, 1)
    outputs = multidigit.head_outputs(model, model(np.zeros((2, 32, 128, 1), np.float32), training=False))
    assert {name: value.shape for name, value in outputs.items()} == {
        **{f"digit_{k}": (2, 11) for k in range(1, 6)}, "length": (2, 6)}
    trunk = [layer.name for layer in model.layers if layer.name.startswith("trunk_")]
    assert {"trunk_conv_1_1", "trunk_conv_3_1", "trunk_dense_1", "trunk_rescale"} <= set(trunk)
    colour = multidigit.build_model((54, 54, 3), filters=(16, 32, 64, 64), dense=(256, 256), convs_per_block=2)
    assert colour.input_shape == (None, 54, 54, 3)
    assert {"trunk_conv_4_2", "trunk_dense_2"} <= {layer.name for layer in colour.layers}
    with pytest.raises(ValueError, match="height, width, channels"):
        multidigit.build_model((32, 128))


def test_the_model_learns_a_tiny_set_with_epoch_data():
    """Overfit a tiny batch: the losses of every head fall, and each epoch gets a fresh set from make()."""
    model = _tiny(learning_rate=3e-3)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 16, 32), dtype=np.uint8)
    labels = np.where(rng.random((32, 2)) < 0.3, BLANK, rng.integers(0, 10, (32, 2)))
    labels[:, 1] = np.where(labels[:, 0] == BLANK, BLANK, labels[:, 1])
    calls = []

    def make(epoch):
        calls.append(epoch)
        return images, labels

    data = multidigit.epoch_data(make, batch_size=16, max_digits=2)
    assert len(data) == 2
    batch_images, batch_targets = data[0]
    assert batch_images.shape == (16, 16, 32, 1) and sorted(batch_targets) == ["digit_1", "digit_2", "length"]
    before = model.evaluate(images[..., None], multidigit.targets(labels), return_dict=True, verbose=0)
    history = model.fit(data, epochs=12, verbose=0,
                        callbacks=[multidigit.accuracy_callback(images, labels, train_images=images,
                                                                train_labels=labels)])
    after = model.evaluate(images[..., None], multidigit.targets(labels), return_dict=True, verbose=0)
    assert all(after[f"{name}_loss"] < before[f"{name}_loss"] for name in multidigit.head_names(2))
    assert calls[:3] == [0, 1, 2] and len(calls) >= 12
    assert len(history.history["val_whole_sequence_accuracy"]) == 12
    assert history.history["whole_sequence_accuracy"][-1] >= history.history["whole_sequence_accuracy"][0]


def test_epoch_data_refuses_labels_of_another_width():
    with pytest.raises(ValueError, match="max_digits=5"):
        multidigit.epoch_data(lambda epoch: (np.zeros((4, 8, 8), np.uint8), np.full((4, 3), BLANK)))


def test_accuracy_callback_reports_a_line_per_epoch(capsys):
    model = _tiny()
    images = np.zeros((8, 16, 32), np.uint8)
    labels = np.full((8, 2), BLANK)
    model.fit(images[..., None], multidigit.targets(labels), epochs=2, verbose=0,
              callbacks=[multidigit.accuracy_callback(images, labels, report=True)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 2 and "validation: per digit" in lines[0]


def test_accuracy_callback_logs_the_validation_loss_of_each_head_as_keras_computes_it():
    """Without validation_data, the callback's val_<head>_loss equals what model.evaluate reports (in one
    batch); with it, Keras's own figures stay in the logs."""
    model = _tiny()
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (40, 16, 32), dtype=np.uint8)
    labels = np.where(rng.random((40, 2)) < 0.3, BLANK, rng.integers(0, 10, (40, 2)))
    history = model.fit(images[..., None], multidigit.targets(labels), epochs=2, verbose=0,
                        callbacks=[multidigit.accuracy_callback(images, labels)]).history
    evaluated = model.evaluate(images[..., None], multidigit.targets(labels), batch_size=40, return_dict=True,
                               verbose=0)
    for name in multidigit.head_names(2):
        assert len(history[f"val_{name}_loss"]) == 2
        assert np.isclose(history[f"val_{name}_loss"][-1], evaluated[f"{name}_loss"], rtol=1e-4), name
    assert "val_loss" not in history
    by_hand = multidigit.head_losses({"digit_1": np.array([[0.5, 0.5] + [0.0] * 9, [0.0] * 10 + [1.0]]),
                                      "length": np.array([[0.25, 0.75, 0.0], [0.0, 0.0, 1.0]])},
                                     np.array([[1, 10], [3, 10]]))
    assert np.isclose(by_hand["digit_1"], (np.log(2) - np.log(1e-7)) / 2)  # 0.5 right; 0 right, clipped at 1e-7
    assert np.isclose(by_hand["length"], (np.log(4 / 3) - np.log(1e-7)) / 2)  # lengths 1 and 1

    other = rng.integers(0, 256, (8, 16, 32), dtype=np.uint8)
    history = model.fit(images[..., None], multidigit.targets(labels), epochs=1, verbose=0,
                        validation_data=(other[..., None], multidigit.targets(labels[:8])),
                        callbacks=[multidigit.accuracy_callback(images, labels)]).history
    kept = model.evaluate(other[..., None], multidigit.targets(labels[:8]), batch_size=8, return_dict=True, verbose=0)
    assert np.isclose(history["val_digit_1_loss"][-1], kept["digit_1_loss"], rtol=1e-4)


def test_copy_trunk_weights_grey_to_colour():
    grey = _tiny((16, 32, 1), seed=1)
    colour = _tiny((16, 32, 3), seed=2)
    copied = multidigit.copy_trunk_weights(grey, colour)
    assert "trunk_conv_1_1" in copied and "trunk_conv_2_1" in copied and "trunk_dense_1" in copied
    kernel = grey.get_layer("trunk_conv_1_1").get_weights()[0]
    assert np.allclose(colour.get_layer("trunk_conv_1_1").get_weights()[0], np.repeat(kernel / 3, 3, axis=2))
    # a grey image reads the same through both trunks
    image = np.random.default_rng(0).integers(0, 256, (2, 16, 32, 1)).astype(np.float32)
    import keras

    features = [keras.Model(m.inputs[0], m.get_layer("trunk_dense_1").output) for m in (grey, colour)]
    assert np.allclose(features[0](image), features[1](np.repeat(image, 3, axis=3)), atol=1e-4)
    other = _tiny((16, 32, 1), filters=(4, 16))
    assert "trunk_conv_2_1" not in multidigit.copy_trunk_weights(grey, other)  # shapes differ: skipped


def test_copy_trunk_weights_skips_convolutions_with_a_bias_into_batch_normalised_ones():
    """Assignment 5's trunk without batch normalisation (kernel and bias) into assignment 6's with it (kernel
    only): the convolutions are skipped, grey to colour included; the dense layers still copy."""
    import keras

    inputs = keras.Input((16, 32, 1))
    plain = keras.Model(inputs, multidigit.conv_trunk(inputs, (4, 8), 16, batch_norm=False))
    colour = _tiny((16, 32, 3), seed=2)
    copied = multidigit.copy_trunk_weights(plain, colour)
    assert not any(name.startswith("trunk_conv") for name in copied) and "trunk_dense_1" in copied


# --- saving ------------------------------------------------------------------------------------------------------

def test_save_and_load(tmp_path):
    model = _tiny()
    images = np.random.default_rng(0).integers(0, 256, (3, 16, 32), dtype=np.uint8)
    path = multidigit.save_model(model, tmp_path / "sub" / multidigit.MODEL_FILE)
    assert path.is_file() and sorted(p.name for p in path.parent.iterdir()) == [multidigit.MODEL_FILE]
    loaded = multidigit.load_model(path)
    assert np.array_equal(multidigit.read(model, images).labels, multidigit.read(loaded, images).labels)
    assert np.allclose(multidigit.read(model, images).confidence, multidigit.read(loaded, images).confidence)
    with pytest.raises(ValueError, match=".keras"):
        multidigit.save_model(model, tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError, match="05_digit_sequences"):
        multidigit.load_model(tmp_path / "missing.keras")


# --- plots -------------------------------------------------------------------------------------------------------

def test_plots_return_their_figures():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    history = {"loss": [3, 2], "digit_1_loss": [1.0, 0.5], "length_loss": [1.2, 0.4], "val_digit_1_loss": [1.1, 0.6]}
    figure = multidigit.plot_head_losses(history)
    assert isinstance(figure, Figure) and len(figure.axes[0].lines) == 3
    with pytest.raises(ValueError, match="per-head losses"):
        multidigit.plot_head_losses({"loss": [1.0]})
    images = np.zeros((4, 32, 128), np.uint8)
    figure = multidigit.show_sequences(images, LABELS)
    assert [ax.get_title() for ax in figure.axes] == ["12", "345", "6", "78901"]
    figure = multidigit.show_readings(images, LABELS, PREDICTED, confidences=[0.9, 0.5, 0.99, 0.2])
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[0] == "read 12 (90%)" and titles[1] == "read 346 (50%), was 345"
    assert figure.axes[1].title.get_color() == "red" and "2 of 4" in figure._suptitle.get_text()
    ax = multidigit.plot_coverage({"product": multidigit.coverage_curve([0.9, 0.8, 0.1], [True, True, False])[:2]})
    assert ax.get_xlabel().startswith("coverage")
    plt.close("all")
