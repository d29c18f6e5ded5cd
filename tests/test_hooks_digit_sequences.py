"""Every digit-sequences hook against the notebook's reference solution and at least two wrong answers.

The reference functions are taken from the source notebook's solution cells
(``tests.notebook_reference``), so the hooks are proven against the very code
the autograder's reference runs.
"""

from __future__ import annotations

import numpy as np
import pytest

import problem_unittests.digit_sequences as hooks
from tests.conftest import REPO
from tests.notebook_reference import fails, passes, reference_namespace

NOTEBOOK = REPO / "notebooks" / "05_digit_sequences" / "digit_sequences.ipynb"
SOLUTION_CELLS = ("imports", "sequence_labels", "metrics", "head_targets", "trunk_size", "build_model",
                  "sequence_confidence", "coverage", "decode_with_length", "save_and_reload")
BLANK = 10


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)



# --- sequence_labels ---------------------------------------------------------------------------------------------

def test_sequence_labels(reference, capsys):
    passes(hooks.test_sequence_labels, reference["sequence_labels"], capsys, "sequence_labels")

    def padded_with_zeros(digit_lists, max_digits=5):
        return np.array([list(d) + [0] * (max_digits - len(d)) for d in digit_lists])

    def blanks_first(digit_lists, max_digits=5):
        return np.array([[BLANK] * (max_digits - len(d)) + list(d) for d in digit_lists])

    def always_five(digit_lists, max_digits=5):
        return np.array([list(d) + [BLANK] * (5 - len(d)) for d in digit_lists])

    def never_refuses(digit_lists, max_digits=5):
        return np.array([(list(d) + [BLANK] * max_digits)[:max_digits] for d in digit_lists])

    def mutates(digit_lists, max_digits=5):
        for d in digit_lists:
            d.extend([BLANK] * (max_digits - len(d)))
        return np.array(digit_lists)

    fails(hooks.test_sequence_labels, lambda digit_lists, max_digits=5: None, "returned None")
    fails(hooks.test_sequence_labels, padded_with_zeros, "not 0: 0 is a digit")
    fails(hooks.test_sequence_labels, blanks_first, "wrong end")
    fails(hooks.test_sequence_labels, always_five, "use max_digits")
    fails(hooks.test_sequence_labels, never_refuses, "raise ValueError")
    fails(hooks.test_sequence_labels, mutates, "changed the lists")
    fails(hooks.test_sequence_labels, lambda digit_lists, max_digits=5: [[7, 2, 10, 10, 10]], "numpy array")


# --- metrics -----------------------------------------------------------------------------------------------------

def test_per_digit_accuracy(reference, capsys):
    passes(hooks.test_per_digit_accuracy, reference["per_digit_accuracy"], capsys, "per_digit_accuracy")

    def whole_instead(labels, predicted):
        return float(np.mean(np.all(labels == predicted, axis=1)))

    def digits_only(labels, predicted):
        digits = labels != BLANK
        return float((labels == predicted)[digits].mean())

    def per_position(labels, predicted):
        return (labels == predicted).mean(axis=0)

    fails(hooks.test_per_digit_accuracy, whole_instead, "whole-sequence accuracy")
    fails(hooks.test_per_digit_accuracy, digits_only, "blanks included")
    fails(hooks.test_per_digit_accuracy, per_position, "one number")
    fails(hooks.test_per_digit_accuracy, lambda labels, predicted: None, "returned None")


def test_whole_sequence_accuracy(reference, capsys):
    passes(hooks.test_whole_sequence_accuracy, reference["whole_sequence_accuracy"], capsys,
           "whole_sequence_accuracy")

    def counts_digit_hits(labels, predicted):
        return float(np.mean(labels == predicted))

    def any_position(labels, predicted):
        return float(np.mean(np.any(labels == predicted, axis=1)))

    def hits_over_rows(labels, predicted):  # right positions divided by the number of sequences
        return float((labels == predicted).sum() / len(labels) / 10)

    fails(hooks.test_whole_sequence_accuracy, counts_digit_hits, "you count per-digit hits")
    fails(hooks.test_whole_sequence_accuracy, any_position, "not if any of them is")
    fails(hooks.test_whole_sequence_accuracy, hits_over_rows, "expected 0.5")


# --- head_targets ------------------------------------------------------------------------------------------------

def test_head_targets(reference, capsys):
    passes(hooks.test_head_targets, reference["head_targets"], capsys, "head_targets")

    def zero_based(labels):
        result = {f"digit_{k}": labels[:, k] for k in range(labels.shape[1])}
        result["length"] = (labels != BLANK).sum(axis=1)
        return result

    def shifted(labels):
        result = {f"digit_{k + 1}": labels[:, min(k + 1, labels.shape[1] - 1)] for k in range(labels.shape[1])}
        result["length"] = (labels != BLANK).sum(axis=1)
        return result

    def length_counts_blanks(labels):
        result = {f"digit_{k + 1}": labels[:, k] for k in range(labels.shape[1])}
        result["length"] = (labels == BLANK).sum(axis=1)
        return result

    def always_five(labels):
        result = {f"digit_{k + 1}": labels[:, min(k, labels.shape[1] - 1)] for k in range(5)}
        result["length"] = (labels != BLANK).sum(axis=1)
        return result

    fails(hooks.test_head_targets, zero_based, "head names")
    fails(hooks.test_head_targets, shifted, "first position")
    fails(hooks.test_head_targets, length_counts_blanks, "length counts the positions")
    fails(hooks.test_head_targets, always_five, "take the number of positions")
    fails(hooks.test_head_targets, lambda labels: [labels[:, k] for k in range(5)], "should return a dict")


# --- confidence and coverage -------------------------------------------------------------------------------------

def test_sequence_confidence(reference, capsys):
    passes(hooks.test_sequence_confidence, reference["sequence_confidence"], capsys, "sequence_confidence")

    def with_length(probabilities):
        return np.prod([p.max(axis=1) for p in probabilities.values()], axis=0)

    def mean_of_tops(probabilities):
        return np.mean([p.max(axis=1) for name, p in probabilities.items() if name.startswith("digit_")], axis=0)

    def first_head_only(probabilities):
        return probabilities["digit_1"].max(axis=1)

    fails(hooks.test_sequence_confidence, with_length, "digit heads only")
    fails(hooks.test_sequence_confidence, mean_of_tops, "do not average")
    fails(hooks.test_sequence_confidence, first_head_only, "product of each digit head")
    fails(hooks.test_sequence_confidence, lambda probabilities: None, "returned None")


def test_coverage_at_accuracy(reference, capsys):
    passes(hooks.test_coverage_at_accuracy, reference["coverage_at_accuracy"], capsys, "coverage_at_accuracy")

    def ascending(confidences, correct, target=0.98):
        order = np.argsort(confidences)
        accuracy = np.cumsum(np.asarray(correct)[order]) / np.arange(1, len(order) + 1)
        reached = np.flatnonzero(accuracy >= target)
        return float((reached.max() + 1) / len(order)) if reached.size else 0.0

    def returns_accuracy(confidences, correct, target=0.98):
        order = np.argsort(-np.asarray(confidences))
        accuracy = np.cumsum(np.asarray(correct)[order]) / np.arange(1, len(order) + 1)
        reached = np.flatnonzero(accuracy >= target)
        return float(accuracy[reached.max()]) if reached.size else 0.0

    def first_crossing(confidences, correct, target=0.98):
        order = np.argsort(-np.asarray(confidences))
        accuracy = np.cumsum(np.asarray(correct)[order]) / np.arange(1, len(order) + 1)
        below = np.flatnonzero(accuracy < target)
        return float((below[0] if below.size else len(order)) / len(order))

    def sorts_in_place(confidences, correct, target=0.98):
        order = np.argsort(-confidences)
        confidences[:] = confidences[order]
        correct[:] = correct[order]
        accuracy = np.cumsum(correct) / np.arange(1, len(order) + 1)
        reached = np.flatnonzero(accuracy >= target)
        return float((reached.max() + 1) / len(order)) if reached.size else 0.0

    def no_zero(confidences, correct, target=0.98):
        order = np.argsort(-np.asarray(confidences))
        accuracy = np.cumsum(np.asarray(correct)[order]) / np.arange(1, len(order) + 1)
        reached = np.flatnonzero(accuracy >= target)
        return float((reached.max() + 1) / len(order)) if reached.size else float("nan")

    fails(hooks.test_coverage_at_accuracy, ascending, "highest first")
    fails(hooks.test_coverage_at_accuracy, returns_accuracy, "return the coverage")
    fails(hooks.test_coverage_at_accuracy, first_crossing, "not the point where it first falls")
    fails(hooks.test_coverage_at_accuracy, sorts_in_place, "changed its inputs")
    fails(hooks.test_coverage_at_accuracy, no_zero, "return 0.0")


# --- the model ---------------------------------------------------------------------------------------------------

def test_build_model(reference, capsys):
    import keras
    from keras import layers

    passes(hooks.test_build_model, reference["build_model"], capsys, "build_model")

    def heads(features, max_digits, length_classes=None, activation="softmax"):
        outputs = {f"digit_{k}": layers.Dense(11, activation=activation, name=f"digit_{k}")(features)
                   for k in range(1, max_digits + 1)}
        outputs["length"] = layers.Dense(length_classes or max_digits + 1, activation="softmax",
                                         name="length")(features)
        return outputs

    def trunk(inputs):
        x = layers.Conv2D(4, 3, activation="relu")(inputs)
        x = layers.MaxPooling2D(4)(x)
        return layers.Flatten()(x)

    def compiled(inputs, outputs):
        model = keras.Model(inputs, outputs)
        model.compile("adam", loss={name: "sparse_categorical_crossentropy" for name in outputs})
        return model

    def unnamed(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        features = trunk(inputs)
        outputs = [layers.Dense(11, activation="softmax")(features) for _ in range(max_digits)]
        return compiled(inputs, outputs + [layers.Dense(max_digits + 1, activation="softmax")(features)])

    def wrong_length_classes(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        return compiled(inputs, heads(trunk(inputs), max_digits, length_classes=max_digits))

    def no_softmax(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        return compiled(inputs, heads(trunk(inputs), max_digits, activation=None))

    def separate_trunks(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        outputs = {f"digit_{k}": layers.Dense(11, activation="softmax", name=f"digit_{k}")(trunk(inputs))
                   for k in range(1, max_digits + 1)}
        outputs["length"] = layers.Dense(max_digits + 1, activation="softmax", name="length")(trunk(inputs))
        return compiled(inputs, outputs)

    def dense_only(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        return compiled(inputs, heads(layers.Flatten()(inputs), max_digits))

    def not_compiled(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, heads(trunk(inputs), max_digits))

    def fixed_five(input_shape, max_digits=5):
        inputs = keras.Input(input_shape)
        return compiled(inputs, heads(trunk(inputs), 5))

    fails(hooks.test_build_model, unnamed, "outputs should be named")
    fails(hooks.test_build_model, fixed_five, "outputs should be named")
    fails(hooks.test_build_model, wrong_length_classes, "one class per length")
    fails(hooks.test_build_model, no_softmax, "should end in a softmax")
    fails(hooks.test_build_model, separate_trunks, "share one convolutional trunk")
    fails(hooks.test_build_model, dense_only, "no Conv2D layer")
    fails(hooks.test_build_model, not_compiled, "compile the model")
    fails(hooks.test_build_model, lambda input_shape, max_digits=5: None, "returned None")


def test_build_model_accepts_a_nested_trunk(capsys):
    """A trunk built as a Sequential model inside the functional one is a shared trunk too."""
    import keras
    from keras import layers

    def nested(input_shape, max_digits=5):
        trunk = keras.Sequential([layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(4), layers.Flatten()])
        inputs = keras.Input(input_shape)
        features = trunk(inputs)
        outputs = {f"digit_{k}": layers.Dense(11, activation="softmax", name=f"digit_{k}")(features)
                   for k in range(1, max_digits + 1)}
        outputs["length"] = layers.Dense(max_digits + 1, activation="softmax", name="length")(features)
        model = keras.Model(inputs, outputs)
        model.compile("adam", loss="sparse_categorical_crossentropy")
        return model

    passes(hooks.test_build_model, nested, capsys, "build_model")


def test_save_and_reload(reference, capsys, tmp_path):
    import keras

    passes(hooks.test_save_and_reload, reference["save_and_reload"], capsys, "save_and_reload")

    def not_saved(model, path):
        return model

    def same_model(model, path):
        model.save(path)
        return model

    def weights_only(model, path):
        model.save_weights(str(path).replace(".keras", ".weights.h5"))
        with open(path, "wb") as file:
            file.write(b"weights elsewhere")
        return keras.models.clone_model(model)

    def fresh_model(model, path):
        model.save(path)
        return keras.models.clone_model(model)  # same architecture, new random weights

    fails(hooks.test_save_and_reload, not_saved, "nothing was saved")
    fails(hooks.test_save_and_reload, same_model, "not the model you saved")
    fails(hooks.test_save_and_reload, weights_only, "Keras format")
    fails(hooks.test_save_and_reload, fresh_model, "predicts differently")
    fails(hooks.test_save_and_reload, lambda model, path: model.save(path), "returned None")


def test_same_predictions(reference, capsys, tmp_path):
    import keras

    from course_lib.digit_sequences import multidigit

    keras.utils.set_random_seed(2)
    model = multidigit.build_model((16, 32, 1), filters=(4,), dense=8, max_digits=2)
    images = np.random.default_rng(0).integers(0, 256, (5, 16, 32)).astype(np.uint8)
    reloaded = reference["save_and_reload"](model, str(tmp_path / "m.keras"))
    hooks.test_same_predictions(model, reloaded, images)
    assert "Public tests passed: the reloaded model reads like the trained one." in capsys.readouterr().out
    other = keras.models.clone_model(model)
    with pytest.raises(AssertionError, match="differs from the trained model"):
        hooks.test_same_predictions(model, other, images)


# --- decode_with_length ------------------------------------------------------------------------------------------

def _decoder(*, length_head=True, digits_only=True, blanks_after=True, log=True):
    """A decoder with one of the reference's parts left out."""
    def decode(probabilities):
        heads = sorted((n for n in probabilities if n.startswith("digit_")), key=lambda n: int(n[6:]))
        logs = np.log(np.clip(np.stack([np.asarray(probabilities[n], float) for n in heads], axis=1), 1e-12, None))
        classes = logs[:, :, :BLANK] if digits_only else logs
        digits, best, blank = classes.argmax(axis=2), classes.max(axis=2), logs[:, :, BLANK]
        count, positions = logs.shape[:2]
        before = np.concatenate([np.zeros((count, 1)), np.cumsum(best, axis=1)], axis=1)
        after = np.concatenate([np.cumsum(blank[:, ::-1], axis=1)[:, ::-1], np.zeros((count, 1))], axis=1)
        scores = before + (after if blanks_after else 0)
        if length_head:
            scores = scores + np.log(np.clip(np.asarray(probabilities["length"], float), 1e-12, None))
        chosen = scores.argmax(axis=1)
        labels = np.where(np.arange(positions) < chosen[:, None], digits, BLANK)
        value = scores.max(axis=1)
        return labels, (value if log else np.exp(value))
    return decode


def test_decode_with_length(reference, capsys):
    from course_lib.digit_sequences import multidigit

    passes(hooks.test_decode_with_length, reference["decode_with_length"], capsys, "decode_with_length")

    def per_position_argmax(probabilities):
        readings = multidigit.readings_from(probabilities)
        return readings.labels, np.log(readings.confidence)

    fails(hooks.test_decode_with_length, lambda p: None, "returned None")
    fails(hooks.test_decode_with_length, lambda p: _decoder()(p)[0], "should return a tuple")
    fails(hooks.test_decode_with_length, per_position_argmax, "a digit after a BLANK")
    fails(hooks.test_decode_with_length, _decoder(length_head=False), "add log P\\(length\\)")
    fails(hooks.test_decode_with_length, _decoder(digits_only=False), "digit after a BLANK")  # within L, BLANK
    fails(hooks.test_decode_with_length, _decoder(log=False), "not the probability")
    fails(hooks.test_decode_with_length, _decoder(blanks_after=False), "log P\\(BLANK\\) at every position")
