"""Assignment 2 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import nbformat
import pytest

from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "02_fundamentals"
SOURCE = REPO / "notebooks" / NAME / "fundamentals.ipynb"
FUNCTIONS = 18  # the functions a student writes
WRITTEN = {"temperature_answer": 1, "numbers_answer": 2}  # answers a person grades, and their points


def _grade_id(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def _printed(notebook) -> dict[str, str]:
    """{grade_id: everything the cell printed} of an executed notebook."""
    return {_grade_id(cell): "".join(output.get("text", "") for output in cell.get("outputs", []))
            for cell in notebook.cells if cell.cell_type == "code"}


def test_student_version_asks_for_every_function_and_both_answers(demo_run):
    (student,) = demo_run.released(NAME)
    text = student.read_text()
    assert text.count("raise NotImplementedError()") == FUNCTIONS
    assert "errstate(over=" not in text and "_rng = np.random.default_rng(2" not in text  # hidden tests
    notebook = nbformat.read(student, as_version=4)
    answers = {_grade_id(cell): cell.source for cell in notebook.cells if _grade_id(cell) in WRITTEN}
    assert set(answers) == set(WRITTEN) and all("YOUR ANSWER HERE" in source for source in answers.values())
    assert "2⁻²³" not in text  # the model answer stays in the source version


def test_demo_row_and_blank_copy_graded_cell_by_cell(demo_run):
    row = demo_run.row(NAME)
    assert "25 / 25 (+3 manual)" in row and "0 / 25 (+3 manual)" in row and "numpy_test_accuracy=" in row
    blank = demo_run.grades(NAME, "blank")
    assert len(blank) == FUNCTIONS + len(WRITTEN) and set(blank.values()) == {0}
    reference = demo_run.grades(NAME, "reference")
    source = nbformat.read(SOURCE, as_version=4)
    points = {_grade_id(cell): cell.metadata["nbgrader"]["points"] for cell in source.cells
              if cell.metadata["nbgrader"].get("grade")}
    for grade_id, score in reference.items():
        assert score == (0 if grade_id in WRITTEN else points[grade_id]), grade_id


def test_reference_says_where_its_data_came_from_and_what_it_measured(demo_run):
    (executed,) = demo_run.executed(NAME)
    notebook = nbformat.read(executed, as_version=4)
    printed = _printed(notebook)
    assert "curated notMNIST: GENERATED on this machine" in printed["data"] or "the real notMNIST" in printed["data"]
    assert "generated notMNIST" in printed["numpy_test"] or "real notMNIST" in printed["numpy_test"]
    assert "0.95367431640625" in printed["numbers"]  # a billion plus a million millionths, minus the billion
    assert printed["gradient_check"].count("(good)") == 2
    assert printed["training"].count("validation accuracy") == 3  # plain SGD, momentum, momentum + decay
    assert printed["two_layer_check"].count("(good)") == 4  # w1, b1, w2, b2: numerically and against Keras
    assert "with your numpy functions" in printed["two_layer_training"] and "in Keras" in printed["two_layer_training"]
    assert printed["he_init_run"].count("of Keras's HeNormal") == 2
    assert [line.split(":")[0].strip() for line in printed["init_effect"].splitlines()[1:]] == ["σ = 0.001", "He",
                                                                                              "σ = 1"]
    figures = {figure["name"]: figure for figure in figures_in(notebook)}
    assert set(figures) == {"numpy_test_accuracy", "numpy_train_seconds", "numpy_minus_sklearn",
                            "sklearn_seconds_per_numpy_second", "keras_minus_numpy", "overfitting_gap_narrowed_by",
                            "network_test_accuracy", "network_minus_softmax", "two_layer_test_accuracy",
                            "two_layer_minus_keras", "adam_difference_from_keras"}
    assert all(figure["passed"] for figure in figures.values()), figures
    drawn = ("temperature", "training", "overfit", "two_layer_training", "init_effect")
    plots = [cell for cell in notebook.cells if _grade_id(cell) in drawn
             and any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))]
    assert len(plots) == len(drawn)
