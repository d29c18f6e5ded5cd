"""Assignment 1 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "01_notmnist"
SOURCE = REPO / "notebooks" / NAME / "notmnist.ipynb"


def test_student_version_asks_for_every_function(demo_run):
    (student,) = demo_run.released(NAME)
    text = student.read_text()
    assert "read_archive(Path(_scratch)" not in text
    assert text.count("raise NotImplementedError()") == 12  # one per function the student writes


def test_demo_row_and_blank_copy_graded_cell_by_cell(demo_run):
    row = demo_run.row(NAME)
    assert "15 / 15" in row and "0 / 15" in row and "test_accuracy=" in row
    grades = demo_run.grades(NAME, "blank")
    assert len(grades) == 11 and set(grades.values()) == {0}
    assert set(demo_run.grades(NAME, "reference").values()) != {0}
