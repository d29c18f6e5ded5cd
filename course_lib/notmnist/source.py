"""Which notMNIST archives the assignment uses: the real ones when they are here, else generated ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_lib.errors import CourseError

FAST_SIZES = {"small": 2_000, "large": 12_000}  # fast mode: enough for 10,000 / 1,000 / 1,000


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
