"""The whole instructor cycle through nbgrader's exchange, with students played by nbgrader's own commands."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import nbgrader_course
from tests.conftest import FIXTURE_COURSE, REPO, run_course
from tests.hostile_submissions import SQUARES, SUM, answered

pytestmark = pytest.mark.slow

HACKED_SQUARES = "def squares(n):\n    return [1, 4, 9][:n]  # passes the visible tests only"
FORMULA_SUM = "def sum_of_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6"


def nbgrader(*args, cwd):
    command = [str(Path(sys.executable).parent / "nbgrader"), *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def answer(path: Path, squares: str | None, sum_: str | None) -> None:
    nbformat.write(answered(nbformat.read(path, as_version=4), squares, sum_), path)


def test_release_submit_collect_grade_feedback_grades(tmp_path):
    root, exchange, homes = tmp_path / "course", tmp_path / "exchange", tmp_path / "homes"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    env = {"COURSE_ROOT": str(root), "COURSE_CACHE_DIR": str(tmp_path / "cache")}
    course_args = ["--exchange", str(exchange)]

    released = run_course("release", "example", *course_args, env=env, cwd=root)
    assert released.returncode == 0, released.stderr
    assert "no solutions, no hidden tests" in released.stderr

    answers = {"alice": (SQUARES, SUM), "bob": (HACKED_SQUARES, FORMULA_SUM), "carol": (None, None)}

    def student_args(student):  # each student keeps their own record of what they submitted
        return ["--course", "course-kit", f"--Exchange.root={exchange}", f"--Exchange.cache={homes / student}/.cache"]

    for student, (squares, sum_) in answers.items():
        home = homes / student
        home.mkdir(parents=True)
        nbgrader("fetch_assignment", "example", *student_args(student), cwd=home)
        fetched = home / "example" / "example.ipynb"
        assert "BEGIN HIDDEN TESTS" not in fetched.read_text()
        answer(fetched, squares, sum_)
        nbgrader("submit", "example", *student_args(student), "--student", student, cwd=home)
        time.sleep(1.1)  # distinct submission times: the due date goes between alice's and bob's

    collected = run_course("collect", "example", *course_args, env=env, cwd=root)
    assert collected.returncode == 0, collected.stderr
    assert collected.stdout.split() == ["alice", "bob", "carol"]

    config = nbgrader_course.load_config(root)
    stamps = {s: datetime.datetime.fromisoformat((root / "submitted" / s / "example" / "timestamp.txt").read_text()
                                                 .strip().replace(" UTC", "+00:00"))
              for s in answers}
    due = stamps["alice"] + (stamps["bob"] - stamps["alice"]) / 2
    with nbgrader_course.gradebook(config) as book:
        book.update_or_create_assignment("example", duedate=due)

    graded = run_course("autograde", "example", "--workers", "2", env=env, cwd=root)
    assert graded.returncode == 0, graded.stderr
    grades = run_course("grades", "example", *course_args, env=env, cwd=root)
    assert grades.returncode == 0, grades.stderr
    assert grades.stdout.splitlines() == [
        "student,correct_squares,correct_sum_of_squares,total,max,late,graded",
        "alice,2,1,3,3,no,ok",
        "bob,0,1,1,3,yes,ok",
        "carol,0,0,0,3,yes,ok",
    ]

    feedback = run_course("feedback", "example", *course_args, env=env, cwd=root)
    assert feedback.returncode == 0, feedback.stderr
    assert "feedback released to 3 student(s)" in feedback.stderr
    for student in answers:
        nbgrader("fetch_feedback", "example", *student_args(student), "--student", student, cwd=homes / student)
        assert len(list((homes / student / "example" / "feedback").rglob("*.html"))) == 1
    from bs4 import BeautifulSoup

    html = {s: next((homes / s / "example" / "feedback").rglob("example.html")).read_text() for s in answers}
    pages = {s: BeautifulSoup(page, "html.parser").get_text() for s, page in html.items()}
    for student, page in pages.items():
        # Results and hints, never the hidden tests' code.
        assert "squares(12)" not in page and "sum_of_squares(10) == 385" not in page, student
        assert "range(1, 13)" not in page and "BEGIN HIDDEN TESTS" not in page, student
        assert "range(1, 13)" not in html[student], student
        assert "assert squares(3) == [1, 4, 9]" in page  # the visible tests stay visible
    assert "hidden check" not in pages["alice"]
    # bob's squares passes the visible tests only: the hidden test's message reaches him, not its code.
    assert "hidden check: squares fails for a longer list" in pages["bob"]
    assert "(this check is one of the hidden tests: its code is not shown)" in pages["bob"]
