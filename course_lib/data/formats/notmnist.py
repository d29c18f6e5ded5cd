"""notMNIST archives: ``notMNIST_<size>.tar.gz`` unpacking to ``notMNIST_<size>/<A..J>/<name>.png``."""

from __future__ import annotations

import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

from course_lib.data.decode import IMAGE_SUFFIXES, decode_many
from course_lib.data.verify import verify
from course_lib.errors import DataIntegrityError


def read_archive(path: Path, class_names, desc=None):
    """Every image of a notMNIST-layout archive, without unpacking it to disk.

    Returns ``(images (N, 28, 28) uint8, labels (N,) int64, skipped)``; files
    that are not readable 28x28 images are skipped and reported, as the real
    archives hold a few.
    """
    index = {name: label for label, name in enumerate(class_names)}
    sources, names, labels, skipped = [], [], [], []
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not member.isfile() or len(parts) < 2 or parts[-2] not in index:
                    continue
                if not parts[-1].lower().endswith(IMAGE_SUFFIXES):
                    continue
                names.append(f"{path.name}:{member.name}")
                sources.append(tar.extractfile(member).read())
                labels.append(index[parts[-2]])
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataIntegrityError(f"{path} cannot be read as a tar.gz archive: {error}") from None
    if not sources:
        raise DataIntegrityError(f"{path} holds no images in folders {', '.join(class_names)}")
    images, kept, bad = decode_many(sources, names, mode="L", size=(28, 28), desc=desc or f"reading {path.name}")
    skipped.extend(bad)
    return images, np.asarray(labels, dtype=np.int64)[kept], skipped


def read_split(dataset, paths: dict[str, Path], split: str):
    (name,) = dataset.splits[split]
    verify(paths[name], dataset.file(name), dataset=dataset.name)
    return read_archive(paths[name], dataset.class_names)
