"""``course solutions run``: execute the reference notebooks and check their figures."""

from __future__ import annotations

import sys
from pathlib import Path

from course_lib.table import format_table


def register(commands) -> None:
    parser = commands.add_parser("solutions", help="run the reference solutions (for teaching assistants)",
                                 description="Reference solutions: the nbgrader source notebooks.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = actions.add_parser(
        "run", help="execute reference notebooks and check their headline figures",
        description="Execute the reference notebooks with a real kernel (fast mode unless --full), keep the "
                    "executed copies in the build folder, and print run time and headline figures. Exit code 1 "
                    "when a notebook fails or a figure misses the threshold the notebook states for its mode.")
    run.add_argument("names", nargs="*", metavar="NAME", help="assignments to run (default: all)")
    run.add_argument("--full", action="store_true", help="full mode: full data and epochs, published accuracy")
    run.add_argument("--output", type=Path, metavar="DIR", help="where executed copies go (default: build/solutions)")
    run.set_defaults(run=run_solutions)


def run_solutions(args) -> int:
    from course_lib.solutions import run_assignments

    mode = "full" if args.full else "fast"

    def started(name, source):
        print(f"running {name}/{source.name} ({mode} mode)...", file=sys.stderr, flush=True)

    runs = run_assignments(args.names, full=args.full, output_dir=args.output, on_start=started)
    rows = [[r.assignment, r.source.name, f"{r.seconds:.0f} s", r.headline(), "ok" if r.ok else "FAILED"]
            for r in runs]
    print(format_table(["assignment", "notebook", "run time", "figures", "result"], rows))
    for r in runs:
        print(f"executed copy: {r.output}")
        if not r.ok:
            print(f"course: {r.assignment}/{r.source.name}: {r.problem()}", file=sys.stderr)
    return 0 if all(r.ok for r in runs) else 1
