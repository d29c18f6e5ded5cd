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
    names = ["k.png", "c.png", "x.png", "a.png", "m.png", "f.png"]  # written in this order, read in sorted order
    in_sorted_order = good[np.argsort(names)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "A"
        _write_pngs(folder, good, names)
        (folder / "empty.png").write_bytes(b"")
        raw = (folder / "k.png").read_bytes()
        (folder / "truncated.png").write_bytes(raw[: len(raw) // 2])
        from PIL import Image

        Image.fromarray(_letters(1, seed=3)[0][:, :27], "L").save(folder / "narrow.png")  # 27 pixels wide
        result = load_letter(str(folder), 5)
        check_array(result, name="load_letter", dtype_kind="f")
        check(result.shape == (6, 28, 28),
              f"load_letter should return the 6 readable 28x28 images of the folder, shape (6, 28, 28); got "
              f"{result.shape}. Skip files that cannot be read (empty, truncated, or not 28x28) instead of stopping, "
              "resizing them or keeping them as blank images.")
        check(result.dtype == np.float32,
              f"load_letter should return float32 (what normalize returns), got {result.dtype}: reuse normalize")
        expected = (in_sorted_order.astype(np.float32) - 127.5) / 255
        check(np.allclose(np.sort(result.reshape(6, -1), axis=0), np.sort(expected.reshape(6, -1), axis=0),
                          atol=1e-6),
              "the images are not normalised like normalize() does: reuse your normalize function")
        check(np.allclose(result, expected, atol=1e-6),
              "load_letter should return the images in the order of their sorted file names (a.png, c.png, f.png, "
              "...), as class_arrays.read_image_folder does: sort the file names (os.listdir's order is arbitrary)")
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
    fewer = pick_samples(arrays, 2, 0)
    check(np.shape(fewer[0]) == (20, 28, 28) and np.bincount(fewer[1], minlength=10).tolist() == [2] * 10,
          f"pick_samples(arrays, 2) should give 2 images of each letter, shape (20, 28, 28); got "
          f"{np.shape(fewer[0])}: use per_letter")
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
    check(np.array_equal(valid_y, np.arange(10)) and np.array_equal(train_y, np.repeat(np.arange(10), 3)),
          f"the sets should come letter by letter, all of A's images, then B's, ...: train labels should be "
          f"[0, 0, 0, 1, 1, 1, ...], got {np.asarray(train_y)[:6].tolist()}...")
    check(np.array_equal(valid_x, np.stack([arrays[letter][0] for letter in LETTERS]))
          and np.array_equal(train_x, np.concatenate([arrays[letter][1:4] for letter in LETTERS])),
          "take each letter's FIRST valid_size // 10 images for validation and the NEXT train_size // 10 for "
          "training, in their stored order (no shuffling here, and not from the end)")
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


# --- curation graded against the truth ---------------------------------------------------------------------------

def _copies() -> tuple[np.ndarray, dict]:
    """30 distinct images with planted copies, and the pairs expected for max_different_pixels 0, 2 and 3."""
    images = ((_letters(30, seed=12).astype(np.float32) - 127.5) / 255).astype(np.float32)
    images[29] = images[0]                        # two identical images
    images[5] = images[9] = images[2]             # three identical images: three pairs
    images[12] = images[3]
    images[12, 4, 4] += 0.25                      # 1 pixel differs from image 3
    images[20] = images[3]
    images[20, 10, 3] += 0.3                      # 2 pixels differ from image 3 (flat positions 283 and 582:
    images[20, 20, 22] -= 0.3                     # one in each half, one in each odd/even group)
    images[25] = images[7]
    images[25, 1, 1] += 0.2
    images[25, 13, 14] += 0.2
    images[25, 26, 27] -= 0.2                     # 3 pixels differ from image 7
    images[16, :11] = images[15, :11]             # the top 11 rows (308 pixels) the same, the rest not
    images[18].reshape(-1)[0::3] = images[17].reshape(-1)[0::3]  # every third pixel the same, the rest not
    images[28] = images[1] + 1 / 255              # every pixel a grey level brighter: not a copy
    exact = {(0, 29), (2, 5), (2, 9), (5, 9)}
    return images, {0: exact, 2: exact | {(3, 12), (3, 20)}, 3: exact | {(3, 12), (3, 20), (7, 25), (12, 20)}}


def _pair_set(result, name: str) -> set:
    pairs = check_array(result, name=name, shape=(None, 2), dtype_kind="iu")
    rows = [tuple(int(v) for v in row) for row in pairs]
    for i, j in rows:
        check(i != j, f"{name} returned the pair ({i}, {j}): an image is not a copy of itself")
        check(i < j, f"{name} returned the pair ({i}, {j}): write each pair as (i, j) with i < j")
    check(len(set(rows)) == len(rows), f"{name} returned a pair twice: return each pair once")
    return set(rows)


def test_copy_pairs(copy_pairs) -> None:
    images, expected = _copies()
    original = images.copy()
    found = _pair_set(copy_pairs(images, 2), "copy_pairs")
    check(np.array_equal(images, original), "copy_pairs changed its input: work on a copy")
    rows = images.reshape(len(images), -1)
    for i, j in sorted(found - expected[2]):
        check(False, f"copy_pairs(images, 2) returned ({i}, {j}), but those images differ in "
                     f"{np.count_nonzero(rows[i] != rows[j])} pixels, more than 2: sharing a group's bytes only makes "
                     "two images candidates; keep the candidates whose pixels differ in at most max_different_pixels "
                     "places (np.count_nonzero)")
    missing = expected[2] - found
    check(not missing & {(2, 5), (2, 9), (5, 9)}, "images 2, 5 and 9 are identical: that is three pairs, (2, 5), "
                                                  f"(2, 9) and (5, 9); you returned {sorted(found & expected[0])}")
    check((0, 29) not in missing, "images 0 and 29 are identical, and copy_pairs(images, 2) did not return (0, 29)")
    check((3, 12) not in missing, "images 3 and 12 differ in 1 pixel: with max_different_pixels=2 they are a pair "
                                  "(compare groups of pixels, not whole images)")
    check((3, 20) not in missing, "images 3 and 20 differ in 2 pixels, and copy_pairs(images, 2) missed them: split "
                                  "the pixels into max_different_pixels + 1 groups (3 here); with fewer groups, two "
                                  "differing pixels can spoil every group")
    exact = _pair_set(copy_pairs(images, 0), "copy_pairs")
    check(exact == expected[0], f"with max_different_pixels=0 only identical images are pairs, {sorted(expected[0])}; "
                                f"got {sorted(exact)}: use max_different_pixels")
    wider = _pair_set(copy_pairs(images, 3), "copy_pairs")
    check(wider == expected[3], "with max_different_pixels=3, images 7 and 25 (3 pixels differ) and 12 and 20 are "
                                f"pairs too; got {sorted(wider)}: use max_different_pixels")
    none = check_array(copy_pairs(images[:2], 2), name="copy_pairs", shape=(None, 2), dtype_kind="iu")
    check(len(none) == 0, f"two different images make no pair, got {none.tolist()}")
    passed("copy_pairs")


def _suspects_case():
    """12 images: labels, out-of-fold probabilities (12, 10) and copy pairs, and the suspects at 0.05 and 0.5."""
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 2])
    probabilities = np.full((12, 10), 0.1 / 9)
    probabilities[np.arange(12), labels] = 0.9
    probabilities[0] = np.full(10, 0.09 / 8)
    probabilities[0, [0, 5]] = [0.01, 0.9]       # image 0: its own label 0.01
    probabilities[1] = np.full(10, 0.051 / 8)
    probabilities[1, [1, 3]] = [0.049, 0.9]      # image 1: 0.049, just below 0.05
    probabilities[2] = np.full(10, 0.1 / 8)
    probabilities[2, [2, 7]] = [0.3, 0.6]        # image 2: the model prefers H, but 0.3 is not below 0.05
    probabilities[9] = np.full(10, 0.1)          # image 9: the model has no idea; its own label 0.1
    pairs = np.array([[4, 5], [6, 10], [8, 11]])  # copies: E and F (labels differ), G and G, I and C
    return labels, probabilities, pairs, {0, 1, 4, 5, 8, 11}, {0, 1, 2, 4, 5, 8, 9, 11}


def test_suspect_labels(suspect_labels) -> None:
    labels, probabilities, pairs, at_005, at_05 = _suspects_case()
    inputs = [labels.copy(), probabilities.copy(), pairs.copy()]
    result = check_array(suspect_labels(labels, probabilities, pairs, 0.05), name="suspect_labels", shape=(None,),
                         dtype_kind="iu")
    check(all(np.array_equal(a, b) for a, b in zip(inputs, (labels, probabilities, pairs))),
          "suspect_labels changed its inputs: work on copies")
    check(np.array_equal(result, np.unique(result)), f"return each index once, in increasing order; got "
                                                     f"{result.tolist()}")
    found = set(result.tolist())
    check(0 in found and 1 in found, "images 0 and 1 give their own label a probability of 0.01 and 0.049, below "
                                     "the threshold 0.05: flag them (compare probabilities[i, labels[i]] with the "
                                     "threshold)")
    check(2 not in found, "image 2: the model prefers another letter, but gives its own label 0.3, which is not "
                          "below the threshold 0.05: not a suspect (look at the probability of the image's own label, "
                          "not at the model's favourite)")
    check(9 not in found, "image 9: the model gives every letter 0.1, its own label too, which is not below 0.05: "
                          "not a suspect")
    check({4, 5, 8, 11} <= found, "images 4 and 5 (labels E and F) and 8 and 11 (I and C) are copies under "
                                  "different letters: flag both images of each such pair")
    check(not found & {6, 10}, "images 6 and 10 are copies with the same label (G): a copy under the same letter "
                               "is no reason to doubt the label")
    check(found == at_005, f"expected the suspects {sorted(at_005)}, got {sorted(found)}")
    wider = set(np.asarray(suspect_labels(labels, probabilities, pairs, 0.5)).tolist())
    check(wider == at_05, f"with threshold 0.5, images 2 and 9 (own labels 0.3 and 0.1) are suspects too: expected "
                          f"{sorted(at_05)}, got {sorted(wider)}; use the threshold argument")
    alone = set(np.asarray(suspect_labels(labels, probabilities, np.zeros((0, 2), np.int64), 0.05)).tolist())
    check(alone == {0, 1}, f"with no pairs, only the model's doubts count: expected [0, 1], got {sorted(alone)}")
    passed("suspect_labels")


public_hooks(globals())  # failures show as hints; errors in your code keep their traceback
