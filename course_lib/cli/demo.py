"""``course demo``: the main job, end to end."""

from __future__ import annotations

import sys
from pathlib import Path


def register(commands) -> None:
    parser = commands.add_parser(
        "demo", help="the whole course end to end, offline, with a summary table",
        description="Prepare the data, build the student version of every assignment that exists (nbgrader), "
                    "run every reference solution in fast mode, autograde the reference and a blank student "
                    "copy, and print a summary. Works offline; planned assignments that have not landed are "
                    "listed as such, and an assignment whose dataset is not on this machine is skipped with the "
                    "reason. Exit code 1 if any step fails.")
    parser.add_argument("names", nargs="*", metavar="NAME", help="assignments to run (default: all)")
    parser.add_argument("--workdir", type=Path, metavar="DIR",
                        help="scratch nbgrader course folder (default: build/demo; it is recreated)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from course_lib.demo import run_demo, summary

    def say(message):
        print(message, file=sys.stderr, flush=True)

    results = run_demo(say=say, workdir=args.workdir, names=args.names)
    print(summary(results))
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"course: demo failed for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
