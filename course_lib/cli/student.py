"""``course student-build``: the student version of the assignments, into a folder."""

from __future__ import annotations

from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser(
        "student-build", help="write the student version of the assignments into a folder",
        description="Build nbgrader's student version of each assignment (no solutions, no hidden tests; "
                    "checked) into DIR/<assignment>/. Used by the Dockerfile; instructors release with "
                    "`course release`.")
    parser.add_argument("destination", type=Path, metavar="DIR")
    parser.add_argument("names", nargs="*", metavar="NAME", help="assignments (default: all)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from course_lib.grading.student_version import build_into

    for folder in build_into(args.destination, args.names):
        print(folder)
    return 0
