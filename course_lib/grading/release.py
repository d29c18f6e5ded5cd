"""Releasing an assignment to the exchange, and collecting what students submitted."""

from __future__ import annotations

from pathlib import Path

from course_lib.errors import CourseError
from course_lib.grading import nbgrader_course, student_version


def release(config, assignment: str, say=print) -> list[Path]:
    """Build the student version (``generate_assignment --force``), check it, release it to the exchange."""
    released, problems = student_version.build(config, assignment)
    if problems:
        raise CourseError(f"not released: the student version of {assignment} is not fit to release: "
                          + "; ".join(problems))
    say(f"{assignment}: student version built and checked ({len(released)} notebook(s), no solutions, "
        "no hidden tests)")
    _exchange_ready(config)
    nbgrader_course.checked(nbgrader_course.api(config).release_assignment(assignment),
                            f"release_assignment {assignment}")
    say(f"{assignment}: released to {config.Exchange.get('root', '/srv/nbgrader/exchange')}")
    return released


def collect(config, assignment: str, say=print) -> list[str]:
    """Collect the submissions of ``assignment`` from the exchange into submitted/; return the students."""
    _exchange_ready(config)
    nbgrader_course.checked(nbgrader_course.api(config).collect(assignment), f"collect {assignment}")
    folder = nbgrader_course.course_folder(config) / "submitted"
    students = sorted(p.name for p in folder.iterdir() if (p / assignment).is_dir()) if folder.is_dir() else []
    say(f"{assignment}: {len(students)} submission(s) in {folder}")
    return students


def _exchange_ready(config) -> None:
    root = Path(config.Exchange.get("root", "/srv/nbgrader/exchange"))
    if not root.is_dir():
        try:
            root.mkdir(parents=True)
            root.chmod(0o777)
        except OSError as error:
            raise CourseError(f"the exchange folder {root} does not exist and cannot be made ({error}); "
                              "create it (mode 777) or pass --exchange DIR") from None
