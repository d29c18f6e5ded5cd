"""Hostile submissions, graded in one batch with the sandbox on: every score exact, honest ones unharmed."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import nbgrader_course
from course_lib.grading.sandbox import bubblewrap_works
from tests.conftest import run_course
from tests.hostile_submissions import EXPECTED, build, plant_secret

pytestmark = pytest.mark.slow


class CountingServer:
    """A TCP server on 127.0.0.1 that counts connections (none must arrive from a sandbox)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.socket.accept()
                self.connections += 1
                connection.close()
            except OSError:
                continue

    def close(self):
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture(scope="module", params=["tmp", "checkout"])
def hostile_course(request, tmp_path_factory):
    """The example course with hostile submissions, built under /tmp and, as well, inside this checkout.

    Where the course (and the checkout) sit must not matter: the hidden test carries a fresh secret
    that exists nowhere else, so finding it anywhere is a leak, and not finding it is no accident
    of where the repository lives.
    """
    works, why = bubblewrap_works()
    if not works:
        pytest.skip(f"the sandbox is needed for this test: {why}")
    import shutil
    import tempfile

    from course_lib.grading.release import release
    from tests.conftest import FIXTURE_COURSE, REPO

    if request.param == "tmp":
        base = tmp_path_factory.mktemp("hostile")
    else:
        (REPO / "build").mkdir(exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix="test-hostile-", dir=REPO / "build"))
    root = base / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    secret = plant_secret(root / "notebooks" / "example" / "example.ipynb")
    exchange = base / "exchange"
    config = nbgrader_course.load_config(root, exchange=exchange)
    released = release(config, "example", say=lambda message: None)
    server = CountingServer()
    build(released[0], root / "submitted", course=root, secret=secret, exchange=exchange, port=server.port)
    yield root, config, server, request.param
    server.close()
    if request.param == "checkout":
        shutil.rmtree(base, ignore_errors=True)


def _grade(root, *args):
    env = {"COURSE_ROOT": str(root), "COURSE_CACHE_DIR": str(root / "cache")}
    return run_course("autograde", "example", "--cell-timeout", "15", "--wall-clock", "90", *args,
                      env=env, cwd=root, timeout=900)


def _scores(config) -> dict:
    with nbgrader_course.gradebook(config) as book:
        result = {}
        for submission in book.find_assignment("example").submissions:
            grades = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
            result[submission.student.id] = (grades["correct_squares"], grades["correct_sum_of_squares"])
        return result


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outputs(root, student) -> str:
    notebook = nbformat.read(root / "autograded" / student / "example" / "example.ipynb", as_version=4)
    return "\n".join(json.dumps(cell.get("outputs", [])) for cell in notebook.cells)


def test_hostile_batch_grades_to_exact_scores(hostile_course):
    root, config, server, location = hostile_course
    workers = {"tmp": "1", "checkout": "2"}[location]  # both schedules, one course each
    victim = root / "submitted" / "correct" / "example" / "example.ipynb"
    before = _digest(victim)

    result = _grade(root, "--workers", workers)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sandbox: bwrap" in result.stderr and "NO SANDBOX" not in result.stderr

    scores = _scores(config)
    assert scores == {student: (e.squares, e.sum) for student, e in EXPECTED.items()}
    reports = {s: json.loads((root / "grading-reports" / "example" / f"{s}.json").read_text()) for s in EXPECTED}
    for student, expected in EXPECTED.items():
        report = reports[student]
        assert report["score"] == expected.total and report["max_score"] == 3
        assert report["ok"] == (not expected.failure), (student, report["reason"])
        if expected.failure:
            assert expected.failure in report["reason"], (student, report["reason"])
        if expected.repaired:
            assert any(expected.repaired in action for action in report["repairs"]), (student, report["repairs"])

    # The hostile ones got nowhere.
    assert "no hidden tests found" in _outputs(root, "reads_hidden_tests")
    assert "LEAKED" not in _outputs(root, "reads_hidden_tests")
    # Writes land nowhere real: the paths do not exist in the sandbox, or only in its private /tmp.
    assert "could not write" in _outputs(root, "writes_gradebook_and_others")
    assert _digest(victim) == before
    assert b"OVERWRITTEN" not in (root / "gradebook.db").read_bytes()
    assert b"OVERWRITTEN" not in (root / "autograded" / "correct" / "example" / "example.ipynb").read_bytes()
    network = _outputs(root, "opens_network")
    assert "CONNECTED" not in network and network.count("no connection") == 2
    assert server.connections == 0
    # 100 MB printed: graded, and its autograded notebook stays small.
    assert (root / "autograded" / "huge_output" / "example" / "example.ipynb").stat().st_size < 1_000_000
    # The CSV of grades agrees, failures included with their reason.
    csv = run_course("grades", "example", env={"COURSE_ROOT": str(root)}, cwd=root)
    assert csv.returncode == 0, csv.stderr
    lines = {line.split(",")[0]: line for line in csv.stdout.splitlines()[1:]}
    assert lines["os_exit"].startswith("os_exit,0,0,0,3,no,failed: the kernel died")
    assert lines["partly_correct"].startswith("partly_correct,2,0,2,3,no,ok")


def test_the_hidden_test_hunter_finds_the_secret_where_it_can_see_it(tmp_path):
    """Without a sandbox the hostile submission does read the hidden test: the check above can fail."""
    import shutil
    import subprocess
    import sys

    from tests.conftest import FIXTURE_COURSE, REPO

    root = tmp_path / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    secret = plant_secret(root / "notebooks" / "example" / "example.ipynb")
    (released,) = nbgrader_course.generate_assignment(nbgrader_course.load_config(root), "example")
    assert secret not in released.read_text()
    folders = build(released, root / "submitted", course=root, secret=secret, exchange=tmp_path / "exchange")
    notebook = nbformat.read(folders["reads_hidden_tests"] / "example.ipynb", as_version=4)
    hunter = next(c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "squares").source
    assert secret not in hunter  # it carries only the secret's digest
    (tmp_path / "home").mkdir()
    result = subprocess.run([sys.executable, "-c", hunter], capture_output=True, text=True, cwd=tmp_path,
                            env={"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert "LEAKED hidden tests from:" in result.stdout, result.stdout + result.stderr
    assert str(root / "notebooks" / "example" / "example.ipynb") in result.stdout
    assert str(root / "gradebook.db") in result.stdout
