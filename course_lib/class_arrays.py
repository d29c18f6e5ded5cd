"""Per-class image arrays: read from a folder of images, stored as ``.npy`` (never pickles)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from course_lib.data.decode import decode_many, image_files


def read_image_folder(folder: Path, *, size=(28, 28), mode="L", progress=True):
    """Every image file in ``folder`` as uint8 ``(N, height, width)`` (or ``(N, h, w, 3)`` for RGB).

    Decodes on all cores. Files that cannot be read (empty, truncated, wrong
    size) are left out. Returns ``(images, skipped)``; ``skipped`` lists
    ``(path, reason)``.
    """
    files = image_files(Path(folder))
    images, _, skipped = decode_many(files, mode=mode, size=size, desc=f"reading {Path(folder).name}",
                                     progress=progress)
    return images, skipped


def save_class_arrays(folder: Path, arrays: dict) -> list[Path]:
    """Save ``{class name: array}`` as ``folder/<class>.npy``, each written atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, array in arrays.items():
        target = folder / f"{name}.npy"
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".npy.partial", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, np.asarray(array), allow_pickle=False)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(target)
    return written


def load_class_arrays(folder: Path, names) -> dict:
    """``{class name: array}`` from ``folder/<class>.npy`` (``allow_pickle=False``: data, never code)."""
    folder = Path(folder)
    missing = [name for name in names if not (folder / f"{name}.npy").is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} has no stored arrays for {', '.join(missing)}; run the storing step first")
    return {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in names}
