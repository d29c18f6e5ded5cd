"""Unpacking a dataset archive safely, once."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from course_lib.errors import DataIntegrityError
from course_lib.progress import bar as progress_bar


def extract(archive: Path, destination: Path, *, expected_folders=None, progress: bool = True) -> Path:
    """Unpack a ``.tar.gz`` holding one top folder into ``destination``; return that folder.

    Skips the work when the folder is already there (with every expected
    sub-folder). Unpacks into a temporary folder beside it and renames it into
    place at the end, so an interrupted run never leaves a half-unpacked
    folder under the final name. Members that would land outside the
    destination (absolute paths, ``..``, links) are refused.

    expected_folders: sub-folders the top folder must hold (e.g. "A".."J").
    """
    archive, destination = Path(archive), Path(destination)
    top = _top_folder(archive)
    target = destination / top
    if target.is_dir() and _missing(target, expected_folders) == []:
        return target
    destination.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{top}.", suffix=".partial", dir=destination))
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in progress_bar(members, desc=f"extracting {archive.name}", unit="file", show=progress,
                               leave=False):
                tar.extract(member, scratch, filter="data")
        missing = _missing(scratch / top, expected_folders)
        if missing:
            raise DataIntegrityError(f"{archive} unpacked without the folders {', '.join(missing)} under {top}/: "
                                     "it is not the expected archive")
        if target.exists():
            shutil.rmtree(target)  # an incomplete earlier copy
        os.replace(scratch / top, target)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataIntegrityError(f"{archive} cannot be unpacked: {error}. Delete it and fetch it again.") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _top_folder(archive: Path) -> str:
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                return member.name.split("/")[0]
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DataIntegrityError(f"{archive} cannot be read: {error}") from None
    raise DataIntegrityError(f"{archive} is empty")


def _missing(folder: Path, expected) -> list[str]:
    if not folder.is_dir():
        return ["(the top folder)"]
    return [name for name in (expected or ()) if not (folder / name).is_dir()]
