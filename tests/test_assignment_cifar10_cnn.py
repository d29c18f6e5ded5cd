"""Assignment 4 specifics: the offline stop, the graded predictions file, and what the session's `course demo` left.

The generic checks (template, student version, full marks, blank copy, fast-mode
figures) are in test_assignments.py.
"""

from __future__ import annotations

import nbformat
import pytest

from tests.conftest import REPO, run_course

pytestmark = pytest.mark.slow

NAME = "04_cifar10_cnn"
SOURCE = REPO / "notebooks" / NAME / "cifar10_cnn.ipynb"
SKIPPED = "skipped: no CIFAR-10 data (see `course data path cifar10`)"
NO_FILE_YET = "No cifar10_predictions.npz yet: the full-mode run makes it"
REFERENCE_FILE = REPO / "reference_outputs" / NAME / "cifar10_predictions.npz"
NO_REFERENCE_FILE = (f"{REFERENCE_FILE.relative_to(REPO)} is missing, so the reference loses the accuracy points: "
                     "make it with a full run of the reference, `benchmarks/cifar10_cnn.py --keep-as-reference`")


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _cell(notebook, grade_id):
    return next(cell for cell in notebook.cells if _grade_id(cell) == grade_id)


def _text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def test_without_cifar10_the_notebook_stops_at_its_first_data_cell(data_env, tmp_path):
    """No CIFAR-10 anywhere (empty data folder and cache, offline): the loader's message, and nothing after it."""
    from course_lib.solutions import run_notebook

    output = tmp_path / "run" / SOURCE.name
    run = run_notebook(SOURCE, output, full=False, assignment=NAME)
    assert run.error is not None and "DataNotFoundError" in run.error, run.error
    executed = nbformat.read(output, as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    load = next(index for index, cell in enumerate(code) if _grade_id(cell) == "load")
    errors = [output for output in code[load].outputs if output.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "DataNotFoundError"
    message = "\n".join(errors[0].traceback)
    for words in ("CIFAR-10", "cifar-10-python.tar.gz", "COURSE_DATA_DIR", "course data fetch cifar10"):
        assert words in message, message
    assert "site-packages" not in message  # the message alone, not a traceback from deep inside the library
    assert all(cell.execution_count for cell in code[:load]), "a cell before the data failed"
    assert not any(cell.execution_count for cell in code[load + 1:]), "the notebook went on past the data"


def test_course_demo_without_cifar10_skips_it_and_exits_0(data_env, tmp_path):
    data_dir, cache_dir = data_env
    result = run_course("demo", NAME, "--workdir", str(tmp_path / "course"),
                        env={"COURSE_DATA_DIR": str(data_dir), "COURSE_CACHE_DIR": str(cache_dir),
                             "COURSE_ROOT": str(REPO)}, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith(NAME + " "))
    assert SKIPPED in row and row.rstrip().endswith("skipped"), row


def test_demo_row_and_blank_copy_graded_cell_by_cell(demo_run):
    row = demo_run.require_ran(NAME)
    grades = demo_run.grades(NAME, "blank")
    graded = [c for c in nbformat.read(SOURCE, as_version=4).cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(grades) == len(graded) == 13 and set(grades.values()) == {0}
    assert REFERENCE_FILE.is_file(), NO_REFERENCE_FILE
    assert "15 / 15 (+3 manual)" in row and "0 / 15" in row and "test_accuracy=" in row, row
    reference = demo_run.grades(NAME, "reference")
    assert reference["design_answer"] == 0  # a person grades the written answer
    assert all(score > 0 for grade_id, score in reference.items() if grade_id != "design_answer"), reference


def test_student_version_asks_for_every_function_and_hides_the_hidden_tests(demo_run):
    demo_run.require_ran(NAME)
    (student,) = demo_run.released(NAME)
    text = student.read_text()
    assert text.count("raise NotImplementedError()") == 10  # one per function (and one for the training choices)
    assert "YOUR ANSWER HERE" in text  # the written answer
    for hidden in ("tests.check_overfits(overfit_tiny_batch, classes=3", "_accuracy = predictions_file.accuracy(",
                   "tests.check_whitening(patch_whitening, x_train[:200]", "def conv_block",
                   "np.linalg.eigh(patches.T @ patches"):   # the text names np.linalg.eigh, the solution's line stays
        assert hidden not in text, hidden
    # The question of every exercise reaches the student, in a locked cell above it.
    notebook = nbformat.read(student, as_version=4)
    assert "Write `extract_patches(images)`" in _cell(notebook, "whitening_intro").source
    assert sorted(path.name for path in student.parent.iterdir()) == [SOURCE.name]   # no predictions file released


def test_the_accuracy_is_graded_on_the_predictions_file(demo_run):
    """Fast mode makes no predictions file and says so; the grader scores the reference's (from its full run),
    and gives the blank copy, which has none, 0 with a message saying how to make it."""
    demo_run.require_ran(NAME)
    (executed,) = demo_run.executed(NAME)
    assert NO_FILE_YET in _text(_cell(nbformat.read(executed, as_version=4), "accuracy_tests"))
    blank = nbformat.read(demo_run.workdir / "autograded" / "blank" / NAME / SOURCE.name, as_version=4)
    errors = [o for o in _cell(blank, "accuracy_tests").outputs if o.output_type == "error"]
    assert errors and "there is no predictions file cifar10_predictions.npz" in errors[0].evalue
    assert "FAST_MODE = False" in errors[0].evalue
    assert REFERENCE_FILE.is_file(), NO_REFERENCE_FILE
    graded = demo_run.workdir / "autograded" / "reference" / NAME / SOURCE.name
    assert "Public tests passed: predictions file (0.8" in _text(_cell(nbformat.read(graded, as_version=4),
                                                                         "accuracy_tests"))
