"""SVHN cropped digits: MATLAB files ``X`` (32, 32, 3, N) and ``y`` (N, 1), where 10 means 0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from course_lib.data.verify import verify
from course_lib.errors import DataIntegrityError


def read_mat(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        content = scipy.io.loadmat(path, variable_names=["X", "y"])
    except Exception as error:  # scipy raises several types for a damaged file
        raise DataIntegrityError(f"{path} cannot be read as an SVHN .mat file: {error}") from None
    if "X" not in content or "y" not in content:
        raise DataIntegrityError(f"{path} has no X and y variables: it is not an SVHN cropped-digits file")
    images = np.ascontiguousarray(np.transpose(content["X"], (3, 0, 1, 2))).astype(np.uint8, copy=False)
    labels = content["y"].reshape(-1).astype(np.int64)
    labels[labels == 10] = 0
    if images.shape[1:] != (32, 32, 3) or len(images) != len(labels):
        raise DataIntegrityError(f"{path}: unexpected shapes X {images.shape}, y {labels.shape}")
    return images, labels


def read_split(dataset, paths: dict[str, Path], split: str):
    (name,) = dataset.splits[split]
    verify(paths[name], dataset.file(name), dataset=dataset.name)
    images, labels = read_mat(paths[name])
    return images, labels, []
