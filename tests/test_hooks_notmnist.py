"""Every notMNIST hook against the reference solution and at least two wrong answers (three for Part 9's).

The reference functions are taken from the source notebook's solution cells,
so the hooks are proven against the very code the autograder's reference runs.
Wrong answers that also break a hidden test live in the assignment's catalogue
(``tests/hidden_requirements/notmnist.py``) and are used from there.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest

import problem_unittests.notmnist as hooks
from tests.conftest import REPO
from tests.hidden_requirements import notmnist as wrong
from tests.notebook_reference import fails, passes, reference_namespace

matplotlib.use("Agg")

NOTEBOOK = REPO / "notebooks" / "01_notmnist" / "notmnist.ipynb"
SOLUTION_CELLS = ("imports", "show_letter_samples", "normalize", "load_letter", "pick_samples", "class_balance",
                  "merge_datasets", "shuffle", "label_agreement", "overlap", "fit_logistic", "copy_pairs",
                  "suspect_labels")


@pytest.fixture(scope="module")
def reference():
    """The notebook's reference functions, executed from its solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTION_CELLS)


def test_normalize(reference, capsys):
    passes(hooks.test_normalize, reference["normalize"], capsys, "normalize")
    fails(hooks.test_normalize, lambda x: None, "returned None")
    fails(hooks.test_normalize, lambda x: (x - 127.5) / 255, "float32")  # float64
    fails(hooks.test_normalize, lambda x: (x.astype(np.float32) - 128) / 255, "0 should become -0.5")
    fails(hooks.test_normalize, lambda x: x.astype(np.float32) / 255, "0 should become -0.5")

    def in_place(x):
        x -= 1
        return x.astype(np.float32)

    fails(hooks.test_normalize, in_place, "changed its input")


def test_load_letter(reference):
    hooks.test_load_letter(reference["load_letter"])
    read = reference["class_arrays"].read_image_folder
    normalize = reference["normalize"]

    def float64(folder, minimum):
        images, _ = read(folder, progress=False)
        if len(images) < minimum:
            raise ValueError
        return (images - 127.5) / 255

    def stops_at_bad_file(folder, minimum):
        from PIL import Image

        return normalize(np.stack([np.asarray(Image.open(p)) for p in sorted(Path(folder).iterdir())]))

    fails(hooks.test_load_letter, wrong.load_never_refusing, "should raise ValueError")
    fails(hooks.test_load_letter, wrong.load_unnormalized, "not normalised")
    fails(hooks.test_load_letter, float64, "should return float32")
    fails(hooks.test_load_letter, wrong.load_resizing, r"shape \(6, 28, 28\).*resizing them")
    fails(hooks.test_load_letter, wrong.load_in_reverse, "order of their sorted file names")
    with pytest.raises(Exception):  # the hook lets the student's own crash through, with its traceback
        hooks.test_load_letter(stops_at_bad_file)


def test_show_letter_samples(reference):
    hooks.test_show_letter_samples(reference["show_letter_samples"])
    plotting = reference["plotting"]

    def one_per_letter(root, per_letter=3, seed=0):
        return plotting.show_images(np.zeros((10, 28, 28)), list("ABCDEFGHIJ"))

    def no_titles(root, per_letter=3, seed=0):
        return plotting.show_images(np.zeros((10 * per_letter, 28, 28)))

    def returns_axes(root, per_letter=3, seed=0):
        return reference["show_letter_samples"](root, per_letter, seed).axes[0]

    fails(hooks.test_show_letter_samples, one_per_letter, "should show 20 images")
    fails(hooks.test_show_letter_samples, no_titles, "title each image with its letter")
    fails(hooks.test_show_letter_samples, returns_axes, "should return the matplotlib Figure")


def test_pick_samples(reference):
    hooks.test_pick_samples(reference["pick_samples"])
    right = reference["pick_samples"]

    def shifted_labels(arrays, per_letter, seed=0):
        images, labels = right(arrays, per_letter, seed)
        return images, (labels + 1) % 10

    def unseeded(arrays, per_letter, seed=0):
        return right(arrays, per_letter, np.random.default_rng().integers(1 << 30))

    fails(hooks.test_pick_samples, shifted_labels, "check the labels")
    fails(hooks.test_pick_samples, unseeded, "same seed should pick the same images")
    fails(hooks.test_pick_samples, lambda arrays, n, seed=0: right(arrays, n, seed)[0], "tuple")
    fails(hooks.test_pick_samples, lambda arrays, n, seed=0: right(arrays, 3, seed), "use per_letter")


def test_class_counts(reference):
    hooks.test_class_counts(reference["class_counts"])
    fails(hooks.test_class_counts, lambda arrays: {k: v.size for k, v in arrays.items()}, "not pixels")
    fails(hooks.test_class_counts, lambda arrays: [len(v) for v in arrays.values()], "should return a dict")


def test_is_balanced(reference):
    hooks.test_is_balanced(reference["is_balanced"])
    fails(hooks.test_is_balanced, lambda counts, tolerance=0.05: True, "not balanced at tolerance 0.05")

    def ignores_tolerance(counts, tolerance=0.05):
        values = np.array(list(counts.values()), float)
        return bool(np.all(np.abs(values - values.mean()) <= 0.05 * values.mean()))

    fails(hooks.test_is_balanced, ignores_tolerance, "use the tolerance argument")


def test_merge_datasets(reference):
    hooks.test_merge_datasets(reference["merge_datasets"])
    right = reference["merge_datasets"]

    def overlapping(arrays, train_size, valid_size=0):
        per_train = train_size // 10
        vx, vy, tx, ty = right(arrays, train_size, valid_size)
        tx = np.concatenate([arrays[letter][:per_train] for letter in "ABCDEFGHIJ"])
        return vx, vy, tx, ty

    def silently_short(arrays, train_size, valid_size=0):
        per_valid, per_train = valid_size // 10, train_size // 10
        parts = [(arrays[letter][:per_valid], arrays[letter][per_valid:per_valid + per_train], i)
                 for i, letter in enumerate("ABCDEFGHIJ")]
        return (np.concatenate([v for v, _, _ in parts]), np.concatenate([np.full(len(v), i) for v, _, i in parts]),
                np.concatenate([t for _, t, _ in parts]), np.concatenate([np.full(len(t), i) for _, t, i in parts]))

    def labels_from_one(arrays, train_size, valid_size=0):
        vx, vy, tx, ty = right(arrays, train_size, valid_size)
        return vx, vy + 1, tx, ty + 1

    def letters_reversed(arrays, train_size, valid_size=0):
        vx, vy, tx, ty = right(arrays, train_size, valid_size)
        return vx[::-1], vy[::-1], tx[::-1], ty[::-1]

    fails(hooks.test_merge_datasets, overlapping, "in both valid and train")
    fails(hooks.test_merge_datasets, wrong.merge_validation_from_the_end, "FIRST valid_size // 10")
    fails(hooks.test_merge_datasets, letters_reversed, "letter by letter")
    fails(hooks.test_merge_datasets, silently_short, "should raise ValueError")
    fails(hooks.test_merge_datasets, labels_from_one, "per letter|does not come from")


def test_shuffle(reference):
    hooks.test_shuffle(reference["shuffle"])

    def separately(images, labels, seed=133):
        rng = np.random.default_rng(seed)
        return images[rng.permutation(len(images))], labels[rng.permutation(len(labels))]

    def in_place(images, labels, seed=133):
        order = np.random.default_rng(seed).permutation(len(labels))
        images[:] = images[order]
        labels[:] = labels[order]
        return images, labels

    fails(hooks.test_shuffle, separately, "ONE permutation")
    fails(hooks.test_shuffle, in_place, "changed its inputs in place")
    fails(hooks.test_shuffle, lambda images, labels, seed=133: (images.copy(), labels.copy()), "nothing was shuffled")


def test_label_agreement(reference):
    hooks.test_label_agreement(reference["label_agreement"])
    fails(hooks.test_label_agreement, lambda images, labels, arrays: 1.0, "agreement should be 0.85")

    def anywhere(images, labels, arrays):
        every = {row.tobytes() for array in arrays.values() for row in array}
        return float(np.mean([image.tobytes() in every for image in images]))

    fails(hooks.test_label_agreement, anywhere, "agreement should be 0.85")


def test_overlap_mask(reference):
    hooks.test_overlap_mask(reference["overlap_mask"])

    def close_enough(a, b):
        return np.array([np.isclose(b, row, atol=2).all(axis=(1, 2)).any() for row in a])

    def counts_not_mask(a, b):
        return int(reference["overlap_mask"](a, b).sum())

    def mask_over_b(a, b):
        return reference["overlap_mask"](b, a)

    fails(hooks.test_overlap_mask, close_enough, "not exact duplicates")
    fails(hooks.test_overlap_mask, counts_not_mask, "numpy array")
    fails(hooks.test_overlap_mask, mask_over_b, "Wrong shape")


def test_sanitize(reference):
    hooks.test_sanitize(reference["sanitize"])
    overlap = reference["overlap_mask"]

    def first_only(images, labels, *others):
        keep = ~overlap(images, others[0])
        return images[keep], labels[keep]

    def labels_untouched(images, labels, *others):
        keep = np.ones(len(images), bool)
        for other in others:
            keep &= ~overlap(images, other)
        return images[keep], labels[: keep.sum()]

    fails(hooks.test_sanitize, first_only, "17 should remain")
    fails(hooks.test_sanitize, labels_untouched, "labels do not match")


def test_fit_logistic(reference):
    hooks.test_fit_logistic(reference["fit_logistic"])
    right = reference["fit_logistic"]

    def random_n(images, labels, n):
        pick = np.random.default_rng(0).permutation(len(labels))[:n]
        return right(images[pick], labels[pick], n)

    def first_row_only(images, labels, n):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=50).fit(images[:n, 0, :], labels[:n])

    fails(hooks.test_fit_logistic, lambda images, labels, n: None, "return the fitted model")
    fails(hooks.test_fit_logistic, random_n, "FIRST n images")
    fails(hooks.test_fit_logistic, first_row_only, "Flatten each image")


def test_copy_pairs(reference, capsys):
    passes(hooks.test_copy_pairs, reference["copy_pairs"], capsys, "copy_pairs")
    right = reference["copy_pairs"]

    def with_itself(images, max_different_pixels=2):
        pairs = right(images, max_different_pixels)
        return np.concatenate([pairs, np.array([[0, 0]])])

    def both_orders(images, max_different_pixels=2):
        pairs = right(images, max_different_pixels)
        return np.concatenate([pairs, pairs[:, ::-1]])

    def too_few_groups(images, max_different_pixels=2):  # k groups: two differing pixels can spoil both
        rows = images.reshape(len(images), -1)
        found = set()
        for group in range(max(1, max_different_pixels)):
            same = {}
            for index, row in enumerate(rows[:, group::max(1, max_different_pixels)]):
                same.setdefault(row.tobytes(), []).append(index)
            found |= {(a, b) for members in same.values() for n, a in enumerate(members) for b in members[n + 1:]
                      if np.count_nonzero(rows[a] != rows[b]) <= max_different_pixels}
        return np.array(sorted(found), np.int64).reshape(-1, 2)

    def consecutive_only(images, max_different_pixels=2):  # three identical images give two pairs, not three
        pairs = right(images, max_different_pixels)
        return np.array([pair for pair in pairs.tolist() if pair != [5, 9]], np.int64)

    fails(hooks.test_copy_pairs, wrong.pairs_identical_only, "images 3 and 12 differ in 1 pixel")
    fails(hooks.test_copy_pairs, wrong.pairs_unverified, r"differ in \d+ pixels, more than 2")
    fails(hooks.test_copy_pairs, with_itself, "not a copy of itself")
    fails(hooks.test_copy_pairs, both_orders, "i < j")
    fails(hooks.test_copy_pairs, too_few_groups, "images 3 and 20 differ in 2 pixels")
    fails(hooks.test_copy_pairs, consecutive_only, "three pairs")
    fails(hooks.test_copy_pairs, wrong.pairs_ignoring_k, "with max_different_pixels=0")
    fails(hooks.test_copy_pairs, lambda images, k=2: right(images, k).tolist(), "numpy array")


def test_suspect_labels(reference, capsys):
    passes(hooks.test_suspect_labels, reference["suspect_labels"], capsys, "suspect_labels")
    right = reference["suspect_labels"]

    def every_copy(labels, probabilities, pairs, threshold=0.05):
        return np.union1d(right(labels, probabilities, pairs, threshold), np.asarray(pairs).ravel())

    def unsorted(labels, probabilities, pairs, threshold=0.05):
        return right(labels, probabilities, pairs, threshold)[::-1]

    fails(hooks.test_suspect_labels, wrong.suspects_by_model_only, "copies under different letters")
    fails(hooks.test_suspect_labels, wrong.suspects_by_copies_only, "images 0 and 1 give their own label")
    fails(hooks.test_suspect_labels, wrong.suspects_by_disagreement, "image 2: the model prefers another letter")
    fails(hooks.test_suspect_labels, every_copy, "copies with the same label")
    fails(hooks.test_suspect_labels, wrong.suspects_fixed_threshold, "use the threshold argument")
    fails(hooks.test_suspect_labels, wrong.suspects_as_mask, "Wrong dtype")
    fails(hooks.test_suspect_labels, unsorted, "increasing order")
