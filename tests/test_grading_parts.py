"""The grading pipeline's parts: repair, output caps, hidden tests in feedback, limits, the sandbox choice."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_lib.errors import CourseError
from course_lib.grading import autograde, nbgrader_course, sandbox
from course_lib.grading.preprocessors import CapOutputSize, HideHiddenTests
from course_lib.grading.repair import RepairError, repair
from tests.conftest import FIXTURE_COURSE, REPO, run_course

SOURCE = FIXTURE_COURSE / "notebooks" / "example" / "example.ipynb"


@pytest.fixture(scope="module")
def student_version(tmp_path_factory) -> Path:
    import shutil

    root = tmp_path_factory.mktemp("release") / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    return nbgrader_course.generate_assignment(nbgrader_course.load_config(root), "example")[0]


def _ids(notebook_path):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nbformat.read(notebook_path, 4).cells]


def _write(notebook, path):
    nbformat.write(notebook, path)
    return path


# --- repair ------------------------------------------------------------------------------------------------

def test_untouched_submission_needs_no_repair(student_version, tmp_path):
    submitted = _write(nbformat.read(student_version, 4), tmp_path / "example.ipynb")
    before = submitted.read_bytes()
    assert repair(submitted, SOURCE, student_version).actions == []
    assert submitted.read_bytes() == before


def test_missing_cells_come_back_in_place(student_version, tmp_path):
    notebook = nbformat.read(student_version, 4)
    order = _ids(student_version)
    notebook.cells = [c for c in notebook.cells
                      if c.metadata["nbgrader"]["grade_id"] not in ("correct_squares", "part_b")]
    submitted = _write(notebook, tmp_path / "example.ipynb")
    actions = repair(submitted, SOURCE, student_version).actions
    assert actions == ["cell 'correct_squares' was missing: restored from the student version",
                       "cell 'part_b' was missing: restored from the student version"]
    assert _ids(submitted) == order


def test_duplicates_keep_the_answer_that_ran_last_and_the_first_test(student_version, tmp_path):
    notebook = nbformat.read(student_version, 4)
    cells = {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(notebook.cells)}
    answer = copy.deepcopy(notebook.cells[cells["squares"]])
    answer.source, answer["id"] = "def squares(n):\n    return 'second'", "second"
    test = copy.deepcopy(notebook.cells[cells["correct_squares"]])
    test.source, test["id"] = "pass", "twin"
    notebook.cells.insert(cells["correct_squares"] + 1, test)
    notebook.cells.insert(cells["squares"] + 1, answer)
    submitted = _write(notebook, tmp_path / "example.ipynb")
    actions = repair(submitted, SOURCE, student_version).actions
    assert "cell 'squares' occurred 2 times: kept the last copy" in actions
    assert "cell 'correct_squares' occurred 2 times: kept the first copy" in actions
    repaired = nbformat.read(submitted, 4)
    kept = [c for c in repaired.cells if c.metadata["nbgrader"]["grade_id"] in ("squares", "correct_squares")]
    assert [c.source for c in kept][0].endswith("'second'") and kept[1].source != "pass"


def test_cell_type_metadata_and_ids_are_restored(student_version, tmp_path):
    notebook = nbformat.read(student_version, 4)
    index = next(i for i, c in enumerate(notebook.cells) if c.metadata["nbgrader"]["grade_id"] == "sum_of_squares")
    cell = notebook.cells[index]
    notebook.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=copy.deepcopy(cell.metadata))
    graded = next(c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "correct_squares")
    graded.metadata["nbgrader"]["points"] = 100
    submitted = _write(notebook, tmp_path / "example.ipynb")
    raw = json.loads(submitted.read_text())
    raw["cells"][1]["id"] = raw["cells"][0]["id"]  # as a copy-paste in an old editor leaves it
    submitted.write_text(json.dumps(raw))
    actions = repair(submitted, SOURCE, student_version).actions
    assert "cell 'sum_of_squares' was changed from code to markdown: changed back" in actions
    assert "cell 'correct_squares': nbgrader metadata was changed: restored" in actions
    assert any(a.startswith("duplicate cell id") for a in actions)
    repaired = nbformat.read(submitted, 4)
    nbformat.validate(repaired)
    assert repaired.cells[index].cell_type == "code" and repaired.cells[index].outputs == []
    assert len({c["id"] for c in repaired.cells}) == len(repaired.cells)


@pytest.mark.parametrize("content", [b"{not json", b"", b'{"cells": 3, "metadata": {}}', b"\xff\xfe\x00"])
def test_unreadable_submission_is_a_clear_error(student_version, tmp_path, content):
    (tmp_path / "example.ipynb").write_bytes(content)
    with pytest.raises(RepairError, match="example.ipynb is not a readable notebook"):
        repair(tmp_path / "example.ipynb", SOURCE, student_version)


# --- outputs: size caps and hidden tests ---------------------------------------------------------------------

def _run(preprocessor, notebook):
    return preprocessor.preprocess(notebook, {})[0]


def test_cap_output_size_truncates_text_images_and_counts():
    cell = new_code_cell("print('x' * 10**6)")
    cell.outputs = [new_output("stream", name="stdout", text="x" * 1_000_000),
                    new_output("display_data", data={"image/png": "A" * 5_000_000, "text/plain": "<Figure>"})]
    cell.outputs += [new_output("stream", name="stdout", text="line\n") for _ in range(100)]
    notebook = _run(CapOutputSize(max_chars=1000, max_image_bytes=1_000_000, max_outputs=10),
                    new_notebook(cells=[cell]))
    outputs = notebook.cells[0].outputs
    assert len(outputs) == 11 and "92 more outputs removed" in outputs[-1]["text"]
    assert len(outputs[0]["text"]) < 1100 and "999,000 more characters" in outputs[0]["text"]
    assert "image/png" not in outputs[1]["data"] and "too large" in outputs[1]["data"]["text/plain"]


HIDDEN = ('assert f(2) == 4\n### BEGIN HIDDEN TESTS\nassert f(12) == 144, "f is wrong for larger numbers"\n'
          "### END HIDDEN TESTS")


def test_feedback_hides_hidden_test_code_but_keeps_the_hint():
    failed = new_code_cell(HIDDEN)
    failed.outputs = [new_output("error", ename="AssertionError", evalue="f is wrong for larger numbers",
                                 traceback=["\x1b[31mAssertionError\x1b[0m Traceback",
                                            '----> 3 assert f(12) == 144, "f is wrong for larger numbers"',
                                            "AssertionError: f is wrong for larger numbers"])]
    leaky = new_code_cell("show_me()")
    leaky.outputs = [new_output("stream", name="stdout", text='assert f(12) == 144, "f is wrong for larger numbers"\n')]
    visible = new_code_cell("assert g(1) == 2")
    visible.outputs = [new_output("error", ename="AssertionError", evalue="",
                                  traceback=["----> 1 assert g(1) == 2", "AssertionError: "])]
    notebook = _run(HideHiddenTests(), new_notebook(cells=[failed, leaky, visible]))
    text = json.dumps(notebook)
    assert "f(12)" not in text and "BEGIN HIDDEN" not in text
    assert notebook.cells[0].source == "assert f(2) == 4"
    assert notebook.cells[0].outputs[0]["traceback"][0] == "AssertionError: f is wrong for larger numbers"
    assert notebook.cells[1].outputs[0]["text"] == "[hidden test]\n"
    assert notebook.cells[2].outputs[0]["traceback"][0] == "----> 1 assert g(1) == 2"  # visible tests stay


# --- limits and the sandbox ---------------------------------------------------------------------------------

def _launch(tmp_path, *command, wall=30, memory=2 << 30, file_size=10 << 20):
    status = tmp_path / "status.json"
    subprocess.run([sys.executable, "-m", "course_lib.grading.launcher", "--status", str(status), "--wall",
                    str(wall), "--cpu", "60", "--memory", str(memory), "--file-size", str(file_size), "--",
                    *command], timeout=60, check=True)
    return json.loads(status.read_text())


def test_launcher_stops_a_kernel_at_the_wall_clock_limit(tmp_path):
    start = time.monotonic()
    status = _launch(tmp_path, sys.executable, "-c", "import time; time.sleep(60)", wall=1)
    assert status["wall_clock_exceeded"] is True and time.monotonic() - start < 10


def test_launcher_limits_memory_and_file_size(tmp_path):
    status = _launch(tmp_path, sys.executable, "-c", "x = bytearray(3 << 30)", memory=1 << 30)
    assert status["returncode"] == 1 and not status["wall_clock_exceeded"]  # MemoryError
    status = _launch(tmp_path, sys.executable, "-c", f"open({str(tmp_path / 'big')!r}, 'wb').write(b'x' * (5 << 20))",
                     file_size=1 << 20)
    assert status["returncode"] != 0 and (tmp_path / "big").stat().st_size <= 1 << 20


def test_sandbox_sees_no_course_folder(tmp_path):
    spec = sandbox.make_spec(tmp_path / "kernels", sandbox.Limits(), tool="bwrap")
    assert not any(path == str(REPO) or path.startswith(str(REPO / "notebooks")) for path in spec.read_only)
    command = sandbox.wrap(["python", "-m", "ipykernel_launcher"], spec, cwd="/work/x", private=tmp_path,
                           work=tmp_path / "work")
    assert command[command.index("bwrap") + 1] == "--unshare-all"
    assert command[command.index(str(tmp_path / "work")) + 1] == "/work/x"  # notebooks hidden from the kernel
    bare = sandbox.wrap(["python"], sandbox.SandboxSpec("none", sandbox.Limits()), cwd="/x", private=tmp_path)
    assert "bwrap" not in bare and bare[-1] == "python"


def test_sandbox_choice_is_loud_when_it_falls_back(monkeypatch):
    said = []
    monkeypatch.setattr(sandbox, "bubblewrap_works", lambda: (False, "bwrap is not installed"))
    assert autograde.choose_sandbox("auto", said.append) == "none"
    assert said[0].startswith("WARNING: NO SANDBOX. bwrap is not installed")
    with pytest.raises(CourseError, match="sandbox was required"):
        autograde.choose_sandbox("bwrap", said.append)
    assert autograde.choose_sandbox("none", said.append) == "none" and "sandbox disabled" in said[-1]


@pytest.mark.slow
def test_lms_export_graded_without_sandbox_still_limited(example_course, tmp_path, student_version):
    from tests.hostile_submissions import SQUARES, WRONG_SUM

    export = tmp_path / "lms"
    for student, sum_ in (("dana", WRONG_SUM), ("eli", None)):
        folder = export / student / "example"
        folder.mkdir(parents=True)
        notebook = nbformat.read(student_version, 4)
        for cell in notebook.cells:
            if cell.metadata["nbgrader"]["grade_id"] == "squares":
                cell.source = SQUARES
            if cell.metadata["nbgrader"]["grade_id"] == "sum_of_squares" and sum_:
                cell.source = sum_
        nbformat.write(notebook, folder / "example.ipynb")
    result = run_course("autograde", "example", "--submissions", str(export), "--sandbox", "none",
                        cwd=example_course)
    assert result.returncode == 0, result.stderr
    assert "sandbox disabled" in result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:] if line.strip()}
    assert "2 / 3" in rows["dana"] and "2 / 3" in rows["eli"]


def test_workers_must_be_positive(example_course):
    result = run_course("autograde", "example", "--workers", "0", cwd=example_course)
    assert result.returncode == 1 and "--workers must be at least 1" in result.stderr


def test_no_incompatible_jupyterlab_extension():
    jupyter = Path(sys.executable).parent / "jupyter"
    result = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    listing = result.stdout + result.stderr
    lines = [line for line in listing.splitlines() if " v" in line and ("enabled" in line or "disabled" in line)]
    assert any("@jupyter/nbgrader" in line for line in lines), listing
    problems = [line for line in lines if "OK" not in line or "X" in line.split()]
    assert not problems, listing
    assert "incompatible" not in listing.lower() and "is not compatible" not in listing


def test_a_cell_that_outlives_its_limit_is_named_in_the_reason():
    log = ("[ERROR] Timeout waiting for execute reply (120s).\n[ERROR] Interrupting kernel\n"
           "    nbclient.exceptions.CellTimeoutError: A cell timed out while it was being executed, after 4 seconds.\n"
           "    The message was: Timeout waiting for IOPub output.\n"
           "    ['import warnings', '', 'model = fit_logistic(train_images, train_labels, 5000)']\n")
    reason = autograde._timeout_reason(log, 120)
    assert reason.startswith("a cell ran longer than the per-cell limit of 120 s (the cell ending "
                             "`model = fit_logistic(train_images, train_labels, 5000)`)")
    assert "--cell-timeout" in reason
