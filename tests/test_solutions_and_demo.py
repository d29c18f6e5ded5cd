"""`course solutions run` and `course demo` on a small course, with a real kernel and real nbgrader."""

import json

import nbformat
import pytest

from course_lib.grading.student_version import leaks
from tests.conftest import run_course

pytestmark = pytest.mark.slow


def _edit_cell(path, grade_id, old, new):
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)


def test_solutions_run_keeps_executed_copies_and_reports_figures(example_course):
    result = run_course("solutions", "run", cwd=example_course)
    assert result.returncode == 0, result.stderr
    assert "sum_of_squares_10=385" in result.stdout and "ok" in result.stdout
    executed = nbformat.read(example_course / "build" / "solutions" / "example" / "example.ipynb", as_version=4)
    assert any(cell.get("outputs") for cell in executed.cells)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "FAST_MODE = True" in injected[0].source
    # The repository's notebooks stay without outputs.
    source = nbformat.read(example_course / "notebooks" / "example" / "example.ipynb", as_version=4)
    assert not any(cell.get("outputs") for cell in source.cells if cell.cell_type == "code")


def test_solutions_run_full_mode_passes_the_parameter(example_course):
    result = run_course("solutions", "run", "example", "--full", cwd=example_course)
    assert result.returncode == 0, result.stderr
    executed = (example_course / "build" / "solutions" / "example" / "example.ipynb").read_text()
    assert "FAST_MODE = False" in executed


def test_solutions_run_fails_when_a_figure_misses_its_threshold(example_course):
    notebook = example_course / "notebooks" / "example" / "example.ipynb"
    _edit_cell(notebook, "figure", "at_least=385", "at_least=400")
    result = run_course("solutions", "run", cwd=example_course)
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "sum_of_squares_10=385 misses its target" in result.stderr


def test_solutions_run_fails_when_a_cell_fails(example_course):
    notebook = example_course / "notebooks" / "example" / "example.ipynb"
    _edit_cell(notebook, "sum_of_squares", "return sum(squares(n))", "return sum(squares(n)) + 1")
    result = run_course("solutions", "run", cwd=example_course)
    assert result.returncode == 1
    assert "AssertionError" in result.stderr


def test_solutions_run_unknown_assignment(example_course):
    result = run_course("solutions", "run", "nope", cwd=example_course)
    assert result.returncode == 1 and "no such assignment: nope; there are: example" in result.stderr


def test_demo_grades_reference_full_marks_and_blank_zero(example_course):
    result = run_course("demo", cwd=example_course)
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout.splitlines()
    example = next(line for line in table if line.startswith("example"))
    assert "3 / 3" in example and "0 / 3" in example and example.rstrip().endswith("ok")
    for planned in ("01_notmnist", "02_fundamentals", "03_mnist_cnn", "04_cifar10_cnn", "05_digit_sequences",
                    "06_house_numbers"):
        row = next(line for line in table if line.startswith(planned))
        assert "not there yet" in row
    assert (example_course / "build" / "demo" / "release" / "example" / "example.ipynb").is_file()


def test_demo_fails_when_the_reference_loses_points(example_course):
    notebook = example_course / "notebooks" / "example" / "example.ipynb"
    _edit_cell(notebook, "sum_of_squares", "return sum(squares(n))", "return sum(squares(n - 1))")
    result = run_course("demo", cwd=example_course)
    assert result.returncode == 1
    example = next(line for line in result.stdout.splitlines() if line.startswith("example"))
    assert example.rstrip().endswith("FAILED")
    # The demo's reference submission is its canary: its row shows the marks, the problems say where.
    assert "2 / 3" in example
    assert "autograde reference: example.ipynb, cell 'correct_sum_of_squares': AssertionError" in result.stdout


def test_leak_check_finds_solution_and_hidden_test_lines(example_course, tmp_path):
    source = example_course / "notebooks" / "example" / "example.ipynb"
    student = tmp_path / "student.ipynb"
    notebook = nbformat.read(source, as_version=4)
    nbformat.write(notebook, student)
    found = leaks(source, student)
    assert any("marker 'BEGIN SOLUTION'" in p for p in found)
    assert any("solution line leaked: return [i ** 2 for i in range(1, n + 1)]" in p for p in found)
    assert any("hidden-test line leaked: assert squares(12)" in p for p in found)
    # A proper student version has none.
    clean = json.loads(source.read_text())
    for cell in clean["cells"]:
        text = "".join(cell["source"])
        if "BEGIN SOLUTION" in text:
            cell["source"] = text.split("### BEGIN SOLUTION")[0] + "raise NotImplementedError()"
        if "BEGIN HIDDEN TESTS" in text:
            cell["source"] = text.split("### BEGIN HIDDEN TESTS")[0]
    student.write_text(json.dumps(clean))
    assert leaks(source, student) == []
