"""The code reads one way: ruff (pyflakes, pycodestyle, import order) over every Python file and notebook."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    command = str(ruff) if ruff.exists() else shutil.which("ruff")
    if command is None:
        pytest.skip("ruff is not installed (it is a dev extra: pip install -e '.[dev]')")
    folders = ["course_lib", "problem_unittests", "tests", "benchmarks", "admin", "notebooks"]
    result = subprocess.run([command, "check", *folders], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
