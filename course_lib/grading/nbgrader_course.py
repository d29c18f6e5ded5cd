"""The nbgrader course behind the ``course`` command, driven through nbgrader's own API."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

from course_lib.errors import CourseError
from course_lib.project import course_root, put_environment_on_path

CONFIG_FILE = "nbgrader_config.py"


def load_config(repository: Path | None = None, *, root: Path | None = None,
                exchange: Path | None = None) -> Config:
    """nbgrader's config from ``admin/nbgrader_config.py``, with paths made absolute.

    root: grade in another course folder (the demo and the tests use a scratch copy).
    exchange: the exchange folder (default: nbgrader's, /srv/nbgrader/exchange).
    """
    admin = (repository or course_root()) / "admin"
    config = PyFileConfigLoader(CONFIG_FILE, path=str(admin)).load_config()
    configured_root = Path(config.CourseDirectory.get("root", ".."))
    if not configured_root.is_absolute():
        configured_root = (admin / configured_root).resolve()
    config.CourseDirectory.root = str(root.resolve() if root else configured_root)
    if exchange is not None:
        config.Exchange.root = str(Path(exchange).resolve())
    # Kernels nbgrader starts for autograding talk over local sockets (see course_lib.kernels).
    config.Execute.kernel_manager_class = "course_lib.kernels.IpcKernelManager"
    return config


def api(config: Config):
    from nbgrader.apps import NbGraderAPI

    put_environment_on_path()  # nbgrader runs `alembic` from PATH
    # nbgrader's gradebook code trips SQLAlchemy's autoflush warnings on every autograde; they are harmless.
    warnings.filterwarnings("ignore", message=".*not in session.*", module="nbgrader")
    grader = NbGraderAPI(config=config)
    grader.log.setLevel(logging.WARNING)
    return grader


def course_folder(config: Config) -> Path:
    return Path(config.CourseDirectory.root)


def source_folder(config: Config) -> Path:
    return course_folder(config) / config.CourseDirectory.get("source_directory", "source")


EXCEPTION_LINE = re.compile(r"^\s*([\w.]+(?:Error|Exception|Exit))\b:?(.*)$")


def checked(result: dict, what: str) -> dict:
    """Raise a CourseError with nbgrader's own reason when one of its steps failed."""
    if not result.get("success"):
        log = (result.get("error") or result.get("log") or "").strip().splitlines()
        causes = [line.strip() for line in log if EXCEPTION_LINE.match(line) and "NbGraderException" not in line]
        errors = [line.strip() for line in log if line.startswith("[ERROR]")]
        reason = (causes or errors or log or ["no log"])[-1]
        raise CourseError(f"{what} failed: {reason}")
    return result


def generate_assignment(config: Config, assignment: str) -> list[Path]:
    """Build the student version (``generate_assignment --force``); return its notebooks."""
    checked(api(config).generate_assignment(assignment, force=True), f"generate_assignment {assignment}")
    release = course_folder(config) / config.CourseDirectory.get("release_directory", "release") / assignment
    return sorted(release.glob("*.ipynb"))


def gradebook(config: Config):
    from nbgrader.api import Gradebook

    db_url = config.CourseDirectory.get("db_url") or f"sqlite:///{course_folder(config) / 'gradebook.db'}"
    return Gradebook(db_url, course_id=config.CourseDirectory.course_id)
