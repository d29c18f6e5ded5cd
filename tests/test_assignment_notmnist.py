"""Assignment 1 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import contextlib
import io
import re

import nbformat
import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "01_notmnist"
SOURCE = REPO / "notebooks" / NAME / "notmnist.ipynb"
PART_9 = ("curation_data", "copy_pairs_run", "suspect_labels_run", "label_review")


def test_student_version_asks_for_every_function(demo_run):
    (student,) = demo_run.released(NAME)
    text = student.read_text()
    assert "read_archive(Path(_scratch)" not in text and "generated_sample" not in text
    assert text.count("raise NotImplementedError()") == 14  # one per function the student writes


def test_demo_row_and_blank_copy_graded_cell_by_cell(demo_run):
    row = demo_run.row(NAME)
    assert "19 / 19" in row and "0 / 19" in row and "test_accuracy=" in row
    grades = demo_run.grades(NAME, "blank")
    assert len(grades) == 13 and set(grades.values()) == {0}
    reference = demo_run.grades(NAME, "reference")
    assert reference["copy_pairs_tests"] == 2 and reference["suspect_labels_tests"] == 2


def _outputs(notebook, grade_id: str) -> str:
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return "".join(output.get("text", "") or output.get("data", {}).get("text/plain", "") for output in cell.outputs)


def test_the_reference_curation_is_scored_against_the_manifest(demo_run):
    """Part 9 on the generated archives: every planted copy found within 2 pixels, the near ones missed by an
    identical-only search, the wrong labels scored, and the figures of what was missed drawn."""
    (executed,) = demo_run.executed(NAME)
    notebook = nbformat.read(executed, as_version=4)
    copies = _outputs(notebook, "copy_pairs_run")
    exact, near = copies.split("at most 2 pixels apart:")
    assert re.search(r"recall +1\.000 \(planted pairs found: ([\d,]+) of \1\)", near), near
    assert re.search(r"near copies \(1-2 pixels\), same archive +0 of [1-9]", exact), exact
    assert "precision 1.000" in exact and "precision 1.000" in near
    labels = _outputs(notebook, "suspect_labels_run")
    assert re.search(r"precision 0\.\d{3} \(flagged images whose label is wrong", labels), labels
    review = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "label_review")
    assert sum("image/png" in output.get("data", {}) for output in review.outputs) == 3


def test_without_a_manifest_part_9_runs_and_reports_counts_only(capsys):
    """The real notMNIST has no manifest: Part 9's cells run on the same data as if it were real, and say why
    they give counts instead of scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.notmnist import planted_defects
    from tests.hidden_requirements.notmnist import context
    from tests.notebook_reference import reference_namespace

    namespace = context()
    namespace["archives"].generated, namespace["archives"].manifest = False, None
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        reference_namespace(SOURCE, PART_9, namespace)
    text = output.getvalue()
    plt.close("all")
    assert text.count(planted_defects.NO_MANIFEST) == 5, text  # the set, two copy searches, the labels, the review
    scores = text.replace(planted_defects.NO_MANIFEST, "")
    assert "precision" not in scores and "recall" not in scores, text
    assert re.search(r"pairs returned: [1-9][\d,]*; copies \(at most 2 pixels differ\): [1-9]", text), text
    assert re.search(r"images flagged: [1-9]", text), text
    assert not namespace["curation_data"].has_truth
