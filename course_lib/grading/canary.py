"""The canary: the grader grades the assignment's own reference solution before any student's work.

A grading environment can be broken in ways that still "work": a sandbox
that cannot import the course's library or read its data runs every notebook
to the end and gives every student zero. So before a batch, ``course
autograde`` grades the reference (the student version answered with the
source notebook's solutions) in the same sandbox, with the same limits. If it
does not get every autograded point, the batch stops before the gradebook is
touched and the instructor reads which cells failed and why.

The verdict is cached by the source notebooks' content, the reference's
outputs (``reference_outputs``) and the grading environment (the sandbox's settings, the Python packages installed, the
course library's files, the data folders' listing), so an honest batch pays
for the canary once per assignment, and any change to what grading depends
on runs it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_lib.grading import cell_errors, reference_outputs

STUDENT = "course-canary"  # the canary's student id, in its private scratch course only
SOLUTION_MARKER = re.compile(r"^[ \t]*#+[ \t]*(BEGIN|END) SOLUTION[ \t]*\n?", re.M)
LISTING_DEPTH = 3  # levels of a data folder whose names, sizes and times count as "the environment"


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answered_by_reference(student_version: Path, source: Path):
    """The student version of a notebook with every answer cell holding the source's solution."""
    answers = {grade_id(cell): cell.source for cell in nbformat.read(source, as_version=4).cells}
    notebook = nbformat.read(student_version, as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id") in answers:
            cell.source = SOLUTION_MARKER.sub("", answers[meta["grade_id"]]).strip("\n")
    return notebook


def write_reference_submission(student_versions, sources, folder: Path) -> Path:
    """Write the reference's answers to every notebook of the student version into ``folder``.

    With sources (the reference, not a blank copy), the files its full-mode run made go with them
    (``reference_outputs``: assignment 4's predictions on the test set).
    """
    folder.mkdir(parents=True, exist_ok=True)
    by_name = {Path(path).name: Path(path) for path in sources}
    for path in student_versions:
        path = Path(path)
        notebook = answered_by_reference(path, by_name[path.name]) if path.name in by_name else \
            nbformat.read(path, as_version=4)
        nbformat.write(notebook, folder / path.name)
    if by_name:
        reference_outputs.copy_into(Path(next(iter(by_name.values()))).parent.name, folder)
    return folder


# --- the cache ------------------------------------------------------------------------------------------------

def environment_key(sources, spec_json: str) -> str:
    """A digest of everything the canary's verdict depends on (see the module docstring)."""
    from importlib import metadata

    digest = hashlib.sha256()

    def add(*parts):
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode())
            digest.update(b"\0")

    for path in sorted(Path(p) for p in sources):
        add(path.name, path.read_bytes())
    for path in reference_outputs.files(Path(sources[0]).parent.name) if sources else ():
        add(path.name, path.read_bytes())
    spec = json.loads(spec_json)
    spec.pop("kernels_folder", None)  # a fresh temporary folder every time
    add(json.dumps(spec, sort_keys=True), sys.version, Path(sys.executable).resolve())
    add(*sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()))
    for package in ("course_lib", "problem_unittests"):
        folder = Path(sys.modules[package].__file__).resolve().parent if package in sys.modules else None
        if folder is None:
            __import__(package)
            folder = Path(sys.modules[package].__file__).resolve().parent
        add(folder)
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix in (".py", ".css", ".json"):
                add(file.relative_to(folder), file.read_bytes())
    for folder in _data_folders(spec):
        add(folder, *_listing(Path(folder)))
    return digest.hexdigest()


def _data_folders(spec: dict) -> list[str]:
    environment = spec.get("environment", {})
    return [environment[name] for name in ("COURSE_CACHE_DIR", "COURSE_DATA_DIR") if environment.get(name)]


def _listing(folder: Path, depth: int = LISTING_DEPTH) -> list[str]:
    """Names, sizes and modification times under ``folder``, ``depth`` levels down (cheap: no reading)."""
    found = []  # a missing folder lists like an empty one: grading may create it
    for root, folders, files in os.walk(folder):
        level = len(Path(root).relative_to(folder).parts)
        if level >= depth:
            folders.clear()
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(root, name))
            except OSError:
                continue
            found.append(f"{Path(root, name).relative_to(folder)} {stat.st_size} {stat.st_mtime_ns}")
        folders.sort()
    return found


def cache_path(course: Path, assignment: str) -> Path:
    return Path(course) / ".grading" / "canary" / f"{assignment}.json"


def passed_before(course: Path, assignment: str, key: str) -> bool:
    """True when the canary passed before for exactly this key."""
    try:
        record = json.loads(cache_path(course, assignment).read_text())
    except (OSError, ValueError):
        return False
    return record.get("key") == key and record.get("passed") is True


def remember_pass(course: Path, assignment: str, key: str, score: float, max_score: float) -> None:
    path = cache_path(course, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.partial")
    temporary.write_text(json.dumps({"key": key, "passed": True, "score": score, "max_score": max_score}))
    os.replace(temporary, path)


def forget(course: Path, assignment: str) -> None:
    cache_path(course, assignment).unlink(missing_ok=True)


# --- the verdict --------------------------------------------------------------------------------------------

@dataclass
class Verdict:
    passed: bool
    score: float = 0.0
    max_score: float = 0.0
    problem: str = ""


def judge(assignment: str, outcome: dict, scratch_course: Path, sources, manual: float) -> Verdict:
    """Did the reference get every autograded point in the sandbox? If not, say which cells failed and why.

    outcome: the grading process's outcome; scratch_course: its private nbgrader course.
    manual: points a person grades (the reference cannot get them from the autograder).
    """
    score = max_score = 0.0
    if outcome.get("ok"):
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{scratch_course / 'gradebook.db'}") as book:
            submission = book.find_submission(assignment, STUDENT)
            score, max_score = float(submission.score), float(submission.max_score)
        if score >= max_score - manual:
            return Verdict(True, score, max_score)
        lines = [f"the reference solution scored {score:g} / {max_score - manual:g} in the grading sandbox"]
    else:
        lines = [f"the reference solution could not be graded: {outcome.get('reason')}"]
    graded = scratch_course / "autograded" / STUDENT / assignment
    for source in sorted(Path(p) for p in sources):
        path = graded / source.name
        if not path.is_file():
            continue
        setup = cell_errors.setup_failure(path, source)
        if setup is not None:
            if cell_errors.explain_setup_failure(setup) not in lines[0]:
                lines.append(cell_errors.explain_setup_failure(setup))
            lines += [f"    {line}" for line in cell_errors.last_traceback_lines(setup)]
        for error in cell_errors.failed_graded_cells(path):
            lines.append(f"{source.name}, cell '{error.grade_id}': {error.summary()}")
            lines += [f"    {line}" for line in cell_errors.last_traceback_lines(error)]
    return Verdict(False, score, max_score, "\n".join(lines))
