"""Writers of small data files in the datasets' real formats, for tests."""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import scipy.io
from PIL import Image


def write_idx(path: Path, array: np.ndarray) -> Path:
    """An IDX file of unsigned bytes (gzipped when the name ends in .gz)."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    payload = header + array.tobytes()
    path.write_bytes(gzip.compress(payload) if path.name.endswith(".gz") else payload)
    return path


def cifar_batch(images: np.ndarray, labels, name: str) -> bytes:
    """One batch as the official archive has it: a pickled dict with bytes keys, rows of 3072 bytes (R, G, B planes)."""
    data = np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(images), -1))
    batch = {b"batch_label": name.encode(), b"labels": [int(x) for x in labels], b"data": data,
             b"filenames": [f"{i}.png".encode() for i in range(len(images))]}
    return pickle.dumps(batch, protocol=2)


def write_cifar_tar(path: Path, per_batch: int = 20, seed: int = 0, replace: dict | None = None) -> dict:
    """A cifar-10-python.tar.gz with 5 train batches and a test batch; returns the arrays written.

    replace: member name -> raw bytes to store instead (for hostile archives).
    """
    rng = np.random.default_rng(seed)
    written = {"train": ([], []), "test": ([], [])}
    members = [(f"data_batch_{i}", "train") for i in range(1, 6)] + [("test_batch", "test")]
    with tarfile.open(path, "w:gz") as tar:
        for name, split in members:
            images = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
            labels = rng.integers(0, 10, per_batch)
            written[split][0].append(images)
            written[split][1].append(labels)
            raw = (replace or {}).get(name, cifar_batch(images, labels, name))
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return {split: (np.concatenate(x), np.concatenate(y)) for split, (x, y) in written.items()}


def write_svhn_mat(path: Path, count: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A MATLAB file like train_32x32.mat: X (32, 32, 3, N) uint8, y (N, 1) with 10 for the digit 0."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(1, 11, count)
    scipy.io.savemat(path, {"X": np.transpose(images, (1, 2, 3, 0)), "y": labels.reshape(-1, 1).astype(np.uint8)})
    return images, np.where(labels == 10, 0, labels)


def write_class_tree(root: Path, classes, per_class: int = 3, size=(32, 32), mode="RGB", suffix=".png",
                     seed: int = 0) -> int:
    """root/<class>/<n><suffix> images; returns how many were written."""
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    count = 0
    for name in classes:
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(root / name / f"{i:04d}{suffix}")
            count += 1
    return count
