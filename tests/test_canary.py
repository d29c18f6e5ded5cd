"""The grader checks itself first: a reference that loses points in the sandbox stops the batch.

Each broken environment here is one a real course meets: a module the grader's Python imports but
the sandbox cannot see (a folder on PYTHONPATH outside the shown paths, like an editable install
pointing elsewhere), and a data folder whose files the sandbox cannot read (links to a disk it does
not show). Both must stop the batch with the reason, before the gradebook is touched.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import nbformat
import pytest

from course_lib.grading import nbgrader_course
from course_lib.grading.sandbox import bubblewrap_works
from tests.conftest import FIXTURE_COURSE, REPO, run_course
from tests.hostile_submissions import submit_three

pytestmark = pytest.mark.slow


@pytest.fixture
def course(tmp_path):
    """The example course with two submissions (correct, blank) and its student version built."""
    works, why = bubblewrap_works()
    if not works:
        pytest.skip(f"the sandbox is needed for this test: {why}")
    root = tmp_path / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    return root


def _edit(root, grade_id: str, old: str, new: str) -> None:
    path = root / "notebooks" / "example" / "example.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == grade_id)
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(notebook, path)


def _setup_cell(root, source: str) -> None:
    _edit(root, "setup", "import course_lib\n\ncourse_lib.setup_notebook()", source)


def _submit(root) -> None:
    config = nbgrader_course.load_config(root)
    (released,) = nbgrader_course.generate_assignment(config, "example")
    submit_three(root, released)


GRADING = ("--workers", "2", "--cell-timeout", "30", "--wall-clock", "120")


def _grade(root, *args, env=None):
    env = {"COURSE_ROOT": str(root), "COURSE_CACHE_DIR": str(root / "cache"), **(env or {})}
    return run_course("autograde", "example", *GRADING, *args, env=env, cwd=root, timeout=900)


def _grade_with_lines_in_a_graded_cell(root, lines: str):
    """Add ``lines`` to the graded cell ``correct_sum_of_squares`` of the source, submit, and grade."""
    _edit(root, "correct_sum_of_squares", "assert sum_of_squares(3) == 14", f"assert sum_of_squares(3) == 14\n{lines}")
    _submit(root)
    return _grade(root)


def _scores(root) -> dict:
    """Each submission's score, from the grading reports."""
    return {s: json.loads((root / "grading-reports" / "example" / f"{s}.json").read_text())["score"]
            for s in ("correct", "wrong_sum", "blank")}


def _grade_in_a_terminal(root) -> str:
    """``course autograde`` with its stderr on a pseudo-terminal; returns what the terminal showed."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    shown = []
    reader = threading.Thread(target=lambda: _drain(master, shown), daemon=True)
    reader.start()
    env = dict(os.environ, COURSE_ROOT=str(root), COURSE_CACHE_DIR=str(root / "cache"), COURSE_PROGRESS="1")
    result = subprocess.run([sys.executable, "-m", "course_lib", "autograde", "example", *GRADING],
                            stdout=subprocess.PIPE, stderr=slave, env=env, cwd=root, timeout=900)
    os.close(slave)
    reader.join(timeout=10)
    text = b"".join(shown).decode(errors="replace")
    assert result.returncode == 0, text[-3000:]
    return text


def _drain(descriptor, into) -> None:
    import os

    while True:
        try:
            chunk = os.read(descriptor, 4096)
        except OSError:  # the other end closed
            return
        if not chunk:
            return
        into.append(chunk)


def _gradebook_state(root) -> tuple[str, list[str]]:
    """The gradebook's bytes (digest) and its submissions."""
    digest = hashlib.sha256((root / "gradebook.db").read_bytes()).hexdigest()
    with nbgrader_course.gradebook(nbgrader_course.load_config(root)) as book:
        return digest, sorted(s.student.id for s in book.find_assignment("example").submissions)


def test_a_module_the_sandbox_cannot_import_stops_the_batch(course, tmp_path):
    helpers = tmp_path / "outside"  # under /tmp: the sandbox shows an empty /tmp of its own
    helpers.mkdir()
    (helpers / "course_extra_helpers.py").write_text("VALUE = 1\n")
    _setup_cell(course, "import course_lib\nimport course_extra_helpers\n\ncourse_lib.setup_notebook()")
    _submit(course)
    before = _gradebook_state(course)

    result = _grade(course, env={"PYTHONPATH": str(helpers)})
    assert result.returncode == 1, result.stderr[-3000:]
    message = result.stderr
    assert "course: example: the canary failed, so nothing was graded and the gradebook is unchanged." in message
    assert "the grader cannot import course_extra_helpers inside the sandbox: setup cell 'setup' failed with " \
           "ModuleNotFoundError: No module named 'course_extra_helpers'" in message
    assert "--skip-canary" in message
    assert _gradebook_state(course) == before and before[1] == []
    assert not (course / "grading-reports").exists() and not (course / "autograded").exists()

    # Told to grade anyway, each submission whose setup cell fails is a failure with that reason, not a plain 0.
    result = _grade(course, "--skip-canary", env={"PYTHONPATH": str(helpers)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "canary skipped" in result.stderr
    for student in ("correct", "wrong_sum", "blank"):
        report = json.loads((course / "grading-reports" / "example" / f"{student}.json").read_text())
        assert not report["ok"] and report["score"] == 0
        assert report["reason"].startswith("the grader cannot import course_extra_helpers inside the sandbox")


def test_a_data_folder_the_sandbox_cannot_read_stops_the_batch(course, tmp_path):
    elsewhere = tmp_path / "shared-disk"  # what the data folder's link points to: not shown in the sandbox
    elsewhere.mkdir()
    (elsewhere / "numbers.txt").write_text("1 2 3\n")
    data = tmp_path / "data" / "example"
    data.mkdir(parents=True)
    (data / "numbers.txt").symlink_to(elsewhere / "numbers.txt")
    _setup_cell(course, "import os\nimport course_lib\n\n"
                        "NUMBERS = open(os.path.join(os.environ['COURSE_DATA_DIR'], 'example', 'numbers.txt')).read()\n"
                        "course_lib.setup_notebook()")
    _edit(course, "correct_sum_of_squares", "assert sum_of_squares(3) == 14", "assert sum_of_squares(3) == 14\nNUMBERS")
    _submit(course)
    before = _gradebook_state(course)

    result = _grade(course, env={"COURSE_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1, result.stderr[-3000:]
    assert "the grader cannot read the data it needs inside the sandbox: setup cell 'setup' failed with " \
           "FileNotFoundError" in result.stderr
    assert "example.ipynb, cell 'correct_sum_of_squares': NameError: name 'NUMBERS' is not defined" in result.stderr
    assert _gradebook_state(course) == before


def test_an_honest_batch_pays_for_the_canary_once(course):
    _submit(course)
    first = _grade(course)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "after the canary (the reference solution)" in first.stderr
    assert "canary: the reference got every autograded point in the sandbox (3 / 3)" in first.stderr
    assert _scores(course) == {"correct": 3, "wrong_sum": 2, "blank": 0}
    assert "course-canary" not in _gradebook_state(course)[1]

    second = _grade_in_a_terminal(course)  # and, in a terminal, with a progress bar over the submissions
    assert "canary: the reference passed in this grading environment before" in second
    assert "after the canary" not in second
    assert "grading example: 100%" in second and "3/3" in second and "failed=0" in second

    # A changed source notebook is a new canary.
    _setup_cell(course, "import course_lib\n\ncourse_lib.setup_notebook()\nSEEN = True")  # a changed source
    third = _grade(course)
    assert "after the canary (the reference solution)" in third.stderr


def test_a_warning_on_stderr_in_a_graded_cell_is_named(course):
    """nbgrader gives no credit to a graded cell that writes to stderr: a library's harmless warning
    (fontTools reading a system font did this to the notMNIST reference) must be named, not guessed."""
    result = _grade_with_lines_in_a_graded_cell(
        course, "import sys\nprint('1 extra bytes in post.stringData array', file=sys.stderr)")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "the reference solution scored" in result.stderr
    assert "example.ipynb, cell 'correct_sum_of_squares': output on standard error: nbgrader gives no credit " \
           "to a graded cell that writes to stderr" in result.stderr
    assert "    1 extra bytes in post.stringData array" in result.stderr


def test_a_python_warning_in_a_graded_cell_costs_no_points(course):
    """setup_notebook() prints Python warnings on stdout while nbgrader executes the notebook: Keras'
    advice about ``input_shape`` in a student's model must not zero the hidden test that builds it."""
    result = _grade_with_lines_in_a_graded_cell(
        course, "import warnings\nwarnings.warn('Do not pass an `input_shape` argument to a layer.', UserWarning)")
    assert result.returncode == 0, result.stderr[-3000:]
    assert _scores(course) == {"correct": 3, "wrong_sum": 2, "blank": 0}
    graded = nbformat.read(course / "autograded" / "correct" / "example" / "example.ipynb", as_version=4)
    cell = next(c for c in graded.cells if c.metadata["nbgrader"]["grade_id"] == "correct_sum_of_squares")
    streams = {output.name: output.text for output in cell.outputs if output.output_type == "stream"}
    assert "UserWarning: Do not pass an `input_shape` argument to a layer." in streams.get("stdout", "")
    assert "stderr" not in streams
