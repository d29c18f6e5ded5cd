"""MNIST-style IDX files (LeCun's format), gzipped or not."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from course_lib.errors import DataIntegrityError

UNSIGNED_BYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file of unsigned bytes into an array of its stated shape."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            data = stream.read()
    except (OSError, EOFError) as error:
        raise DataIntegrityError(f"{path} cannot be read as an IDX file: {error}") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataIntegrityError(f"{path} is not an IDX file (its first bytes are not an IDX magic number)")
    dtype_code, ndim = data[2], data[3]
    if dtype_code != UNSIGNED_BYTE:
        raise DataIntegrityError(f"{path}: IDX element type 0x{dtype_code:02x} is not unsigned byte")
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataIntegrityError(
            f"{path}: header says shape {shape} ({expected:,} bytes) but the file holds {len(data):,} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def read_split(dataset, paths: dict[str, Path], split: str):
    names = dataset.splits[split]
    images = read_idx(paths[next(n for n in names if "images" in n)])
    labels = read_idx(paths[next(n for n in names if "labels" in n)]).astype(np.int64)
    if len(images) != len(labels):
        raise DataIntegrityError(f"{dataset.name} {split}: {len(images)} images but {len(labels)} labels")
    return images, labels, []
