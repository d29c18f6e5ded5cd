"""Assignment 5 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

from __future__ import annotations

import inspect

import nbformat
import numpy as np
import pytest

import problem_unittests.digit_sequences as hooks
from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "05_digit_sequences"
SOURCE = REPO / "notebooks" / NAME / "digit_sequences.ipynb"
FUNCTIONS = ("sequence_labels", "per_digit_accuracy", "whole_sequence_accuracy", "head_targets", "build_model",
             "sequence_confidence", "coverage_at_accuracy", "decode_with_length", "save_and_reload")
WRITTEN = ("synthetic_answer", "training_answer", "approach_answer", "architecture_answer")


def _executed(demo_run):
    (path,) = demo_run.executed(NAME)
    return nbformat.read(path, as_version=4), path.parent


def test_every_hook_is_called_in_the_notebook():
    text = SOURCE.read_text()
    public = [name for name, _ in inspect.getmembers(hooks, inspect.isfunction) if name.startswith("test_")]
    assert public and all(f"tests.{name}(" in text for name in public)
    assert all(f"def {name}(" in text for name in FUNCTIONS)


def test_student_version_asks_for_every_function_and_answer(demo_run):
    (student,) = demo_run.released(NAME)
    text = student.read_text()
    assert text.count("raise NotImplementedError()") == len(FUNCTIONS)
    notebook = nbformat.read(student, as_version=4)
    answers = [cell for cell in notebook.cells if cell.metadata["nbgrader"].get("grade_id") in WRITTEN]
    assert len(answers) == len(WRITTEN) and all("YOUR ANSWER HERE" in cell.source for cell in answers)
    assert "_blank_wrong" not in text and "multidigit.coverage_at_accuracy(_confidences" not in text


def test_demo_row_and_blank_copy_graded_cell_by_cell(demo_run):
    row = demo_run.row(NAME)
    assert "15 / 15 (+5 manual)" in row and "0 / 15 (+5 manual)" in row and "whole_sequence_accuracy=" in row
    grades = demo_run.grades(NAME, "blank")
    assert len(grades) == len(FUNCTIONS) + len(WRITTEN)  # a test cell per function, and the written answers
    assert set(grades.values()) == {0}
    reference = demo_run.grades(NAME, "reference")
    assert all(reference[grade_id] == 0 for grade_id in WRITTEN)  # a person grades those
    assert all(score > 0 for grade_id, score in reference.items() if grade_id not in WRITTEN)


def test_reference_run_keeps_splits_apart_and_records_its_figures(demo_run, assignment_data):
    notebook, _ = _executed(demo_run)
    text = "\n".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                     for output in cell.outputs)
    assert "digit images in two splits (train/valid, train/test, valid/test): [0, 0, 0]" in text
    if assignment_data is not None:
        assert "GlyphPool(MNIST test digits: 10,000 images 28x28)" in text
        assert "GlyphPool(MNIST training digits: 4,500 images 28x28)" in text
    figures = {figure["name"]: figure for figure in figures_in(notebook)}
    assert set(figures) == {"whole_sequence_accuracy", "per_digit_accuracy", "training_minutes", "coverage_at_98",
                            "decoded_whole_sequence_accuracy", "decoded_coverage_at_98"}
    assert all(figure["passed"] for figure in figures.values()), figures
    assert figures["per_digit_accuracy"]["value"] > figures["whole_sequence_accuracy"]["value"]


def test_reference_run_saved_a_model_that_loads_and_reads(demo_run):
    from course_lib.digit_sequences import multidigit, sequences

    _, folder = _executed(demo_run)
    path = folder / multidigit.MODEL_FILE
    assert path.is_file(), sorted(p.name for p in folder.iterdir())
    model = multidigit.load_model(path)
    assert model.input_shape == (None, 32, 128, 1)
    assert sorted(model.output_names) == sorted(multidigit.head_names(5))
    pool = sequences.mnist_pools(validation=500).valid
    style = sequences.SequenceStyle(placement="left")  # as the notebook trains it
    dataset = sequences.build_sequences(pool, 200, style, seed=4, progress=False)
    readings = multidigit.read(model, dataset.images)
    assert readings.labels.shape == (200, 5)
    assert multidigit.per_digit_accuracy(dataset.labels, readings.labels) > 0.5
    assert np.all((readings.confidence > 0) & (readings.confidence <= 1))
