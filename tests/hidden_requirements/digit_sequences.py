"""Assignment 5's hidden requirements, each with a wrong answer that the public hook rejects (see __init__)."""

from __future__ import annotations

import numpy as np

from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong, in_fast_mode
from tests.notebook_reference import reference_namespace

NOTEBOOK = REPO / "notebooks" / "05_digit_sequences" / "digit_sequences.ipynb"
CELLS = ("imports", "parameters", "sizes", "digits", "making", "splits", "sequence_labels", "metrics", "head_targets",
         "trunk_size", "build_model", "sequence_confidence", "coverage", "decode_with_length", "save_and_reload")
BLANK = 10


@in_fast_mode
def context() -> dict:
    """The notebook's data and reference functions; an untrained reference model stands in for the trained one."""
    import keras

    from course_lib.digit_sequences import multidigit

    namespace = reference_namespace(NOTEBOOK, CELLS)
    keras.utils.set_random_seed(0)
    namespace["model"] = namespace["build_model"](namespace["INPUT_SHAPE"], max_digits=namespace["MAX_DIGITS"])
    namespace["readings"] = multidigit.read(namespace["model"], namespace["test"].images)
    return namespace


# --- wrong answers ----------------------------------------------------------------------------------------------

def labels_five_wide(digit_lists, max_digits=5):
    labels = np.full((len(digit_lists), 5), BLANK)
    for row, digits in enumerate(digit_lists):
        labels[row, :min(len(digits), 5)] = list(digits)[:5]
    return labels


def labels_padded_with_zeros(digit_lists, max_digits=5):
    return np.array([list(digits) + [0] * (max_digits - len(digits)) for digits in digit_lists])


def per_digit_whole_sequence(labels, predicted):
    return float(np.mean(np.all(np.asarray(labels) == np.asarray(predicted), axis=1)))


def per_digit_without_blanks(labels, predicted):
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    return float(np.mean(labels[labels != BLANK] == predicted[labels != BLANK]))


def whole_sequence_per_digit(labels, predicted):
    return float(np.mean(np.asarray(labels) == np.asarray(predicted)))


def whole_sequence_any(labels, predicted):
    return float(np.mean(np.any(np.asarray(labels) == np.asarray(predicted), axis=1)))


def whole_sequence_digits_only(labels, predicted):
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    return float(np.mean(np.all((labels == predicted) | (labels == BLANK), axis=1)))


def targets_zero_based(labels):
    labels = np.asarray(labels)
    result = {f"digit_{k}": labels[:, k] for k in range(labels.shape[1])}
    result["length"] = (labels != BLANK).sum(axis=1)
    return result


def targets_shifted(labels):
    labels = np.asarray(labels)
    result = {f"digit_{k + 1}": labels[:, (k + 1) % labels.shape[1]] for k in range(labels.shape[1])}
    result["length"] = (labels != BLANK).sum(axis=1)
    return result


def targets_length_to_first_blank(labels):
    labels = np.asarray(labels)
    result = {f"digit_{k + 1}": labels[:, k] for k in range(labels.shape[1])}
    blank = labels == BLANK
    result["length"] = np.where(blank.any(axis=1), blank.argmax(axis=1), labels.shape[1])
    return result


def model_five_heads(input_shape, max_digits=5):
    from course_lib.digit_sequences import multidigit

    return multidigit.build_model(input_shape, filters=(8, 16), dense=32, max_digits=5)


def model_that_never_learns(input_shape, max_digits=5):
    from course_lib.digit_sequences import multidigit

    return multidigit.build_model(input_shape, filters=(8, 16), dense=32, max_digits=max_digits, batch_norm=False,
                                  dropout=0.0, learning_rate=0.0)  # no dropout or batch noise: the loss stays put


def confidence_with_length(probabilities):
    return np.prod([np.asarray(values).max(axis=1) for values in probabilities.values()], axis=0)


def coverage_is_accuracy(confidences, correct, target=0.98):
    order = np.argsort(-np.asarray(confidences, dtype=float))
    accuracy = np.cumsum(np.asarray(correct)[order]) / np.arange(1, len(order) + 1)
    reached = np.flatnonzero(accuracy >= target)
    return float(accuracy[reached.max()]) if reached.size else 0.0


def coverage_splits_ties(confidences, correct, target=0.98):
    order = np.argsort(-np.asarray(confidences, dtype=float), kind="stable")
    kept = np.arange(1, len(order) + 1)
    reached = kept[np.cumsum(np.asarray(correct, dtype=bool)[order]) / kept >= target]
    return float(reached.max() / len(order)) if reached.size else 0.0


def decoded_per_position(probabilities):
    from course_lib.digit_sequences import multidigit

    readings = multidigit.readings_from(probabilities)
    return readings.labels, np.log(readings.confidence)


def decoder_returning_probabilities(namespace: dict) -> dict:
    reference = namespace["decode_with_length"]

    def decode(probabilities):
        labels, log_probability = reference(probabilities)
        return labels, np.exp(log_probability)

    return {"decode_with_length": decode}


def saves_elsewhere(model, path):
    import os
    import tempfile

    import keras

    elsewhere = os.path.join(tempfile.mkdtemp(), "elsewhere.keras")
    model.save(elsewhere)
    return keras.models.load_model(elsewhere)


def saves_then_returns_a_new_model(model, path):
    import keras

    model.save(path)
    return keras.models.clone_model(model)


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("sequence_labels_tests", "shape == (50, 6)", {"sequence_labels": labels_five_wide}, "use max_digits"),
    Wrong("sequence_labels_tests", "sequence_labels_of(_lists", {"sequence_labels": labels_padded_with_zeros},
          "not 0: 0 is a digit"),
    Wrong("per_digit_tests", "multidigit.per_digit_accuracy(_labels, _predicted)",
          {"per_digit_accuracy": per_digit_whole_sequence}, "the whole-sequence accuracy"),
    Wrong("per_digit_tests", "multidigit.per_digit_accuracy(_labels, _predicted)",
          {"per_digit_accuracy": per_digit_without_blanks}, "blanks included"),
    Wrong("whole_sequence_tests", "multidigit.whole_sequence_accuracy(_labels, _predicted)",
          {"whole_sequence_accuracy": whole_sequence_per_digit}, "per-digit hits"),
    Wrong("whole_sequence_tests", "multidigit.whole_sequence_accuracy(_labels, _predicted)",
          {"whole_sequence_accuracy": whole_sequence_any}, "not if any of them"),
    Wrong("whole_sequence_tests", "multidigit.whole_sequence_accuracy(_labels, _predicted)",
          {"whole_sequence_accuracy": whole_sequence_digits_only}, "BLANK position"),
    Wrong("head_targets_tests", "sorted(_targets) == sorted(_expected)", {"head_targets": targets_zero_based},
          "the head names"),
    Wrong("head_targets_tests", "np.array_equal(_targets[_name]", {"head_targets": targets_shifted},
          "digit_1 is the first position"),
    Wrong("head_targets_tests", '["length"].tolist() == [2]', {"head_targets": targets_length_to_first_blank},
          "wherever"),
    Wrong("build_model_tests", "sorted(_model.output_names)", {"build_model": model_five_heads},
          "with max_digits=3"),
    Wrong("build_model_tests", '_losses["loss"][-1] < 0.8', {"build_model": model_that_never_learns},
          "learning rate is 0"),
    Wrong("sequence_confidence_tests", "readings.confidence", {"sequence_confidence": confidence_with_length},
          "digit heads only"),
    Wrong("coverage_tests", "multidigit.coverage_at_accuracy(_confidences", {"coverage_at_accuracy":
          coverage_is_accuracy}, "the accuracy of the kept readings"),
    Wrong("coverage_tests", "0.75), 0.0", {"coverage_at_accuracy": coverage_splits_ties}, "same confidence"),
    Wrong("decode_with_length_tests", "np.array_equal(np.asarray(_labels), _expected)",
          {"decode_with_length": decoded_per_position}, "digit after a BLANK"),
    Wrong("decode_with_length_tests", "np.allclose(np.asarray(_log), _best", decoder_returning_probabilities,
          "not the probability"),
    Wrong("save_and_reload_tests", "os.path.isfile(_path)", {"save_and_reload": saves_elsewhere},
          "nothing was saved at the path given"),
    Wrong("save_and_reload_tests", "_before.labels, _after.labels", {"save_and_reload": saves_then_returns_a_new_model},
          "predicts differently"),
], needs_none={
    ("sequence_labels_tests", "[[0, 0, 0, 0, 0]]"): "0 is a digit, never a blank: the random lists of the assertion "
                                                    "before hold zeros everywhere, so a wrong answer breaks that first",
    ("sequence_labels_tests", "max_digits=1"): "max_digits sets the width: the 6-wide assertion breaks first",
    ("per_digit_tests", "_labels, _labels), 1.0"): "perfect predictions: a special case of the random assertion",
    ("whole_sequence_tests", "_blank_wrong) == 0.0"): "every position counts: the random assertion's errors reach "
                                                      "blank positions too, so a wrong answer breaks that first",
    ("sequence_confidence_tests", "_sure), 1.0"): "certain heads: a special case of the assertion before",
    ("coverage_tests", "0.6), 1.0"): "everything kept: a special case of the random targets",
    ("coverage_tests", "0.5), 1.0"): "everything kept: a special case of the random targets",
    ("build_model_tests", '_losses[f"{_name}_loss"][-1]'): "every head learns: a model that does not learn breaks "
                                                           "the summed loss first",
    ("save_and_reload_tests", "_before.confidence, _after.confidence"): "the same model reads the same: a "
                                                                         "different one breaks the labels first",
})
