"""Reading a whole number with one network: what assignments 5 (MNIST sequences) and 6 (house numbers) share.

The model follows Goodfellow et al. 2013 ("Multi-digit number recognition
from Street View imagery using deep convolutional neural networks"): a
**shared convolutional trunk** reads the whole image; on top of it sit one
softmax head per position, ``digit_1`` ... ``digit_5`` (11 classes: 0-9 and
``BLANK`` = 10 for "no digit here"), and a head for the **length** of the
number, ``length`` (classes 0 .. max_digits). Keras functional API, named
outputs, one loss per head (their sum is what training minimises).

What this module offers (shapes: N images, D = max_digits positions):

Labels
    ``BLANK``, ``NUM_CLASSES`` (11), ``digit_heads(D)`` (["digit_1", ...]),
    ``LENGTH_HEAD``; ``lengths_of(labels)``; ``targets(labels)``: int64
    labels (N, D) -> ``{head name: (N,) targets}`` for ``model.fit``.
The model
    ``build_model(input_shape, filters=..., dense=..., max_digits=5, ...)``:
    the whole model, compiled. It is made of ``conv_trunk`` (the shared
    features; layers named ``trunk_*``), ``sequence_heads`` (the D + 1 heads)
    and ``compile_model`` (one loss and one accuracy per head). The input is
    raw pixels, 0-255, shape (height, width, channels) (MNIST sequences:
    (32, 128, 1); SVHN crops: (54, 54, 3)); scaling happens inside the model.
    ``copy_trunk_weights(source, target)``: start a new model from a trained
    one's trunk (transfer learning, e.g. MNIST -> house numbers).
Training
    ``epoch_data(make, batch_size)``: a Keras dataset that makes a fresh
    training set every epoch (new sequences, new random crops) from a
    function you give it. ``accuracy_callback(images, labels)``: logs the
    per-digit and whole-sequence accuracy of the validation set each epoch,
    and each head's validation loss (``head_losses``).
Reading
    ``read(model, images)`` -> ``Readings``: the head probabilities, the
    predicted labels (N, D), the predicted lengths, and two confidences: the
    product of the digit heads' top probabilities, and the length head's.
    ``decode_with_length(probabilities)`` -> ``Readings``: the reading of
    Goodfellow et al. (2014) instead, the length and digits of highest joint
    probability (length head included), so no digit ever follows a blank.
Measuring
    ``per_digit_accuracy``, ``whole_sequence_accuracy``,
    ``per_position_accuracy``; ``coverage_curve(confidences, correct)`` and
    ``coverage_at_accuracy(confidences, correct, target)``: how many
    readings can be kept, most confident first, at a given accuracy
    (Goodfellow et al.: 95.64% of SVHN at 98% accuracy).
Saving
    ``save_model(model, path)`` (the Keras format, written to a temporary
    name, then renamed) and ``load_model(path)`` (safe mode: no code in the
    file is run). ``MODEL_FILE``: the file name assignment 5 saves its model
    under, in its own folder (assignment 6 looks for
    ``../05_digit_sequences/digit_sequences.keras``).
Plots (each returns its Figure; none calls ``plt.show()``)
    ``plot_head_losses(history)``, ``show_sequences(images, labels)``,
    ``show_readings(images, labels, predicted)``,
    ``plot_coverage(curves)``; ``plotting.plot_history`` draws the accuracies.

Importing this module is cheap: Keras is imported by the functions that need it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BLANK = 10  # the class of an empty position
NUM_CLASSES = 11  # 0-9 and BLANK
MAX_DIGITS = 5
LENGTH_HEAD = "length"
MODEL_FILE = "digit_sequences.keras"  # assignment 5 saves its trained model under this name, in its own folder
TRUNK_PREFIX = "trunk_"


def digit_heads(max_digits: int = MAX_DIGITS) -> list[str]:
    """The names of the digit heads, left to right: ["digit_1", ..., "digit_<max_digits>"]."""
    if max_digits < 1:
        raise ValueError(f"max_digits must be at least 1, got {max_digits}")
    return [f"digit_{position}" for position in range(1, max_digits + 1)]


def head_names(max_digits: int = MAX_DIGITS) -> list[str]:
    """Every head: the digit heads, then the length head."""
    return digit_heads(max_digits) + [LENGTH_HEAD]


# --- labels ------------------------------------------------------------------------------------------------------

def _labels(labels, name: str = "labels") -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"{name} must be (N, max_digits), one row per sequence; got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > BLANK):
        raise ValueError(f"{name} must hold classes 0-9 and BLANK ({BLANK}); got {labels.min()}..{labels.max()}")
    return labels.astype(np.int64)


def lengths_of(labels) -> np.ndarray:
    """int64 (N,): the number of digits in each label row (its positions that are not BLANK)."""
    return (_labels(labels) != BLANK).sum(axis=1)


def targets(labels) -> dict[str, np.ndarray]:
    """Labels (N, D) -> {"digit_1": (N,), ..., "digit_D": (N,), "length": (N,)}: what ``model.fit`` takes."""
    labels = _labels(labels)
    result = {name: labels[:, position] for position, name in enumerate(digit_heads(labels.shape[1]))}
    result[LENGTH_HEAD] = lengths_of(labels)
    return result


# --- the model ---------------------------------------------------------------------------------------------------

def conv_trunk(inputs, filters=(32, 64, 128), dense=256, *, convs_per_block: int = 1, batch_norm: bool = True,
               dropout: float = 0.3, rescale: float | None = 1 / 255):
    """The shared features of an image: the output tensor (N, last dense size) of a convolutional trunk.

    inputs: a Keras tensor (N, height, width, channels) of raw pixels (0-255).
    filters: the number of 3x3 filters of each block; each block is ``convs_per_block`` convolutions
        (each with batch normalisation if ``batch_norm``, then ReLU) and a 2x2 max pooling.
    dense: the size of the fully connected layer(s) after the last block (an int, or a tuple for several).
    dropout: before each fully connected layer.
    rescale: multiply the pixels by this first (None: the inputs are already scaled).
    Layers are named ``trunk_*`` (``trunk_conv_<block>_<n>``, ``trunk_dense_<n>``), so that
    ``copy_trunk_weights`` can move a trained trunk to a new model.
    """
    from keras import layers

    if not filters:
        raise ValueError("filters must name at least one convolution block")
    x = layers.Rescaling(rescale, name="trunk_rescale")(inputs) if rescale is not None else inputs
    for block, width in enumerate(filters, start=1):
        for step in range(1, convs_per_block + 1):
            name = f"trunk_conv_{block}_{step}"
            x = layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm, name=name)(x)
            if batch_norm:
                x = layers.BatchNormalization(name=f"trunk_bn_{block}_{step}")(x)
            x = layers.ReLU(name=f"trunk_relu_{block}_{step}")(x)
        x = layers.MaxPooling2D(2, name=f"trunk_pool_{block}")(x)
    x = layers.Flatten(name="trunk_flatten")(x)
    for index, units in enumerate(np.atleast_1d(dense).tolist(), start=1):
        if dropout:
            x = layers.Dropout(dropout, name=f"trunk_dropout_{index}")(x)
        x = layers.Dense(int(units), activation="relu", name=f"trunk_dense_{index}")(x)
    return x


def sequence_heads(features, max_digits: int = MAX_DIGITS) -> dict:
    """The heads on shared features: {"digit_1": (N, 11) softmax, ..., "length": (N, max_digits + 1) softmax}."""
    from keras import layers

    outputs = {name: layers.Dense(NUM_CLASSES, activation="softmax", name=name)(features)
               for name in digit_heads(max_digits)}
    outputs[LENGTH_HEAD] = layers.Dense(max_digits + 1, activation="softmax", name=LENGTH_HEAD)(features)
    return outputs


def compile_model(model, *, learning_rate: float = 1e-3, length_weight: float = 1.0):
    """Compile ``model`` with Adam, one sparse cross-entropy loss and one accuracy per head; returns it.

    length_weight: the weight of the length head's loss (the digit heads weigh 1 each).
    """
    import keras

    names = list(model.output_names)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss={name: "sparse_categorical_crossentropy" for name in names},
                  loss_weights={name: (length_weight if name == LENGTH_HEAD else 1.0) for name in names},
                  metrics={name: ["accuracy"] for name in names})
    return model


def build_model(input_shape=(32, 128, 1), *, filters=(32, 64, 128), dense=256, max_digits: int = MAX_DIGITS,
                convs_per_block: int = 1, batch_norm: bool = True, dropout: float = 0.3,
                learning_rate: float = 1e-3, rescale: float | None = 1 / 255, name: str = "multidigit"):
    """The multi-digit model, compiled: ``conv_trunk`` + ``sequence_heads`` + ``compile_model``.

    input_shape: (height, width, channels) of the raw images, e.g. (32, 128, 1) for MNIST sequences or
        (54, 54, 3) for SVHN crops. The other arguments are those of ``conv_trunk`` and ``compile_model``.
    Returns a keras.Model whose outputs are a dict {"digit_1": ..., "length": ...}.
    """
    import keras

    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape}")
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    features = conv_trunk(inputs, filters, dense, convs_per_block=convs_per_block, batch_norm=batch_norm,
                          dropout=dropout, rescale=rescale)
    model = keras.Model(inputs, sequence_heads(features, max_digits), name=name)
    return compile_model(model, learning_rate=learning_rate)


def copy_trunk_weights(source, target, *, prefix: str = TRUNK_PREFIX) -> list[str]:
    """Copy the weights of the layers named ``prefix*`` from ``source`` to the same-named layers of ``target``.

    Layers whose weights have other shapes (or another count: a bias in one, batch normalisation instead
    in the other) are skipped, except a first convolution that reads 1 channel in
    ``source`` and 3 in ``target`` (greyscale to colour): its kernel is shared across the colour channels
    (divided by 3, so that a grey image gives the same response). Returns the names of the layers copied.
    """
    copied = []
    target_layers = {layer.name: layer for layer in target.layers}
    for layer in source.layers:
        if not layer.name.startswith(prefix) or layer.name not in target_layers or not layer.weights:
            continue
        weights = layer.get_weights()
        wanted = [w.shape for w in target_layers[layer.name].get_weights()]
        if [w.shape for w in weights] != wanted:
            kernel = weights[0]
            if len(weights) == len(wanted) and kernel.ndim == 4 and kernel.shape[2] == 1 and wanted[0][2] == 3 \
                    and kernel.shape[:2] + kernel.shape[3:] == wanted[0][:2] + wanted[0][3:]:
                weights = [np.repeat(kernel / 3.0, 3, axis=2), *weights[1:]]
            else:
                continue
        target_layers[layer.name].set_weights(weights)
        copied.append(layer.name)
    return copied


def epoch_data(make, batch_size: int = 128, *, max_digits: int = MAX_DIGITS, first_epoch: int = 0):
    """A Keras dataset (``keras.utils.PyDataset``) that draws a new training set every epoch.

    make: ``make(epoch) -> (images, labels)``: images (N, height, width[, channels]) and labels (N, D);
        called once before the first epoch and again after each one, with 0, 1, 2, ... (plus
        ``first_epoch``), so that a seeded ``make`` gives the same run twice.
    Each batch is ``(images with a channel axis, targets(labels))``. Pass it to ``model.fit(data, epochs=...)``.
    """
    import keras

    class _EpochData(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=1, use_multiprocessing=False)
            self.epoch = first_epoch
            self._draw()

        def _draw(self):
            images, labels = make(self.epoch)
            labels = _labels(labels)
            if labels.shape[1] != max_digits:
                raise ValueError(f"make({self.epoch}) gave labels of {labels.shape[1]} positions, "
                                 f"expected max_digits={max_digits}")
            self.images, self.targets = with_channels(images), targets(labels)

        def __len__(self):
            return int(np.ceil(len(self.images) / batch_size))

        def __getitem__(self, index):
            part = slice(index * batch_size, (index + 1) * batch_size)
            return self.images[part], {name: values[part] for name, values in self.targets.items()}

        def on_epoch_end(self):
            self.epoch += 1
            self._draw()

    return _EpochData()


def with_channels(images) -> np.ndarray:
    """Images (N, height, width) get a channel axis: (N, height, width, 1); colour images stay as they are."""
    images = np.asarray(images)
    return images[..., None] if images.ndim == 3 else images


def accuracy_callback(images, labels, *, train_images=None, train_labels=None, batch_size: int = 512,
                      report: bool = False):
    """A Keras callback that adds whole-sequence and per-digit accuracy to the logs after every epoch.

    images, labels: the validation sequences (N, height, width[, channels]) and (N, D): logged as
        ``val_per_digit_accuracy`` and ``val_whole_sequence_accuracy``, with the cross-entropy of each
        head (``val_digit_1_loss``, ..., ``val_length_loss``) from the same predictions. So
        ``model.fit`` needs no ``validation_data`` of its own: it would read the validation set a second time.
    train_images, train_labels: optionally a fixed sample of training sequences, logged as
        ``per_digit_accuracy`` and ``whole_sequence_accuracy`` (measured after the epoch, without dropout).
    ``model.fit`` returns them in its History with the losses, so ``plotting.plot_history`` draws them.
    report: print one short line per epoch (use it with ``model.fit(..., verbose=0)``).
    """
    import keras

    sets = [("val_", with_channels(images), _labels(labels))]
    if train_images is not None:
        sets.append(("", with_channels(train_images), _labels(train_labels)))

    class SequenceAccuracy(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if logs is None:
                return
            for prefix, x, y in sets:
                probabilities = head_outputs(self.model, self.model.predict(x, batch_size=batch_size, verbose=0))
                predicted = readings_from(probabilities).labels
                if prefix:
                    for name, wanted in head_losses(probabilities, y).items():
                        logs.setdefault(f"{prefix}{name}_loss", wanted)  # Keras's own, if fit had validation_data
                logs[f"{prefix}per_digit_accuracy"] = per_digit_accuracy(y, predicted)
                logs[f"{prefix}whole_sequence_accuracy"] = whole_sequence_accuracy(y, predicted)
            if report:
                parts = [f"epoch {epoch + 1:>2}", f"loss {logs.get('loss', float('nan')):.3f}"]
                if "whole_sequence_accuracy" in logs:
                    parts.append(f"training sample: per digit {logs['per_digit_accuracy']:.4f}, "
                                 f"whole {logs['whole_sequence_accuracy']:.4f}")
                parts.append(f"validation: per digit {logs['val_per_digit_accuracy']:.4f}, "
                             f"whole {logs['val_whole_sequence_accuracy']:.4f}")
                parts.append(f"{time.perf_counter() - self.start:.0f} s")
                print("; ".join(parts), flush=True)

    return SequenceAccuracy()


def head_losses(probabilities: dict, labels) -> dict[str, float]:
    """The mean cross-entropy of each head {"digit_1": ..., "length": ...} against labels (N, D): Keras's own
    sparse categorical cross-entropy of the probabilities (clipped to [1e-7, 1 - 1e-7])."""
    import keras

    wanted = targets(labels)
    return {name: float(np.mean(keras.losses.sparse_categorical_crossentropy(wanted[name], values)))
            for name, values in probabilities.items() if name in wanted}


# --- reading -----------------------------------------------------------------------------------------------------

def head_outputs(model, outputs) -> dict[str, np.ndarray]:
    """What ``model.predict`` returned (a dict, or a list in the order of ``model.output_names``) as a dict."""
    if isinstance(outputs, dict):
        return {name: np.asarray(value) for name, value in outputs.items()}
    return {name: np.asarray(value) for name, value in zip(model.output_names, outputs)}


@dataclass
class Readings:
    """What a model read in N images.

    probabilities: {head name: (N, classes)} softmax outputs.
    labels: int64 (N, D): the most likely class of each digit head (BLANK included).
    lengths: int64 (N,): the length head's most likely length (-1 when the model has no length head).
    confidence: float (N,): the product of the digit heads' top probabilities.
    length_confidence: float (N,): the length head's top probability (NaN without a length head).
    (``decode_with_length`` fills the same fields with its own reading: see there.)
    """

    probabilities: dict
    labels: np.ndarray
    lengths: np.ndarray
    confidence: np.ndarray
    length_confidence: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def texts(self, alphabet: str = "0123456789") -> list[str]:
        from course_lib.digit_sequences.sequences import label_text

        return [label_text(row, alphabet) for row in self.labels]


def _heads_of(probabilities: dict) -> list[str]:
    """The digit heads among the outputs, left to right (digit_1, digit_2, ...)."""
    heads = sorted((name for name in probabilities if name.startswith("digit_")), key=lambda n: int(n.split("_")[1]))
    if not heads:
        raise ValueError(f"no digit heads (digit_1, ...) among the outputs {list(probabilities)}")
    return heads


def readings_from(probabilities: dict) -> Readings:
    """Readings from head probabilities {"digit_1": (N, 11), ..., "length": (N, D + 1)}."""
    heads = _heads_of(probabilities)
    stacked = np.stack([np.asarray(probabilities[name]) for name in heads], axis=1)  # (N, D, 11)
    labels = stacked.argmax(axis=2).astype(np.int64)
    confidence = stacked.max(axis=2).prod(axis=1)
    if LENGTH_HEAD in probabilities:
        length = np.asarray(probabilities[LENGTH_HEAD])
        lengths, length_confidence = length.argmax(axis=1).astype(np.int64), length.max(axis=1)
    else:
        lengths, length_confidence = np.full(len(labels), -1, np.int64), np.full(len(labels), np.nan)
    return Readings(dict(probabilities), labels, lengths, confidence, length_confidence)


def decode_with_length(probabilities: dict) -> Readings:
    """Read each image as Goodfellow et al. (2014) do: the length and digits of highest joint probability.

    probabilities: {"digit_1": (N, 11), ..., "digit_D": (N, 11), "length": (N, D + 1)} softmax outputs (what
        ``model.predict`` returns, or ``Readings.probabilities``); the heads are taken as independent.
    For every image, over every length L = 0 .. D and every string of L digits (0-9), the reading maximises

        log P(length = L) + sum over i <= L of log P(digit_i) + sum over i > L of log P(BLANK at i),

    so a digit never follows a blank. For a fixed L the best digits are each head's most likely digit
    (BLANK left out), so the D + 1 lengths are tried, not the 10^L strings. Equal scores: the shorter length.
    Returns Readings with
        labels: int64 (N, D), the digits chosen and BLANK after them;
        lengths: int64 (N,), the length L chosen;
        confidence: float (N,), the joint probability of the reading chosen (the exp of its score: P(L) times
            the probabilities of its digits and of its blanks; in [0, 1]);
        length_confidence: float (N,), the length head's probability of L.
    A probability of 0 counts as the smallest positive float, so that every log stays finite.
    """
    heads = _heads_of(probabilities)
    if LENGTH_HEAD not in probabilities:
        raise ValueError(f"decoding with the length needs the length head ({LENGTH_HEAD!r}); the outputs are "
                         f"{list(probabilities)}: use readings_from without one")
    stacked = np.stack([np.asarray(probabilities[name], dtype=np.float64) for name in heads], axis=1)  # (N, D, 11)
    length = np.asarray(probabilities[LENGTH_HEAD], dtype=np.float64)
    count, positions = stacked.shape[:2]
    if stacked.shape[2] != NUM_CLASSES:
        raise ValueError(f"each digit head must give {NUM_CLASSES} probabilities (0-9 and BLANK), "
                         f"got {stacked.shape[2]}")
    if length.shape != (count, positions + 1):
        raise ValueError(f"the length head must be (N, {positions + 1}) for {positions} digit heads and N = {count} "
                         f"images (lengths 0 to {positions}), got {length.shape}")
    tiny = np.finfo(np.float64).tiny
    logs = np.log(np.maximum(stacked, tiny))
    digits = logs[:, :, :BLANK].argmax(axis=2)  # (N, D): each head's best digit, BLANK left out
    digit_logs = np.take_along_axis(logs[:, :, :BLANK], digits[:, :, None], axis=2)[:, :, 0]
    blank_logs = logs[:, :, BLANK]
    zeros = np.zeros((count, 1))
    before = np.concatenate([zeros, np.cumsum(digit_logs, axis=1)], axis=1)  # (N, D + 1): digits at 1..L
    after = np.concatenate([np.cumsum(blank_logs[:, ::-1], axis=1)[:, ::-1], zeros], axis=1)  # blanks at L+1..D
    scores = np.log(np.maximum(length, tiny)) + before + after  # (N, D + 1), one per length
    lengths = scores.argmax(axis=1).astype(np.int64)
    labels = np.where(np.arange(positions)[None, :] < lengths[:, None], digits, BLANK).astype(np.int64)
    confidence = np.exp(scores[np.arange(count), lengths])
    return Readings(dict(probabilities), labels, lengths, confidence, length[np.arange(count), lengths])


def read(model, images, *, batch_size: int = 512) -> Readings:
    """Run ``model`` on images (N, height, width[, channels]) and return its Readings."""
    outputs = model.predict(with_channels(images), batch_size=batch_size, verbose=0)
    return readings_from(head_outputs(model, outputs))


# --- measuring ---------------------------------------------------------------------------------------------------

def _pair(labels, predictions):
    labels, predictions = _labels(labels), _labels(predictions, "predictions")
    if labels.shape != predictions.shape:
        raise ValueError(f"labels {labels.shape} and predictions {predictions.shape} differ in shape")
    return labels, predictions


def per_digit_accuracy(labels, predictions) -> float:
    """The fraction of positions read right, over all N x D positions (BLANKs included, as in the seed)."""
    labels, predictions = _pair(labels, predictions)
    return float((labels == predictions).mean()) if labels.size else float("nan")


def per_position_accuracy(labels, predictions) -> np.ndarray:
    """float (D,): the accuracy of each position (each head) separately."""
    labels, predictions = _pair(labels, predictions)
    return (labels == predictions).mean(axis=0)


def sequence_correct(labels, predictions) -> np.ndarray:
    """bool (N,): the sequences read right at every position."""
    labels, predictions = _pair(labels, predictions)
    return (labels == predictions).all(axis=1)


def whole_sequence_accuracy(labels, predictions) -> float:
    """The fraction of sequences read right at every position."""
    correct = sequence_correct(labels, predictions)
    return float(correct.mean()) if correct.size else float("nan")


def coverage_curve(confidences, correct) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Accuracy against coverage when readings below a confidence threshold are rejected.

    confidences: float (N,); correct: bool (N,), whether each reading is right.
    Returns (coverage, accuracy, thresholds), one entry per distinct confidence, from the most confident:
    keeping the readings whose confidence is at least ``thresholds[i]`` keeps the fraction ``coverage[i]``
    of them, of which the fraction ``accuracy[i]`` is right. Equal confidences are kept or rejected together.
    """
    confidences = np.asarray(confidences, dtype=np.float64).ravel()
    correct = np.asarray(correct).ravel().astype(bool)
    if confidences.shape != correct.shape:
        raise ValueError(f"{confidences.size} confidences but {correct.size} correct flags")
    if confidences.size == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    order = np.argsort(-confidences, kind="stable")
    ordered, hits = confidences[order], np.cumsum(correct[order])
    last_of_tie = np.append(ordered[1:] != ordered[:-1], True)
    kept = np.flatnonzero(last_of_tie) + 1
    return kept / len(confidences), hits[kept - 1] / kept, ordered[kept - 1]


def coverage_at_accuracy(confidences, correct, target: float = 0.98) -> float:
    """The largest coverage (fraction of readings kept, most confident first) whose accuracy is >= target;
    0.0 when no threshold reaches it. Equal confidences are kept or rejected together."""
    coverage, accuracy, _ = coverage_curve(confidences, correct)
    reached = coverage[accuracy >= target]
    return float(reached.max()) if reached.size else 0.0


# --- saving ------------------------------------------------------------------------------------------------------

def save_model(model, path) -> Path:
    """Save ``model`` in the Keras format (``.keras``) at ``path``: written to a temporary name, then renamed."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"the Keras format needs a file name ending in .keras, got {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.partial.keras")
    model.save(temporary)
    os.replace(temporary, path)
    return path


def load_model(path, *, compile: bool = True):  # noqa: A002 (Keras's own name for it)
    """Load a model saved by ``save_model``, in Keras's safe mode (no code stored in the file is run)."""
    import keras

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}: run assignment 5 (05_digit_sequences) to make "
                                f"{MODEL_FILE}, or give the path of a .keras file")
    return keras.models.load_model(path, compile=compile, safe_mode=True)


# --- plots -------------------------------------------------------------------------------------------------------

def _curves(history) -> dict:
    return dict(getattr(history, "history", history))


def plot_head_losses(history, *, figure=None):
    """Training (solid) and validation (dashed) loss of each head per epoch, on one axes; returns the Figure."""
    import matplotlib.pyplot as plt

    curves = _curves(history)
    heads = [name[:-len("_loss")] for name in curves if name.endswith("_loss") and not name.startswith("val_")
             and name != "loss"]
    if not heads:
        raise ValueError(f"the history has no per-head losses (digit_1_loss, ...); it has {', '.join(curves)}")
    figure = figure or plt.figure(figsize=(7, 3.8))
    ax = figure.add_subplot(1, 1, 1)
    colours = plt.get_cmap("tab10")
    for index, head in enumerate(heads):
        epochs = np.arange(1, len(curves[f"{head}_loss"]) + 1)
        ax.plot(epochs, curves[f"{head}_loss"], color=colours(index), label=head)
        if f"val_{head}_loss" in curves:
            ax.plot(epochs, curves[f"val_{head}_loss"], color=colours(index), linestyle="--")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_yscale("log")
    ax.set_title("loss of each head (solid: training, dashed: validation)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    return figure


def _sequence_grid(images, titles, colours, *, ncols: int, suptitle: str | None):
    """Wide images in a grid, each with its title (and title colour); returns the Figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    count = len(images)
    if count == 0:
        raise ValueError("no images to show")
    ncols = max(1, min(ncols, count))
    nrows = int(np.ceil(count / ncols))
    height, width = images.shape[1:3]
    cell_width = 2.6
    cell_height = cell_width * height / width + 0.45
    figure, axes = plt.subplots(nrows, ncols, figsize=(cell_width * ncols, cell_height * nrows + 0.4),
                                squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for ax, image, text, colour in zip(axes.ravel(), images, titles, colours):
        ax.imshow(image.squeeze(-1) if image.ndim == 3 and image.shape[-1] == 1 else image,
                  cmap="gray" if image.ndim == 2 or image.shape[-1] == 1 else None)
        ax.set_title(text, fontsize=9, color=colour)
    if suptitle:
        figure.suptitle(suptitle)
    figure.tight_layout()
    return figure


def show_sequences(images, labels, *, ncols: int = 4, limit: int = 24, alphabet: str = "0123456789",
                   title: str | None = None):
    """Sequence images (N, height, width[, channels]), each titled with its label ("7209"); returns the Figure."""
    from course_lib.digit_sequences.sequences import label_text

    images, labels = np.asarray(images)[:limit], _labels(np.asarray(labels)[:limit])
    titles = [label_text(row, alphabet) or "(empty)" for row in labels]
    return _sequence_grid(images, titles, ["black"] * len(titles), ncols=ncols, suptitle=title)


def show_readings(images, labels, predicted, *, confidences=None, ncols: int = 4, limit: int = 24,
                  alphabet: str = "0123456789", title: str | None = None):
    """Sequence images, each titled with what the model read (and its confidence); wrong readings in red
    with the truth beside them. labels, predicted: (N, D). Returns the Figure."""
    from course_lib.digit_sequences.sequences import label_text

    images = np.asarray(images)[:limit]
    labels, predicted = _pair(np.asarray(labels)[:limit], np.asarray(predicted)[:limit])
    titles, colours = [], []
    for index in range(len(images)):
        right = bool((labels[index] == predicted[index]).all())
        text = f"read {label_text(predicted[index], alphabet) or '(nothing)'}"
        if confidences is not None:
            text += f" ({float(np.asarray(confidences)[index]):.0%})"
        if not right:
            text += f", was {label_text(labels[index], alphabet)}"
        titles.append(text)
        colours.append("black" if right else "red")
    wrong = colours.count("red")
    return _sequence_grid(images, titles, colours, ncols=ncols,
                          suptitle=title or f"{wrong} of {len(images)} read wrong (in red)")


def plot_coverage(curves: dict, *, target: float = 0.98, ax=None):
    """Accuracy against coverage, one line per confidence measure: ``curves`` = {name: (coverage, accuracy)}
    (as ``coverage_curve`` returns them), with the target accuracy as a dotted line. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8))
    for name, (coverage, accuracy) in curves.items():
        ax.plot(np.asarray(coverage) * 100, np.asarray(accuracy) * 100, label=name)
        reached = np.asarray(coverage)[np.asarray(accuracy) >= target]
        if reached.size:
            ax.plot(reached.max() * 100, target * 100, marker="o", color=ax.lines[-1].get_color())
    ax.axhline(target * 100, color="black", linestyle=":", linewidth=1, label=f"{target:.0%} accuracy")
    ax.set_xlabel("coverage: readings kept (%)")
    ax.set_ylabel("accuracy of the kept readings (%)")
    ax.set_title("rejecting the least confident readings")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return ax
