"""What a student reads: every question and heading reaches the student version; the set-up prints no noise.

nbgrader blanks a solution markdown cell whole ("YOUR ANSWER HERE"), so a question written in the answer cell
never reaches the student. ``course_lib.grading.student_version.unasked`` finds that, and every build of a student
version (`course release`, `course student-build`, `course demo`) refuses it; these tests check it on each
assignment's student version and on a notebook made to break it. Then: the demo's output holds none of
TensorFlow's or absl's start-up lines, and building the project prints no warning about its own metadata.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from course_lib.grading.student_version import unasked
from course_lib.project import existing_assignments, source_notebooks
from tests.conftest import REPO

ASSIGNMENTS = existing_assignments(REPO)
TENSORFLOW_START_UP = re.compile(r"oneDNN custom operations|absl::InitializeLog|^[IWE]\d{4} \d\d:\d\d|cuda|"
                                 r"TensorFlow binary is optimized|rebuild TensorFlow", re.M | re.I)


def _cell(kind, source, grade_id, **nbgrader):
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    meta = {"grade": False, "solution": False, "locked": False, "schema_version": 3, "task": False,
            "grade_id": grade_id, **nbgrader}
    return make(source, metadata={"nbgrader": meta})


def _pair(tmp_path, cells_source, cells_student):
    paths = []
    for name, cells in (("source", cells_source), ("student", cells_student)):
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
        paths.append(path)
    return paths


def test_unasked_flags_a_question_in_an_answer_cell_and_a_lost_heading(tmp_path):
    answer = "## Part 2: your data (1 point)\n\n**How did you make it?**\n\nI drew digits."
    source, student = _pair(
        tmp_path,
        [_cell("markdown", "# Title", "title", locked=True),
         _cell("markdown", answer, "data_answer", grade=True, solution=True, points=1)],
        [_cell("markdown", "# Title", "title", locked=True),
         _cell("markdown", "YOUR ANSWER HERE", "data_answer", grade=True, solution=True, points=1)])
    problems = unasked(source, student)
    assert any("data_answer" in p and "no locked question above it" in p for p in problems), problems
    assert any("heading lost" in p and "Part 2: your data" in p for p in problems), problems


def test_unasked_accepts_a_locked_question_above_the_answer(tmp_path):
    question = "## Part 2: your data (1 point)\n\n**Question (1 point).** How did you make it?"
    cells = [_cell("markdown", question, "data_question", locked=True),
             _cell("markdown", "YOUR ANSWER HERE", "data_answer", grade=True, solution=True, points=1)]
    source, student = _pair(tmp_path, cells, cells)
    assert unasked(source, student) == []
    unlocked = [_cell("markdown", question, "data_question"), cells[1]]
    source, student = _pair(tmp_path, unlocked, unlocked)
    assert any("no locked question" in p for p in unasked(source, student)), "an unlocked question can be deleted"


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_question_and_heading_reaches_the_student_version(demo_run, name):
    demo_run.require_ran(name)
    released = {path.name: path for path in demo_run.released(name)}
    for source in source_notebooks(name, REPO):
        problems = unasked(source, released[source.name])
        assert not problems, f"{name}: " + "\n".join(problems)
        written = [cell for cell in nbformat.read(released[source.name], as_version=4).cells
                   if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata["nbgrader"].get("solution")
                   and cell.cell_type == "markdown"]
        assert all("YOUR ANSWER HERE" in cell.source for cell in written), f"{name}: an answer cell kept its text"


@pytest.mark.slow
def test_the_demo_prints_no_tensorflow_start_up_lines(demo_run):
    found = sorted({line.strip() for line in (demo_run.stdout + demo_run.stderr).splitlines()
                    if TENSORFLOW_START_UP.search(line)})
    assert not found, "the demo's output carries TensorFlow start-up lines:\n" + "\n".join(found[:10])


def test_building_the_project_prints_no_warning_about_its_metadata(tmp_path):
    """pip builds the project as `make install` does; setuptools must find nothing deprecated in pyproject.toml.

    Built from a copy of what the wheel is made of, so that setuptools' build/ folder is not left in the checkout.
    """
    import shutil

    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, copy / name)
    for name in ("course_lib", "problem_unittests"):
        shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "wheel"), str(copy)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    warnings = [line.strip() for line in output.splitlines()
                if re.search(r"Warning|deprecated", line) and "Location 'file:" not in line]
    assert not warnings, "building the project warns:\n" + "\n".join(warnings)
