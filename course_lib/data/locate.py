"""Finding a dataset split: the search order, in one place.

1. ``$COURSE_DATA_DIR/<dataset>/``: the official files, or a class-folder tree;
2. folders where an operating-system package installs the files;
3. the user's cache;
4. a download into the cache (official hosts, checksum verified);
5. the embedded offline stand-in, where one exists;
6. otherwise a DataNotFoundError that says which files to put where.

A file that is found but fails verification is refused, never skipped over:
the person who put it there needs to know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course_lib.data import places
from course_lib.data.download import download
from course_lib.data.registry import Dataset
from course_lib.data.verify import verify
from course_lib.errors import DataIntegrityError, DownloadError


@dataclass
class SplitSource:
    """Where one split of a dataset comes from.

    origin: "COURSE_DATA_DIR", "system", "cache", "download", "embedded",
        or, when nothing usable is there, "missing" or "corrupt".
    location: the folder (or package) it comes from.
    paths: official file name -> path, for file sources.
    folder: the class-folder tree, for folder sources.
    verified: how the files were checked ("md5", "content md5", "size",
        "per image" for folders, "" when not checked).
    real: the published data (False for a generated stand-in).
    count: number of images, once loaded. note: anything a person should know.
    """

    split: str
    origin: str
    location: str = ""
    paths: dict[str, Path] = field(default_factory=dict)
    folder: Path | None = None
    verified: str = ""
    real: bool = True
    count: int | None = None
    note: str = ""

    @property
    def found(self) -> bool:
        return self.origin not in ("missing", "corrupt", "embedded")

    @property
    def size_bytes(self) -> int:
        if self.folder is not None:
            return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
        return sum(p.stat().st_size for p in self.paths.values())

    def describe(self) -> str:
        where = f"{self.origin} ({self.location})" if self.location else self.origin
        return f"{where}: {self.note}" if self.note else where


def _files_in(folder: Path, dataset: Dataset, split: str) -> dict[str, Path] | None:
    """The split's official files in ``folder``, or None unless all are there."""
    paths = {name: folder / name for name in dataset.splits[split]}
    return paths if all(p.is_file() for p in paths.values()) else None


def _damaged_partial(dataset: Dataset, split: str, origin: str, folder: Path, strict: bool) -> SplitSource | None:
    """Some of the split's files are there but not all: a damaged one is still refused, not skipped over."""
    present = {name: folder / name for name in dataset.splits[split] if (folder / name).is_file()}
    if not present:
        return None
    checked = _checked(dataset, split, origin, folder, present, strict)
    return checked if checked.origin == "corrupt" else None


def _checked(dataset: Dataset, split: str, origin: str, folder: Path, paths: dict[str, Path],
             strict: bool) -> SplitSource:
    methods = []
    for name, path in paths.items():
        try:
            methods.append(verify(path, dataset.file(name), dataset=dataset.name))
        except DataIntegrityError as error:
            if strict:
                raise
            return SplitSource(split, "corrupt", str(folder), paths, note=str(error).splitlines()[0])
    return SplitSource(split, origin, str(folder), paths, verified=", ".join(sorted(set(methods))))


def find_split(dataset: Dataset, split: str, *, download_allowed: bool = True,
               strict: bool = True) -> SplitSource:
    """Where ``split`` of ``dataset`` comes from (see the module docstring for the order).

    strict: raise on a corrupted file (for loading); otherwise report it (for listing).
    Returns origin "embedded" or "missing" when no real files are found.
    """
    base = places.data_dir()
    if base is not None:
        folder = base / dataset.name
        paths = _files_in(folder, dataset, split)
        if paths:
            return _checked(dataset, split, "COURSE_DATA_DIR", folder, paths, strict)
        damaged = _damaged_partial(dataset, split, "COURSE_DATA_DIR", folder, strict)
        if damaged:
            return damaged
        tree = folder / dataset.folder_splits.get(split, split)
        if tree.is_dir():
            return SplitSource(split, "COURSE_DATA_DIR", str(folder), folder=tree, verified="per image",
                               note=f"class-folder tree {tree}")
    for label, system_folder in dataset.system_dirs:
        paths = _files_in(system_folder, dataset, split)
        if paths:
            source = _checked(dataset, split, "system", system_folder, paths, strict)
            source.note = source.note or label
            return source
    cache = places.dataset_cache(dataset.name)
    paths = _files_in(cache, dataset, split)
    if paths:
        return _checked(dataset, split, "cache", cache, paths, strict)
    damaged = _damaged_partial(dataset, split, "cache", cache, strict)
    if damaged:
        return damaged

    download_note = ""
    if download_allowed and places.offline():
        download_note = "download skipped (COURSE_OFFLINE is set)"
    elif download_allowed:
        try:
            return download_split(dataset, split, cache)
        except DownloadError as error:
            download_note = str(error)
    if dataset.embedded is not None:
        return SplitSource(split, "embedded", note=dataset.embedded_description, real=dataset.embedded_is_real)
    return SplitSource(split, "missing", note=download_note)


def download_split(dataset: Dataset, split: str, cache: Path, *, replace_corrupt: bool = False) -> SplitSource:
    """Download the split's files that are not already verified in ``cache``.

    replace_corrupt: a cached file failing verification is downloaded again
    (and replaced atomically) instead of being refused.
    """
    paths, methods = {}, []
    for official in dataset.split_files(split):
        target = cache / official.name
        if target.is_file():
            try:
                methods.append(verify(target, official, dataset=dataset.name))
                paths[official.name] = target
                continue
            except DataIntegrityError:
                if not replace_corrupt:
                    raise
        target, method = download(dataset.name, official, cache)
        paths[official.name] = target
        methods.append(method)
    return SplitSource(split, "download", str(cache), paths, verified=", ".join(sorted(set(methods))))
