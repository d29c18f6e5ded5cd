"""The generated archives in the user's cache, and the stand-in ``course_lib.data.load("notmnist")`` uses.

``ensure_archives()`` keeps ``<cache>/notmnist/generated/`` (see
``generated_folder`` for other parameters) holding both
archives and the manifest for the requested parameters, generating them
only when the manifest's parameters or version differ, or when a file's
sha256 does not match the manifest.

Sizes, unless given: the environment variables ``COURSE_NOTMNIST_SMALL`` and
``COURSE_NOTMNIST_LARGE``, else ``generator.DEFAULT_SMALL`` and
``generator.DEFAULT_LARGE`` (read when called, so tests can change them).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from course_lib.errors import CourseError
from course_lib.notmnist import generator
from course_lib.notmnist.archive import sha256_of

GENERATED_FOLDER = "generated"
SIZE_VARIABLES = {"small": "COURSE_NOTMNIST_SMALL", "large": "COURSE_NOTMNIST_LARGE"}


def generated_folder(small: int | None = None, large: int | None = None, seed: int = 0) -> Path:
    """Where ``ensure_archives`` keeps the archives for these parameters.

    ``<cache>/notmnist/generated/`` for the default sizes and seed; other
    parameters get a folder of their own (``generated-2000-12000-seed0/``), so
    that the fast-mode set and the full set do not replace each other.
    """
    from course_lib.data.places import dataset_cache

    small = default_size("small") if small is None else int(small)
    large = default_size("large") if large is None else int(large)
    if (small, large, seed) == (default_size("small"), default_size("large"), 0):
        return dataset_cache("notmnist") / GENERATED_FOLDER
    return dataset_cache("notmnist") / f"{GENERATED_FOLDER}-{small}-{large}-seed{seed}"


def default_size(which: str) -> int:
    """The size of the "small" or "large" archive to use: its environment variable, else the module default."""
    variable = SIZE_VARIABLES[which]
    value = os.environ.get(variable, "").strip()
    if not value:
        return getattr(generator, f"DEFAULT_{which.upper()}")
    try:
        return int(value)
    except ValueError:
        raise CourseError(f"{variable}={value!r} is not a number of images (for example {variable}=2000)") from None


def read_manifest(path) -> dict:
    """The manifest at ``path`` (the JSON file, or the folder holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / generator.MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or manifest.get("generator") != "course_lib.notmnist":
        raise ValueError(f"{path} is not a manifest written by course_lib.notmnist")
    return manifest


def is_current(folder: Path, *, small: int, large: int, seed: int) -> bool:
    """True when ``folder`` holds a manifest for these parameters and archives matching its sha256."""
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return False
    wanted = {"version": generator.GENERATOR_VERSION, "seed": seed, "sizes": {"small": small, "large": large}}
    if any(manifest.get(key) != value for key, value in wanted.items()):
        return False
    archives = manifest.get("archives", {})
    if set(archives) != set(generator.ARCHIVE_NAMES.values()):
        return False
    return all((folder / name).is_file() and sha256_of(folder / name) == record.get("sha256")
               for name, record in archives.items())


def ensure_archives(*, small: int | None = None, large: int | None = None, seed: int = 0,
                    progress: bool = True) -> Path:
    """The folder holding the generated archives and manifest for these parameters, generating them if needed.

    small, large: files per archive (default: see the module docstring).
    """
    small = default_size("small") if small is None else int(small)
    large = default_size("large") if large is None else int(large)
    folder = generated_folder(small, large, seed)
    if is_current(folder, small=small, large=large, seed=seed):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / ".generate.lock"):
        # Another process may have generated them while this one waited for the lock.
        if not is_current(folder, small=small, large=large, seed=seed):
            generator.generate(folder, small=small, large=large, seed=seed, progress=progress)
    return folder


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive lock on ``path`` (POSIX); elsewhere, no lock."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(dataset) -> Path:
    """``course data fetch notmnist`` offline: build the generated archives now; return their folder."""
    return ensure_archives()


def standin(dataset, splits, real_splits=()) -> dict:
    """``{split: Standin}`` read from the generated archives (train: large, test: small).

    Unreadable and wrong-size files are skipped, as with the real archives,
    and listed in each Standin's ``skipped``.
    """
    from course_lib.data.formats.notmnist import read_archive
    from course_lib.data.standin import Standin

    folder = ensure_archives()
    manifest = read_manifest(folder)
    seed, fonts = manifest["seed"], len(manifest["fonts"])
    note = f"generated on this machine from {fonts} fonts (seed {seed}): not the real notMNIST"
    result = {}
    for split in splits:
        (name,) = dataset.splits[split]
        images, labels, skipped = read_archive(folder / name, dataset.class_names)
        result[split] = Standin(images, labels, location=str(folder), note=note, real=False, skipped=skipped)
    return result
