"""Every assignment-6 hook against the notebook's reference solution and at least two wrong answers.

The reference functions are taken from the source notebook's solution cells
(``tests.notebook_reference``), so the hooks are proven against the very code
the autograder's reference runs. Each wrong answer must fail with its own hint.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import problem_unittests.house_numbers as hooks
from tests.conftest import REPO
from tests.hidden_requirements import house_numbers as catalogue
from tests.notebook_reference import fails, passes, reference_namespace

matplotlib.use("Agg")

NOTEBOOK = REPO / "notebooks" / "06_house_numbers" / "house_numbers.ipynb"
SOLUTION_CELLS = ("imports", "scale_images", "split_validation", "build_digit_cnn", "number_box", "crop_number",
                  "crop_windows", "number_labels", "find_photos", "load_photo", "read_boxes", "read_number")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)



# --- Part 1 ---------------------------------------------------------------------------------------

def test_scale_images(reference, capsys):
    passes(hooks.test_scale_images, reference["scale_images"], capsys, "scale_images")
    fails(hooks.test_scale_images, lambda x: None, "returned None")
    fails(hooks.test_scale_images, lambda x: x.astype(np.float32) / 255, "0 should become -1.0")
    fails(hooks.test_scale_images, lambda x: (x.astype(np.float32) - 127.5) / 127.5, r"128 should become 0\.0")
    fails(hooks.test_scale_images, lambda x: (x.astype(np.float32) - 128) / 127.5, "divide by 128")
    fails(hooks.test_scale_images, lambda x: (x - 128.0) / 128.0, "float32")

    def in_place(x):
        x[...] = 0
        return np.full(x.shape, -1.0, np.float32)

    fails(hooks.test_scale_images, in_place, "changed its input")


def test_split_validation(reference, capsys):
    passes(hooks.test_split_validation, reference["split_validation"], capsys, "split_validation")

    def unshuffled(images, labels, size, seed=0):
        return images[size:], labels[size:], images[:size], labels[:size]

    def labels_apart(images, labels, size, seed=0):
        rng = np.random.default_rng(seed)
        order, other = rng.permutation(len(images)), rng.permutation(len(images))
        return images[order[size:]], labels[other[size:]], images[order[:size]], labels[other[:size]]

    def fixed_seed(images, labels, size, seed=0):
        order = np.random.default_rng(0).permutation(len(images))
        return images[order[size:]], labels[order[size:]], images[order[:size]], labels[order[:size]]

    def with_replacement(images, labels, size, seed=0):
        rng = np.random.default_rng(seed)
        valid, train = rng.integers(0, len(images), size), rng.integers(0, len(images), len(images) - size)
        return images[train], labels[train], images[valid], labels[valid]

    def shuffles_in_place(images, labels, size, seed=0):
        order = np.random.default_rng(seed).permutation(len(images))
        images[:], labels[:] = images[order], labels[order]
        return images[size:], labels[size:], images[:size], labels[:size]

    fails(hooks.test_split_validation, unshuffled, "shuffle first")
    fails(hooks.test_split_validation, labels_apart, "labels no longer match")
    fails(hooks.test_split_validation, fixed_seed, "another seed")
    fails(hooks.test_split_validation, with_replacement, "both in training and validation|lost or repeated")
    fails(hooks.test_split_validation, shuffles_in_place, "changed its inputs")
    fails(hooks.test_split_validation, lambda images, labels, size, seed=0: (images, labels), "should return 4")


def test_build_digit_cnn(reference, capsys):
    import keras
    from keras import layers

    passes(hooks.test_build_digit_cnn, reference["build_digit_cnn"], capsys, "build_digit_cnn")

    def cnn(input_shape=(32, 32, 3), num_classes=10, blocks=4, dropout=True, softmax=True, fixed=False):
        inputs = keras.Input(shape=(32, 32, 3) if fixed else input_shape)
        x = inputs
        for width in (8, 16, 16, 16)[:blocks]:
            x = layers.MaxPooling2D()(layers.Conv2D(width, 3, padding="same", activation="relu")(x))
        x = layers.Dense(16, activation="relu")(layers.Flatten()(x))
        if dropout:
            x = layers.Dropout(0.3)(x)
        outputs = layers.Dense(10 if fixed else num_classes, activation="softmax" if softmax else None)(x)
        return keras.Model(inputs, outputs)

    passes(hooks.test_build_digit_cnn, lambda input_shape=(32, 32, 3), num_classes=10: cnn(input_shape, num_classes),
           capsys, "build_digit_cnn")
    fails(hooks.test_build_digit_cnn, lambda input_shape=(32, 32, 3), num_classes=10: cnn(input_shape, num_classes, 3),
          "four convolutional blocks")
    fails(hooks.test_build_digit_cnn,
          lambda input_shape=(32, 32, 3), num_classes=10: cnn(input_shape, num_classes, dropout=False), "dropout")
    fails(hooks.test_build_digit_cnn,
          lambda input_shape=(32, 32, 3), num_classes=10: cnn(input_shape, num_classes, softmax=False), "softmax")
    fails(hooks.test_build_digit_cnn,
          lambda input_shape=(32, 32, 3), num_classes=10: cnn(input_shape, num_classes, fixed=True),
          "input_shape and num_classes you are given")
    fails(hooks.test_build_digit_cnn, lambda input_shape=(32, 32, 3), num_classes=10: None, "returned None")
    fails(hooks.test_build_digit_cnn, catalogue.cnn_two_convolutions_per_block, "one Conv2D each")


def test_crops_accuracy(capsys):
    passes(lambda accuracy: hooks.test_crops_accuracy(accuracy, True), 0.81, capsys, "crops_accuracy")
    passes(lambda accuracy: hooks.test_crops_accuracy(accuracy, False), 0.95, capsys, "crops_accuracy")
    fails(lambda accuracy: hooks.test_crops_accuracy(accuracy, True), 0.19, "more than 50% in fast mode")
    fails(lambda accuracy: hooks.test_crops_accuracy(accuracy, False), 0.81, "more than 90% in full mode")
    fails(lambda accuracy: hooks.test_crops_accuracy(accuracy, True), 81.0, r"a float in \[0, 1\]")
    fails(lambda accuracy: hooks.test_crops_accuracy(accuracy, True), None, r"a float in \[0, 1\]")


# --- Part 2 ---------------------------------------------------------------------------------------

def _union(boxes):
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    return (boxes[:, 0].min(), boxes[:, 1].min(), (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max())


def test_number_box(reference, capsys):
    passes(hooks.test_number_box, reference["number_box"], capsys, "number_box")

    def each_side(boxes, shape, enlarge=0.3):
        left, top, right, bottom = _union(boxes)
        gx, gy = (right - left) * enlarge, (bottom - top) * enlarge
        return (max(0, math.floor(left - gx)), max(0, math.floor(top - gy)), min(shape[1], math.ceil(right + gx)),
                min(shape[0], math.ceil(bottom + gy)))

    def unclipped(boxes, shape, enlarge=0.3):
        left, top, right, bottom = _union(boxes)
        gx, gy = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
        return math.floor(left - gx), math.floor(top - gy), math.ceil(right + gx), math.ceil(bottom + gy)

    def width_as_right(boxes, shape, enlarge=0.3):
        boxes = np.asarray(boxes, float)
        return (int(boxes[:, 0].min()), int(boxes[:, 1].min()), int(boxes[:, 2].max()), int(boxes[:, 3].max()))

    def floats(boxes, shape, enlarge=0.3):
        return tuple(float(v) for v in reference["number_box"](boxes, shape, enlarge))

    def rounded(boxes, shape, enlarge=0.3):
        left, top, right, bottom = _union(boxes)
        gx, gy = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
        return (max(0, round(left - gx)), max(0, round(top - gy)), min(shape[1], round(right + gx)),
                min(shape[0], round(bottom + gy)))

    fails(hooks.test_number_box, each_side, "not 30% on each side")
    fails(hooks.test_number_box, unclipped, "cut at them")
    fails(hooks.test_number_box, width_as_right, "union")
    fails(hooks.test_number_box, floats, "ints")
    fails(hooks.test_number_box, rounded, "round outwards")
    fails(hooks.test_number_box, lambda boxes, shape, enlarge=0.3: None, "returned None")


def test_crop_number(reference, capsys):
    from PIL import Image

    passes(hooks.test_crop_number, reference["crop_number"], capsys, "crop_number")
    number_box = reference["number_box"]

    def not_enlarged(image, boxes, size=64, enlarge=0.3):
        left, top, right, bottom = number_box(boxes, image.shape, 0.0)
        return np.asarray(Image.fromarray(image[top:bottom, left:right]).resize((size, size)))

    def floats(image, boxes, size=64, enlarge=0.3):
        return reference["crop_number"](image, boxes, size, enlarge) / 255.0

    def fixed_size(image, boxes, size=64, enlarge=0.3):
        return reference["crop_number"](image, boxes, 64, enlarge)

    def whole_picture(image, boxes, size=64, enlarge=0.3):
        return np.asarray(Image.fromarray(image).resize((size, size)))

    fails(hooks.test_crop_number, not_enlarged, "enlarged box")
    fails(hooks.test_crop_number, floats, "dtype|uint8")
    fails(hooks.test_crop_number, fixed_size, "size=32")
    fails(hooks.test_crop_number, whole_picture, "enlarged box|background outside")


def test_crop_windows(reference, capsys):
    passes(hooks.test_crop_windows, reference["crop_windows"], capsys, "crop_windows")

    def one_offset(images, size=54, rng=None):
        start = (64 - size) // 2 if rng is None else int(rng.integers(0, 64 - size + 1))
        return images[:, start:start + size, start:start + size].copy()

    def exclusive(images, size=54, rng=None):
        if rng is None:
            return reference["crop_windows"](images, size)
        starts = rng.integers(0, 64 - size, (len(images), 2))
        return np.stack([im[t:t + size, s:s + size] for im, (t, s) in zip(images, starts)])

    def corner(images, size=54, rng=None):
        return images[:, :size, :size].copy() if rng is None else reference["crop_windows"](images, size, rng)

    fails(hooks.test_crop_windows, one_offset, "its own random window")
    fails(hooks.test_crop_windows, exclusive, "included")
    fails(hooks.test_crop_windows, corner, "in the middle")
    fails(hooks.test_crop_windows, catalogue.windows_of_a_64_image, "not 64")

    def random_from_64(images, size=54, rng=None):
        if rng is None:
            return reference["crop_windows"](images, size)
        starts = rng.integers(0, 64 - size + 1, (len(images), 2))
        return np.stack([im[t:t + size, s:s + size] for im, (t, s) in zip(images, starts)])

    fails(hooks.test_crop_windows, random_from_64, "not from 64")
    fails(hooks.test_crop_windows, catalogue.random_windows_as_a_list, "numpy array")


def test_number_labels(reference, capsys):
    passes(hooks.test_number_labels, reference["number_labels"], capsys, "number_labels")

    def keeps_ten(label_lists, max_digits=5):
        out = np.full((len(label_lists), max_digits), 10, np.int64)
        for row, labels in enumerate(label_lists):
            if len(labels) > max_digits:
                raise ValueError
            out[row, :len(labels)] = labels
        return out

    def zero_padding(label_lists, max_digits=5):
        out = np.zeros((len(label_lists), max_digits), np.int64)
        for row, labels in enumerate(label_lists):
            if len(labels) > max_digits:
                raise ValueError
            out[row, :len(labels)] = np.asarray(labels) % 10
        return out

    def truncates(label_lists, max_digits=5):
        out = np.full((len(label_lists), max_digits), 10, np.int64)
        for row, labels in enumerate(label_lists):
            labels = np.asarray(labels)[:max_digits] % 10
            out[row, :len(labels)] = labels
        return out

    fails(hooks.test_number_labels, keeps_ten, "label 10 is the digit 0")
    fails(hooks.test_number_labels, zero_padding, "BLANK")
    fails(hooks.test_number_labels, truncates, "raise ValueError")
    fails(hooks.test_number_labels, catalogue.labels_five_wide, "use max_digits")


# --- Part 3 ---------------------------------------------------------------------------------------

def test_find_photos(reference, capsys):
    passes(hooks.test_find_photos, reference["find_photos"], capsys, "find_photos")
    suffixes = reference["PHOTO_SUFFIXES"]

    def case_sensitive(folder):
        return sorted(p for p in Path(folder).iterdir() if p.suffix in suffixes and not p.name.startswith("."))

    def with_hidden(folder):
        return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in suffixes)

    def recursive(folder):
        return sorted((p for p in Path(folder).rglob("*") if p.suffix.lower() in suffixes
                       and not p.name.startswith(".")), key=lambda p: p.name)

    def jpeg_and_png_only(folder):
        return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")
                      and not p.name.startswith("."))

    def strings(folder):
        return [str(p) for p in reference["find_photos"](folder)]

    fails(hooks.test_find_photos, case_sensitive, "lower case")
    fails(hooks.test_find_photos, with_hidden, "hidden")
    fails(hooks.test_find_photos, recursive, "sub-folders")
    fails(hooks.test_find_photos, jpeg_and_png_only, "webp")
    fails(hooks.test_find_photos, strings, "pathlib.Path")
    fails(hooks.test_find_photos, catalogue.photos_from_a_path_only, "as a string")


def test_load_photo(reference, capsys):
    from PIL import Image

    passes(hooks.test_load_photo, reference["load_photo"], capsys, "load_photo")

    def ignores_exif(path):
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))

    def keeps_mode(path):
        from PIL import ImageOps

        with Image.open(path) as image:
            return np.asarray(ImageOps.exif_transpose(image))

    fails(hooks.test_load_photo, ignores_exif, "EXIF")
    fails(hooks.test_load_photo, keeps_mode, "3 channels")
    fails(hooks.test_load_photo, catalogue.photo_turned_for_orientation_6_only, "orientation 3 .*every orientation")
    fails(hooks.test_load_photo, catalogue.photo_turned_for_orientation_3_only, "EXIF orientation tag")


def test_read_boxes(reference, capsys):
    passes(hooks.test_read_boxes, reference["read_boxes"], capsys, "read_boxes")

    def must_exist(path):
        with open(path, newline="") as stream:
            return {row["file"]: tuple(int(float(row[k])) for k in ("left", "top", "right", "bottom"))
                    for row in csv.DictReader(stream)}

    def as_text(path):
        if not Path(path).is_file():
            return {}
        with open(path, newline="") as stream:
            return {row["file"]: tuple(row[k].strip() for k in ("left", "top", "right", "bottom"))
                    for row in csv.DictReader(stream)}

    def plain_int(path):
        if not Path(path).is_file():
            return {}
        with open(path, newline="") as stream:
            return {row["file"]: tuple(int(row[k]) for k in ("left", "top", "right", "bottom"))
                    for row in csv.DictReader(stream)}

    fails(hooks.test_read_boxes, must_exist, r"return \{\}")
    fails(hooks.test_read_boxes, as_text, "convert the text to ints")
    fails(hooks.test_read_boxes, plain_int, "7.0")
    fails(hooks.test_read_boxes, catalogue.boxes_by_position, "by name")
    fails(hooks.test_read_boxes, catalogue.boxes_with_every_other_column, r"the tuple \(10, 20, 110, 60\)")


def test_read_number(reference, capsys):
    passes(hooks.test_read_number, reference["read_number"], capsys, "read_number")

    def without_blanks(probabilities, threshold=0.5):
        classes = probabilities.argmax(axis=1)
        digits = classes[classes != 10]
        confidence = float(probabilities.max(axis=1)[classes != 10].prod())
        text = "".join(str(d) for d in digits)
        return ("not sure" if confidence < threshold else text), confidence

    def skips_blanks(probabilities, threshold=0.5):
        classes = probabilities.argmax(axis=1)
        confidence = float(probabilities.max(axis=1).prod())
        text = "".join(str(d) for d in classes if d != 10)
        return ("not sure" if confidence < threshold else text), confidence

    def no_threshold(probabilities, threshold=0.5):
        return reference["read_number"](probabilities, 0.0)

    fails(hooks.test_read_number, without_blanks, "blank heads included")
    fails(hooks.test_read_number, skips_blanks, "first blank")
    fails(hooks.test_read_number, no_threshold, "not sure")
    fails(hooks.test_read_number, lambda p, t=0.5: "27", r"\(text, confidence\)")
