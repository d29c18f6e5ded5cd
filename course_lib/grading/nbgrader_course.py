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
                exchange: Path | None = None, db_url: str | None = None) -> Config:
    """nbgrader's config from ``admin/nbgrader_config.py``, with paths made absolute.

    root: grade in another course folder (the demo and the tests use a scratch copy).
    exchange: the exchange folder (default: nbgrader's, /srv/nbgrader/exchange).
    db_url: the gradebook, as an SQLAlchemy URL (``postgresql+psycopg://user@host/db``); default: the
        config file's ``CourseDirectory.db_url``, else SQLite in the course folder, as nbgrader has it.
        It is always written into the config, so that nbgrader and this library use the same one.
    """
    admin = (repository or course_root()) / "admin"
    config = PyFileConfigLoader(CONFIG_FILE, path=str(admin)).load_config()
    configured_root = Path(config.CourseDirectory.get("root", ".."))
    if not configured_root.is_absolute():
        configured_root = (admin / configured_root).resolve()
    config.CourseDirectory.root = str(root.resolve() if root else configured_root)
    if exchange is not None:
        config.Exchange.root = str(Path(exchange).resolve())
    config.CourseDirectory.db_url = checked_url(
        db_url or config.CourseDirectory.get("db_url") or default_db_url(course_folder(config)))
    # Kernels nbgrader starts for autograding talk over local sockets (see course_lib.kernels).
    config.Execute.kernel_manager_class = "course_lib.kernels.IpcKernelManager"
    return config


def api(config: Config):
    from nbgrader.apps import NbGraderAPI

    put_environment_on_path()  # nbgrader runs `alembic` from PATH
    # nbgrader's gradebook code trips SQLAlchemy's autoflush warnings on every autograde; they are harmless.
    warnings.filterwarnings("ignore", message=".*not in session.*", module="nbgrader")
    asked = db_url(config)
    grader = NbGraderAPI(config=config)
    grader.log.setLevel(logging.WARNING)
    _check_in_use(grader.coursedir.db_url, asked, "nbgrader")
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


def default_db_url(course: Path) -> str:
    """nbgrader's default gradebook: SQLite, ``gradebook.db`` in the course folder."""
    return f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"


def db_url(config: Config) -> str:
    """The gradebook's URL (``load_config`` always sets one)."""
    return config.CourseDirectory.get("db_url") or default_db_url(course_folder(config))


def checked_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CourseError(f"not a database URL: {url!r} (expected sqlite:////path/gradebook.db or "
                          "postgresql+psycopg://user@host:5432/database)") from None
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("psycopg2", "pg8000", "asyncpg"):
        raise CourseError(f"{parsed.drivername}: the course talks to PostgreSQL through psycopg 3: write "
                          "postgresql+psycopg://...")
    if parsed.drivername == "postgresql":  # SQLAlchemy's default driver would be psycopg2, not installed
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _check_in_use(in_use: str, asked: str, who: str) -> None:
    """nbgrader#1661: a db_url that silently falls back to SQLite. The gradebook in use must be the one asked for."""
    from sqlalchemy.engine import make_url

    if make_url(in_use) != make_url(asked):
        from course_lib.grading.gradebook_copy import shown

        raise CourseError(f"{who} would use the gradebook {shown(in_use)}, not the one asked for ({shown(asked)}): "
                          "check CourseDirectory.db_url in the nbgrader_config.py files nbgrader reads, and "
                          "--db-url / COURSE_DB_URL")


def gradebook_exists(config: Config) -> bool:
    """Whether the gradebook holds nbgrader's tables (without creating it, which costs an `alembic` run)."""
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.engine import make_url

    url = db_url(config)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return bool(parsed.database) and Path(parsed.database).is_file()
    engine = create_engine(url, future=True)
    try:
        with _reachable(url):
            return "assignment" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


class _reachable:
    """Turn "cannot connect" into a CourseError that names the gradebook (password masked)."""

    def __init__(self, url: str):
        self.url = url

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        from sqlalchemy.exc import OperationalError

        if kind is not None and issubclass(kind, OperationalError) and "locked" not in str(error):
            from course_lib.grading.gradebook_copy import shown

            first = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise CourseError(f"cannot open the gradebook {shown(self.url)}: {first}") from None
        return False


def gradebook(config: Config):
    """nbgrader's Gradebook on the course's database, checked to be the one asked for."""
    from nbgrader.api import Gradebook

    put_environment_on_path()  # a new gradebook is stamped by running `alembic`
    url = db_url(config)
    with _reachable(url):
        book = Gradebook(url, course_id=config.CourseDirectory.course_id)
    try:
        _check_in_use(book.engine.url.render_as_string(hide_password=False), url, "the gradebook")
    except CourseError:
        book.close()
        raise
    return book
