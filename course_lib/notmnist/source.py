"""Which notMNIST archives the assignment uses: the real ones when they are here, else generated ones."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from course_lib.errors import CourseError

FAST_SIZES = {"small": 2_000, "large": 12_000}  # fast mode: enough for 10,000 / 1,000 / 1,000
LOCAL_FOLDER = "notmnist_data"  # where unpack_folder falls back to when the cache is read-only


@dataclass
class Archives:
    """The two archives: ``large`` (training and validation) and ``small`` (test)."""

    large: Path
    small: Path
    generated: bool
    origin: str
    manifest: dict | None = None

    def __repr__(self) -> str:
        kind = "GENERATED on this machine (not the real notMNIST)" if self.generated else "the real notMNIST"
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:,.1f} MB" for p in (self.large, self.small))
        return f"notMNIST archives: {kind}, from {self.origin}\n  {sizes}\n  in {self.large.parent}"


def find_archives(source="auto", *, fast: bool = False) -> Archives:
    """The archives for the notebook.

    source: "auto" (the real archives if found in COURSE_DATA_DIR, the cache,
        or by download, else generated), "generated", or a folder holding
        notMNIST_large.tar.gz and notMNIST_small.tar.gz.
    fast: generated archives are small (FAST_SIZES); real ones are used as they are.
    """
    from course_lib.data import locate
    from course_lib.data.registry import get
    from course_lib.data.verify import verify
    from course_lib.notmnist.cache import ensure_archives, read_manifest

    dataset = get("notmnist")
    if source not in ("auto", "generated"):
        folder = Path(source).expanduser()
        paths = {name: folder / name for name in ("notMNIST_large.tar.gz", "notMNIST_small.tar.gz")}
        missing = [name for name, path in paths.items() if not path.is_file()]
        if missing:
            raise CourseError(f"{folder} has no {', '.join(missing)}: give the folder that holds both archives")
        for name, path in paths.items():
            verify(path, dataset.file(name), dataset="notmnist")
        return Archives(paths["notMNIST_large.tar.gz"], paths["notMNIST_small.tar.gz"], False, str(folder))
    if source == "auto" and not fast:
        sources = locate("notmnist", download=True, strict=True)
        if all(s.found for s in sources.values()):
            return Archives(sources["train"].paths["notMNIST_large.tar.gz"],
                            sources["test"].paths["notMNIST_small.tar.gz"], False,
                            sources["train"].origin)
    sizes = FAST_SIZES if fast else {}
    folder = ensure_archives(**sizes)
    return Archives(folder / "notMNIST_large.tar.gz", folder / "notMNIST_small.tar.gz", True,
                    "the generator (course_lib.notmnist)", read_manifest(folder))


def identity(archives: Archives) -> dict:
    """What tells these archives from others: generated, the sha256 of each (manifest); real, their sizes."""
    if archives.generated and archives.manifest is not None:
        return {name: record["sha256"] for name, record in archives.manifest["archives"].items()}
    return {path.name: path.stat().st_size for path in (archives.large, archives.small)}


def unpack_folder(archives: Archives) -> Path:
    """Where the notebook unpacks ``archives`` and stores their arrays: a folder named for these archives.

    The folder is in the course cache (``<cache>/notmnist/unpacked/``), not in
    the assignment's folder: the full set is over 500,000 files, and nbgrader
    refuses to submit an assignment folder over 100 MB. Its name changes with
    the archives (generated: the sha256 of each in the manifest; real: their
    sizes), so a fast-mode run and a full-mode run, or generated and real
    archives, never share a folder. Where the cache is read-only (the
    autograder's sandbox) it is ``notmnist_data/<same name>`` in the working folder.
    """
    from course_lib.data.places import dataset_cache

    digest = hashlib.sha256(json.dumps(identity(archives), sort_keys=True).encode()).hexdigest()[:12]
    name = f"{'generated' if archives.generated else 'real'}-{digest}"
    folder = dataset_cache("notmnist") / "unpacked" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(LOCAL_FOLDER) / name


def planted_cross_duplicates(manifest: dict) -> int:
    """How many images of the small archive were planted as exact copies of large ones."""
    return len(manifest["archives"]["notMNIST_small.tar.gz"]["defects"]["duplicates_from_large"])


def describe_defects(manifest: dict) -> str:
    """One line per archive: how many of each planted defect."""
    lines = []
    for name, record in manifest["archives"].items():
        counts = ", ".join(f"{kind.replace('_', ' ')} {len(items):,}" for kind, items in record["defects"].items()
                           if items)
        lines.append(f"{name}: {counts}")
    return "\n".join(lines)


def prepare_fast_mode():
    """The archives the notebook's fast mode uses (for autograding: built once, read by every kernel)."""
    return find_archives("auto", fast=True)
