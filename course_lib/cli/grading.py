"""``course release | collect | autograde | feedback | grades``: the instructor's pipeline over nbgrader."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from course_lib.grading.limits import GIB, Limits
from course_lib.table import format_table


def _common(parser) -> None:
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment id (its folder under notebooks/)")
    parser.add_argument("--exchange", type=Path, metavar="DIR", default=os.environ.get("COURSE_EXCHANGE") or None,
                        help="nbgrader's exchange folder (default: $COURSE_EXCHANGE, else /srv/nbgrader/exchange)")
    parser.add_argument("--course", type=Path, metavar="DIR",
                        help="the nbgrader course folder (default: this repository, as admin/nbgrader_config.py "
                             "says); `course demo` grades in a scratch copy")
    _db_url(parser)


def _db_url(parser) -> None:
    parser.add_argument("--db-url", metavar="URL", default=os.environ.get("COURSE_DB_URL") or None,
                        help="the gradebook, as nbgrader's CourseDirectory.db_url: sqlite:////path/gradebook.db or "
                             "postgresql+psycopg://USER@HOST:5432/DATABASE (default: $COURSE_DB_URL, else the "
                             "config's, else gradebook.db in the course folder). Keep a password out of the command "
                             "line, which every user of the machine can see: in ~/.pgpass, or in $COURSE_DB_URL")


def register(commands) -> None:
    release = commands.add_parser(
        "release", help="build, check and release an assignment to the exchange",
        description="Build the student version (nbgrader generate_assignment --force), check that it holds no "
                    "solution code and no hidden-test text, and release it to the exchange.")
    _common(release)
    release.set_defaults(run=run_release)

    collect = commands.add_parser("collect", help="collect submissions from the exchange",
                                  description="Collect the students' submissions into submitted/.")
    _common(collect)
    collect.set_defaults(run=run_collect)

    grade = commands.add_parser(
        "autograde", help="grade submissions: sandboxed, repaired, in parallel",
        description="Grade every submission of ASSIGNMENT, each alone in a sandbox (bubblewrap: no network, "
                    "nothing but its own copy writable, no other submission, no gradebook, no source), with "
                    "time, CPU, memory and output limits. First, a canary: the reference solution is graded in "
                    "the same sandbox, and unless it gets every autograded point the batch stops with the "
                    "failing cells and nothing reaches the gradebook (the verdict is cached per assignment and "
                    "environment). Missing or duplicated graded cells are repaired first and reported. A "
                    "submission that cannot be graded (or whose setup cells fail) gets 0 and its reason; the batch "
                    "goes on.")
    _common(grade)
    grade.add_argument("--workers", type=int, default=1, metavar="N", help="submissions graded at a time")
    grade.add_argument("--submissions", type=Path, metavar="DIR",
                       help="grade DIR/<student>/<assignment>/ (e.g. an LMS export) instead of submitted/")
    grade.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                       help="auto: bubblewrap when it works, else limits only with a warning (default)")
    defaults = Limits()
    grade.add_argument("--cell-timeout", type=int, default=defaults.cell, metavar="S",
                       help="seconds per cell (%(default)s)")
    grade.add_argument("--wall-clock", type=float, default=defaults.wall, metavar="S",
                       help="seconds per notebook, then its kernel is stopped (%(default)g)")
    grade.add_argument("--memory", type=float, default=defaults.memory / GIB, metavar="GB",
                       help="address space per kernel (%(default)g GB)")
    grade.add_argument("--skip-canary", action="store_true",
                       help="do not grade the reference solution first (by default a reference that loses points "
                            "in the sandbox stops the batch before the gradebook is touched)")
    grade.add_argument("--keep-work", action="store_true",
                       help="keep each submission's scratch course and grading log (in .grading/)")
    grade.set_defaults(run=run_autograde)

    feedback = commands.add_parser(
        "feedback", help="generate and release feedback (no hidden tests shown)",
        description="Generate feedback HTML for every graded submission (results and hint messages; the "
                    "hidden tests' code is removed; size capped) and release it to the students who "
                    "submitted through the exchange.")
    _common(feedback)
    feedback.add_argument("--no-release", action="store_true", help="only generate the feedback pages")
    feedback.set_defaults(run=run_feedback)

    grades = commands.add_parser(
        "grades", help="a CSV of grades: one row per student, one column per graded part",
        description="Write the grades of ASSIGNMENT as CSV: student, one column per graded cell, total, max, "
                    "late flag, and whether grading succeeded (with the reason and repairs when not plain).")
    _common(grades)
    grades.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here (default: print)")
    grades.set_defaults(run=run_grades)

    book = commands.add_parser("gradebook", help="the gradebook itself: move it to another database",
                               description="Commands on the course's gradebook as a whole.")
    actions = book.add_subparsers(dest="action", metavar="ACTION", required=True)
    migrate = actions.add_parser(
        "migrate", help="copy the whole gradebook into an empty database (e.g. SQLite to PostgreSQL)",
        description="Copy every row of the gradebook (students, assignments, submissions, grades, comments) into "
                    "the empty database at --to, in one transaction, then read both back and check that every "
                    "table holds the same values. The source is left as it is; afterwards, grade with "
                    "--db-url (or COURSE_DB_URL) set to the new one.")
    migrate.add_argument("--to", required=True, metavar="URL", help="the empty database to copy into")
    migrate.add_argument("--course", type=Path, metavar="DIR", help="the nbgrader course folder (default: this "
                                                                     "repository)")
    _db_url(migrate)
    migrate.set_defaults(run=run_gradebook_migrate, exchange=None)


def _config(args):
    from course_lib.grading import nbgrader_course

    return nbgrader_course.load_config(exchange=args.exchange, root=args.course, db_url=args.db_url)


def _say(message) -> None:
    print(message, file=sys.stderr, flush=True)


def run_release(args) -> int:
    from course_lib.grading.release import release

    release(_config(args), args.assignment, say=_say)
    return 0


def run_collect(args) -> int:
    from course_lib.grading.release import collect

    for student in collect(_config(args), args.assignment, say=_say):
        print(student)
    return 0


def run_autograde(args) -> int:
    from course_lib.errors import CourseError
    from course_lib.grading.autograde import autograde

    if args.workers < 1:
        raise CourseError("--workers must be at least 1")
    limits = Limits(wall=args.wall_clock, cpu=int(args.wall_clock), memory=int(args.memory * GIB),
                    cell=args.cell_timeout)
    results = autograde(args.assignment, course_root=args.course, submissions=args.submissions, db_url=args.db_url,
                        workers=args.workers, limits=limits,
                        sandbox_tool=args.sandbox, keep_work=args.keep_work, canary=not args.skip_canary,
                        say=_say)
    rows = [[r.student, f"{r.score:g} / {r.max_score:g}", "ok" if r.ok else f"FAILED: {r.reason}",
             str(len(r.repairs)), f"{r.seconds:.0f} s"] for r in results]
    print(format_table(["student", "score", "graded", "repairs", "time"], rows))
    for r in results:
        for repair in r.repairs:
            print(f"repaired {r.student}: {repair}")
    failed = sum(not r.ok for r in results)
    if failed:
        _say(f"course: {failed} of {len(results)} submission(s) could not be graded (scored 0; reasons above)")
    return 0


def run_gradebook_migrate(args) -> int:
    from course_lib.grading import gradebook_copy, nbgrader_course

    source = nbgrader_course.db_url(_config(args))
    target = nbgrader_course.checked_url(args.to)
    migrated = gradebook_copy.migrate(source, target)
    _say(f"gradebook: {migrated.total} rows copied from {gradebook_copy.shown(source)} to "
         f"{gradebook_copy.shown(target)} and checked, table by table: "
         + ", ".join(f"{name} {count}" for name, count in migrated.rows.items()))
    _say(f"grade with --db-url {gradebook_copy.shown(target)} (or COURSE_DB_URL) from now on")
    return 0


def run_feedback(args) -> int:
    from course_lib.grading import feedback

    config = _config(args)
    feedback.generate(config, args.assignment, say=_say)
    if not args.no_release:
        feedback.release(config, args.assignment, say=_say)
    return 0


def run_grades(args) -> int:
    from course_lib.grading import grades

    text = grades.write(_config(args), args.assignment, args.output)
    if args.output is None:
        print(text, end="")
    else:
        _say(f"{args.assignment}: grades written to {args.output}")
    return 0
