"""Assignment 6's hidden requirements, each with a wrong answer that the public hook rejects (see __init__)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong, in_fast_mode
from tests.notebook_reference import reference_namespace

NOTEBOOK = REPO / "notebooks" / "06_house_numbers" / "house_numbers.ipynb"
CELLS = ("imports", "parameters", "sizes", "my_settings", "settings", "load_crops", "scale_images", "split_validation",
         "split_validation_run", "build_digit_cnn", "train_crops", "evaluate_crops", "load_numbers", "number_box",
         "crop_number", "crop_windows", "number_labels", "find_photos", "load_photo", "read_boxes", "read_number")
BLANK = 10
BOX = ("left", "top", "right", "bottom")


@in_fast_mode
def context() -> dict:
    """The notebook's data, reference functions and fast-mode training of Part 1 (its crops_accuracy is real)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace = reference_namespace(NOTEBOOK, CELLS)
    plt.close("all")
    namespace["PHOTO_FOLDER"] = str(NOTEBOOK.parent / "my_photos")  # the shipped photos, wherever pytest runs
    return namespace


# --- Part 1 ----------------------------------------------------------------------------------------------------

def scale_in_float64(images):
    return (np.asarray(images, dtype=np.float64) - 128) / 128


def scale_by_255(images):
    return np.asarray(images, dtype=np.float32) / 255


def validation_too_large(images, labels, size, seed=0):
    order = np.random.default_rng(seed).permutation(len(images))
    train, valid = order[:size], order[size:]
    return images[train], labels[train], images[valid], labels[valid]


def split_with_replacement(images, labels, size, seed=0):
    rng = np.random.default_rng(seed)
    valid, train = rng.integers(0, len(images), size), rng.integers(0, len(images), len(images) - size)
    return images[train], labels[train], images[valid], labels[valid]


def labels_shuffled_apart(images, labels, size, seed=0):
    rng = np.random.default_rng(seed)
    order, other = rng.permutation(len(images)), rng.permutation(len(images))
    return images[order[size:]], labels[other[size:]], images[order[:size]], labels[other[:size]]


def split_unshuffled(images, labels, size, seed=0):
    return images[size:], labels[size:], images[:size], labels[:size]


def split_unseeded(images, labels, size, seed=0):
    order = np.random.default_rng().permutation(len(images))
    return images[order[size:]], labels[order[size:]], images[order[:size]], labels[order[:size]]


def _cnn(input_shape, num_classes, *, convs_per_block=1, softmax=True, widths=(8, 16, 16, 16), dense=16):
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    x = inputs
    for width in widths:
        for _ in range(convs_per_block):
            x = layers.ReLU()(layers.BatchNormalization()(layers.Conv2D(width, 3, padding="same")(x)))
        x = layers.Dropout(0.1)(layers.MaxPooling2D(2)(x))
    x = layers.Dropout(0.3)(layers.Dense(dense, activation="relu")(layers.Flatten()(x)))
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax" if softmax else None)(x))


def cnn_with_ten_classes(input_shape=(32, 32, 3), num_classes=10, widths=(32, 64, 128, 128), dense=256, dropout=0.3):
    return _cnn(input_shape, 10, widths=widths, dense=dense)


def cnn_two_convolutions_per_block(input_shape=(32, 32, 3), num_classes=10, widths=(32, 64, 128, 128), dense=256,
                                   dropout=0.3):
    return _cnn(input_shape, num_classes, convs_per_block=2, widths=widths, dense=dense)


def cnn_without_softmax(input_shape=(32, 32, 3), num_classes=10, widths=(32, 64, 128, 128), dense=256, dropout=0.3):
    return _cnn(input_shape, num_classes, softmax=False, widths=widths, dense=dense)


NEVER_LEARNS_ACCURACY = 0.19  # a network stuck on the most frequent digit (the synthetic crops hold about 18% of 1s)


# --- Part 2 ----------------------------------------------------------------------------------------------------

def _union(boxes):
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    return boxes[:, 0].min(), boxes[:, 1].min(), (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()


def box_enlarged_on_each_side(boxes, image_shape, enlarge=0.3):
    left, top, right, bottom = _union(boxes)
    grow_x, grow_y = (right - left) * enlarge, (bottom - top) * enlarge
    return (max(0, math.floor(left - grow_x)), max(0, math.floor(top - grow_y)),
            min(image_shape[1], math.ceil(right + grow_x)), min(image_shape[0], math.ceil(bottom + grow_y)))


def box_not_cut(boxes, image_shape, enlarge=0.3):
    left, top, right, bottom = _union(boxes)
    grow_x, grow_y = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
    return math.floor(left - grow_x), math.floor(top - grow_y), math.ceil(right + grow_x), math.ceil(bottom + grow_y)


def box_rounded(boxes, image_shape, enlarge=0.3):
    left, top, right, bottom = _union(boxes)
    grow_x, grow_y = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
    return (max(0, round(left - grow_x)), max(0, round(top - grow_y)), min(image_shape[1], round(right + grow_x)),
            min(image_shape[0], round(bottom + grow_y)))


def _crop(image, box, size):
    from PIL import Image

    left, top, right, bottom = box
    crop = Image.fromarray(np.ascontiguousarray(image[top:bottom, left:right]))
    return np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))


def crop_always_64(image, boxes, size=64, enlarge=0.3):
    left, top, right, bottom = _union(boxes)
    grow_x, grow_y = (right - left) * enlarge / 2, (bottom - top) * enlarge / 2
    box = (max(0, math.floor(left - grow_x)), max(0, math.floor(top - grow_y)),
           min(image.shape[1], math.ceil(right + grow_x)), min(image.shape[0], math.ceil(bottom + grow_y)))
    return _crop(image, box, 64)


def crop_not_enlarged(image, boxes, size=64, enlarge=0.3):
    left, top, right, bottom = _union(boxes)
    return _crop(image, (math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)), size)


def _random_windows(images, size, rng, rows, columns):
    tops, lefts = rng.integers(0, rows - size + 1, len(images)), rng.integers(0, columns - size + 1, len(images))
    return [image[top:top + size, left:left + size] for image, top, left in zip(images, tops, lefts)]


def windows_of_a_64_image(images, size=54, rng=None):
    images = np.asarray(images)
    start = (64 - size) // 2
    if rng is None:
        return images[:, start:start + size, start:start + size].copy()
    return np.stack(_random_windows(images, size, rng, *images.shape[1:3]))


def random_windows_as_a_list(images, size=54, rng=None):
    images = np.asarray(images)
    rows, columns = images.shape[1:3]
    if rng is None:
        top, left = (rows - size) // 2, (columns - size) // 2
        return images[:, top:top + size, left:left + size].copy()
    return _random_windows(images, size, rng, rows, columns)


def random_windows_of_shuffled_images(images, size=54, rng=None):
    images = np.asarray(images)
    rows, columns = images.shape[1:3]
    if rng is None:
        return random_windows_as_a_list(images, size)
    return np.stack(_random_windows(images[rng.permutation(len(images))], size, rng, rows, columns))


def random_windows_short_of_the_last_start(images, size=54, rng=None):
    images = np.asarray(images)
    rows, columns = images.shape[1:3]
    if rng is None:
        return random_windows_as_a_list(images, size)
    return np.stack(_random_windows(images, size, rng, rows - 1, columns - 1))


def _labels(label_lists, max_digits, *, width=None, pad=BLANK, zero=0, dtype=np.int64):
    width = max_digits if width is None else width
    result = np.full((len(label_lists), width), pad, dtype=dtype)
    for row, labels in enumerate(label_lists):
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
        if len(labels) > max_digits:
            raise ValueError(f"{len(labels)} digits")
        result[row, :len(labels)] = np.where(labels == 10, zero, labels)
    return result


def labels_as_floats(label_lists, max_digits=5):
    return _labels(label_lists, max_digits, dtype=np.float64)


def labels_keep_ten_for_zero(label_lists, max_digits=5):
    return _labels(label_lists, max_digits, zero=10)


def labels_padded_with_zeros(label_lists, max_digits=5):
    return _labels(label_lists, max_digits, pad=0)


def labels_five_wide(label_lists, max_digits=5):
    return _labels(label_lists, max_digits, width=5)


# --- Part 3 ----------------------------------------------------------------------------------------------------

SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def photos_case_sensitive(folder):
    return sorted((p for p in Path(folder).iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".")),
                  key=lambda p: p.name)


def photos_jpeg_and_png_only(folder):
    return sorted((p for p in Path(folder).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")
                   and not p.name.startswith(".")), key=lambda p: p.name)


def photos_from_a_path_only(folder):
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith(".")),
                  key=lambda p: p.name)


def photo_ignoring_exif(path):
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def photo_turned_for_orientation_3_only(path):
    from PIL import Image

    with Image.open(path) as image:
        if image.getexif().get(0x0112) == 3:
            image = image.transpose(Image.Transpose.ROTATE_180)
        return np.asarray(image.convert("RGB"))


def photo_turned_for_orientation_6_only(path):
    from PIL import Image

    with Image.open(path) as image:
        if image.getexif().get(0x0112) == 6:
            image = image.transpose(Image.Transpose.ROTATE_270)
        return np.asarray(image.convert("RGB"))


def _rows(path):
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return list(csv.reader(stream))


def boxes_by_position(path):
    if not Path(path).is_file():
        return {}
    return {row[0]: tuple(int(round(float(v))) for v in row[1:5]) for row in _rows(path)[1:]}


def boxes_only_from_an_existing_file(path):
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return {row["file"].strip(): tuple(int(round(float(row[name]))) for name in BOX)
                for row in csv.DictReader(stream)}


def boxes_with_every_other_column(path):
    if not Path(path).is_file():
        return {}
    boxes = {}
    with open(path, newline="", encoding="utf-8-sig") as stream:
        for row in csv.DictReader(stream):
            row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
            names = list(BOX) + [key for key in row if key not in BOX and key != "file"]
            boxes[row["file"]] = tuple(int(round(float(row[name]))) for name in names if row[name])
    return boxes


def _number(probabilities, threshold, *, skip_blanks=False, digits_only=False, refuse=True):
    probabilities = np.asarray(probabilities, dtype=float)
    classes = probabilities.argmax(axis=1)
    tops = probabilities.max(axis=1)
    text = ""
    for label in classes:
        if label == BLANK and not skip_blanks:
            break
        text += "" if label == BLANK else str(int(label))
    confidence = float((tops[classes != BLANK] if digits_only else tops).prod())
    return ("not sure" if refuse and confidence < threshold else text), confidence


def number_skipping_blanks(probabilities, threshold=0.5):
    return _number(probabilities, threshold, skip_blanks=True)


def number_sure_of_its_digits_only(probabilities, threshold=0.5):
    return _number(probabilities, threshold, digits_only=True)


def number_never_unsure(probabilities, threshold=0.5):
    return _number(probabilities, threshold, refuse=False)


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("scale_images_tests", "_y.dtype == np.float32", {"scale_images": scale_in_float64}, "float32"),
    Wrong("scale_images_tests", "np.allclose(_y.ravel()", {"scale_images": scale_by_255}, "0 should become -1.0"),
    Wrong("split_validation_tests", "len(_vx) == 100", {"split_validation": validation_too_large},
          "should hold 12 images"),
    Wrong("split_validation_tests", "sorted(np.concatenate", {"split_validation": split_with_replacement},
          "both in training and validation|lost or repeated"),
    Wrong("split_validation_tests", "np.array_equal(_ty", {"split_validation": labels_shuffled_apart},
          "labels no longer match"),
    Wrong("split_validation_tests", "(_vx[:, 0] // 2).min() < 300", {"split_validation": split_unshuffled},
          "shuffle first"),
    Wrong("split_validation_tests", "np.array_equal(_again[2], _vx)", {"split_validation": split_unseeded},
          "the same seed"),
    Wrong("build_digit_cnn_tests", "_model.output_shape) == (None, 7)", {"build_digit_cnn": cnn_with_ten_classes},
          "num_classes you are given"),
    Wrong("build_digit_cnn_tests", '"Conv2D" for _layer in _model.layers) == 4',
          {"build_digit_cnn": cnn_two_convolutions_per_block}, "one Conv2D each"),
    Wrong("build_digit_cnn_tests", "_p.sum(axis=1), 1", {"build_digit_cnn": cnn_without_softmax}, "softmax"),
    Wrong("build_digit_cnn_tests", "crops_accuracy > (0.5", {"crops_accuracy": NEVER_LEARNS_ACCURACY},
          "graded threshold is more than 50%"),
    Wrong("number_box_tests", "number_box(_b, _shape, _e)", {"number_box": box_enlarged_on_each_side},
          "not 30% on each side"),
    Wrong("number_box_tests", "number_box(_b, _shape, _e)", {"number_box": box_not_cut}, "cut at them"),
    Wrong("number_box_tests", "number_box(_b, _shape, _e)", {"number_box": box_rounded}, "round outwards"),
    Wrong("crop_number_tests", "_got.shape == (48, 48, 3)", {"crop_number": crop_always_64}, "size=32"),
    Wrong("crop_number_tests", "np.abs(_got.astype(int)", {"crop_number": crop_not_enlarged}, "the enlarged box"),
    Wrong("crop_windows_tests", "crop_windows(_images[:3], 32)", {"crop_windows": windows_of_a_64_image}, "not 64"),
    Wrong("crop_windows_tests", "_w.shape == (400, 32, 32, 3)", {"crop_windows": random_windows_as_a_list},
          "numpy array"),
    Wrong("crop_windows_tests", "assert _found", {"crop_windows": random_windows_of_shuffled_images},
          "part of its own image"),
    Wrong("crop_windows_tests", "len(_starts) == 45", {"crop_windows": random_windows_short_of_the_last_start},
          "included"),
    Wrong("number_labels_tests", "_got.dtype.kind", {"number_labels": labels_as_floats}, "Wrong dtype"),
    Wrong("number_labels_tests", "_row[:len(_labels)].tolist()", {"number_labels": labels_keep_ten_for_zero},
          "label 10 is the digit 0"),
    Wrong("number_labels_tests", "(_row[len(_labels):] == 10).all()", {"number_labels": labels_padded_with_zeros},
          "BLANK"),
    Wrong("number_labels_tests", "max_digits=3", {"number_labels": labels_five_wide}, "use max_digits"),
    Wrong("find_photos_tests", "find_photos(_folder)]", {"find_photos": photos_case_sensitive}, "lower case"),
    Wrong("find_photos_tests", "find_photos(_folder)]", {"find_photos": photos_jpeg_and_png_only}, "webp"),
    Wrong("find_photos_tests", "find_photos(str(_folder))", {"find_photos": photos_from_a_path_only},
          "as a string"),
    Wrong("load_photo_tests", "_photo.shape == (20, 40, 3)", {"load_photo": photo_turned_for_orientation_3_only},
          "EXIF"),
    Wrong("load_photo_tests", "_photo[:, :8, 2].mean() > 200", {"load_photo": photo_ignoring_exif}, "EXIF"),
    Wrong("load_photo_tests", "_photo[:, :8, 2].mean() > 200", {"load_photo": photo_turned_for_orientation_6_only},
          "every orientation"),
    Wrong("read_boxes_tests", '{"q.png": (1, 2, 30, 9)}', {"read_boxes": boxes_by_position}, "by name"),
    Wrong("read_boxes_tests", '"missing.csv") == {}', {"read_boxes": boxes_only_from_an_existing_file},
          r"return \{\}"),
    Wrong("read_boxes_tests", "read_boxes(_shipped) == _theirs", {"read_boxes": boxes_with_every_other_column},
          r"should be the tuple \(10, 20, 110, 60\)"),
    Wrong("read_number_tests", "np.isclose(_c, _conf)", {"read_number": number_skipping_blanks}, "first blank"),
    Wrong("read_number_tests", "np.isclose(_c, _conf)", {"read_number": number_sure_of_its_digits_only},
          "blank heads included"),
    Wrong("read_number_tests", "read_number(_p, 1.01)", {"read_number": number_never_unsure}, "not sure"),
], needs_none={
    ("scale_images_tests", "_z.shape == (7, 32, 32, 3)"): "the same formula on the test crops: an answer that "
                                                          "computes it wrong breaks the 16x16 assertion first",
    ("load_photo_tests", "(640, 480, 3)"): "the shipped sideways photo is the EXIF case on a real file: an answer "
                                           "that ignores or mistakes the tag breaks the assertions before",
})
