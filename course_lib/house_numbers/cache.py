"""The synthetic SVHN in the user's cache, and the stand-in ``course_lib.data.load("svhn")`` uses.

Real SVHN cannot be downloaded everywhere (this kit must work offline), so
when its files are not found, ``load("svhn")`` reads synthetic crops made by
``course_lib.house_numbers.crops``, written in the official ``.mat`` layout
and read by the same reader as the real files
(``course_lib.data.formats.svhn.read_mat``). Everything that uses them says
they are synthetic: the loader's info, ``course data list``, the notebook.

Sets, generated once and kept under ``<cache>/svhn/``:

- ``synthetic-v<version>-<train>-<test>-seed<seed>/``: ``train_32x32.mat``,
  ``test_32x32.mat`` and ``manifest.json`` (parameters, sha256 of each file).
  Full size: the real SVHN's 73,257 and 26,032 crops; in fast mode
  (``course_lib.fast_mode()``: CI, autograding, or ``COURSE_FAST_MODE=1``),
  FAST_CROPS.
- ``numbers-v<version>-<train>-<test>-seed<seed>/``: ``train.npz``,
  ``test.npz`` (whole house numbers, ``course_lib.house_numbers.numbers``) and
  ``manifest.json``; full size: the real format-1 SVHN's 33,402 and 13,068
  pictures; fast mode: FAST_NUMBERS.

``prepare_fast_mode()`` builds the fast-mode sets before autograding (the
grading sandbox sees the cache read-only).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from course_lib.errors import CourseError, DataNotFoundError
from course_lib.notmnist.archive import sha256_of
from course_lib.notmnist.cache import _locked  # one exclusive lock per generated folder, as for notMNIST

CROPS_VERSION = 2  # bump whenever the same parameters would give other crops
NUMBERS_VERSION = 2
FULL_CROPS = {"train": 73_257, "test": 26_032}  # the real SVHN's cropped digits (without "extra")
FAST_CROPS = {"train": 6_000, "test": 1_500}
FULL_NUMBERS = {"train": 33_402, "test": 13_068}  # the real SVHN's format-1 pictures
FAST_NUMBERS = {"train": 3_000, "test": 500}
MANIFEST = "manifest.json"
MAT_NAMES = {"train": "train_32x32.mat", "test": "test_32x32.mat"}
NOTE = "SYNTHETIC house-number crops generated on this machine (course_lib.house_numbers): not the real SVHN"


def sizes_for(kind: str, fast: bool | None = None) -> dict[str, int]:
    """Sizes of the synthetic "crops" or "numbers": fast mode's (default: when ``course_lib.fast_mode()``), or full."""
    from course_lib.notebook import fast_mode

    fast = fast_mode() if fast is None else fast
    return dict((FAST_CROPS if fast else FULL_CROPS) if kind == "crops" else (FAST_NUMBERS if fast else FULL_NUMBERS))


def folder_for(kind: str, sizes: dict[str, int], seed: int = 0) -> Path:
    """Where the synthetic ``kind`` ("crops" or "numbers") of these sizes and seed are kept."""
    from course_lib.data.places import dataset_cache

    version = CROPS_VERSION if kind == "crops" else NUMBERS_VERSION
    name = "synthetic" if kind == "crops" else "numbers"
    return dataset_cache("svhn") / f"{name}-v{version}-{sizes['train']}-{sizes['test']}-seed{seed}"


def read_manifest(folder: Path) -> dict:
    manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or manifest.get("generator") != "course_lib.house_numbers":
        raise ValueError(f"{folder / MANIFEST} was not written by course_lib.house_numbers")
    return manifest


def is_current(folder: Path, wanted: dict) -> bool:
    """True when ``folder`` holds a manifest with these parameters and files matching its sha256."""
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return False
    if any(manifest.get(key) != value for key, value in wanted.items()):
        return False
    files = manifest.get("files", {})
    return bool(files) and all((folder / name).is_file() and (folder / name).stat().st_size == record["bytes"]
                               and sha256_of(folder / name) == record["sha256"] for name, record in files.items())


def _write_manifest(folder: Path, parameters: dict, names) -> None:
    manifest = {"generator": "course_lib.house_numbers", **parameters,
                "note": "SYNTHETIC: generated on this machine, not the real SVHN",
                "files": {name: {"sha256": sha256_of(folder / name), "bytes": (folder / name).stat().st_size}
                          for name in names}}
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST}.", suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=1)
        stream.write("\n")
    os.chmod(temporary, 0o644)
    os.replace(temporary, folder / MANIFEST)


def _ensure(kind: str, sizes: dict[str, int], seed: int, build) -> Path:
    version = CROPS_VERSION if kind == "crops" else NUMBERS_VERSION
    wanted = {"kind": kind, "version": version, "seed": seed, "sizes": sizes}
    folder = folder_for(kind, sizes, seed)
    if is_current(folder, wanted):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = folder / ".generate.lock"
        lock.touch()
    except OSError as error:
        raise CourseError(f"the synthetic SVHN {kind} are not in {folder}, and they cannot be generated there "
                          f"({error.strerror}). Run `course data fetch svhn` (or, before grading, "
                          "prepare_fast_mode()) where the cache is writable.") from None
    with _locked(lock):
        if not is_current(folder, wanted):  # another process may have made them while this one waited
            names = build(folder)
            _write_manifest(folder, wanted, names)
    return folder


def ensure_crops(*, fast: bool | None = None, seed: int = 0, progress: bool = True) -> Path:
    """The folder holding synthetic ``train_32x32.mat`` and ``test_32x32.mat``, generating them if needed.

    fast: the fast-mode sizes (default: ``course_lib.fast_mode()``).
    """
    from course_lib.house_numbers.crops import generate_crops, write_mat

    sizes = sizes_for("crops", fast)

    def build(folder):
        for split, name in MAT_NAMES.items():
            images, labels = generate_crops(sizes[split], seed=seed, split=split, progress=progress)
            write_mat(folder / name, images, labels)
        return list(MAT_NAMES.values())

    return _ensure("crops", sizes, seed, build)


def ensure_numbers(*, fast: bool | None = None, seed: int = 0, progress: bool = True) -> Path:
    """The folder holding synthetic whole house numbers (``train.npz``, ``test.npz``), generating them if needed."""
    from course_lib.house_numbers.numbers import generate_numbers, save_numbers

    sizes = sizes_for("numbers", fast)

    def build(folder):
        for split in ("train", "test"):
            save_numbers(folder / f"{split}.npz",
                         generate_numbers(sizes[split], seed=seed, split=split, progress=progress))
        return ["train.npz", "test.npz"]

    return _ensure("numbers", sizes, seed, build)


def synthetic_numbers(*, fast: bool | None = None, seed: int = 0, progress: bool = True):
    """``(train, test)`` NumberSets of synthetic whole house numbers, from the cache (generated if needed)."""
    from course_lib.house_numbers.numbers import load_numbers_file

    folder = ensure_numbers(fast=fast, seed=seed, progress=progress)
    sets = []
    for split in ("train", "test"):
        numbers = load_numbers_file(folder / f"{split}.npz")
        numbers.source = f"SYNTHETIC whole house numbers (course_lib.house_numbers, seed {seed}), {folder}"
        sets.append(numbers)
    return tuple(sets)


def prepare(dataset=None) -> Path:
    """``course data fetch svhn`` offline: build the synthetic crops now (full size unless in fast mode)."""
    return ensure_crops()


def prepare_fast_mode() -> Path:
    """What assignment 6's fast mode reads, built before autograding: synthetic crops and whole numbers."""
    ensure_numbers(fast=True)
    return ensure_crops(fast=True)


def standin(dataset, splits, real_splits=()) -> dict:
    """``{split: Standin}``: synthetic crops read from the cache by the real reader, labelled synthetic."""
    from course_lib.data.formats.svhn import read_mat
    from course_lib.data.standin import Standin

    if real_splits:
        missing = ", ".join(MAT_NAMES[split] for split in splits)
        raise DataNotFoundError(f"the real SVHN's {missing} is missing beside the real files you have; the synthetic "
                                f"stand-in does not replace one split of the real data. Put {missing} there too.")
    folder = ensure_crops()
    manifest = read_manifest(folder)
    note = f"{NOTE} (seed {manifest['seed']})"
    result = {}
    for split in splits:
        images, labels = read_mat(folder / MAT_NAMES[split])
        result[split] = Standin(images, labels, location=str(folder), note=note, real=False)
    return result
