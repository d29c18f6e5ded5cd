"""``load(name)`` and friends: the data API the notebooks and the ``course`` command use."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from course_lib.data import places, registry
from course_lib.data.formats.folders import read_split_folder
from course_lib.data.locate import SplitSource, find_split
from course_lib.errors import DataNotFoundError

SPLITS = ("train", "test")


@dataclass
class DatasetInfo:
    """What ``load`` returned and where each split came from.

    real: every split is the published data (a 5,000-image sample of it counts
    as real; a generated stand-in does not). skipped: ``(file, reason)`` for
    every image left out because it could not be read.
    """

    name: str
    title: str
    class_names: tuple[str, ...]
    homepage: str
    splits: dict[str, SplitSource]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def real(self) -> bool:
        return all(source.real for source in self.splits.values())

    def __str__(self) -> str:
        lines = [f"{self.title} [{self.name}]" + ("" if self.real else " (NOT the real data: a stand-in)")]
        for split, source in self.splits.items():
            count = f"{source.count:,} images" if source.count is not None else "not loaded"
            lines.append(f"  {split:5}: {count} from {source.describe()}")
        if self.skipped:
            lines.append(f"  skipped {len(self.skipped)} unreadable file(s), e.g. {self.skipped[0][0]}: "
                         f"{self.skipped[0][1]}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def locate(name: str, *, download: bool = False, strict: bool = False) -> dict[str, SplitSource]:
    """Where each split of ``name`` would come from, without reading any images."""
    dataset = registry.get(name)
    return {split: find_split(dataset, split, download_allowed=download, strict=strict)
            for split in dataset.splits}


def load(name: str, *, with_info: bool = False, download: bool = True):
    """Load a dataset as ``(x_train, y_train), (x_test, y_test)``, like ``keras.datasets``.

    Images are uint8, (N, H, W) for grayscale and (N, H, W, 3) for colour;
    labels are int64 class indexes (``info.class_names`` names them). With
    ``with_info=True`` returns ``(data, info)`` where ``info`` is a DatasetInfo
    saying where each split came from. ``download=False`` never uses the network.

    Raises DataNotFoundError (what to put where) or DataIntegrityError (which
    file is damaged); both print as a short message in a notebook.
    """
    dataset = registry.get(name)
    sources = {split: find_split(dataset, split, download_allowed=download) for split in dataset.splits}
    missing = [split for split, source in sources.items() if source.origin == "missing"]
    if missing:
        raise DataNotFoundError(not_found_message(dataset, missing, sources))

    arrays, skipped = {}, []
    standing_in = [split for split, source in sources.items() if source.origin == "embedded"]
    if standing_in:
        real_splits = [split for split in sources if split not in standing_in]
        for split, standin in registry.call(dataset.embedded, dataset, standing_in, real_splits).items():
            arrays[split] = (standin.images, standin.labels)
            source = sources[split]
            source.location, source.note, source.real = standin.location, standin.note, standin.real
            skipped.extend(standin.skipped)
    for split, source in sources.items():
        if split in arrays:
            continue
        if source.folder is not None:
            images, labels, bad = read_split_folder(dataset, source.folder)
        else:
            images, labels, bad = registry.call(dataset.reader, dataset, source.paths, split)
        arrays[split] = (images, labels)
        skipped.extend(bad)
    for split, source in sources.items():
        source.count = len(arrays[split][0])
    if skipped:
        warnings.warn(f"{name}: skipped {len(skipped)} unreadable image(s), e.g. {skipped[0][0]} "
                      f"({skipped[0][1]}); info.skipped lists them all", stacklevel=2)
    info = DatasetInfo(dataset.name, dataset.title, dataset.class_names, dataset.homepage, sources, skipped)
    data = tuple(arrays[split] for split in SPLITS)
    return (data, info) if with_info else data


def class_names(name: str) -> tuple[str, ...]:
    return registry.get(name).class_names


def not_found_message(dataset, missing_splits, sources) -> str:
    files = [official for split in missing_splits for official in dataset.split_files(split)]
    files = list({official.name: official for official in files}.values())
    lines = [f"{dataset.title} [{dataset.name}] is not on this machine"
             + (", and the course has no offline stand-in for it." if dataset.embedded is None else ".")]
    lines.append("Put the official file(s) in one of these folders:")
    lines += [f"  - {place}" for place in places.describe_places(dataset.name)]
    lines.append("The files, under their official names:")
    for official in files:
        size = f"{official.size:,} bytes, " if official.size else ""
        lines.append(f"  - {official.name} ({size}from {official.urls[0]})")
    if dataset.folder_splits and dataset.name != "notmnist":
        lines.append(f"Or a class-folder tree: $COURSE_DATA_DIR/{dataset.name}/train/<class>/<images> "
                     f"and .../test/<class>/<images>.")
    reasons = sorted({sources[split].note for split in missing_splits if sources[split].note})
    for reason in reasons:
        first, *details = reason.splitlines()
        lines.append(f"Download: {first}")
        lines += [f"  {detail.strip()}" for detail in details if detail.startswith("  ")]
    lines.append(f"With internet access, `course data fetch {dataset.name}` downloads them.")
    return "\n".join(lines)


def as_float(images: np.ndarray) -> np.ndarray:
    """uint8 images scaled to float32 in [0, 1] (a copy)."""
    return images.astype(np.float32) / 255.0
