"""What every assignment promises, checked on each one (the template is 01_notmnist).

The source notebook: committed without outputs, nbgrader metadata on every
cell, points in the headings adding up to the graded points, a hook under
each exercise, a docstring on each test cell, a ``parameters`` cell with
``FAST_MODE``. Then, from the session's one `course demo` (see
``conftest.demo_run``): the student version holds no solution and no hidden
test, the reference scores every autograded point and a blank copy scores 0
without the batch failing, and the reference reaches the figures it states
for fast mode.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from course_lib.grading.student_version import MARKERS, leaks
from course_lib.project import existing_assignments, source_notebooks
from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

ASSIGNMENTS = existing_assignments(REPO)
POINTS_IN_HEADING = re.compile(r"^#+ .*\((\d+) points?\)", re.M)


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _sources(name):
    return source_notebooks(name, REPO)


def manual_points(notebook) -> float:
    """Points of the answers a person grades (written answers: graded solution cells)."""
    return sum(_meta(c).get("points", 0) for c in notebook.cells if _meta(c).get("grade") and _meta(c).get("solution"))


def total_points(notebook) -> float:
    return sum(_meta(c).get("points", 0) for c in notebook.cells if _meta(c).get("grade"))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_notebook_follows_the_template(name):
    for path in _sources(name):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert not any(cell.outputs or cell.execution_count for cell in code), f"{path.name}: commit without outputs"
        assert all("nbgrader" in cell.metadata for cell in notebook.cells), f"{path.name}: a cell lacks nbgrader"
        ids = [_meta(cell)["grade_id"] for cell in notebook.cells]
        assert len(ids) == len(set(ids)), f"{path.name}: grade ids repeat"
        headings = sum(int(p) for cell in notebook.cells if cell.cell_type == "markdown"
                       for p in POINTS_IN_HEADING.findall(cell.source))
        assert headings == total_points(notebook) > 0, f"{path.name}: headings say {headings} points"
        parameters = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
        assert len(parameters) == 1 and "FAST_MODE" in parameters[0].source
        for index, cell in enumerate(notebook.cells):
            meta = _meta(cell)
            if cell.cell_type != "code":
                continue
            if meta.get("grade") and not meta.get("solution"):
                assert cell.source.startswith('"""'), f"{meta['grade_id']}: a test cell starts with a docstring"
            if meta.get("solution") and "def " in cell.source:
                following = next(c for c in notebook.cells[index + 1:] if c.cell_type == "code")
                assert "tests.test_" in following.source, f"{meta['grade_id']}: no hook right under it"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_version_holds_no_solution_and_no_hidden_test(demo_run, name):
    demo_run.require_ran(name)
    released = {path.name: path for path in demo_run.released(name)}
    for source in _sources(name):
        assert source.name in released, f"{source.name} missing from the student version"
        student = released[source.name]
        assert leaks(source, student) == []
        text = student.read_text()
        assert not any(marker in text for marker in MARKERS)
        notebook = nbformat.read(student, as_version=4)
        assert all("nbgrader" in cell.metadata for cell in notebook.cells)  # what nbgrader needs to grade it
        for cell in notebook.cells:
            if cell.cell_type == "code" and _meta(cell).get("solution"):
                assert "raise NotImplementedError" in cell.source, _meta(cell)["grade_id"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_reference_scores_every_autograded_point_and_blank_scores_zero(demo_run, name):
    row = demo_run.require_ran(name)
    assert row.rstrip().endswith("ok"), row + "\n" + demo_run.stderr[-3000:]
    notebooks = [nbformat.read(path, as_version=4) for path in _sources(name)]
    autograded = sum(total_points(nb) - manual_points(nb) for nb in notebooks)
    manual = sum(manual_points(nb) for nb in notebooks)
    reference, blank = demo_run.report(name, "reference"), demo_run.report(name, "blank")
    assert reference["ok"] and blank["ok"], (reference["reason"], blank["reason"])
    assert reference["max_score"] == autograded + manual
    assert reference["score"] == autograded, reference
    assert blank["score"] == 0
    assert all(score == 0 for score in demo_run.grades(name, "blank").values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_reference_reaches_its_fast_mode_figures(demo_run, name):
    demo_run.require_ran(name)
    for path in demo_run.executed(name):
        figures = figures_in(nbformat.read(path, as_version=4))
        assert figures, f"{path.name} recorded no headline figure"
        assert all(figure["passed"] for figure in figures), figures
