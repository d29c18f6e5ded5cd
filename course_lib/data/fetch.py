"""``fetch(name)``: make a dataset usable on this machine, ahead of time."""

from __future__ import annotations

from course_lib.data import places, registry
from course_lib.data.api import not_found_message
from course_lib.data.locate import SplitSource, download_split, find_split
from course_lib.errors import DataNotFoundError, DownloadError


def fetch(name: str) -> dict[str, SplitSource]:
    """Download what is missing (or corrupted) in the cache; build a generated stand-in offline.

    Files already verified in ``COURSE_DATA_DIR``, a system folder or the cache
    are left alone. A corrupted file in the cache is replaced, atomically, by a
    verified download. Returns where each split now comes from; raises when a
    split can be neither downloaded nor stood in for.
    """
    dataset = registry.get(name)
    sources = {}
    for split in dataset.splits:
        source = find_split(dataset, split, download_allowed=False, strict=False)
        if source.origin == "corrupt" and source.location != str(places.dataset_cache(dataset.name)):
            # Not ours to replace: say which file, and stop.
            find_split(dataset, split, download_allowed=False, strict=True)
        if source.found:
            sources[split] = source
            continue
        sources[split] = _download_or_standin(dataset, split)
    if any(s.origin == "embedded" for s in sources.values()) and dataset.embedded_prepare:
        location = registry.call(dataset.embedded_prepare, dataset)
        for source in sources.values():
            if source.origin == "embedded":
                source.location, source.real = str(location), False
    return sources


def _download_or_standin(dataset, split) -> SplitSource:
    cache = places.dataset_cache(dataset.name)
    reason = "COURSE_OFFLINE is set" if places.offline() else ""
    if not places.offline():
        try:
            return download_split(dataset, split, cache, replace_corrupt=True)
        except DownloadError as error:
            reason = str(error)
    if dataset.embedded is None:
        sources = {split: SplitSource(split, "missing", note=reason)}
        raise DataNotFoundError(not_found_message(dataset, [split], sources))
    return SplitSource(split, "embedded", note=f"{dataset.embedded_description} "
                                                f"(real files not fetched: {_why(reason)})")


def _why(reason: str) -> str:
    """A DownloadError's text on one line: what failed, then each host's reason."""
    first, *rest = reason.splitlines() or [""]
    details = "; ".join(line.strip() for line in rest if line.startswith("  "))
    return f"{first.rstrip(':')}: {details}" if details else first
