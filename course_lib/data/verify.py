"""Checking a data file against its official size and checksum before anything reads it."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

from course_lib.data.registry import OfficialFile
from course_lib.errors import DataIntegrityError

CHUNK = 1 << 20
# (resolved path, size, mtime_ns) -> how it was verified; a file is hashed once per process.
_VERIFIED: dict[tuple[str, int, int], str] = {}


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _content_md5(path: Path) -> tuple[str, int]:
    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with gzip.open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify(path: Path, official: OfficialFile, *, dataset: str, shown_as: str | None = None) -> str:
    """Check ``path`` against ``official``; return how it was verified.

    Returns "md5" (the published file), "content md5" (a re-compressed copy of
    the published data) or "size" (only a size was ever published). Raises
    DataIntegrityError naming the file, what was expected and what to do.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _VERIFIED:
        return _VERIFIED[key]
    method = _check(path, stat.st_size, official, dataset, shown_as or str(path))
    _VERIFIED[key] = method
    return method


def _check(path: Path, size: int, official: OfficialFile, dataset: str, shown: str) -> str:
    size_ok = official.size is None or size == official.size
    found_md5 = None
    if official.md5 is not None and size_ok:
        found_md5 = md5_of(path)
        if found_md5 == official.md5:
            return "md5"
    if official.content_md5 is not None and official.name.endswith(".gz"):
        try:
            content_md5, content_size = _content_md5(path)
        except (EOFError, OSError, zlib.error) as error:
            raise _refuse(shown, official, dataset, size, found_md5,
                          f"it is not a complete gzip file ({error})") from None
        if content_md5 == official.content_md5:
            return "content md5"
        raise _refuse(shown, official, dataset, size, found_md5,
                      f"its uncompressed content ({content_size:,} bytes, md5 {content_md5}) is not "
                      f"the official data ({official.content_size:,} bytes, md5 {official.content_md5})")
    if not official.checksum_known:
        if size_ok:
            return "size"
        raise _refuse(shown, official, dataset, size, None, "its size is wrong")
    reason = "its size is wrong" if found_md5 is None else "its md5 does not match"
    raise _refuse(shown, official, dataset, size, found_md5, reason)


def _refuse(shown, official, dataset, size, found_md5, reason) -> DataIntegrityError:
    expected = []
    if official.size is not None:
        expected.append(f"{official.size:,} bytes")
    if official.md5 is not None:
        expected.append(f"md5 {official.md5}")
    found = f"{size:,} bytes" + (f", md5 {found_md5}" if found_md5 else "")
    url = official.urls[0] if official.urls else "the dataset's home page"
    return DataIntegrityError(
        f"refusing to read {shown}: {reason}.\n"
        f"Expected the official {official.name} ({', '.join(expected) or 'no published checksum'}); "
        f"found {found}.\n"
        f"It is truncated or corrupted (an interrupted copy or download?). Delete it, then run "
        f"`course data fetch {dataset}` or put the official file from {url} in its place."
    )
