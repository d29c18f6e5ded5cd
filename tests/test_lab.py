"""`course lab`: the student's work folder (never overwritten, never a solution) and the JupyterLab it starts."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course_lib.errors import CourseError
from course_lib.lab import prepare, running, secrets_in
from course_lib.lab.server import INSTRUCTOR_PLUGINS, free_port
from course_lib.lab.workfolder import read_course_id
from tests.conftest import REPO, run_course


def student_versions(folder: Path, course_id: str = "demo-course", secret: bool = False) -> Path:
    """A folder of student versions like the Docker image's: one clean assignment, one with a planted solution."""
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.course_id = {course_id!r}\n")
    answer = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 1, "grade_id": "why",
                                   "schema_version": 3}
    code = nbformat.v4.new_code_cell("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    (folder / "a1").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[answer, code]), folder / "a1" / "a1.ipynb")
    if secret:
        leaked = nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION")
        (folder / "a2").mkdir()
        nbformat.write(nbformat.v4.new_notebook(cells=[leaked]), folder / "a2" / "a2.ipynb")
    return folder


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


# --- the work folder --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_builds_the_student_versions_and_configures_nbgrader(example_course, tmp_path):
    """Every assignment's student version, checked; nbgrader_config.py names the course and the exchange."""
    said = []
    prepared = prepare(tmp_path / "work", exchange=tmp_path / "exchange", say=said.append)
    assert prepared.added == ["example"] and not prepared.kept and not prepared.failed
    student = (tmp_path / "work" / "example" / "example.ipynb").read_text()
    assert "raise NotImplementedError" in student and not secrets_in(tmp_path / "work")
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["example", "nbgrader_config.py"]
    assert read_course_id(tmp_path / "work" / "nbgrader_config.py") == "course-kit"
    assert f"c.Exchange.root = '{tmp_path / 'exchange'}'" in (tmp_path / "work" / "nbgrader_config.py").read_text()
    assert said[0] == f"example: added to {tmp_path / 'work'} (example.ipynb)"
    assert "not there yet" in said[-1], "a missing exchange is said, with what it means"


@pytest.mark.slow
def test_never_overwrites_a_students_notebook_and_adds_new_assignments(example_course, tmp_path):
    """A second `course lab`: the edited assignment is left as it is (a line says so); a new one is added."""
    work = tmp_path / "work"
    first = run_course("lab", "--no-start", "--workdir", str(work), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    notebook = work / "example" / "example.ipynb"
    edited = notebook.read_text().replace("raise NotImplementedError()", "return [i * i for i in range(n)]")
    notebook.write_text(edited)
    (work / "example" / "my_notes.txt").write_text("mine")
    shutil.copytree(example_course / "notebooks" / "example", example_course / "notebooks" / "example_two")

    second = run_course("lab", "--no-start", "--workdir", str(work), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"example: already in {work}, left as it is" in second.stdout
    assert f"example_two: added to {work}" in second.stdout
    assert notebook.read_text() == edited and (work / "example" / "my_notes.txt").read_text() == "mine"
    assert (work / "example_two" / "example.ipynb").is_file()
    assert not [p for p in work.iterdir() if p.name.startswith(".")], "no scratch folder is left behind"


@pytest.mark.parametrize("where", ["inside", "holding"])
def test_refuses_a_work_folder_that_would_show_the_sources(where):
    """The work folder must lie outside the repository: inside it, or above it, JupyterLab would show the sources."""
    folder = REPO / "notebooks" if where == "inside" else REPO.parent
    result = run_course("lab", "--no-start", "--workdir", str(folder), env={"COURSE_ROOT": str(REPO)})
    assert result.returncode == 1
    assert "must lie outside the course repository" in result.stderr and "hidden tests" in result.stderr


def test_unknown_assignment_is_one_clear_error(tmp_path):
    result = run_course("lab", "nope", "--no-start", "--workdir", str(tmp_path / "work"),
                        env={"COURSE_ROOT": str(REPO)})
    assert result.returncode == 1 and "no assignment called nope; there are: 01_notmnist" in result.stderr
    assert not (tmp_path / "work" / "nope").exists()


def test_copies_from_student_versions_and_refuses_one_with_a_solution(tmp_path):
    """`--from` (the Docker image's start): the clean assignment is copied, the leaking one never written."""
    source = student_versions(tmp_path / "versions", secret=True)
    work = tmp_path / "work"
    result = run_course("lab", "--from", str(source), "--workdir", str(work), "--no-start", cwd=tmp_path)
    assert result.returncode == 1, "with --no-start, an assignment that cannot be added is an error"
    assert "a2: NOT added: it holds solution code or hidden tests: a2/a2.ipynb: cell 0 holds BEGIN SOLUTION" \
        in result.stdout, result.stdout
    assert (work / "a1" / "a1.ipynb").is_file() and not (work / "a2").exists()
    assert not [p for p in work.iterdir() if p.name.startswith(".")]
    assert read_course_id(work / "nbgrader_config.py") == "demo-course"


def test_prepare_reports_failures_and_goes_on(tmp_path):
    source = student_versions(tmp_path / "versions", secret=True)
    said = []
    prepared = prepare(tmp_path / "work", student_versions=source, exchange=tmp_path, say=said.append)
    assert prepared.added == ["a1"] and list(prepared.failed) == ["a2"]
    assert prepared.exchange == tmp_path.resolve() and prepared.course_id == "demo-course"
    with pytest.raises(CourseError, match="sets no CourseDirectory.course_id"):
        (source / "nbgrader_config.py").write_text("c = get_config()\n")
        prepare(tmp_path / "other", student_versions=source)


@pytest.mark.parametrize("text, problem", [
    ("# YOUR ANSWER HERE", None),
    ("Because the test set must stay unseen.", "a written answer's model text"),
])
def test_a_model_answer_counts_as_a_secret(tmp_path, text, problem):
    """A written-answer cell holding anything but nbgrader's placeholder gives the model answer away."""
    cell = nbformat.v4.new_markdown_cell(text.lstrip("# "))
    cell.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 2, "grade_id": "why", "schema_version": 3}
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "n.ipynb")
    found = secrets_in(tmp_path)
    assert (found == []) if problem is None else (problem in found[0]), found


# --- the server -------------------------------------------------------------------------------------------------

def test_free_port_prefers_the_one_asked_for():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert free_port("127.0.0.1", taken) != taken
    assert free_port("127.0.0.1", taken) == taken


@pytest.mark.slow
def test_student_and_instructor_servers(tmp_path):
    """A student's JupyterLab: token required, nbgrader's instructor parts off; an instructor's: formgrader on."""
    work, exchange = tmp_path / "work", tmp_path / "exchange"
    exchange.mkdir()  # an instructor makes it (`course release` does); a student only reads it
    prepare(work, student_versions=student_versions(tmp_path / "versions"), exchange=exchange, say=lambda line: None)
    env = {"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    with running(work, log=tmp_path / "student.log", env=env) as server:
        assert server.ip == "127.0.0.1" and len(server.token) >= 32
        assert get(f"{server.base_url}api/status")[0] == 403, "no token, no access"
        assert get(f"{server.base_url}api/status", server.token)[0] == 200
        status, contents = get(f"{server.base_url}api/contents", server.token)
        assert sorted(item["name"] for item in json.loads(contents)["content"]) == ["a1", "nbgrader_config.py"]
        status, page = get(server.url())
        disabled = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
        assert set(INSTRUCTOR_PLUGINS) <= set(disabled["disabledExtensions"]), disabled["disabledExtensions"]
        assert get(f"{server.base_url}formgrader", server.token)[0] == 404, "the formgrader is for instructors"
        status, listing = get(f"{server.base_url}assignments?course_id=demo-course", server.token)
        assert status == 200 and json.loads(listing) == {"success": True, "value": []}, listing
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{server.base_url}api/status", timeout=5)

    course = tmp_path / "course"
    shutil.copytree(REPO / "admin", course / "admin")
    (course / "notebooks").mkdir()
    with running(course, role="instructor", cwd=course / "admin", exchange=exchange,
                 log=tmp_path / "instructor.log", env=env) as server:
        status, page = get(server.url("formgrader/manage_assignments"))
        assert status == 200 and "Manage Assignments" in page, page[:500]


@pytest.mark.slow
def test_course_lab_runs_until_sigterm(tmp_path):
    """The real command: prints the URL with its token, serves the work folder, stops cleanly on SIGTERM."""
    source = student_versions(tmp_path / "versions")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    process = subprocess.Popen([sys.executable, "-m", "course_lib", "lab", "--from", str(source), "--workdir",
                                str(tmp_path / "work"), "--no-browser", "--exchange", str(tmp_path / "exchange")],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    try:
        lines = []
        while not lines or "JupyterLab is running" not in lines[-1]:
            line = process.stdout.readline()
            assert line, f"course lab stopped: {''.join(lines)}"
            lines.append(line)
        url = re.search(r"(http://127\.0\.0\.1:\d+/)lab\?token=(\w+)", lines[-1])
        assert url, lines[-1]
        assert get(f"{url[1]}api/status", url[2])[0] == 200
        assert "a1: added to" in "".join(lines)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0
    assert "stopping JupyterLab" in process.stdout.read()
    time.sleep(0.5)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url[1]}api/status", timeout=5)


def test_lab_help_and_instructor_options():
    result = run_course("lab", "--help")
    assert result.returncode == 0 and "--from DIR" in result.stdout and "--instructor" in result.stdout
    result = run_course("lab", "--instructor", "01_notmnist")
    assert result.returncode == 1 and "--instructor serves the course repository" in result.stderr
