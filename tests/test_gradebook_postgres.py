"""The gradebook on a real PostgreSQL server: every grading command on it, two graders at once, a migration.

The server is Debian's PostgreSQL, started once for the session in a temporary folder
(tests/postgres_server.py); each test gets a fresh database.
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_lib.errors import CourseError
from course_lib.grading import gradebook_copy, nbgrader_course
from tests.conftest import FIXTURE_COURSE, REPO, run_course
from tests.hostile_submissions import submit_three
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (pytest fixtures)

GRADING = ("--workers", "2", "--cell-timeout", "30", "--wall-clock", "120")
EXACT_CSV = ["student,correct_squares,correct_sum_of_squares,total,max,late,graded",
             "blank,0,0,0,3,no,ok", "correct,2,1,3,3,no,ok", "wrong_sum,2,0,2,3,no,ok"]


def _course(folder: Path) -> Path:
    root = folder / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    return root


def _submit(root: Path) -> None:
    """Three submissions of the released example: correct, one part wrong, blank."""
    (released,) = sorted((root / "release" / "example").glob("*.ipynb"))
    submit_three(root, released)


def _env(root: Path, **extra) -> dict:
    return {"COURSE_ROOT": str(root), "COURSE_CACHE_DIR": str(root / "cache"), **extra}


def _scores(url: str) -> dict:
    """``{student: {grade cell: score}}`` of the example assignment, read straight from the database."""
    from nbgrader.api import Gradebook

    with Gradebook(url, "course-kit") as book:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in book.find_assignment("example").submissions}


@pytest.mark.slow
def test_every_grading_command_works_on_postgresql(tmp_path, postgres_url):  # noqa: F811
    root = _course(tmp_path)
    env = _env(root, COURSE_DB_URL=postgres_url)
    exchange = ["--exchange", str(tmp_path / "exchange")]

    released = run_course("release", "example", *exchange, env=env, cwd=root)
    assert released.returncode == 0, released.stderr
    _submit(root)
    graded = run_course("autograde", "example", *GRADING, "--db-url", postgres_url,
                        env=_env(root), cwd=root, timeout=900)  # the flag, this time, not the variable
    assert graded.returncode == 0, graded.stderr[-3000:]
    grades = run_course("grades", "example", env=env, cwd=root)
    assert grades.returncode == 0, grades.stderr
    assert grades.stdout.splitlines() == EXACT_CSV
    feedback = run_course("feedback", "example", "--no-release", *exchange, env=env, cwd=root)
    assert feedback.returncode == 0, feedback.stderr
    assert "feedback for 3 student(s)" in feedback.stderr

    assert _scores(postgres_url) == {"correct": {"correct_squares": 2, "correct_sum_of_squares": 1},
                                     "wrong_sum": {"correct_squares": 2, "correct_sum_of_squares": 0},
                                     "blank": {"correct_squares": 0, "correct_sum_of_squares": 0}}
    assert not (root / "gradebook.db").exists()  # nothing fell back to SQLite in the course folder
    # The gradebook the commands used is this database, and no other (nbgrader#1661's silent fallback).
    config = nbgrader_course.load_config(root, db_url=postgres_url)
    assert nbgrader_course.api(config).coursedir.db_url == postgres_url
    with nbgrader_course.gradebook(config) as book:
        assert book.engine.dialect.name == "postgresql"


def test_a_gradebook_that_falls_back_to_sqlite_is_refused(tmp_path, postgres_url, monkeypatch):  # noqa: F811
    """nbgrader#1661: nbgrader ends up on SQLite though PostgreSQL was asked for. Refused, not ignored."""
    from nbgrader.apps import NbGraderAPI

    root = _course(tmp_path)
    config = nbgrader_course.load_config(root, db_url=postgres_url)
    original = NbGraderAPI.__init__

    def losing_the_url(self, *args, config=None, **kwargs):  # as a config that never reaches nbgrader
        del config.CourseDirectory["db_url"]
        original(self, *args, config=config, **kwargs)

    monkeypatch.setattr(NbGraderAPI, "__init__", losing_the_url)
    with pytest.raises(CourseError, match=r"nbgrader would use the gradebook sqlite:///.*gradebook\.db, not the "
                                          r"one asked for \(postgresql\+psycopg://postgres:\*\*\*@127\.0\.0\.1"):
        nbgrader_course.api(config)


def test_an_unreachable_gradebook_is_named(tmp_path):
    root = _course(tmp_path)
    result = run_course("grades", "example", "--db-url", "postgresql://grader:secret@127.0.0.1:1/course",
                        env=_env(root), cwd=root)
    assert result.returncode == 1
    assert "course: cannot open the gradebook postgresql+psycopg://grader:***@127.0.0.1:1/course:" in result.stderr
    assert "secret" not in result.stderr
    result = run_course("grades", "example", "--db-url", "postgresql+psycopg2://x@127.0.0.1/c", env=_env(root),
                        cwd=root)
    assert result.returncode == 1 and "through psycopg 3" in result.stderr


# --- two graders at once ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def released_gradebook(tmp_path_factory) -> Path:
    """A SQLite gradebook holding the released example assignment (made once: nbgrader's own release)."""
    root = _course(tmp_path_factory.mktemp("released"))
    nbgrader_course.generate_assignment(nbgrader_course.load_config(root), "example")
    return root / "gradebook.db"


GRADER = textwrap.dedent('''
    """One grader: write the grades of its students (nbgrader commits each student and submission as it
    makes them; the grades go in one flush), wait until the other grader has written too, so that both
    write at once, then commit. Prints "committed N" or the error."""
    import sys, time
    from pathlib import Path
    from nbgrader.api import Gradebook

    url, me, other, meeting = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    students = [f"{me}-{number:02d}" for number in range(20)]
    try:
        with Gradebook(url, "course-kit") as book:
            try:
                for number, student in enumerate(students):
                    book.update_or_create_student(student)
                    submission = book.update_or_create_submission("example", student)
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            grade.auto_score = float(number % 3) if grade.name == "correct_squares" else 1.0
                            grade.needs_manual_grade = False
                book.db.flush()
            finally:
                (meeting / me).touch()
            deadline = time.monotonic() + 30
            while not (meeting / other).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            book.db.commit()
        print("committed", len(students))
    except Exception as error:
        locked = "database is locked" in str(error)  # wherever it hit: a flush, a query's autoflush, a commit
        print("ERROR", "database is locked" if locked else f"{type(error).__name__}: {error}")
''')


def _two_graders_at_once(url: str, folder: Path) -> dict[str, str]:
    script = folder / "grader.py"
    script.write_text(GRADER)
    meeting = folder / "meeting"
    meeting.mkdir()
    graders = {me: subprocess.Popen([sys.executable, str(script), url, me, other, str(meeting)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for me, other in (("ta1", "ta2"), ("ta2", "ta1"))}
    said = {}
    for me, process in graders.items():
        out, err = process.communicate(timeout=120)
        said[me] = out.strip().splitlines()[-1] if out.strip() else err[-2000:]
    return said


def _expected_two_graders(graders) -> dict:
    return {f"{me}-{n:02d}": {"correct_squares": float(n % 3), "correct_sum_of_squares": 1.0}
            for me in graders for n in range(20)}


def test_two_graders_writing_at_once_lose_nothing_on_postgresql(tmp_path, released_gradebook,
                                                                 postgres_url):  # noqa: F811
    gradebook_copy.migrate(f"sqlite:///{released_gradebook}", postgres_url)
    said = _two_graders_at_once(postgres_url, tmp_path)
    assert said == {"ta1": "committed 20", "ta2": "committed 20"}
    assert _scores(postgres_url) == _expected_two_graders(("ta1", "ta2"))


def test_two_graders_writing_at_once_on_sqlite_fail_with_database_is_locked(tmp_path, released_gradebook):
    """The same two graders on SQLite: it takes one writer at a time, and the other's work is lost."""
    shutil.copy(released_gradebook, tmp_path / "gradebook.db")
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    said = _two_graders_at_once(url, tmp_path)
    assert sorted(said.values()) == ["ERROR database is locked", "committed 20"], said
    loser = next(me for me, line in said.items() if line != "committed 20")
    scores, expected = _scores(url), _expected_two_graders(("ta1", "ta2"))
    assert set(scores) <= set(expected), sorted(set(scores) - set(expected))
    # The winner's work is all there and right; the loser's is not: nbgrader may have committed some of its
    # students (with no scores yet) before the lock stopped it, so what is lost is any score not as graded.
    winner = next(me for me in said if me != loser)
    assert {student: scores.get(student) for student in expected if student.startswith(f"{winner}-")} == \
        {student: score for student, score in expected.items() if student.startswith(f"{winner}-")}
    lost = [student for student in expected
            if student.startswith(f"{loser}-") and scores.get(student) != expected[student]]
    assert lost, f"{loser} failed with 'database is locked', yet every one of its scores is in the gradebook"


# --- migration ------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_gradebook_migrated_from_sqlite_has_the_same_scores(tmp_path, postgres_url):  # noqa: F811
    root = _course(tmp_path)
    env = _env(root)
    released = run_course("release", "example", "--exchange", str(tmp_path / "exchange"), env=env, cwd=root)
    assert released.returncode == 0, released.stderr
    _submit(root)
    graded = run_course("autograde", "example", *GRADING, env=env, cwd=root, timeout=900)
    assert graded.returncode == 0, graded.stderr[-3000:]
    sqlite_url = f"sqlite:///{root / 'gradebook.db'}"
    from nbgrader.api import Gradebook

    with Gradebook(sqlite_url, "course-kit") as book:  # what a grader adds by hand: the rows autograde leaves alone
        submission = book.find_submission("example", "wrong_sum")
        submission.extension = datetime.timedelta(hours=36)
        grade = book.find_grade("correct_sum_of_squares", "example", "example", "wrong_sum")
        grade.manual_score, grade.extra_credit = 0.5, 0.25
        comment = book.find_comment("squares", "example", "example", "wrong_sum")
        comment.manual_comment = "Good: a list comprehension."
        book.db.commit()
    before = run_course("grades", "example", env=env, cwd=root)
    assert before.returncode == 0, before.stderr
    assert before.stdout.splitlines()[3] == "wrong_sum,2,0.75,2.75,3,no,ok"  # 0.5 by hand + 0.25 extra credit

    migrated = run_course("gradebook", "migrate", "--to", postgres_url, env=env, cwd=root)
    assert migrated.returncode == 0, migrated.stderr
    assert "rows copied from sqlite:///" in migrated.stderr and "checked, table by table" in migrated.stderr
    after = run_course("grades", "example", "--db-url", postgres_url, env=env, cwd=root)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert _scores(postgres_url) == _scores(sqlite_url)
    with Gradebook(postgres_url, "course-kit") as book:
        moved = book.find_submission("example", "wrong_sum")
        assert moved.extension == datetime.timedelta(hours=36)
        assert book.find_comment("squares", "example", "example", "wrong_sum").comment == "Good: a list comprehension."
        assert [s.score for s in moved.notebooks] == [2.75]

    again = run_course("gradebook", "migrate", "--to", postgres_url, env=env, cwd=root)
    assert again.returncode == 1 and "already holds a gradebook" in again.stderr
