"""CIFAR-10, python version: ``cifar-10-python.tar.gz`` holding pickled batches.

A pickle can run any code while it loads, so a batch is unpickled only after
the whole archive matched the official checksum, and even then with an
unpickler that can build nothing but numpy arrays, lists, dicts and bytes.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from course_lib.data.verify import verify
from course_lib.errors import DataIntegrityError

ARCHIVE = "cifar-10-python.tar.gz"
MEMBERS = {
    "train": [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)],
    "test": ["cifar-10-batches-py/test_batch"],
}

# The only callables a CIFAR batch needs: numpy's array reconstruction and,
# for pickles written with protocol 2 by Python 3, the bytes helper.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _ArraysOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a CIFAR batch")
        if module.startswith("numpy") and name == "_reconstruct":
            from numpy._core.multiarray import _reconstruct

            return _reconstruct
        return super().find_class(module, name)


def load_batch(raw: bytes, shown: str) -> tuple[np.ndarray, np.ndarray]:
    """Decode one (already verified) batch: images (N, 32, 32, 3) uint8, labels (N,) int64."""
    try:
        batch = _ArraysOnlyUnpickler(io.BytesIO(raw), encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.int64)
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError) as error:
        raise DataIntegrityError(f"{shown} is not a CIFAR-10 batch: {error}") from None
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def read_split(dataset, paths: dict[str, Path], split: str):
    archive = paths[ARCHIVE]
    # Never unpickle an unverified file: this is the check, right where the unpickling happens.
    verify(archive, dataset.file(ARCHIVE), dataset=dataset.name)
    images, labels = [], []
    with tarfile.open(archive, "r:gz") as tar:
        for member in MEMBERS[split]:
            stream = tar.extractfile(member)
            if stream is None:
                raise DataIntegrityError(f"{archive} has no {member}")
            batch_images, batch_labels = load_batch(stream.read(), f"{archive}:{member}")
            images.append(batch_images)
            labels.append(batch_labels)
    return np.concatenate(images), np.concatenate(labels), []
