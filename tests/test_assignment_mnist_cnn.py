"""Assignment 3 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import re

import nbformat
import pytest

from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "03_mnist_cnn"
SOURCE = REPO / "notebooks" / NAME / "mnist_cnn.ipynb"
FUNCTIONS = ("normalize_images", "add_channel_axis", "one_hot", "conv_output_size", "convolve2d", "net_1", "train",
             "net_2", "net_augmented")
FIGURES = ("net_1_test_accuracy", "net_1_seconds_per_epoch", "net_2_test_accuracy", "net_2_seconds_per_epoch",
           "augmented_test_accuracy", "augmented_seconds_per_epoch", "fashion_test_accuracy",
           "fashion_seconds_per_epoch", "fashion_training_seconds")


def _outputs_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_student_version_asks_for_every_answer(demo_run):
    (student,) = demo_run.released(NAME)
    notebook = nbformat.read(student, as_version=4)
    asked = [cell for cell in notebook.cells
             if cell.cell_type == "code" and cell.metadata["nbgrader"].get("solution")]
    assert all("raise NotImplementedError()" in cell.source for cell in asked)
    # the nine functions, the batch size and epochs, and the Fashion-MNIST training
    assert len(asked) == len(FUNCTIONS) + 2
    sources = "\n".join(cell.source for cell in notebook.cells)
    for function in FUNCTIONS:
        assert re.search(rf"^def {function}\(", sources, re.M), function
    written = [cell for cell in notebook.cells if cell.cell_type == "markdown" and
               cell.metadata["nbgrader"].get("solution")]
    assert len(written) == 1 and "YOUR ANSWER HERE" in written[0].source
    assert "BATCH_SIZE = 32" not in sources


def test_demo_row_and_grades_cell_by_cell(demo_run):
    row = demo_run.row(NAME)
    assert "16 / 16 (+1 manual)" in row and "0 / 16 (+1 manual)" in row and "net_1_test_accuracy=" in row, row
    blank, reference = demo_run.grades(NAME, "blank"), demo_run.grades(NAME, "reference")
    assert len(blank) == 11 and set(blank.values()) == {0}
    notebook = nbformat.read(SOURCE, as_version=4)
    points = {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]["points"]
              for cell in notebook.cells if cell.metadata["nbgrader"].get("grade")}
    autograded = {grade_id: value for grade_id, value in points.items() if grade_id != "fashion_answer"}
    assert {grade_id: reference[grade_id] for grade_id in autograded} == autograded
    assert not reference["fashion_answer"]  # a person grades the written answer


def test_reference_records_every_figure_in_fast_mode(demo_run, assignment_data):
    (executed,) = demo_run.executed(NAME)
    notebook = nbformat.read(executed, as_version=4)
    figures = {figure["name"]: figure for figure in figures_in(notebook)}
    assert sorted(figures) == sorted(FIGURES)
    assert all(figure["passed"] for figure in figures.values()), figures
    assert figures["net_1_test_accuracy"]["at_least"] >= 0.85
    text = _outputs_text(notebook)
    # the training set was shuffled before validation_split took its last 10%: every digit is held out
    counts = re.search(r"held out for validation\): \[([\d, ]+)\]", text).group(1)
    assert all(int(count) > 0 for count in counts.split(",")), counts
    assert "largest difference from Keras' Conv2D" in text
    if assignment_data is not None:  # the demo ran with the real MNIST test files from ../shared
        assert "10,000 images from COURSE_DATA_DIR" in text
        assert "5,000 images from embedded" in text
