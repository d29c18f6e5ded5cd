"""Shared fixtures: an isolated data environment, the shared real datasets, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def quiet_and_offline(monkeypatch):
    """No test ever downloads, shows a progress bar, or changes TensorFlow's chatter."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    monkeypatch.delenv("COURSE_FAST_MODE", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


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


def run_course(*args, env=None, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    """Run the real `course` command in a subprocess with this process's environment plus ``env``."""
    full_env = dict(os.environ, **(env or {}))
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
