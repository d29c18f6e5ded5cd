"""The curated notMNIST of assignment 1 in one call: train, validation and test splits, cached.

>>> from course_lib.notmnist import curated_splits
>>> data = curated_splits(fast=True)                                   # doctest: +SKIP
>>> data.train_images.shape, data.train_images.dtype                   # doctest: +SKIP
((10000, 28, 28), dtype('float32'))
>>> data.generated                                                     # doctest: +SKIP
True

The pipeline is assignment 1's reference solution, step by step, so that a
student who did not finish assignment 1 gets the very sets it produces:

1. the archives of ``course_lib.notmnist.find_archives`` (the real ones when
   they are here, else generated; ``fast=True``: the small generated ones);
2. each letter folder's images in file-name order (the order of a sorted
   folder listing), unreadable and wrong-size files skipped;
3. from each letter of the large archive, the first ``valid // 10`` images
   for validation and the next ``train // 10`` for training; from each letter
   of the small archive, the first ``test // 10`` for testing;
4. each split shuffled with ``np.random.default_rng(133).permutation``;
5. validation images that also occur in train, and test images that occur in
   train or validation, removed (exact copies, ``course_lib.curation``);
6. pixels normalised to float32 ``(pixel - 127.5) / 255``, in [-0.5, 0.5].

Sizes (train / valid / test before step 5): 200,000 / 10,000 / 10,000, or
10,000 / 1,000 / 1,000 in fast mode. The result is cached as one ``.npz``
(uint8 pixels, loaded with ``allow_pickle=False``) in
``<cache>/notmnist/curated/``, under a name that changes when the archives
change (the sha256 in the generated archives' manifest, or the size of the
real archives) or when this pipeline does (``CURATION_VERSION``), so a
second call takes seconds and never returns stale data. The file is
written under a temporary name and renamed; where the cache is read-only
(the autograder's sandbox) the sets are built in memory and not stored:
``prepare_fast_mode`` builds the fast-mode file beforehand.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from course_lib.errors import DataIntegrityError

LETTERS = "ABCDEFGHIJ"
SIZES = {"full": (200_000, 10_000, 10_000), "fast": (10_000, 1_000, 1_000)}  # train, valid, test
SHUFFLE_SEED = 133
PIXEL_DEPTH = 255.0
CURATION_VERSION = 1  # bump whenever the same archives would give different sets
CACHE_FOLDER = "curated"
SPLITS = ("train", "valid", "test")


@dataclass(eq=False)
class CuratedNotMNIST:
    """The three splits: images float32 (N, 28, 28) in [-0.5, 0.5], labels int64 (N,) in 0..9 (A..J).

    generated: True when the archives were generated on this machine (not the real notMNIST).
    origin: where the archives came from. removed: exact copies dropped, ``{"valid": n, "test": n}``.
    skipped: unreadable or wrong-size files left out while reading. path: the cache file (None if not stored).
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    valid_images: np.ndarray
    valid_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    generated: bool
    origin: str
    removed: dict = field(default_factory=dict)
    skipped: int = 0
    generator_version: int | None = None
    path: Path | None = None

    @property
    def kind(self) -> str:
        """"generated" or "real"."""
        return "generated" if self.generated else "real"

    def describe(self) -> str:
        """A few lines saying where the data came from and what is in it."""
        if self.generated:
            what = (f"GENERATED on this machine by course_lib.notmnist (version {self.generator_version}): "
                    "not the real notMNIST")
        else:
            what = "the real notMNIST"
        sizes = ", ".join(f"{name} {len(getattr(self, name + '_labels')):,}" for name in SPLITS)
        removed = ", ".join(f"{count:,} from {name}" for name, count in self.removed.items())
        lines = [f"curated notMNIST: {what}", f"  archives from {self.origin}", f"  {sizes} images"
                 f" (exact copies of earlier splits removed: {removed or 'none'}; unreadable files skipped: "
                 f"{self.skipped:,})"]
        if self.path is not None:
            lines.append(f"  cached in {self.path}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.describe()


def curated_splits(source="auto", *, fast: bool = False, sizes=None, progress: bool = True) -> CuratedNotMNIST:
    """Assignment 1's curated notMNIST splits (see the module docstring), from the cache when it is there.

    source: as ``course_lib.notmnist.find_archives``: "auto", "generated", or a folder with the real archives.
    fast: the fast-mode sets (the small generated archives and 10,000 / 1,000 / 1,000 images).
    sizes: (train, valid, test) before sanitising, each a multiple of 10 (default: by ``fast``).
    """
    from course_lib.notmnist.source import find_archives

    sizes = _sizes(sizes, fast)
    archives = find_archives(source, fast=fast)
    path = cache_file(archives, sizes)
    cached = _load(path)
    if cached is not None:
        return cached
    data = _build(archives, sizes, progress)  # uint8 pixels, as they are stored
    data.path = _store(path, data)
    for name in SPLITS:
        setattr(data, f"{name}_images", normalize(getattr(data, f"{name}_images")))
    return data


def prepare_fast_mode() -> Path:
    """Build the fast-mode sets into the cache (before autograding: sandboxed kernels read the cache only)."""
    data = curated_splits(fast=True, progress=False)
    if data.path is None:
        raise DataIntegrityError("the fast-mode notMNIST sets could not be written to the cache: "
                                 "is COURSE_CACHE_DIR writable?")
    return data.path


def cache_file(archives, sizes) -> Path:
    """Where the sets made from ``archives`` (a ``find_archives`` result) at ``sizes`` are cached."""
    from course_lib.data.places import dataset_cache

    train, valid, test = sizes
    return dataset_cache("notmnist") / CACHE_FOLDER / f"curated-{train}-{valid}-{test}-{cache_key(archives, sizes)}.npz"


def cache_key(archives, sizes) -> str:
    """16 hex digits that change with the archives' contents, the sizes and the pipeline."""
    from course_lib.notmnist.source import identity

    text = json.dumps({"curation": CURATION_VERSION, "seed": SHUFFLE_SEED, "sizes": list(sizes),
                       "generated": bool(archives.generated), "archives": identity(archives)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def normalize(images) -> np.ndarray:
    """uint8 pixels -> float32 ``(pixel - 127.5) / 255`` (assignment 1's ``normalize``)."""
    return ((np.asarray(images, dtype=np.float32) - PIXEL_DEPTH / 2) / PIXEL_DEPTH).astype(np.float32)


# --------------------------------------------------------------------------- building

def _sizes(sizes, fast: bool) -> tuple[int, int, int]:
    sizes = SIZES["fast" if fast else "full"] if sizes is None else tuple(int(s) for s in sizes)
    if len(sizes) != 3 or any(s < 10 or s % len(LETTERS) for s in sizes):
        raise ValueError(f"sizes must be (train, valid, test), each a positive multiple of {len(LETTERS)}; "
                         f"got {sizes}")
    return sizes


def letter_images(archive: Path, progress: bool = True) -> tuple[dict, list]:
    """``{letter: uint8 images (n, 28, 28)}`` of a notMNIST archive, each letter in file-name order.

    The order is that of a sorted listing of the unpacked letter folder, so the
    sets match those made from the unpacked folders. Returns ``(arrays, skipped)``,
    ``skipped`` listing ``(member, reason)`` of files that are not readable 28x28 images.
    """
    from course_lib.data.decode import IMAGE_SUFFIXES, decode_many

    members = []
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not member.isfile() or len(parts) < 2 or parts[-2] not in LETTERS:
                    continue
                if parts[-1].startswith(".") or not parts[-1].lower().endswith(IMAGE_SUFFIXES):
                    continue
                members.append((parts[-2], parts[-1], member.name, tar.extractfile(member).read()))
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataIntegrityError(f"{archive} cannot be read as a tar.gz archive: {error}") from None
    members.sort(key=lambda item: (item[0], item[1]))
    images, kept, skipped = decode_many([m[3] for m in members], [f"{archive.name}:{m[2]}" for m in members],
                                        mode="L", size=(28, 28), desc=f"reading {archive.name}", progress=progress)
    letters = np.array([m[0] for m in members])[kept] if kept else np.array([], dtype="<U1")
    return {letter: images[letters == letter] for letter in LETTERS}, skipped


def _take(arrays: dict, counts, archive: Path):
    """Consecutive blocks of each letter: ``counts`` images per block. Returns [(images, labels)] per block."""
    needed = sum(counts)
    short = {letter: len(images) for letter, images in arrays.items() if len(images) < needed}
    if short:
        raise DataIntegrityError(f"{archive.name} has too few readable images for these sizes: {needed} needed "
                                 f"per letter, only {short}")
    blocks, start = [], 0
    for count in counts:
        images = np.concatenate([arrays[letter][start:start + count] for letter in LETTERS])
        labels = np.repeat(np.arange(len(LETTERS), dtype=np.int64), count)
        blocks.append((images, labels))
        start += count
    return blocks


def _shuffled(images, labels):
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(labels))
    return images[order], labels[order]


def _build(archives, sizes, progress: bool) -> CuratedNotMNIST:
    from course_lib import curation

    train_size, valid_size, test_size = sizes
    per = len(LETTERS)
    large, large_skipped = letter_images(archives.large, progress)
    (valid, valid_labels), (train, train_labels) = _take(large, (valid_size // per, train_size // per), archives.large)
    del large
    small, small_skipped = letter_images(archives.small, progress)
    ((test, test_labels),) = _take(small, (test_size // per,), archives.small)
    train, train_labels = _shuffled(train, train_labels)
    valid, valid_labels = _shuffled(valid, valid_labels)
    test, test_labels = _shuffled(test, test_labels)
    valid_copies = curation.exact_duplicates(valid, train)
    test_copies = curation.exact_duplicates(test, train) | curation.exact_duplicates(test, valid)
    manifest = archives.manifest or {}
    return CuratedNotMNIST(
        train, train_labels, valid[~valid_copies], valid_labels[~valid_copies], test[~test_copies],
        test_labels[~test_copies], generated=bool(archives.generated), origin=str(archives.origin),
        removed={"valid": int(valid_copies.sum()), "test": int(test_copies.sum())},
        skipped=len(large_skipped) + len(small_skipped), generator_version=manifest.get("version"))


# --------------------------------------------------------------------------- the cache

def _meta(data: CuratedNotMNIST) -> dict:
    return {"generated": data.generated, "origin": data.origin, "removed": data.removed, "skipped": data.skipped,
            "generator_version": data.generator_version, "curation": CURATION_VERSION}


def _store(path: Path, data: CuratedNotMNIST) -> Path | None:
    """Write the uint8 sets to ``path`` atomically; None (with a warning) where the cache is not writable."""
    arrays = {}
    for name in SPLITS:
        arrays[f"{name}_images"] = getattr(data, f"{name}_images")
        arrays[f"{name}_labels"] = getattr(data, f"{name}_labels")
    arrays["meta"] = np.array(json.dumps(_meta(data)))
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npz.partial", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; other users' kernels read the cache too
        os.replace(temporary, path)
    except OSError as error:
        warnings.warn(f"the curated notMNIST sets were built but not cached ({error}); the next call builds "
                      "them again", stacklevel=3)
        return None
    finally:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
    _remove_stale(path)
    return path


def _remove_stale(path: Path) -> None:
    """Other files for the same sizes were made from other archives (or an older pipeline): delete them."""
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for other in path.parent.glob(prefix + "*.npz"):
        if other != path:
            try:
                other.unlink()
            except OSError:
                pass


def _load(path: Path) -> CuratedNotMNIST | None:
    """The sets cached at ``path``; None when there is no usable file (missing, truncated, another layout)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            arrays = {name: stored[name] for name in stored.files if name != "meta"}
        splits = {}
        for name in SPLITS:
            images, labels = arrays[f"{name}_images"], arrays[f"{name}_labels"]
            if images.dtype != np.uint8 or images.shape[1:] != (28, 28) or len(images) != len(labels):
                return None
            splits[name] = (normalize(images), labels.astype(np.int64, copy=False))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError):
        return None
    if meta.get("curation") != CURATION_VERSION:
        return None
    return CuratedNotMNIST(*splits["train"], *splits["valid"], *splits["test"], generated=bool(meta["generated"]),
                           origin=meta["origin"], removed=meta["removed"], skipped=int(meta["skipped"]),
                           generator_version=meta.get("generator_version"), path=path)
