"""A student's work folder: the student version of each assignment, and nbgrader set up for the student.

The folder lies outside the course repository (whose source notebooks hold the
solutions and hidden tests). An assignment already in it is never touched: the
student's edits are theirs. New assignments are added; each is built with
``course_lib.grading.student_version.build_into`` (which refuses a student version
that leaks) or copied from a folder of student versions built earlier (the Docker
image's), and scanned once more before it gets its name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.errors import CourseError
from course_lib.lab.secrets import secrets_in

DEFAULT_WORKDIR = Path("~/course-kit-work")
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")  # nbgrader's own default, as for `course release`
NBGRADER_CONFIG = "nbgrader_config.py"

CONFIG_TEMPLATE = '''\
# nbgrader's settings for this work folder, written by `course lab` each time it starts.
# The Assignments tab (menu Nbgrader > Assignments) fetches released assignments from the
# exchange into this folder and submits them from here; change the exchange with
# `course lab --exchange DIR` (or COURSE_EXCHANGE), not here.
c = get_config()  # noqa: F821 (defined by traitlets when it reads this file)
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
'''


@dataclass
class Prepared:
    """What ``prepare`` did.

    added: assignments written into the work folder now; kept: assignments that were
    already there and were left as they are; failed: ``{assignment: reason}`` for those
    that could not be added (nothing of them was written).
    """

    workdir: Path
    course_id: str
    exchange: Path
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _course_order(names) -> list[str]:
    from course_lib.project import PLANNED

    order = [a.name for a in PLANNED]
    return sorted(names, key=lambda name: (order.index(name) if name in order else len(order), name))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_course_id(config_file: Path) -> str:
    """``CourseDirectory.course_id`` of an nbgrader config file (a CourseError when it sets none)."""
    from traitlets.config import PyFileConfigLoader

    config_file = Path(config_file)
    if not config_file.is_file():
        raise CourseError(f"{config_file} is missing: it names the course (CourseDirectory.course_id)")
    config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    course_id = config.CourseDirectory.get("course_id")
    if not course_id:
        raise CourseError(f"{config_file} sets no CourseDirectory.course_id")
    return str(course_id)


def available(student_versions: Path | None = None) -> tuple[list[str], str]:
    """(assignment names in course order, course id), from a folder of student versions or the repository."""
    if student_versions is not None:
        folder = Path(student_versions)
        if not folder.is_dir():
            raise CourseError(f"{folder} does not exist: no student versions to copy")
        names = [p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))]
        return _course_order(names), read_course_id(folder / NBGRADER_CONFIG)
    from course_lib.project import course_root, existing_assignments

    root = course_root()
    return existing_assignments(root), read_course_id(root / "admin" / NBGRADER_CONFIG)


def check_outside_course(workdir: Path) -> None:
    """Refuse a work folder inside the course repository, or holding it: its notebooks hold the solutions."""
    from course_lib.project import course_root

    try:
        root = course_root()
    except CourseError:  # an installed course without its repository (the Docker image): nothing to hide
        return
    if _inside(workdir, root) or _inside(root, workdir):
        raise CourseError(f"the work folder {workdir} must lie outside the course repository {root}: the "
                          "repository's notebooks hold the solutions and hidden tests (the default is "
                          f"{DEFAULT_WORKDIR})")


def write_nbgrader_config(workdir: Path, course_id: str, exchange: Path) -> Path:
    """Write the student's ``nbgrader_config.py`` (course id, exchange) into the work folder; return it."""
    path = Path(workdir) / NBGRADER_CONFIG
    text = CONFIG_TEMPLATE.format(course_id=course_id, exchange=str(exchange))
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return path


def _add(name: str, workdir: Path, student_versions: Path | None) -> None:
    """Build or copy one assignment under a temporary name in ``workdir``, scan it, then give it its name."""
    from course_lib.grading.student_version import build_into

    with tempfile.TemporaryDirectory(dir=workdir, prefix=f".{name}-") as scratch:
        if student_versions is not None:
            shutil.copytree(Path(student_versions) / name, Path(scratch) / name)
        else:
            build_into(Path(scratch), [name])
        found = secrets_in(Path(scratch) / name)
        if found:
            raise CourseError("it holds solution code or hidden tests: " + "; ".join(
                line.replace(f"{scratch}{os.sep}", "") for line in found))
        (Path(scratch) / name).rename(workdir / name)


def prepare(workdir=None, names=(), *, student_versions=None, exchange=None, say=print) -> Prepared:
    """Make ``workdir`` ready for a student; return what was added, kept and what failed.

    workdir: default ``~/course-kit-work``; created if missing; must lie outside the course repository.
    names: assignments (default: every one that exists).
    student_versions: copy from this folder of student versions (made by ``course lab --no-start``)
        instead of building them from the repository's source notebooks.
    exchange: nbgrader's exchange folder (default: $COURSE_EXCHANGE, else nbgrader's /srv/nbgrader/exchange).
    say: where the one line per assignment goes.
    """
    workdir = Path(workdir or DEFAULT_WORKDIR).expanduser().resolve()
    check_outside_course(workdir)
    known, course_id = available(student_versions)
    names = list(names) or known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise CourseError(f"no assignment called {', '.join(unknown)}; there are: {', '.join(known) or 'none'}")
    workdir.mkdir(parents=True, exist_ok=True)
    exchange = Path(exchange or os.environ.get("COURSE_EXCHANGE") or DEFAULT_EXCHANGE).expanduser().resolve()
    prepared = Prepared(workdir, course_id, exchange)
    for name in names:
        if (workdir / name).exists():
            prepared.kept.append(name)
            say(f"{name}: already in {workdir}, left as it is (your work is kept; rename the folder to get "
                "a fresh copy)")
            continue
        try:
            _add(name, workdir, student_versions)
        except CourseError as error:
            prepared.failed[name] = str(error)
            say(f"{name}: NOT added: {error}")
            continue
        prepared.added.append(name)
        notebooks = ", ".join(p.name for p in sorted((workdir / name).glob("*.ipynb")))
        say(f"{name}: added to {workdir} ({notebooks})")
    write_nbgrader_config(workdir, course_id, exchange)
    exchange_state = "" if exchange.is_dir() else (" (not there yet: the Assignments tab stays empty until "
                                                   "your instructor gives you one)")
    say(f"nbgrader: course {course_id}, exchange {exchange}{exchange_state}")
    return prepared
