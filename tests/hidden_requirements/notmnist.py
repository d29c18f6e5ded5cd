"""Assignment 1's hidden requirements, each with a wrong answer that the public hook rejects (see __init__).

The context is the notebook run in fast mode up to its sanitised splits, on the generated archives of the
user's cache (made once per machine, about 45 s here; a second session reads them). Part 7's and Part 9's
hidden tests bring their own data (archives generated afresh with seed 7, ``planted_defects.generated_sample``).
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np

from tests.conftest import REPO
from tests.hidden_requirements import Catalogue, Wrong, in_fast_mode
from tests.notebook_reference import reference_namespace

NOTEBOOK = REPO / "notebooks" / "01_notmnist" / "notmnist.ipynb"
CELLS = ("imports", "parameters", "sizes", "download", "extract", "show_letter_samples", "normalize", "load_letter",
         "store", "pick_samples", "class_balance", "merge_datasets", "merge_run", "shuffle", "shuffle_run",
         "label_agreement", "overlap", "overlap_run", "fit_logistic", "copy_pairs", "suspect_labels")
SOLUTIONS = ("imports", "show_letter_samples", "normalize", "load_letter", "pick_samples", "merge_datasets",
             "overlap", "fit_logistic", "copy_pairs", "suspect_labels")
LETTERS = "ABCDEFGHIJ"


@in_fast_mode
def context() -> dict:
    """The notebook's data and reference functions, run in fast mode as the autograder runs it."""
    namespace = reference_namespace(NOTEBOOK, CELLS)
    namespace["warnings"] = warnings  # imported by the cell that runs fit_logistic, which the context skips
    return namespace


@functools.cache
def right(name: str):
    """The reference solution of ``name``, from the notebook's solution cells."""
    return reference_namespace(NOTEBOOK, SOLUTIONS)[name]


def _normalize(images):
    return ((np.asarray(images, np.float32) - 127.5) / 255).astype(np.float32)


# --- wrong answers ----------------------------------------------------------------------------------------------

def figure_axes(root, per_letter=3, seed=0):
    return right("show_letter_samples")(root, per_letter, seed).axes[0]


def figure_without_titles(root, per_letter=3, seed=0):
    from course_lib import plotting

    return plotting.show_images(np.zeros((10 * per_letter, 28, 28)))


def normalize_float64(images):
    return (np.asarray(images) - 127.5) / 255


def normalize_off_centre(images):
    return (np.asarray(images, np.float32) - 128) / 255


def _readable(folder, minimum, *, resize=False):
    from PIL import Image

    images = []
    for path in sorted(Path(folder).iterdir()):
        try:
            with Image.open(path) as image:
                image.load()
                if image.size != (28, 28) and not resize:
                    continue
                images.append(np.asarray(image.convert("L").resize((28, 28))))
        except OSError:
            continue
    if len(images) < minimum:
        raise ValueError(f"{folder}: {len(images)} images")
    return np.stack(images)


def load_resizing(folder, min_num_images):
    return _normalize(_readable(folder, min_num_images, resize=True))


def load_unnormalized(folder, min_num_images):
    return _readable(folder, min_num_images).astype(np.float32)


def load_in_reverse(folder, min_num_images):
    return _normalize(_readable(folder, min_num_images)[::-1])


def load_never_refusing(folder, min_num_images):
    return _normalize(_readable(folder, 0))


def pick_three_always(arrays, per_letter, seed=0):
    return right("pick_samples")(arrays, 3, seed)


def pick_with_shifted_labels(arrays, per_letter, seed=0):
    images, labels = right("pick_samples")(arrays, per_letter, seed)
    return images, (labels + 1) % 10


def count_pixels(arrays):
    return {letter: array.size for letter, array in arrays.items()}


def always_balanced(counts, tolerance=0.05):
    return True


def merge_train_first(arrays, train_size, valid_size=0):
    valid_x, valid_y, train_x, train_y = right("merge_datasets")(arrays, train_size, valid_size)
    return train_x, train_y, valid_x, valid_y


def merge_labels_from_one(arrays, train_size, valid_size=0):
    valid_x, valid_y, train_x, train_y = right("merge_datasets")(arrays, train_size, valid_size)
    return valid_x, valid_y + 1, train_x, train_y + 1


def merge_letters_backwards(arrays, train_size, valid_size=0):
    backwards = {letter: arrays[other] for letter, other in zip(LETTERS, reversed(LETTERS))}
    return right("merge_datasets")(backwards, train_size, valid_size)


def merge_validation_from_the_end(arrays, train_size, valid_size=0):
    per_valid, per_train = valid_size // 10, train_size // 10
    valid = [arrays[letter][len(arrays[letter]) - per_valid:] for letter in LETTERS]
    train = [arrays[letter][:per_train] for letter in LETTERS]
    return (np.concatenate(valid), np.repeat(np.arange(10), per_valid),
            np.concatenate(train), np.repeat(np.arange(10), per_train))


def shuffle_separately(images, labels, seed=133):
    rng = np.random.default_rng(seed)
    return images[rng.permutation(len(images))], labels[rng.permutation(len(labels))]


def shuffle_nothing(images, labels, seed=133):
    return images.copy(), labels.copy()


def agreement_count(images, labels, arrays):
    stored = {label: {row.tobytes() for row in arrays[letter]} for label, letter in enumerate(LETTERS)}
    return sum(image.tobytes() in stored[int(label)] for image, label in zip(images, labels))


def agreement_anywhere(images, labels, arrays):
    every = {row.tobytes() for array in arrays.values() for row in array}
    return float(np.mean([image.tobytes() in every for image in images]))


def overlap_over_b(a, b):
    return right("overlap_mask")(b, a)


def overlap_close_enough(a, b):
    return np.array([np.isclose(b, row, atol=2).all(axis=(1, 2)).any() for row in a])


def sanitize_labels_untouched(images, labels, *others):
    keep = np.ones(len(images), bool)
    for other in others:
        keep &= ~right("overlap_mask")(images, other)
    return images[keep], labels[:keep.sum()]


def logistic_misaligned(images, labels, n):
    return right("fit_logistic")(images, np.roll(labels[:n], 1), n)


def pairs_flat(images, max_different_pixels=2):
    return right("copy_pairs")(images, max_different_pixels).ravel()


def pairs_identical_only(images, max_different_pixels=2):
    return right("copy_pairs")(images, 0)


def pairs_unverified(images, max_different_pixels=2):
    rows = np.asarray(images).reshape(len(images), -1)
    found = set()
    for columns in np.array_split(np.arange(rows.shape[1]), max_different_pixels + 1):
        same = {}
        for index, row in enumerate(rows[:, columns]):
            same.setdefault(row.tobytes(), []).append(index)
        found |= {(a, b) for group in same.values() for n, a in enumerate(group) for b in group[n + 1:]}
    return np.array(sorted(found), np.int64).reshape(-1, 2)


def pairs_ignoring_k(images, max_different_pixels=2):
    return right("copy_pairs")(images, 2)


def suspects_as_mask(labels, probabilities, pairs, threshold=0.05):
    mask = np.zeros(len(labels), bool)
    mask[right("suspect_labels")(labels, probabilities, pairs, threshold)] = True
    return mask


def suspects_by_disagreement(labels, probabilities, pairs, threshold=0.05):
    favourite = np.flatnonzero(np.asarray(probabilities).argmax(axis=1) != np.asarray(labels))
    return np.union1d(favourite, right("suspect_labels")(labels, np.ones_like(probabilities), pairs, threshold))


def suspects_by_copies_only(labels, probabilities, pairs, threshold=0.05):
    return right("suspect_labels")(labels, np.ones_like(probabilities), pairs, threshold)


def suspects_by_model_only(labels, probabilities, pairs, threshold=0.05):
    return right("suspect_labels")(labels, probabilities, np.zeros((0, 2), np.int64), threshold)


def suspects_fixed_threshold(labels, probabilities, pairs, threshold=0.05):
    return right("suspect_labels")(labels, probabilities, pairs, 0.05)


CATALOGUE = Catalogue(NOTEBOOK, context, wrong=[
    Wrong("problem1_tests", "matplotlib.figure.Figure", {"show_letter_samples": figure_axes},
          "should return the matplotlib Figure"),
    Wrong("problem1_tests", "ax.get_title()", {"show_letter_samples": figure_without_titles},
          "title each image with its letter"),
    Wrong("normalize_tests", "_y.dtype == np.float32", {"normalize": normalize_float64}, "float32"),
    Wrong("normalize_tests", "np.allclose(_y.ravel()", {"normalize": normalize_off_centre}, "0 should become -0.5"),
    Wrong("load_letter_tests", "_images.shape == (9, 28, 28)", {"load_letter": load_resizing}, "resizing them"),
    Wrong("load_letter_tests", "-0.5 <= _images.min()", {"load_letter": load_unnormalized}, "not normalised"),
    Wrong("load_letter_tests", "np.allclose(_images, (_files", {"load_letter": load_in_reverse},
          "order of their sorted file names"),
    Wrong("load_letter_tests", "assert _refused", {"load_letter": load_never_refusing}, "should raise ValueError"),
    Wrong("problem2_tests", "_images.shape == (20, 28, 28)", {"pick_samples": pick_three_always}, "use per_letter"),
    Wrong("problem2_tests", "test_arrays[LETTERS[_label]]", {"pick_samples": pick_with_shifted_labels},
          "check the labels"),
    Wrong("problem3_tests", "_counts.items()", {"class_counts": count_pixels}, "not pixels"),
    Wrong("problem3_tests", "is_balanced(", {"is_balanced": always_balanced}, "not balanced at tolerance 0.05"),
    Wrong("merge_tests", "_vx.shape == (20, 28, 28)", {"merge_datasets": merge_train_first},
          "Wrong shape from valid images"),
    Wrong("merge_tests", "np.bincount(_vy)", {"merge_datasets": merge_labels_from_one}, "images per letter"),
    Wrong("merge_tests", "_vx[:, 0, 0] // 1", {"merge_datasets": merge_letters_backwards},
          "does not come from the . array"),
    Wrong("merge_tests", "_vx[:2, 0, 0]", {"merge_datasets": merge_validation_from_the_end},
          "FIRST valid_size // 10"),
    Wrong("shuffle_tests", "_si[:, 0, 0], _sl", {"shuffle": shuffle_separately}, "ONE permutation"),
    Wrong("shuffle_tests", "not np.array_equal(_sl, _labels)", {"shuffle": shuffle_nothing}, "nothing was shuffled"),
    Wrong("problem4_tests", "_labels, _arrays), 1.0)", {"label_agreement": agreement_count},
          "agreement should be 1.0"),
    Wrong("problem4_tests", "np.roll(_labels, 1)", {"label_agreement": agreement_anywhere},
          "agreement should be 0.85"),
    Wrong("overlap_tests", "_mask.dtype == bool", {"overlap_mask": overlap_over_b}, "Wrong shape"),
    Wrong("overlap_tests", "np.array_equal(_mask, _expected)", {"overlap_mask": overlap_close_enough},
          "not exact duplicates"),
    Wrong("sanitize_tests", "len(_clean) == 8", {"sanitize": sanitize_labels_untouched}, "labels do not match"),
    Wrong("problem6_tests", "_accuracy > 0.7", {"fit_logistic": logistic_misaligned}, "right > 90%"),
    Wrong("copy_pairs_tests", "_pairs.ndim == 2", {"copy_pairs": pairs_flat}, "Wrong shape from copy_pairs"),
    Wrong("copy_pairs_tests", "_score.recall == 1.0", {"copy_pairs": pairs_identical_only},
          "images 3 and 12 differ in 1 pixel"),
    Wrong("copy_pairs_tests", "_score.precision == 1.0", {"copy_pairs": pairs_unverified}, "more than 2"),
    Wrong("copy_pairs_tests", "_exact.returned == _exact.copies", {"copy_pairs": pairs_ignoring_k},
          "with max_different_pixels=0"),
    Wrong("suspect_labels_tests", "_suspects.ndim == 1", {"suspect_labels": suspects_as_mask}, "Wrong dtype"),
    Wrong("suspect_labels_tests", "_score.precision >= 0.28", {"suspect_labels": suspects_by_disagreement},
          "image 2: the model prefers another letter"),
    Wrong("suspect_labels_tests", "_score.recall >= 0.45", {"suspect_labels": suspects_by_copies_only},
          "images 0 and 1 give their own label"),
    Wrong("suspect_labels_tests", "_by_copies.precision >= 0.8", {"suspect_labels": suspects_by_model_only},
          "copies under different letters"),
    Wrong("suspect_labels_tests", "_more.recall >= 0.7", {"suspect_labels": suspects_fixed_threshold},
          "use the threshold argument"),
], needs_none={
    ("overlap_tests", "_expected.sum() >="): "a check of the other data (it holds planted copies across the "
                                             "archives), not of the student's function",
})
