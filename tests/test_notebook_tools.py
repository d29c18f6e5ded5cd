"""What notebooks call from course_lib: style, fast mode, headline figures; in a real kernel."""

from pathlib import Path

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

import course_lib
from course_lib.kernels import IpcKernelManager
from course_lib.results import MIME, figures_in
from tests.conftest import REPO


def run_cells(*sources, cwd=None):
    notebook = new_notebook(cells=[new_code_cell(s) for s in sources])
    client = NotebookClient(notebook, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(cwd or REPO)}}, kernel_manager_class=IpcKernelManager)
    client.execute()
    return notebook


def test_custom_css_is_the_admin_file():
    assert course_lib.notebook.custom_css() == (REPO / "admin" / "custom.css").read_text()


def test_fast_mode_switches(monkeypatch):
    assert course_lib.fast_mode() is False and course_lib.fast_mode(default=True) is True
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert course_lib.fast_mode() is True
    monkeypatch.setenv("COURSE_FAST_MODE", "0")
    assert course_lib.fast_mode() is False
    monkeypatch.setenv("COURSE_FAST_MODE", "yes")
    assert course_lib.fast_mode() is True


@pytest.mark.slow
def test_setup_and_record_in_a_real_kernel_from_another_folder(tmp_path):
    notebook = run_cells(
        "import course_lib\ncourse_lib.setup_notebook()",
        "course_lib.record('test_accuracy', 0.91234, at_least=0.9)",
        "course_lib.record('loss', 2.5, at_most=1.0)",
        cwd=tmp_path,
    )
    style = notebook.cells[0].outputs[0]["data"]["text/html"]
    assert style.startswith("<style>") and ".course-hint" in style
    text = notebook.cells[1].outputs[0]["data"]["text/plain"]
    assert text == "test_accuracy = 0.9123  (target ≥ 0.9: met)"
    figures = figures_in(notebook)
    assert [(f["name"], f["value"], f["passed"]) for f in figures] == [("test_accuracy", 0.91234, True),
                                                                       ("loss", 2.5, False)]
    assert MIME in notebook.cells[2].outputs[0]["data"]


def test_record_outside_ipython_prints(capsys):
    assert course_lib.record("x", 3, at_least=4) == 3.0
    assert capsys.readouterr().out.strip() == "x = 3.0000  (target ≥ 4: NOT met)"


def test_a_fast_run_shows_the_full_mode_target_beside_its_figure(capsys):
    """A pair (fast, full) applies the threshold of the mode; a fast run names the full mode's, the summary too."""
    from course_lib.results import full_mode_target

    course_lib.record("whole", 0.046, at_least=(None, 0.90), fast=True)
    course_lib.record("whole", 0.93, at_least=(None, 0.90), fast=False)
    course_lib.record("minutes", 31, at_most=(None, 30), fast=False, digits=0)
    assert capsys.readouterr().out.splitlines() == ["whole = 0.0460  (fast mode; full mode: ≥ 0.9)",
                                                    "whole = 0.9300  (target ≥ 0.9: met)",
                                                    "minutes = 31  (target ≤ 30: NOT met)"]
    assert full_mode_target({"fast": True, "full_at_least": 0.9, "full_at_most": None}) == "full mode: >= 0.9"
    assert full_mode_target({"fast": False, "full_at_least": 0.9}) == ""
    with pytest.raises(ValueError, match="fast=FAST_MODE"):
        course_lib.record("whole", 0.5, at_least=(0.1, 0.9))


def test_figures_are_rechecked_not_trusted():
    # A notebook cannot claim "passed": the runner recomputes it from value and threshold.
    notebook = {"cells": [{"outputs": [{"data": {MIME: {"name": "acc", "value": 0.5, "at_least": 0.9,
                                                        "passed": True}}}]}]}
    assert figures_in(notebook)[0]["passed"] is False


def test_error_messages_render_without_traceback_in_ipython():
    error = course_lib.CourseError("first line\nwhat to do")
    assert error._render_traceback_() == ["CourseError: first line", "what to do"]
    assert Path(course_lib.__file__).parent.name == "course_lib"
