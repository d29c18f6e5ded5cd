"""Assignment 6 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import nbformat
import pytest

from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "06_house_numbers"
SOURCE = REPO / "notebooks" / NAME / "house_numbers.ipynb"
FUNCTIONS = ("scale_images", "split_validation", "build_digit_cnn", "number_box", "crop_number", "crop_windows",
             "number_labels", "find_photos", "load_photo", "read_boxes", "read_number")


def _outputs(path) -> str:
    notebook = nbformat.read(path, as_version=4)
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def test_student_version_asks_for_every_function_and_every_answer(demo_run):
    (student,) = demo_run.released(NAME)
    notebook = nbformat.read(student, as_version=4)
    text = student.read_text()
    assert text.count("raise NotImplementedError()") == len(FUNCTIONS)
    assert text.count("YOUR ANSWER HERE") == 3  # the written answers
    assert "(pixel - 128) / 128" in text and "np.random.default_rng(seed).permutation" not in text
    assert all(f"def {name}(" in text for name in FUNCTIONS)
    assert any("my_photos" in cell.source for cell in notebook.cells)


def test_demo_row_reference_blank_and_manual_points(demo_run):
    row = demo_run.row(NAME)
    assert "13 / 13 (+4 manual)" in row and "0 / 13 (+4 manual)" in row, row
    assert "crops_test_accuracy=" in row and "whole_number_accuracy=" in row
    grades = demo_run.grades(NAME, "blank")
    assert len(grades) == 14 and set(grades.values()) == {0}  # 11 autograded cells and 3 written answers


def test_the_executed_reference_says_its_data_is_synthetic(demo_run):
    (executed,) = demo_run.executed(NAME)
    outputs = _outputs(executed)
    assert "These crops are SYNTHETIC" in outputs
    assert "SYNTHETIC (generated here, not SVHN)" in outputs  # the whole numbers
    assert "read right:" in outputs
    names = [figure["name"] for figure in figures_in(nbformat.read(executed, as_version=4))]
    assert names == ["crops_test_accuracy", "whole_number_accuracy", "per_digit_accuracy", "coverage_at_98",
                     "example_photos_read"]


def test_without_assignment_5_the_transfer_comparison_says_it_is_skipped(demo_run):
    (executed,) = demo_run.executed(NAME)
    outputs = _outputs(executed)
    if "05_digit_sequences" in demo_run.names:
        pytest.skip("assignment 5 ran in this demo: its model may be there")
    assert "run assignment 5 first to compare with transfer learning. Skipped." in outputs


def test_with_assignment_5_its_trunk_is_copied_into_the_house_number_model(demo_run):
    """Assignment 5's saved model (grey sequences, 32x128) starts the colour house-number model: its
    convolutions are copied whatever the input size, batch normalisation or not."""
    if "05_digit_sequences" not in demo_run.names:
        pytest.skip("assignment 5 did not run in this demo")
    outputs = _outputs(demo_run.executed(NAME)[0])
    assert "copied: trunk_conv_1_1, trunk_conv_2_1, trunk_conv_3_1" in outputs


def test_the_graded_copy_reads_its_data_from_the_prepared_cache(demo_run):
    report = demo_run.report(NAME, "reference")
    assert report["ok"], report["reason"]
    assert not any("cannot be generated" in str(value) for value in report.values())
