"""The ``course`` command: data, reference solutions, the demo, and (for instructors) grading.

Each subcommand lives in a module of its own and registers itself here.
A CourseError is printed as one line (``course: ...``) with exit code 1.
"""

from __future__ import annotations

import argparse
import sys

from course_lib import tensorflow_env
from course_lib.errors import CourseError


def build_parser() -> argparse.ArgumentParser:
    from course_lib.cli import data, demo, fonts, grading, lab, solutions, student

    parser = argparse.ArgumentParser(
        prog="course",
        description="The course kit's command: datasets, reference solutions, the end-to-end demo, and the "
                    "instructor's grading pipeline (release, collect, autograde, feedback, grades).",
        epilog="Run `course COMMAND --help` for the options of each command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (data, fonts, solutions, demo, student, grading, lab):
        module.register(commands)
    return parser


def main(argv=None) -> int:
    # Every kernel this command starts runs TensorFlow quiet, with oneDNN and its own memory pool.
    tensorflow_env.set_defaults()
    from course_lib.project import put_environment_on_path

    put_environment_on_path()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except CourseError as error:
        lines = str(error).splitlines() or [type(error).__name__]
        print(f"course: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("course: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
