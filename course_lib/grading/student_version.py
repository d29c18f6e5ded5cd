"""Checking a student version: no solution code and no hidden tests may leak into it, and nothing a
student must read may be lost from it (nbgrader blanks a solution markdown cell whole)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

SOLUTION = re.compile(r"^[ \t]*#+[ \t]*BEGIN SOLUTION.*?^[ \t]*#+[ \t]*END SOLUTION", re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS.*?^[ \t]*#+[ \t]*END HIDDEN TESTS", re.S | re.M)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
DISTINCTIVE = 12  # shorter lines (``return x``) may well appear in given code too


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _lines(blocks) -> set[str]:
    found = set()
    for block in blocks:
        for line in block.splitlines()[1:-1]:
            line = line.strip()
            if len(line) >= DISTINCTIVE and not line.startswith("#"):
                found.add(line)
    return found


def leaks(source_notebook: Path, student_notebook: Path) -> list[str]:
    """Every leak of the source's solutions or hidden tests into the student version (empty: none).

    A solution line counts as leaked when it shows up in the student's copy of
    the same cell (same grade_id); a hidden-test line anywhere at all. Lines
    the source shows outside its solution and hidden-test blocks are public.
    """
    source = nbformat.read(source_notebook, as_version=4)
    # Lines the source also shows outside its secret blocks are public: finding them is no leak.
    public = {line.strip() for cell in source.cells
              for line in HIDDEN.sub("", SOLUTION.sub("", cell.source)).splitlines()}
    solutions = {grade_id(cell): _lines(SOLUTION.findall(cell.source)) - public
                 for cell in source.cells if grade_id(cell)}
    hidden = set().union(*(_lines(HIDDEN.findall(cell.source)) for cell in source.cells)) - public
    student = nbformat.read(student_notebook, as_version=4)
    problems = []
    for number, cell in enumerate(student.cells):
        lines = {line.strip() for line in cell.source.splitlines()}
        problems += [f"cell {number}: marker '{m}' left in the student version" for m in MARKERS if m in cell.source]
        problems += [f"cell {number}: solution line leaked: {line}"
                     for line in sorted(solutions.get(grade_id(cell), set()) & lines)]
        problems += [f"cell {number}: hidden-test line leaked: {line}" for line in sorted(hidden & lines)]
    return problems


HEADING = re.compile(r"^#{1,6}[ \t]+\S.*$", re.M)


def _is_written_answer(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade") and meta.get("solution"))


def _asks(cell) -> bool:
    """A locked markdown cell that asks something (a question mark): what a written answer needs above it."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "markdown" and bool(meta.get("locked")) and "?" in cell.source


def unasked(source_notebook: Path, student_notebook: Path) -> list[str]:
    """What the student version loses of the text: empty when every question and heading reaches the student.

    nbgrader replaces a solution markdown cell whole with "YOUR ANSWER HERE", so a question or a heading
    written in the answer cell never reaches the student. Every written answer (a graded solution cell)
    must follow a locked markdown cell that asks a question, and every heading of the source notebook
    must appear in the student version.
    """
    student = nbformat.read(student_notebook, as_version=4)
    problems = []
    for number, cell in enumerate(student.cells):
        if _is_written_answer(cell) and (number == 0 or not _asks(student.cells[number - 1])):
            problems.append(f"cell {number} ({grade_id(cell)}): a written answer with no locked question above it "
                            "(put the question in a locked markdown cell of its own, the answer cell below it)")
    shown = {line.strip() for cell in student.cells if cell.cell_type == "markdown"
             for line in HEADING.findall(cell.source)}
    source = nbformat.read(source_notebook, as_version=4)
    for cell in source.cells:
        if cell.cell_type == "markdown":
            problems += [f"heading lost in the student version ({grade_id(cell)}): {line.strip()}"
                         for line in HEADING.findall(cell.source) if line.strip() not in shown]
    return problems


def build(config, assignment: str) -> tuple[list[Path], list[str]]:
    """Build the student version of ``assignment`` and check it against the source.

    Returns ``(student notebooks, problems)``; problems name every missing
    notebook, every leaked solution or hidden-test line, and every question or
    heading the student would not see (``unasked``).
    """
    from course_lib.grading import nbgrader_course, reference_outputs

    released = nbgrader_course.generate_assignment(config, assignment)
    by_name = {path.name: path for path in released}
    problems = []
    for source in sorted((nbgrader_course.source_folder(config) / assignment).glob("*.ipynb")):
        if source.name not in by_name:
            problems.append(f"{source.name} is missing from the student version")
        else:
            problems += [f"{source.name}: {leak}" for leak in leaks(source, by_name[source.name])]
            problems += [f"{source.name}: {lost}" for lost in unasked(source, by_name[source.name])]
    problems += reference_outputs.strays(nbgrader_course.source_folder(config) / assignment)
    return released, problems


def build_into(destination: Path, names=None) -> list[Path]:
    """Write the student version of each assignment to ``destination/<assignment>/``.

    Works in a scratch nbgrader course, so no gradebook or release folder is
    touched. Raises CourseError if any student version leaks.
    """
    import shutil
    import tempfile

    from course_lib.errors import CourseError
    from course_lib.grading import nbgrader_course
    from course_lib.project import course_root, existing_assignments

    root = course_root()
    names = list(names or existing_assignments(root))
    destination = Path(destination)
    written = []
    with tempfile.TemporaryDirectory(prefix="course-student-build-") as scratch:
        shutil.copytree(root / "notebooks", Path(scratch) / "notebooks")
        config = nbgrader_course.load_config(root, root=Path(scratch))
        for name in names:
            released, problems = build(config, name)
            if problems:
                raise CourseError(f"the student version of {name} is not fit to release: " + "; ".join(problems))
            target = destination / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(released[0].parent, target)
            written.append(target)
    return written
