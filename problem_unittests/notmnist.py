"""Public tests for assignment 1 (notMNIST). Call each right under your function:

    import problem_unittests.notmnist as tests
    tests.test_normalize(normalize)

They run your function on small fixed inputs and say what to look at when
something is off. Passing them is a good sign, not a grade: the autograder's
hidden tests use data you have not seen.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from problem_unittests.checks import PublicTestFailure, check, check_array, passed, public_hooks

LETTERS = "ABCDEFGHIJ"
PIXEL_DEPTH = 255.0


def _letters(count: int, seed: int = 0) -> np.ndarray:
    """Small fake letter images: uint8 (count, 28, 28), each distinct."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    images[:, 0, 0] = np.arange(count) % 256  # distinct even when the RNG repeats itself
    images[:, 0, 1] = np.arange(count) // 256
    return images


def _class_arrays(per_class=(6, 5, 7, 6, 6, 6, 5, 6, 6, 7), seed: int = 1) -> dict:
    arrays, start = {}, 0
    pool = _letters(sum(per_class), seed)
    for letter, count in zip(LETTERS, per_class):
        arrays[letter] = ((pool[start:start + count].astype(np.float32) - 127.5) / 255).astype(np.float32)
        start += count
    return arrays


def _write_pngs(folder: Path, images, names=None) -> None:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for index, image in enumerate(images):
        name = names[index] if names else f"img{index:03d}.png"
        Image.fromarray(image, "L").save(folder / name)


# --- loading -------------------------------------------------------------------------------------

def test_normalize(normalize) -> None:
    images = np.array([[[0, 255], [128, 64]]], dtype=np.uint8)
    original = images.copy()
    result = check_array(normalize(images), name="normalize", shape=(1, 2, 2), dtype_kind="f")
    check(np.array_equal(images, original), "normalize changed its input: work on a copy (or a new array)")
    check(result.dtype == np.float32,
          f"normalize should return float32 (half the memory of float64), got {result.dtype}")
    check(np.isclose(result[0, 0, 0], -0.5) and np.isclose(result[0, 0, 1], 0.5),
          f"0 should become -0.5 and 255 should become 0.5, got {result[0, 0, 0]:.3f} and {result[0, 0, 1]:.3f}: "
          "subtract half the pixel depth (127.5), then divide by the pixel depth (255)")
    check(np.isclose(result[0, 1, 0], (128 - 127.5) / 255),
          f"128 should become {(128 - 127.5) / 255:.4f}, got {result[0, 1, 0]:.4f}: did you use integer division?")
    passed("normalize")


def test_load_letter(load_letter) -> None:
    good = _letters(6, seed=2)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "A"
        _write_pngs(folder, good)
        (folder / "empty.png").write_bytes(b"")
        raw = (folder / "img000.png").read_bytes()
        (folder / "truncated.png").write_bytes(raw[: len(raw) // 2])
        result = load_letter(str(folder), 5)
        check_array(result, name="load_letter", dtype_kind="f")
        check(result.shape == (6, 28, 28),
              f"load_letter should return the 6 readable images of the folder, shape (6, 28, 28); got {result.shape}. "
              "Skip files that cannot be read instead of stopping or keeping them as blank images.")
        expected = (np.sort(good.reshape(6, -1), axis=0).astype(np.float32) - 127.5) / 255
        check(np.allclose(np.sort(result.reshape(6, -1), axis=0), expected, atol=1e-6),
              "the images are not normalised like normalize() does: reuse your normalize function")
        try:
            load_letter(str(folder), 7)
        except ValueError:
            pass
        else:
            check(False, "load_letter should raise ValueError when a folder has fewer readable images "
                         "than min_num_images (6 readable, 7 required)")
    passed("load_letter")


# --- looking at the data -------------------------------------------------------------------------

def _image_axes(figure):
    return [ax for ax in figure.axes if ax.images]


def test_show_letter_samples(show_letter_samples) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "notMNIST_tiny"
        for offset, letter in enumerate(LETTERS):
            _write_pngs(root / letter, _letters(4, seed=10 + offset))
        figure = show_letter_samples(str(root), per_letter=2, seed=0)
        check(isinstance(figure, Figure), f"show_letter_samples should return the matplotlib Figure, got "
                                          f"{type(figure).__name__}")
        axes = _image_axes(figure)
        check(len(axes) == 20,
              f"with per_letter=2 the figure should show 20 images (2 per letter), it shows {len(axes)}")
        titles = [ax.get_title() for ax in axes]
        check(titles == [letter for letter in LETTERS for _ in range(2)],
              f"title each image with its letter, in order A, A, B, B, ...; got {titles[:6]}...")
        plt.close(figure)
    passed("show_letter_samples")


def test_pick_samples(pick_samples) -> None:
    arrays = _class_arrays()
    result = pick_samples(arrays, 3, 0)
    check(isinstance(result, tuple) and len(result) == 2, "pick_samples should return a tuple (images, labels)")
    images, labels = result
    check_array(images, name="pick_samples images", shape=(30, 28, 28), dtype_kind="f")
    check_array(labels, name="pick_samples labels", shape=(30,), dtype_kind="iu")
    check(np.bincount(labels, minlength=10).tolist() == [3] * 10, "pick 3 images of each of the 10 letters")
    for image, label in zip(images, labels):
        check(any(np.array_equal(image, row) for row in arrays[LETTERS[label]]),
              f"an image labelled {LETTERS[label]} is not one of the {LETTERS[label]} images: check the labels")
    again = pick_samples(arrays, 3, 0)
    check(np.array_equal(again[0], images), "the same seed should pick the same images (use the seed)")
    passed("pick_samples")


# --- class balance ---------------------------------------------------------------------------------

def test_class_counts(class_counts) -> None:
    arrays = _class_arrays()
    counts = class_counts(arrays)
    check(isinstance(counts, dict), f"class_counts should return a dict {{letter: count}}, got {type(counts).__name__}")
    expected = {letter: len(array) for letter, array in arrays.items()}
    check(set(counts) == set(LETTERS), f"the keys should be the letters A..J, got {sorted(counts)}")
    check(all(int(counts[k]) == expected[k] for k in LETTERS),
          f"expected {expected}, got {counts}: count images (len of each array), not pixels")
    passed("class_counts")


def test_is_balanced(is_balanced) -> None:
    even = dict.fromkeys(LETTERS, 100)
    check(is_balanced(even) is True or is_balanced(even) == True,  # noqa: E712 (numpy bools are fine)
          "ten classes of 100 images each are balanced")
    uneven = dict(even, C=80)
    check(not is_balanced(uneven, 0.05), "a class 20% below the others is not balanced at tolerance 0.05")
    slight = dict(even, C=98)
    check(bool(is_balanced(slight, 0.05)), "a class 2% below the others is balanced at tolerance 0.05")
    check(not is_balanced(slight, 0.01), "with tolerance 0.01, a class 2% below the mean is not balanced: "
                                         "use the tolerance argument")
    passed("is_balanced")


# --- merging and shuffling -------------------------------------------------------------------------

def test_merge_datasets(merge_datasets) -> None:
    arrays = _class_arrays()
    result = merge_datasets(arrays, 30, 10)
    check(isinstance(result, tuple) and len(result) == 4,
          "merge_datasets should return (valid_images, valid_labels, train_images, train_labels)")
    valid_x, valid_y, train_x, train_y = result
    check_array(valid_x, name="valid images", shape=(10, 28, 28), dtype_kind="f")
    check_array(train_x, name="train images", shape=(30, 28, 28), dtype_kind="f")
    check(np.bincount(train_y, minlength=10).tolist() == [3] * 10,
          f"train should hold train_size // 10 = 3 images per letter, got counts {np.bincount(train_y).tolist()}")
    check(np.bincount(valid_y, minlength=10).tolist() == [1] * 10, "valid should hold 1 image per letter")
    for images, labels, name in ((valid_x, valid_y, "valid"), (train_x, train_y, "train")):
        for image, label in zip(images, labels):
            check(any(np.array_equal(image, row) for row in arrays[LETTERS[label]]),
                  f"a {name} image labelled {LETTERS[label]} does not come from the {LETTERS[label]} array")
    valid_rows = {row.tobytes() for row in valid_x}
    check(not any(row.tobytes() in valid_rows for row in train_x),
          "an image is in both valid and train: take the validation images first, then the next ones for training")
    _, _, only_train_x, _ = merge_datasets(arrays, 20)
    check(len(only_train_x) == 20, "merge_datasets(arrays, 20) (no validation set) should give 20 training images")
    try:
        merge_datasets(arrays, 60, 10)
    except ValueError:
        pass
    else:
        check(False, "letter B has 5 images: merge_datasets(arrays, 60, 10) needs 7 per letter and should raise "
                     "ValueError instead of returning fewer images")
    passed("merge_datasets")


def test_shuffle(shuffle) -> None:
    images = _letters(50, seed=4).astype(np.float32)
    labels = np.arange(50) % 10
    before_images, before_labels = images.copy(), labels.copy()
    result = shuffle(images, labels, 133)
    check(isinstance(result, tuple) and len(result) == 2, "shuffle should return (images, labels)")
    shuffled_images, shuffled_labels = result
    check(np.array_equal(images, before_images) and np.array_equal(labels, before_labels),
          "shuffle changed its inputs in place: return shuffled copies (np.random.shuffle works in place)")
    check(shuffled_images.shape == images.shape and shuffled_labels.shape == labels.shape,
          "shuffle should keep the shapes")
    check(not np.array_equal(shuffled_labels, labels), "the labels come back in the same order: nothing was shuffled")
    position = {row.tobytes(): index for index, row in enumerate(images)}
    for image, label in zip(shuffled_images, shuffled_labels):
        origin = position.get(image.tobytes())
        check(origin is not None, "a shuffled image is not one of the input images")
        check(labels[origin] == label, "images and labels were shuffled differently: use ONE permutation for both")
    again_images, _ = shuffle(images, labels, 133)
    check(np.array_equal(again_images, shuffled_images), "the same seed should give the same order")
    other_images, _ = shuffle(images, labels, 7)
    check(not np.array_equal(other_images, shuffled_images), "a different seed should give a different order")
    passed("shuffle")


# --- checking the data ------------------------------------------------------------------------------

def test_label_agreement(label_agreement) -> None:
    arrays = _class_arrays()
    images = np.concatenate([arrays[letter][:2] for letter in LETTERS])
    labels = np.repeat(np.arange(10), 2)
    value = label_agreement(images, labels, arrays)
    check(np.isclose(float(value), 1.0), f"every label is right here, agreement should be 1.0, got {value}")
    wrong = labels.copy()
    wrong[[0, 5, 11]] = (wrong[[0, 5, 11]] + 1) % 10
    value = label_agreement(images, wrong, arrays)
    check(np.isclose(float(value), 17 / 20),
          f"3 of 20 labels are wrong here, agreement should be 0.85, got {value}: an image agrees when it is found "
          "in the stored array of the letter its label names")
    passed("label_agreement")


# --- overlap ----------------------------------------------------------------------------------------

def test_overlap_mask(overlap_mask) -> None:
    a = _letters(40, seed=5).astype(np.float32)
    b = _letters(60, seed=6).astype(np.float32)
    planted = [3, 17, 18, 39]
    b[[10, 20, 30, 59]] = a[planted]
    mask = check_array(overlap_mask(a, b), name="overlap_mask", shape=(40,), dtype_kind="b")
    check(mask.sum() == 4, f"4 images of a also occur in b, the mask marks {int(mask.sum())}")
    check(sorted(np.flatnonzero(mask).tolist()) == planted, "the mask marks the wrong images of a")
    near = a.copy()
    near[0, 5, 5] += 1
    check(not overlap_mask(near[:1], a[:1]).any(), "images that differ in one pixel are not exact duplicates")
    passed("overlap_mask")


def test_sanitize(sanitize) -> None:
    train = _letters(50, seed=7).astype(np.float32)
    test = _letters(20, seed=8).astype(np.float32)
    valid = _letters(10, seed=9).astype(np.float32)
    test[[2, 4]] = train[[0, 1]]
    test[7] = valid[3]
    labels = np.arange(20) % 10
    result = sanitize(test, labels, train, valid)
    check(isinstance(result, tuple) and len(result) == 2, "sanitize should return (images, labels)")
    clean, clean_labels = result
    check(len(clean) == 17, f"3 test images occur in train or valid, 17 should remain; got {len(clean)}")
    check(np.array_equal(clean_labels, np.delete(labels, [2, 4, 7])),
          "the labels do not match the images kept: drop the same rows from both")
    check(len(test) == 20, "sanitize changed its input")
    passed("sanitize")


# --- a first classifier -----------------------------------------------------------------------------

def test_fit_logistic(fit_logistic) -> None:
    rng = np.random.default_rng(11)
    centres = rng.normal(0, 0.5, (10, 28, 28)).astype(np.float32)
    labels = np.arange(200) % 10
    images = centres[labels] + rng.normal(0, 0.2, (200, 28, 28)).astype(np.float32)
    model = fit_logistic(images, labels, 100)
    check(model is not None and hasattr(model, "predict"),
          "fit_logistic should return the fitted model (it has a predict method)")
    try:
        predictions = np.asarray(model.predict(images[100:].reshape(100, -1)))
    except ValueError as error:
        raise PublicTestFailure(f"the model cannot predict from flattened images (N, 784): {error}. "
                                 "Flatten each image to a row of 784 pixels before fitting.") from None
    accuracy = float((predictions == labels[100:]).mean())
    check(accuracy > 0.9, f"on easy, well-separated data the model should be right > 90% of the time, got "
                          f"{accuracy:.0%}: flatten each image to a row of 784 pixels, and fit on the first n")
    order = np.argsort(labels, kind="stable")
    first = fit_logistic(images[order], labels[order], 60)  # the first 60 hold only letters 0, 1 and 2
    seen = getattr(first, "n_features_in_", 784)
    check(seen == 784, f"the model saw {seen} features per image: flatten (N, 28, 28) to (N, 784)")
    classes = list(getattr(first, "classes_", [0, 1, 2]))
    check(classes == [0, 1, 2], f"fit on the FIRST n images (the data is already shuffled); the model learned the "
                                f"classes {classes} instead of [0, 1, 2]")
    passed("fit_logistic")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
