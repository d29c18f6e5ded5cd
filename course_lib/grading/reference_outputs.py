"""Files a reference solution's full-mode run made, which the reference submission carries (canary, demo).

Assignment 4 grades a file that only its half-hour full-mode run makes: its
predictions on the test set (``course_lib.predictions_file``). The reference
solution's copy comes from a real full run of the reference
(``benchmarks/cifar10_cnn.py`` writes it) and is kept in the course
repository under ``reference_outputs/<assignment>/``, outside ``notebooks/``:
nbgrader copies every other file of an assignment's source folder into the
student version, and grading copies them over every submission's own files.
``canary.write_reference_submission`` puts these files beside the reference's
notebooks, so the canary and ``course demo`` grade the reference as a student
who made them. The same names found in a source folder (a full run of a source
notebook leaves one there) stop the release and the grading: they would reach
every student, or replace every student's own file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

FOLDER = "reference_outputs"  # in the course repository, beside notebooks/


def folder(assignment: str, root: Path | None = None) -> Path:
    from course_lib.project import course_root

    return Path(root or course_root()) / FOLDER / assignment


def files(assignment: str, root: Path | None = None) -> list[Path]:
    """The reference outputs of ``assignment``, sorted by name (none for most assignments)."""
    where = folder(assignment, root)
    return sorted(path for path in where.iterdir() if path.is_file() and not path.name.startswith(".")) \
        if where.is_dir() else []


def copy_into(assignment: str, destination: Path, root: Path | None = None) -> list[Path]:
    """Copy the reference outputs of ``assignment`` into ``destination`` (a reference submission's folder)."""
    copied = []
    for path in files(assignment, root):
        shutil.copy2(path, Path(destination) / path.name)
        copied.append(Path(destination) / path.name)
    return copied


def strays(source_folder: Path, root: Path | None = None) -> list[str]:
    """What is wrong with a source folder that holds a reference output's name (empty: nothing).

    source_folder: ``notebooks/<assignment>/`` (its name is the assignment's).
    """
    source_folder = Path(source_folder)
    problems = []
    for path in files(source_folder.name, root):
        if (source_folder / path.name).exists():
            problems.append(f"{source_folder / path.name} is a file only a full-mode run makes (the reference's "
                            f"copy is {path}): in the source folder it would reach every student and replace every "
                            "student's own file when graded; delete it (or move it to "
                            f"{FOLDER}/{source_folder.name}/ if it is a new reference run)")
    return problems
