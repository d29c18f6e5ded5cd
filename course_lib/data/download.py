"""Downloading an official file into the cache: progress bar, checksum, then rename.

The HTTP transfer and its progress bar are pooch's. What is ours: the order of
the hosts (an instructor's mirror first), verification against the registry
before the file gets its final name, and a message that says what to do.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import pooch

from course_lib import progress
from course_lib.data import places
from course_lib.data.registry import OfficialFile
from course_lib.data.verify import verify
from course_lib.errors import DataIntegrityError, DownloadError

CONNECT_AND_READ_TIMEOUT = (15, 60)  # seconds: to connect, and between two packets


def candidate_urls(dataset: str, official: OfficialFile) -> list[str]:
    mirror = places.mirror_url()
    urls = [f"{mirror}{dataset}/{official.name}"] if mirror else []
    return urls + list(official.urls)


def download(dataset: str, official: OfficialFile, destination: Path) -> tuple[Path, str]:
    """Download ``official`` into folder ``destination``; return (path, how verified).

    Each host is tried in turn. The transfer goes to a temporary file in the
    same folder, is verified, and only then renamed to its official name, so
    an interrupted or corrupted transfer never leaves a file under that name.
    """
    destination.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in candidate_urls(dataset, official):
        handle, temporary = tempfile.mkstemp(prefix=f".{official.name}.", suffix=".part", dir=destination)
        os.close(handle)
        temporary = Path(temporary)
        try:
            bar = _progress_bar(official.name)
            fetcher = pooch.HTTPDownloader(progressbar=bar or False, timeout=CONNECT_AND_READ_TIMEOUT)
            try:
                fetcher(url, str(temporary), None)
            finally:
                if bar is not None:
                    bar.close()
            method = verify(temporary, official, dataset=dataset, shown_as=f"the download from {url}")
            os.replace(temporary, destination / official.name)
            return destination / official.name, method
        except DataIntegrityError as error:
            failures.append(f"{url}: " + " ".join(str(error).splitlines()[:2]))
        except Exception as error:  # network errors come in many types (requests, urllib3, OSError)
            failures.append(f"{url}: {_one_line(error)}")
        finally:
            temporary.unlink(missing_ok=True)
    raise DownloadError(
        f"could not download {official.name} for {dataset}:\n  " + "\n  ".join(failures)
        + f"\nCopy the official file into {destination}/ (or $COURSE_DATA_DIR/{dataset}/) by hand, "
        "or try again when the network is back."
    )


def _progress_bar(name: str):
    """Our bar for pooch to drive (redrawn in a terminal, a line every few seconds in a log), or None."""
    if not progress.wanted() or sys.stderr is None:
        return None
    return progress.bar(total=0, desc=name, unit="B", unit_scale=True, unit_divisor=1024)


REASONS = (r"Failed to resolve '[^']+'", r"Connection refused", r"[Rr]ead timed out", r"timed out",
           r"IncompleteRead\([^)]*\)", r"Connection broken[^\n]*?\)", r"\d{3} (?:Client|Server) Error[^\n]*? for url")


def _one_line(error: Exception) -> str:
    """The reason a transfer failed, short enough to read (requests nests them deeply)."""
    text = str(error)
    for pattern in REASONS:
        match = re.search(pattern, text)
        if match:
            return f"{type(error).__name__}: {match.group(0)}"
    lines = text.strip().splitlines()
    return f"{type(error).__name__}: {lines[-1] if lines else ''}"[:200]
