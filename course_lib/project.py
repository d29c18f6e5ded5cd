"""The course repository: where its notebooks, config and build folder are."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from course_lib.errors import CourseError


@dataclass(frozen=True)
class Assignment:
    """One assignment of the course.

    name: the nbgrader assignment id, also the folder name under notebooks/.
    prepare: "module:function" building the data its fast mode needs, before grading (sandboxed
        kernels see the dataset cache read-only, so they cannot build it themselves).
    needs: datasets the notebook cannot run without and that have no offline stand-in; where one
        is missing, `course demo` skips the assignment and says why.
    """

    name: str
    title: str
    prepare: str | None = None
    needs: tuple[str, ...] = ()


# The course, in order. `course demo` reports the ones that have not landed yet.
PLANNED = (
    Assignment("01_notmnist", "notMNIST: data curation", prepare="course_lib.notmnist.source:prepare_fast_mode"),
    Assignment("02_fundamentals", "Softmax, cross-entropy and SGD by hand",
               prepare="course_lib.notmnist.curated:prepare_fast_mode"),
    Assignment("03_mnist_cnn", "A convolutional network for MNIST"),
    Assignment("04_cifar10_cnn", "Your own CNN for CIFAR-10", needs=("cifar10",)),
    Assignment("05_digit_sequences", "Reading sequences of digits"),
    Assignment("06_house_numbers", "House numbers: SVHN, synthetic numbers, your photos",
               prepare="course_lib.house_numbers.cache:prepare_fast_mode"),
)


def planned(name: str) -> Assignment | None:
    """The PLANNED entry of ``name`` (None for an assignment outside the plan, such as a test fixture)."""
    return next((a for a in PLANNED if a.name == name), None)


def _is_root(folder: Path) -> bool:
    return (folder / "notebooks").is_dir() and (folder / "admin" / "nbgrader_config.py").is_file()


def course_root() -> Path:
    """The repository root: $COURSE_ROOT, else the nearest folder up from here, else the package's checkout."""
    if os.environ.get("COURSE_ROOT"):
        root = Path(os.environ["COURSE_ROOT"]).expanduser().resolve()
        if not _is_root(root):
            raise CourseError(f"COURSE_ROOT={root} is not the course repository (no notebooks/ and "
                              "admin/nbgrader_config.py there)")
        return root
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_root(folder):
            return folder
    checkout = Path(__file__).resolve().parents[1]
    if _is_root(checkout):
        return checkout
    raise CourseError("cannot find the course repository: run this inside it, or set COURSE_ROOT")


def notebooks_dir(root: Path | None = None) -> Path:
    return (root or course_root()) / "notebooks"


def source_notebooks(assignment: str, root: Path | None = None) -> list[Path]:
    folder = notebooks_dir(root) / assignment
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def existing_assignments(root: Path | None = None) -> list[str]:
    """Assignments that have source notebooks, in course order (unplanned ones last, by name)."""
    folder = notebooks_dir(root)
    present = sorted(p.name for p in folder.iterdir() if p.is_dir() and source_notebooks(p.name, root))
    order = [a.name for a in PLANNED]
    return sorted(present, key=lambda name: (order.index(name) if name in order else len(order), name))


def build_dir(root: Path | None = None) -> Path:
    return (root or course_root()) / "build"


def put_environment_on_path() -> None:
    """Put this Python's scripts folder first on PATH, for tools run as commands.

    ``.venv/bin/course`` works without activating the environment, but nbgrader
    and jupyter start helpers (``alembic``, kernels) by name from PATH.
    """
    scripts = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if scripts not in parts:
        os.environ["PATH"] = os.pathsep.join([scripts, *parts])


def prepare_for_grading(assignment: str) -> None:
    """Build what ``assignment`` needs in fast mode, so that sandboxed kernels find it read-only."""
    import importlib

    entry = planned(assignment)
    if entry is None or entry.prepare is None:
        return
    module, function = entry.prepare.split(":")
    getattr(importlib.import_module(module), function)()
