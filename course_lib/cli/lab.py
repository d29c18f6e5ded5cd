"""``course lab``: JupyterLab on a work folder holding the student version of every assignment."""

from __future__ import annotations

import os
from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser(
        "lab", help="JupyterLab for a student: the student version of every assignment, in a work folder",
        description="Build the student version of each assignment (no solutions, no hidden tests) into a work "
                    "folder outside the repository, configure nbgrader there (course id, exchange: the "
                    "Assignments tab and the Validate button), and start JupyterLab on it. An assignment "
                    "already in the work folder is left as it is: your edits are never overwritten. The "
                    "Docker image starts the same way.")
    parser.add_argument("names", nargs="*", metavar="NAME", help="assignments (default: every one that exists)")
    parser.add_argument("--workdir", type=Path, metavar="DIR",
                        default=os.environ.get("COURSE_WORKDIR") or None,
                        help="the work folder (default: $COURSE_WORKDIR, else ~/course-kit-work)")
    parser.add_argument("--from", dest="student_versions", type=Path, metavar="DIR",
                        help="copy the student versions from DIR (a work folder made by `course lab --no-start`) "
                             "instead of building them from the source notebooks (the Docker image has none)")
    parser.add_argument("--exchange", type=Path, metavar="DIR", default=os.environ.get("COURSE_EXCHANGE") or None,
                        help="nbgrader's exchange folder (default: $COURSE_EXCHANGE, else /srv/nbgrader/exchange)")
    parser.add_argument("--ip", default="127.0.0.1", help="where JupyterLab listens (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None,
                        help="its port (default 8888 when free, else a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--fast", action="store_true",
                        help="run the notebooks in fast mode (COURSE_FAST_MODE=1: small data, short training)")
    parser.add_argument("--no-start", action="store_true",
                        help="only prepare the work folder (any assignment that cannot be added is an error)")
    parser.add_argument("--instructor", action="store_true",
                        help="instead: JupyterLab on the course repository with nbgrader's formgrader "
                             "(grade written answers by hand, see submissions)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from course_lib.errors import CourseError
    from course_lib.lab import prepare, serve

    env = {"COURSE_FAST_MODE": "1"} if args.fast else {}
    options = dict(ip=args.ip, port=args.port, open_browser=not args.no_browser, env=env)
    if args.instructor:
        if args.names or args.student_versions or args.workdir or args.no_start:
            raise CourseError("--instructor serves the course repository: it takes no NAME, --workdir, --from "
                              "or --no-start")
        return run_instructor(args, options)
    prepared = prepare(args.workdir, args.names, student_versions=args.student_versions, exchange=args.exchange)
    if prepared.failed and (args.no_start or not (prepared.added or prepared.kept)):
        raise CourseError(f"{len(prepared.failed)} assignment(s) could not be added: "
                          + ", ".join(prepared.failed))
    if args.no_start:
        return 0
    return serve(prepared.workdir, **options)


def run_instructor(args, options) -> int:
    from course_lib.lab import serve
    from course_lib.lab.workfolder import DEFAULT_EXCHANGE
    from course_lib.project import course_root

    root = course_root()
    exchange = (args.exchange or DEFAULT_EXCHANGE).expanduser().resolve()
    print(f"instructor: {root} (nbgrader's configuration: admin/nbgrader_config.py), exchange {exchange}")
    return serve(root, role="instructor", cwd=root / "admin", exchange=exchange, **options)
