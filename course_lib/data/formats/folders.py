"""Class-folder trees: ``<root>/<class>/<image>``, the layout people use for their own data."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course_lib.data.decode import decode_many, image_files
from course_lib.errors import DataIntegrityError, DataNotFoundError


def read_class_folders(root: Path, class_names=None, *, mode="RGB", size=None, resize=False,
                       desc=None):
    """Read every image under ``root/<class>/``.

    class_names: the classes in label order; None takes the sub-folders, sorted.
        A folder that is not one of them is an error; a class without a folder is allowed.
    mode: "RGB" or "L"; size: (width, height) required (others skipped), or resized with ``resize``.
    Returns ``(images, labels, class_names, skipped)``; unreadable or wrong-size
    images are left out and listed in ``skipped`` as ``(path, reason)``.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataNotFoundError(f"{root} is not a folder: expected {root}/<class>/<images>")
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if class_names is None:
        class_names = tuple(folders)
    unknown = sorted(set(folders) - set(class_names))
    if unknown:
        raise DataIntegrityError(
            f"{root} has folders that are not classes of this dataset: {', '.join(unknown)}; "
            f"the classes are {', '.join(class_names)}"
        )
    files, labels = [], []
    for label, name in enumerate(class_names):
        if (root / name).is_dir():
            found = image_files(root / name)
            files.extend(found)
            labels.extend([label] * len(found))
    if not files:
        raise DataNotFoundError(f"no images found under {root}/<class>/ (looked for common image types)")
    images, kept, skipped = decode_many(files, mode=mode, size=size, resize=resize,
                                        desc=desc or f"reading {root.name}")
    return images, np.asarray(labels, dtype=np.int64)[kept], tuple(class_names), skipped


def read_split_folder(dataset, folder: Path):
    """Read a dataset's split from a class-folder tree, checked against the registry."""
    shape = dataset.image_shape
    mode = "RGB" if len(shape) == 3 else "L"
    images, labels, _, skipped = read_class_folders(folder, dataset.class_names, mode=mode,
                                                    size=(shape[1], shape[0]),
                                                    desc=f"reading {dataset.name} {folder.name}")
    return images, labels, skipped
