"""Shared fixtures: an isolated data environment, the shared real datasets, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


# No test ever downloads, shows a progress bar, or changes TensorFlow's chatter: TensorFlow runs as the
# course command, the sandbox and Docker run it, and with its default of oneDNN on, whatever the shell set.
QUIET_AND_OFFLINE = {"COURSE_OFFLINE": "1", "COURSE_PROGRESS": "0", **TENSORFLOW_ENVIRONMENT}
UNSET = ("TF_ENABLE_ONEDNN_OPTS", "COURSE_DATA_MIRROR", "COURSE_FAST_MODE", "NBGRADER_EXECUTION")


@pytest.fixture(autouse=True)
def quiet_and_offline(monkeypatch):
    for name, value in QUIET_AND_OFFLINE.items():
        monkeypatch.setenv(name, value)
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data_env(tmp_path, monkeypatch):
    """Empty COURSE_DATA_DIR and cache, both in tmp_path; returns (data_dir, cache_dir)."""
    data_dir, cache_dir = tmp_path / "data", tmp_path / "cache"
    data_dir.mkdir()
    cache_dir.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache_dir))
    from course_lib.data import verify

    verify._VERIFIED.clear()
    return data_dir, cache_dir


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (real datasets for tests); skips when this machine has none."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent: the real-data tests need ../shared/data")
    return SHARED_DATA


def run_course(*args, env=None, cwd=None, timeout=600, unset=()) -> subprocess.CompletedProcess:
    """Run the real `course` command in a subprocess with this process's environment plus ``env``, less ``unset``."""
    full_env = {name: value for name, value in os.environ.items() if name not in unset}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "course_lib", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=timeout)


FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"


@pytest.fixture
def example_course(tmp_path, monkeypatch) -> Path:
    """A course repository holding only the small example assignment (COURSE_ROOT points at it)."""
    import shutil

    root = tmp_path / "course"
    shutil.copytree(REPO / "admin", root / "admin")
    shutil.copytree(FIXTURE_COURSE / "notebooks", root / "notebooks")
    monkeypatch.setenv("COURSE_ROOT", str(root))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    return root


# --- the assignments, run once per test session ----------------------------------------------------------------

@dataclass
class DemoRun:
    """One `course demo` of the real assignments, shared by every test that only reads its results.

    workdir: the demo's nbgrader course (release/, submitted/, autograded/, gradebook.db, grading-reports/,
    and solutions/<assignment>/, the reference notebooks executed in fast mode).
    """

    workdir: Path
    names: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def row(self, name: str) -> str:
        """The demo's summary row of ``name`` (and, when it failed, the demo's list of problems)."""
        self.require(name)
        row = next(line for line in self.stdout.splitlines() if line.startswith(name + " "))
        problems = self.stdout.split("\nProblems:\n", 1)[1] if "\nProblems:\n" in self.stdout else ""
        return row + ("\n" + problems if problems and not row.rstrip().endswith(("ok", "skipped")) else "")

    def require(self, name: str) -> None:
        """Skip the calling test when ``name`` was not part of this demo (COURSE_TEST_ASSIGNMENTS)."""
        if name not in self.names:
            pytest.skip(f"{name} is not among COURSE_TEST_ASSIGNMENTS={','.join(self.names)}")

    def require_ran(self, name: str) -> str:
        """``name``'s row; skips the calling test when the demo skipped ``name`` (its data is absent)."""
        row = self.row(name)
        if "skipped:" in row:
            pytest.skip(row)
        return row

    def executed(self, name: str) -> list[Path]:
        """The reference notebooks of ``name`` as the demo executed them (fast mode), with their outputs."""
        self.require(name)
        return sorted((self.workdir / "solutions" / name).glob("*.ipynb"))

    def released(self, name: str) -> list[Path]:
        """The student version of ``name``'s notebooks."""
        self.require(name)
        return sorted((self.workdir / "release" / name).glob("*.ipynb"))

    def report(self, name: str, student: str) -> dict:
        self.require(name)
        return json.loads((self.workdir / "grading-reports" / name / f"{student}.json").read_text())

    def grades(self, name: str, student: str) -> dict[str, float]:
        """``{grade_id: score}`` of every graded cell of a demo submission ("reference" or "blank")."""
        from nbgrader.api import Gradebook

        self.require(name)
        with Gradebook(f"sqlite:///{self.workdir / 'gradebook.db'}") as book:
            submission = book.find_submission(name, student)
            return {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades}


@pytest.fixture(scope="session")
def assignment_data() -> Path | None:
    """COURSE_DATA_DIR with the real CIFAR-10 and MNIST test set from ../shared (None without ../shared)."""
    from tests.shared_data import assignment_data_dir

    return assignment_data_dir()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, assignment_data) -> DemoRun:
    """`course demo` of every assignment (or of COURSE_TEST_ASSIGNMENTS=a,b), once per session, offline.

    Each reference notebook is executed once, in fast mode, and its student version autograded once as the
    reference and once blank; the tests read what it left behind.
    """
    from course_lib.project import existing_assignments

    chosen = [name for name in os.environ.get("COURSE_TEST_ASSIGNMENTS", "").split(",") if name.strip()]
    names = tuple(chosen or existing_assignments(REPO))
    scratch = tmp_path_factory.mktemp("demo")
    # A session fixture runs before the function-scoped quiet_and_offline: it sets the same environment itself.
    env = {**QUIET_AND_OFFLINE, "COURSE_ROOT": str(REPO), "COURSE_CACHE_DIR": str(scratch / "cache"),
           "COURSE_DATA_DIR": str(assignment_data or "")}
    result = run_course("demo", *names, "--workdir", str(scratch / "course"), env=env, unset=UNSET, timeout=3600)
    return DemoRun(scratch / "course", names, result.returncode, result.stdout, result.stderr)


# --- the student's container (tests/test_container.py, tests/container_build.py) ---------------------------------

def pytest_collection_modifyitems(session, config, items):
    """The container tests run last: their image builds in the background meanwhile (started just below)."""
    from tests.container_build import CONTAINER_TESTS

    items.sort(key=lambda item: item.path.name == CONTAINER_TESTS)  # stable: every other test keeps its place


def pytest_collection_finish(session):
    from tests import container_build

    if not session.config.option.collectonly:
        container_build.start(session.items)


def pytest_sessionfinish(session, exitstatus):
    from tests import container_build

    container_build.stop()
