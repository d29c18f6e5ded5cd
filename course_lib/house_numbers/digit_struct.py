"""SVHN's whole-number pictures ("format 1"): ``digitStruct.mat`` and its PNG files.

The official ``train.tar.gz`` and ``test.tar.gz`` (http://ufldl.stanford.edu/housenumbers/)
each unpack to a folder (``train/``, ``test/``) of pictures ``1.png``, ``2.png``, ... and
``digitStruct.mat``, a MATLAB 7.3 (HDF5) file holding the struct array ``digitStruct``
with, for picture ``i``: ``name`` (its file name) and ``bbox``, whose fields ``label``,
``left``, ``top``, ``width`` and ``height`` hold one number per digit (label 10 is the
digit 0). A field of a one-digit picture holds the number itself; with more digits it
holds references to one number each.

``read_digit_struct`` reads that file; ``read_folder`` reads a whole folder into a
``NumberSet``; ``find_real_numbers`` looks for the folders (or the archives) in
``$COURSE_DATA_DIR/svhn/`` and the cache. ``write_digit_struct`` writes the same layout
(for tests, and for anyone who wants synthetic numbers in the official format).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course_lib.errors import DataIntegrityError

FIELDS = ("height", "label", "left", "top", "width")
MAT73_HEADER = "MATLAB 7.3 MAT-file, Platform: course_lib, Created by: course_lib.house_numbers HDF5 schema 1.00 ."
ARCHIVES = {"train": "train.tar.gz", "test": "test.tar.gz"}


def read_digit_struct(path) -> list[dict]:
    """Every entry of a ``digitStruct.mat``: ``[{"name": "1.png", "bbox": {"label": [...], "left": [...], ...}}]``."""
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as mat:
            struct = mat["digitStruct"]
            names, boxes = struct["name"], struct["bbox"]
            entries = []
            for index in range(len(names)):
                name = "".join(chr(int(c)) for c in np.asarray(mat[names[index][0]]).reshape(-1))
                group = mat[boxes[index][0]]
                bbox = {}
                for field in FIELDS:
                    values = group[field]
                    if values.dtype == h5py.ref_dtype:
                        bbox[field] = [float(np.asarray(mat[ref]).reshape(-1)[0]) for ref in np.asarray(values).ravel()]
                    else:
                        bbox[field] = [float(v) for v in np.asarray(values).ravel()]
                entries.append({"name": name, "bbox": bbox})
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise DataIntegrityError(f"{path} cannot be read as SVHN's digitStruct.mat: {error}") from None
    return entries


def write_digit_struct(path, names, boxes, labels) -> Path:
    """Write a ``digitStruct.mat`` in the official layout (MATLAB 7.3).

    names: file names; boxes: per picture (digits, 4) as (left, top, width, height); labels: per picture
    (digits,) with 10 for the digit 0.
    """
    import h5py

    path = Path(path)
    with h5py.File(path, "w", userblock_size=512) as mat:
        refs = mat.create_group("#refs#")
        struct = mat.create_group("digitStruct")
        struct.attrs["MATLAB_class"] = np.bytes_("struct")
        name_refs, box_refs = [], []
        for index, (name, box, label) in enumerate(zip(names, boxes, labels)):
            text = refs.create_dataset(f"name{index}", data=np.array([ord(c) for c in name], np.uint16).reshape(-1, 1))
            text.attrs["MATLAB_class"] = np.bytes_("char")
            text.attrs["MATLAB_int_decode"] = np.int32(2)
            name_refs.append(text.ref)
            group = refs.create_group(f"bbox{index}")
            group.attrs["MATLAB_class"] = np.bytes_("struct")
            box = np.asarray(box, float).reshape(-1, 4)
            columns = {"left": box[:, 0], "top": box[:, 1], "width": box[:, 2], "height": box[:, 3],
                       "label": np.asarray(label, float).reshape(-1)}
            for field in FIELDS:
                values = columns[field]
                if len(values) == 1:
                    group.create_dataset(field, data=values.reshape(1, 1))
                else:
                    cells = [refs.create_dataset(f"bbox{index}_{field}{k}", data=np.array([[v]])).ref
                             for k, v in enumerate(values)]
                    group.create_dataset(field, data=np.array(cells, dtype=h5py.ref_dtype).reshape(-1, 1))
            box_refs.append(group.ref)
        struct.create_dataset("name", data=np.array(name_refs, dtype=h5py.ref_dtype).reshape(-1, 1))
        struct.create_dataset("bbox", data=np.array(box_refs, dtype=h5py.ref_dtype).reshape(-1, 1))
    with open(path, "r+b") as stream:  # MATLAB's header in the userblock: text, subsystem offset, version 2, "IM"
        stream.write(MAT73_HEADER.encode("ascii").ljust(116, b" ")[:116] + bytes(8) + b"\x00\x02IM")
    return path


def _read_pictures(task) -> list:
    """Worker: the RGB pixels of each file, uint8 (rows, columns, 3)."""
    from PIL import Image

    pictures = []
    for path in task:
        with Image.open(path) as image:
            pictures.append(np.asarray(image.convert("RGB")))
    return pictures


def read_folder(folder, *, limit: int | None = None, progress: bool = True):
    """A format-1 folder (``digitStruct.mat`` and its PNG files) as a NumberSet of the real SVHN.

    limit: read only the first ``limit`` pictures.
    """
    from course_lib.house_numbers.numbers import NumberSet
    from course_lib.parallel import ordered_map
    from course_lib.progress import bar

    folder = Path(folder)
    entries = read_digit_struct(folder / "digitStruct.mat")[:limit]
    paths = [folder / entry["name"] for entry in entries]
    chunks = [paths[start:start + 500] for start in range(0, len(paths), 500)]
    images = []
    with bar(total=len(paths), desc=f"reading {folder.name}", unit="img", show=progress) as shown:
        for pictures in ordered_map(_read_pictures, chunks, parallel=len(paths) > 2000):
            images += pictures
            shown.update(len(pictures))
    boxes = [np.c_[e["bbox"]["left"], e["bbox"]["top"], e["bbox"]["width"], e["bbox"]["height"]] for e in entries]
    labels = [np.asarray(e["bbox"]["label"], dtype=np.int64) for e in entries]
    return NumberSet(images, boxes, labels, [e["name"] for e in entries], f"the real SVHN (format 1), {folder}",
                     synthetic=False)


def find_real_numbers() -> dict[str, Path]:
    """``{split: folder}`` of SVHN's format-1 folders found here ({} when there are none).

    Looks in ``$COURSE_DATA_DIR/svhn/`` and the cache for the folders ``train/`` and ``test/`` holding
    ``digitStruct.mat``, or the archives ``train.tar.gz`` and ``test.tar.gz`` (unpacked into the cache once).
    """
    from course_lib.archives import extract
    from course_lib.data.places import data_dir, dataset_cache

    places = [base / "svhn" for base in (data_dir(),) if base is not None] + [dataset_cache("svhn")]
    found = {}
    for split, archive in ARCHIVES.items():
        for place in places:
            if (place / split / "digitStruct.mat").is_file():
                found[split] = place / split
                break
            if (place / archive).is_file():
                found[split] = extract(place / archive, dataset_cache("svhn"))
                break
    return found if set(found) == set(ARCHIVES) else {}
