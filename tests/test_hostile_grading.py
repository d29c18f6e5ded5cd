"""Hostile submissions, graded in one batch with the sandbox on: every score exact, honest ones unharmed."""

from __future__ import annotations

import hashlib
import json
import socket
import threading

import nbformat
import pytest

from course_lib.grading import nbgrader_course
from course_lib.grading.sandbox import bubblewrap_works
from tests.conftest import run_course
from tests.hostile_submissions import EXPECTED, build

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


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory):
    works, why = bubblewrap_works()
    if not works:
        pytest.skip(f"the sandbox is needed for this test: {why}")
    import shutil

    from tests.conftest import FIXTURE_COURSE, REPO

    root = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    config = nbgrader_course.load_config(root)
    released = nbgrader_course.generate_assignment(config, "example")
    server = CountingServer()
    build(released[0], root / "submitted", course=root, port=server.port)
    yield root, config, server
    server.close()


def _grade(root, *args):
    env = {"COURSE_ROOT": str(root), "COURSE_CACHE_DIR": str(root / "cache")}
    return run_course("autograde", "example", "--cell-timeout", "5", "--wall-clock", "60", *args,
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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_hostile_batch_grades_to_exact_scores(hostile_course, workers):
    root, config, server = hostile_course
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
