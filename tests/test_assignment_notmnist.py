"""Assignment 1 end to end: the real source notebook, nbgrader and a real kernel, in fast mode."""

import json

import nbformat
import pytest

from course_lib.grading.student_version import leaks
from tests.conftest import REPO, run_course

pytestmark = pytest.mark.slow

SOURCE = REPO / "notebooks" / "01_notmnist" / "notmnist.ipynb"
TOTAL_POINTS = 15


def test_source_notebook_is_clean_and_keeps_nbgrader_metadata():
    notebook = nbformat.read(SOURCE, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not any(cell.outputs or cell.execution_count for cell in code), "commit notebooks without outputs"
    assert all("nbgrader" in cell.metadata for cell in notebook.cells)
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells]
    assert len(ids) == len(set(ids))
    points = sum(cell.metadata["nbgrader"].get("points", 0) for cell in notebook.cells
                 if cell.metadata["nbgrader"]["grade"])
    assert points == TOTAL_POINTS
    assert any("parameters" in cell.metadata.get("tags", []) for cell in code)
    # Every graded test cell starts with a one-line docstring saying what it checks.
    for cell in code:
        if cell.metadata["nbgrader"]["grade"]:
            assert cell.source.startswith('"""'), cell.metadata["nbgrader"]["grade_id"]


def test_demo_builds_runs_and_grades_assignment_one(tmp_path):
    workdir = tmp_path / "demo"
    env = {"COURSE_ROOT": str(REPO), "COURSE_CACHE_DIR": str(tmp_path / "cache"), "COURSE_DATA_DIR": ""}
    result = run_course("demo", "--workdir", str(workdir), env=env, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    row = next(line for line in result.stdout.splitlines() if line.startswith("01_notmnist"))
    assert f"{TOTAL_POINTS} / {TOTAL_POINTS}" in row and f"0 / {TOTAL_POINTS}" in row and row.endswith("ok")
    assert "test_accuracy=" in row

    student = workdir / "release" / "01_notmnist" / "notmnist.ipynb"
    assert leaks(SOURCE, student) == []
    text = student.read_text()
    assert "BEGIN HIDDEN TESTS" not in text and "read_archive(Path(_scratch)" not in text
    assert text.count("raise NotImplementedError()") == 12  # one per function the student writes
    # The student version keeps what nbgrader needs to grade it.
    cells = json.loads(text)["cells"]
    assert all("nbgrader" in cell["metadata"] for cell in cells)

    # The blank copy was graded cell by cell, not crashed: every graded cell has a score of 0.
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{workdir / 'gradebook.db'}") as book:
        blank = book.find_submission("01_notmnist", "blank")
        reference = book.find_submission("01_notmnist", "reference")
        assert blank.score == 0 and reference.score == reference.max_score == TOTAL_POINTS
        grades = blank.notebooks[0].grades
        assert len(grades) == 11 and all(grade.score == 0 for grade in grades)
