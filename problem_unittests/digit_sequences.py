"""Public tests for assignment 5 (reading sequences of digits). Call each right under your function:

    import problem_unittests.digit_sequences as tests
    tests.test_sequence_labels(sequence_labels)

They run your function on small fixed inputs and say what to look at when
something is off. Passing them is a good sign, not a grade: the autograder's
hidden tests use data you have not seen.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import numpy as np

from problem_unittests.checks import PublicTestFailure, check, check_array, passed, public_hooks

BLANK = 10

# Four sequences and a reading of them: 18 of the 20 positions are right, 2 of the 4 sequences.
LABELS = np.array([[1, 2, 10, 10, 10],
                   [3, 4, 5, 10, 10],
                   [6, 10, 10, 10, 10],
                   [7, 8, 9, 0, 1]])
PREDICTED = np.array([[1, 2, 10, 10, 10],
                      [3, 4, 6, 10, 10],
                      [6, 10, 10, 10, 10],
                      [7, 8, 9, 0, 2]])


def _number(value, name: str) -> float:
    check(value is not None, f"{name} returned None: did you forget a `return`?")
    check(np.ndim(value) == 0, f"{name} should return one number, got an array of shape {np.shape(value)}")
    check(isinstance(value, (int, float, np.integer, np.floating)),
          f"{name} should return a number, got {type(value).__name__}")
    return float(value)


def _heads(max_digits: int) -> list[str]:
    return [f"digit_{position}" for position in range(1, max_digits + 1)] + ["length"]


# --- labels ------------------------------------------------------------------------------------------------------

def test_sequence_labels(sequence_labels) -> None:
    digits = [[7, 2], [1, 2, 3, 4, 5], [0]]
    copy = [list(row) for row in digits]
    result = check_array(sequence_labels(digits), name="sequence_labels", shape=(3, 5), dtype_kind="iu")
    check(digits == copy, "sequence_labels changed the lists it was given: build a new array instead")
    expected = np.array([[7, 2, 10, 10, 10], [1, 2, 3, 4, 5], [0, 10, 10, 10, 10]])
    check(not (result[0, :3] == BLANK).all(),
          f"the blanks are at the wrong end: they go after the last digit, [7, 2] -> [7, 2, 10, 10, 10]; "
          f"got {result[0].tolist()}")
    check(not (result[0, 2:] == 0).all(),
          f"fill the empty positions with 10 (BLANK), not 0: 0 is a digit; [7, 2] gave {result[0].tolist()}")
    check(np.array_equal(result, expected),
          f"expected {expected.tolist()} for {copy}, got {result.tolist()}")
    short = check_array(sequence_labels([[4, 1]], max_digits=3), name="sequence_labels", dtype_kind="iu")
    check(short.shape == (1, 3) and short.tolist() == [[4, 1, 10]],
          f"with max_digits=3, [[4, 1]] should give [[4, 1, 10]], got {short.tolist()}: "
          "use max_digits for the number of positions")
    try:
        sequence_labels([[1, 2, 3, 4, 5, 6]])
    except ValueError:
        pass
    else:
        check(False, "a sequence of 6 digits does not fit 5 positions: raise ValueError")
    passed("sequence_labels")


def test_head_targets(head_targets) -> None:
    result = head_targets(LABELS.copy())
    check(result is not None, "head_targets returned None: did you forget a `return`?")
    check(isinstance(result, dict), f"head_targets should return a dict {{head name: targets}}, "
                                    f"got {type(result).__name__}")
    check(sorted(result) == sorted(_heads(5)),
          f"the keys should be the head names digit_1 ... digit_5 and length, got {sorted(result)}")
    for name in _heads(5):
        check_array(np.asarray(result[name]), name=f"head_targets(...)[{name!r}]", shape=(4,), dtype_kind="iu")
    check(np.array_equal(result["digit_1"], LABELS[:, 0]),
          f"digit_1 is the first position (column 0 of the labels): expected {LABELS[:, 0].tolist()}, "
          f"got {np.asarray(result['digit_1']).tolist()}")
    check(all(np.array_equal(result[f"digit_{k + 1}"], LABELS[:, k]) for k in range(5)),
          "digit_k should hold column k - 1 of the labels, blanks included")
    check(np.array_equal(result["length"], [2, 3, 1, 5]),
          f"length counts the positions that are not BLANK (10): expected [2, 3, 1, 5], "
          f"got {np.asarray(result['length']).tolist()}")
    middle = head_targets(np.array([[1, 10, 3, 10, 10]]))
    check(np.asarray(middle["length"]).tolist() == [2],
          f"length counts the positions that are not BLANK, wherever they are: [1, 10, 3, 10, 10] has length 2, "
          f"got {np.asarray(middle['length']).tolist()}")
    three = head_targets(np.array([[5, 10, 10], [1, 2, 3]]))
    check(sorted(three) == sorted(_heads(3)),
          f"labels with 3 positions need the heads digit_1 ... digit_3 and length, got {sorted(three)}: "
          "take the number of positions from the labels' shape")
    passed("head_targets")


# --- measuring ---------------------------------------------------------------------------------------------------

def test_per_digit_accuracy(per_digit_accuracy) -> None:
    labels, predicted = LABELS.copy(), PREDICTED.copy()
    value = _number(per_digit_accuracy(labels, predicted), "per_digit_accuracy")
    check(np.array_equal(labels, LABELS) and np.array_equal(predicted, PREDICTED),
          "per_digit_accuracy changed its inputs")
    check(not np.isclose(value, 0.5),
          "got 0.5, the whole-sequence accuracy: per-digit accuracy counts each position on its own")
    check(not np.isclose(value, 9 / 11),
          f"got {value:.3f}: count every position, blanks included (as the seed does): 18 of the 20 positions "
          "match, expected 0.9")
    check(np.isclose(value, 0.9), f"18 of the 20 positions match: expected 0.9, got {value:.4f}")
    other = _number(per_digit_accuracy(LABELS[1:2], PREDICTED[1:2]), "per_digit_accuracy")
    check(np.isclose(other, 0.8), f"one sequence with 4 of 5 positions right: expected 0.8, got {other:.4f}")
    passed("per_digit_accuracy")


def test_whole_sequence_accuracy(whole_sequence_accuracy) -> None:
    labels, predicted = LABELS.copy(), PREDICTED.copy()
    value = _number(whole_sequence_accuracy(labels, predicted), "whole_sequence_accuracy")
    check(np.array_equal(labels, LABELS) and np.array_equal(predicted, PREDICTED),
          "whole_sequence_accuracy changed its inputs")
    check(not np.isclose(value, 0.9),
          "got 0.9: you count per-digit hits. A sequence counts only if all five positions are right")
    check(not np.isclose(value, 1.0),
          "got 1.0: a sequence counts only if *all* its positions are right, not if any of them is")
    check(np.isclose(value, 0.5), f"2 of the 4 sequences are read right at every position: expected 0.5, "
                                  f"got {value:.4f}")
    check(np.isclose(_number(whole_sequence_accuracy(LABELS[:1], PREDICTED[:1]), "whole_sequence_accuracy"), 1.0),
          "one sequence read right should give 1.0")
    blank_misread = np.array([[1, 2, 4, 10, 10]])  # LABELS[0] is [1, 2, 10, 10, 10]
    check(np.isclose(_number(whole_sequence_accuracy(LABELS[:1], blank_misread), "whole_sequence_accuracy"), 0.0),
          "[1, 2, 10, 10, 10] read as [1, 2, 4, 10, 10] is a wrong number: a BLANK position read as a digit "
          "counts as a mistake too, so compare every position, blanks included")
    passed("whole_sequence_accuracy")


# --- confidence and coverage -------------------------------------------------------------------------------------

def _probabilities(max_digits: int = 3, count: int = 4, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    result = {}
    for name in _heads(max_digits):
        classes = max_digits + 1 if name == "length" else 11
        logits = rng.normal(size=(count, classes)) * 2
        result[name] = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)).astype(np.float32)
    return result


def test_sequence_confidence(sequence_confidence) -> None:
    probabilities = _probabilities()
    copies = {name: value.copy() for name, value in probabilities.items()}
    result = sequence_confidence(probabilities)
    result = check_array(None if result is None else np.asarray(result), name="sequence_confidence", shape=(4,),
                         dtype_kind="f")
    check(all(np.array_equal(probabilities[name], copies[name]) for name in copies),
          "sequence_confidence changed the probabilities it was given")
    tops = np.stack([probabilities[f"digit_{k}"].max(axis=1) for k in (1, 2, 3)])
    expected = tops.prod(axis=0)
    with_length = expected * probabilities["length"].max(axis=1)
    check(not np.allclose(result, with_length),
          "use the digit heads only (digit_1, digit_2, ...): the length head has a confidence of its own")
    check(not np.allclose(result, tops.mean(axis=0)),
          "multiply the top probabilities of the heads, do not average them")
    check(np.all((result >= 0) & (result <= 1)), "a confidence is a probability: between 0 and 1")
    check(np.allclose(result, expected, rtol=1e-5),
          f"expected the product of each digit head's highest probability, {np.round(expected, 4).tolist()}; "
          f"got {np.round(result, 4).tolist()}")
    passed("sequence_confidence")


def test_coverage_at_accuracy(coverage_at_accuracy) -> None:
    confidences = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    correct = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0, 0], dtype=bool)
    order = np.random.default_rng(3).permutation(10)  # not sorted: sorting is your job
    confidences, correct = confidences[order], correct[order]
    kept = (confidences.copy(), correct.copy())
    value = _number(coverage_at_accuracy(confidences, correct, 0.8), "coverage_at_accuracy")
    check(np.array_equal(confidences, kept[0]) and np.array_equal(correct, kept[1]),
          "coverage_at_accuracy changed its inputs: sort a copy (or use np.argsort)")
    check(not np.isclose(value, 0.875),
          "got 0.875, the accuracy of the kept readings: return the coverage, the fraction of readings kept")
    check(value > 0.0, "got 0.0: keep the most confident readings first (sort by confidence, highest first)")
    check(not np.isclose(value, 0.3),
          "got 0.3: the accuracy of the kept readings does not fall steadily as you keep more; take the largest "
          "coverage whose accuracy reaches the target, not the point where it first falls below it")
    check(np.isclose(value, 0.8),
          f"keeping the 8 most confident of 10 readings gives 7 right (0.875 >= 0.8), 9 gives 7 right "
          f"(0.78): expected 0.8, got {value:.4f}")
    check(np.isclose(_number(coverage_at_accuracy(confidences, correct, 1.0), "coverage_at_accuracy"), 0.3),
          "at target 1.0, only the 3 most confident readings are all right: expected 0.3")
    check(np.isclose(_number(coverage_at_accuracy(list(confidences), list(correct), 0.7), "coverage_at_accuracy"),
                     1.0), "at target 0.7 every reading can be kept (7 of 10 right): expected 1.0")
    none = _number(coverage_at_accuracy(np.array([0.9, 0.5]), np.array([False, False]), 0.98),
                   "coverage_at_accuracy")
    check(np.isclose(none, 0.0), f"when no threshold reaches the target, return 0.0; got {none}")
    tied = _number(coverage_at_accuracy(np.array([0.9, 0.9, 0.5]), np.array([True, False, True]), 0.75),
                   "coverage_at_accuracy")
    check(np.isclose(tied, 0.0),
          f"readings with the same confidence are kept or rejected together: two readings at 0.9, one right and "
          f"one wrong, are 50% right, so no threshold reaches 0.75 and the coverage is 0.0; got {tied}")
    passed("coverage_at_accuracy")


# --- reading with the length head --------------------------------------------------------------------------------

def _best_reading(probabilities: dict) -> tuple[np.ndarray, np.ndarray]:
    """By brute force: for each row, the valid reading (L digits 0-9, then BLANKs) of highest probability,
    P(L) * P_1(d_1) ... P_L(d_L) * P_L+1(BLANK) ... P_D(BLANK); (labels (N, D), log-probabilities (N,))."""
    import itertools

    heads = sorted((name for name in probabilities if name.startswith("digit_")), key=lambda n: int(n[6:]))
    logs = np.log(np.clip(np.stack([np.asarray(probabilities[name], np.float64) for name in heads], axis=1), 1e-12,
                          None))  # (N, D, 11)
    length = np.log(np.clip(np.asarray(probabilities["length"], np.float64), 1e-12, None))
    count, positions = logs.shape[:2]
    best_labels, best = np.full((count, positions), BLANK, np.int64), np.full(count, -np.inf)
    for size in range(positions + 1):
        for digits in itertools.product(range(10), repeat=size):
            reading = np.array(list(digits) + [BLANK] * (positions - size))
            score = length[:, size] + logs[:, np.arange(positions), reading].sum(axis=1)
            better = score > best
            best[better], best_labels[better] = score[better], reading
    return best_labels, best


def _three_positions() -> dict:
    """Head probabilities of 4 readings of 3 positions, made so that the per-position argmax goes wrong."""
    def rows(*values):
        table = np.full((len(values), 11), 0.005)
        for row, chosen in enumerate(values):
            for cls, probability in chosen.items():
                table[row, cls] = probability
        return table / table.sum(axis=1, keepdims=True)

    return {
        # 0: the argmax reads "1 BLANK 3", the whole number "1"; 1: the length head is sure of 2 digits, the third
        # head prefers a 7 to BLANK a little; 2: within the length, the second head prefers BLANK to its best
        # digit, 8; 3: a plain "4 2"
        "digit_1": rows({1: 0.9}, {5: 0.9}, {6: 0.9}, {4: 0.9}),
        "digit_2": rows({BLANK: 0.5}, {8: 0.9}, {BLANK: 0.5, 8: 0.4}, {2: 0.9}),
        "digit_3": rows({3: 0.6, BLANK: 0.3}, {7: 0.5, BLANK: 0.4}, {BLANK: 0.9}, {BLANK: 0.9}),
        "length": np.array([[0.02, 0.3, 0.3, 0.38], [0.01, 0.02, 0.95, 0.02], [0.01, 0.05, 0.9, 0.04],
                            [0.01, 0.01, 0.96, 0.02]]),
    }


def test_decode_with_length(decode_with_length) -> None:
    probabilities = _three_positions()
    copies = {name: value.copy() for name, value in probabilities.items()}
    result = decode_with_length(probabilities)
    check(result is not None, "decode_with_length returned None: did you forget a `return`?")
    check(isinstance(result, tuple) and len(result) == 2,
          f"decode_with_length should return a tuple (labels, log_probability), got {type(result).__name__}")
    labels = check_array(np.asarray(result[0]), name="decode_with_length(...)[0]", shape=(4, 3), dtype_kind="iu")
    scores = check_array(np.asarray(result[1]), name="decode_with_length(...)[1]", shape=(4,), dtype_kind="f")
    check(all(np.array_equal(probabilities[name], copies[name]) for name in copies),
          "decode_with_length changed the probabilities it was given")
    expected, best = _best_reading(probabilities)
    blank_then_digit = [(row[:-1] == BLANK) & (row[1:] != BLANK) for row in labels]
    check(not any(np.any(flags) for flags in blank_then_digit),
          f"a reading holds a digit after a BLANK ({labels.tolist()}): read L digits, then only BLANKs, for the "
          "length L you choose")
    check(not np.all((scores > 0) & (scores <= 1)),
          f"the second values are all between 0 and 1 ({np.round(scores, 4).tolist()}): return the logarithm of "
          "each reading's probability, not the probability")
    check(np.all(scores <= 1e-9),
          f"the second value should be the logarithm of each reading's probability (at most 0), got "
          f"{np.round(scores, 4).tolist()}")
    check(labels[1].tolist() == expected[1].tolist(),
          f"the length head is sure the second number has 2 digits, so it reads {expected[1].tolist()}, not "
          f"{labels[1].tolist()}: add log P(length) to each reading's score")
    check(labels[2].tolist() == expected[2].tolist(),
          f"within the length, each position holds a digit 0-9, never BLANK: the third number reads "
          f"{expected[2].tolist()}, got {labels[2].tolist()}: take each head's best digit among classes 0-9")
    check(np.array_equal(labels, expected),
          f"expected the readings {expected.tolist()}, got {labels.tolist()}: try every length L from 0 to D "
          "and keep the most probable reading")
    check(np.allclose(scores, best, atol=1e-4),
          f"the log-probabilities should be {np.round(best, 4).tolist()}, got {np.round(scores, 4).tolist()}: "
          "log P(L) + the log-probabilities of the L digits + log P(BLANK) at every position after them")
    passed("decode_with_length")


# --- the model ---------------------------------------------------------------------------------------------------

def _outputs(model, images) -> dict:
    """{head name: probabilities} of a small batch (called directly: no compiled predict function to trace)."""
    outputs = model(images, training=False)
    if isinstance(outputs, dict):
        return {name: np.asarray(value) for name, value in outputs.items()}
    return {name: np.asarray(value) for name, value in zip(model.output_names, outputs)}


def _convolutions(model) -> list:
    """Every Conv2D layer of the model, also inside nested models (a Sequential trunk, say)."""
    import keras

    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found += _convolutions(layer)
    return found


def test_build_model(build_model) -> None:
    import keras

    shape, max_digits = (32, 96, 1), 3
    model = build_model(shape, max_digits=max_digits)
    check(model is not None, "build_model returned None: did you forget a `return`?")
    check(isinstance(model, keras.Model), f"build_model should return a keras.Model, got {type(model).__name__}")
    check(tuple(model.input_shape[1:]) == shape,
          f"the model should take images of shape {shape} (plus the batch axis), got {model.input_shape}")
    names = list(model.output_names)
    check(sorted(names) == sorted(_heads(max_digits)),
          f"with max_digits=3 the outputs should be named digit_1, digit_2, digit_3 and length (name each head's "
          f"last layer), got {names}")
    images = np.random.default_rng(0).integers(0, 256, (4, *shape)).astype(np.float32)
    outputs = _outputs(model, images)
    for name in _heads(max_digits):
        classes = max_digits + 1 if name == "length" else 11
        check(outputs[name].shape == (4, classes),
              f"{name} should give (N, {classes}) probabilities, got {outputs[name].shape}"
              + (": the length head has one class per length, 0 to max_digits" if name == "length"
                 else ": 11 classes, the digits 0-9 and BLANK"))
        check(np.all(outputs[name] >= 0) and np.allclose(outputs[name].sum(axis=1), 1, atol=1e-4),
              f"{name} should end in a softmax: its outputs are probabilities that sum to 1")
    convolutions = _convolutions(model)
    check(convolutions, "the trunk should be convolutional: the model has no Conv2D layer")
    check(_shared_convolution(model, convolutions, images, outputs),
          "the heads should share one convolutional trunk: no convolution of your model feeds every head. "
          "Build the trunk once and put every head on its output")
    targets = {name: np.zeros(4, np.int64) for name in _heads(max_digits)}
    try:
        results = model.evaluate(images, targets, return_dict=True, verbose=0)
    except Exception as error:  # not compiled, or compiled for other outputs
        raise PublicTestFailure(f"compile the model with one loss per head before returning it "
                                 f"(model.evaluate failed: {type(error).__name__}: {str(error)[:200]})") from None
    missing = [name for name in _heads(max_digits) if f"{name}_loss" not in results]
    check(not missing, f"compile the model with one loss per head: no loss for {missing}")
    _check_can_learn(model)
    passed("build_model")


def _check_can_learn(model) -> None:
    """What training needs of a compiled model: weights it may change, and a learning rate that changes them."""
    check(len(model.trainable_weights) > 0, "the model has no trainable weights: do not freeze its layers")
    rate = float(np.asarray(model.optimizer.learning_rate))
    check(0 < rate < 1, f"the optimiser's learning rate is {rate:g}: with it the training loss will not fall. "
                        "Adam with learning_rate=0.001 works well")


def _shared_convolution(model, convolutions, images, outputs) -> bool:
    """Whether zeroing some convolution's weights changes the output of every head (it feeds them all)."""
    for layer in convolutions:
        weights = layer.get_weights()
        try:
            layer.set_weights([np.zeros_like(w) for w in weights])
            changed = _outputs(model, images)
        finally:
            layer.set_weights(weights)
        if all(not np.allclose(changed[name], outputs[name], atol=1e-6) for name in outputs):
            return True
    return False


def test_save_and_reload(save_and_reload) -> None:
    import keras

    from course_lib.digit_sequences import multidigit

    keras.utils.set_random_seed(5)
    model = multidigit.build_model((16, 32, 1), filters=(4,), dense=8, max_digits=2)
    images = np.random.default_rng(1).integers(0, 256, (6, 16, 32, 1)).astype(np.float32)
    model.train_on_batch(images, {name: np.zeros(6, np.int64) for name in _heads(2)})  # a trained state to save
    before = _outputs(model, images)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "model.keras"
        loaded = save_and_reload(model, str(path))
        check(path.is_file(), f"nothing was saved at the path given ({path.name})")
        check(zipfile.is_zipfile(path), "save the whole model in the Keras format: model.save(path) with a path "
                                        "ending in .keras (not the weights alone)")
        check(loaded is not None, "save_and_reload returned None: return the model loaded back from the file")
        check(isinstance(loaded, keras.Model), f"return the loaded keras.Model, got {type(loaded).__name__}")
        check(loaded is not model, "return the model loaded back from the file, not the model you saved")
        after = _outputs(loaded, images)
        check(sorted(after) == sorted(before), f"the loaded model has other outputs: {sorted(after)}")
        check(all(np.allclose(after[name], before[name], atol=1e-6) for name in before),
              "the loaded model predicts differently from the saved one: save the whole model, weights included")
    passed("save_and_reload")


def test_same_predictions(model, reloaded, images) -> None:
    """The reloaded model reads ``images`` exactly as the trained model does."""
    images = np.asarray(images)
    images = images[..., None] if images.ndim == 3 else images
    before, after = _outputs(model, images), _outputs(reloaded, images)
    check(sorted(before) == sorted(after), f"the reloaded model has outputs {sorted(after)}, "
                                           f"the trained one {sorted(before)}")
    for name in before:
        check(np.allclose(before[name], after[name], atol=1e-5),
              f"the reloaded model's {name} differs from the trained model's: was the file saved after training?")
    passed("the reloaded model reads like the trained one")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
