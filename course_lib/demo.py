"""``course demo``: the whole course, end to end, on what this machine has offline.

1. data: where every dataset is found; build the generated stand-ins;
2. a scratch nbgrader course (``build/demo``) with a copy of ``notebooks/``;
3. per assignment: the student version (nbgrader), checked for leaks; the
   reference solution run in fast mode; the reference (the student version
   answered with the reference's code) and a blank student copy autograded,
   sandboxed, as ``course autograde`` does;
4. a summary table. Planned assignments that have not landed are listed too,
   and so are those skipped because a dataset they need is not on this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from course_lib import data
from course_lib.data import registry
from course_lib.errors import CourseError
from course_lib.grading import cell_errors, nbgrader_course, student_version
from course_lib.grading.autograde import read_report
from course_lib.grading.canary import write_reference_submission
from course_lib.project import (
    PLANNED,
    build_dir,
    course_root,
    existing_assignments,
    planned,
    prepare_for_grading,
    source_notebooks,
)
from course_lib.solutions import run_notebook
from course_lib.table import format_table

KEY_FIGURES = 2  # figures shown per assignment in the summary (all of them: `course solutions run`)


@dataclass
class AssignmentResult:
    name: str
    title: str
    landed: bool
    seconds: float | None = None
    metric: str = "-"
    reference: tuple[float, float] | None = None
    blank: tuple[float, float] | None = None
    manual: float = 0.0  # points a person grades: not given by autograding, even to the reference
    problems: tuple[str, ...] = ()
    skipped: str = ""  # why the assignment could not run here (a dataset it needs is missing)

    @property
    def ok(self) -> bool:
        if not self.landed or self.skipped:
            return True
        full_marks = self.reference is not None and self.reference[0] == self.reference[1] - self.manual > 0
        return not self.problems and full_marks and self.blank is not None and self.blank[0] == 0


def data_table() -> list[list[str]]:
    """Where every dataset is found: rows for the data table. Reads and builds nothing."""
    rows = []
    for name in data.NAMES:
        for split, source in data.locate(name).items():
            where = {"missing": "missing", "embedded": f"stand-in: {source.note}"}.get(
                source.origin, f"{source.origin}: {source.location}")
            rows.append([name, split, where, "real" if source.real and source.origin != "missing" else "-"])
    return rows


def missing_data(entry) -> str:
    """Why ``entry`` (a PLANNED assignment) cannot run here, or "" when every dataset it needs is found."""
    for name in entry.needs if entry else ():
        if any(source.origin == "missing" for source in data.locate(name).values()):
            title = registry.get(name).title.split(" (")[0]
            return f"no {title} data (see `course data path {name}`)"
    return ""


def demo_assignment(config, name: str, title: str, say) -> AssignmentResult:
    result = AssignmentResult(name, title, landed=True)
    course = nbgrader_course.course_folder(config)
    say(f"{name}: building the student version (nbgrader generate_assignment)")
    released, problems = student_version.build(config, name)
    sources = source_notebooks(name, course)

    say(f"{name}: running the reference solution (fast mode)")
    work = course / "solutions" / name
    shutil.copytree(course / "notebooks" / name, work, dirs_exist_ok=True)
    runs = [run_notebook(source, work / source.name, full=False, assignment=name) for source in sources]
    result.seconds = sum(run.seconds for run in runs)
    result.metric = "; ".join(run.headline(limit=KEY_FIGURES) for run in runs)
    problems += [f"{run.source.name}: {run.problem()}" for run in runs if not run.ok]

    say(f"{name}: autograding the reference and a blank student copy (sandboxed, 2 at a time)")
    write_reference_submission(released, sources, course / "submitted" / "reference" / name)
    write_reference_submission(released, [], course / "submitted" / "blank" / name)
    # As an instructor runs it: `course autograde` in a process of its own. The reference submission is
    # the canary here (the demo checks its marks and names the cells that lost points), so the batch
    # does not grade it twice.
    graded = subprocess.run([sys.executable, "-m", "course_lib", "autograde", name, "--workers", "2",
                             "--skip-canary", "--course", str(course)], capture_output=True, text=True)
    if graded.returncode != 0:
        lines = graded.stderr.strip().splitlines()
        first = next((i for i, line in enumerate(lines) if line.startswith("course:")), max(len(lines) - 1, 0))
        problems.append("autograde: " + "\n    ".join(lines[first:]))
    for student in ("reference", "blank"):
        report = read_report(course, name, student)
        if report is None:
            problems.append(f"autograde {student}: no grading report")
            continue
        setattr(result, student, (report["score"], report["max_score"]))
        result.manual = report.get("manual_max_score", 0.0)
        if not report["ok"]:
            problems.append(f"autograde {student}: {report['reason']}")
    if result.reference and result.reference[0] < result.reference[1] - result.manual:
        problems += _lost_points(course, name, sources)
    result.problems = tuple(problems)
    return result


def _lost_points(course: Path, name: str, sources) -> list[str]:
    """The graded cells where the reference lost points, each with the first lines of why."""
    lines = []
    for source in sources:
        graded = course / "autograded" / "reference" / name / source.name
        if graded.is_file():
            for error in cell_errors.failed_graded_cells(graded):
                why = "; ".join(cell_errors.last_traceback_lines(error))
                lines.append(f"autograde reference: {source.name}, cell '{error.grade_id}': {error.summary()}: {why}")
    return lines


def run_demo(say=print, workdir: Path | None = None, names=None) -> list[AssignmentResult]:
    """The demo of ``names`` (default: every planned assignment, and any other that exists)."""
    os.environ.setdefault("COURSE_OFFLINE", "1")  # the demo runs on what is here, offline
    root = course_root()
    landed = existing_assignments(root)
    everything = [p.name for p in PLANNED] + [name for name in landed if planned(name) is None]
    names = list(names or everything)
    unknown = [name for name in names if name not in everything]
    if unknown:
        raise CourseError(f"no such assignment: {', '.join(unknown)}; there are: {', '.join(everything)}")
    say("Data")
    say(format_table(["dataset", "split", "found in", "data"], data_table()))
    course = Path(workdir or build_dir(root) / "demo")
    if course.exists():
        shutil.rmtree(course)
    shutil.copytree(root / "notebooks", course / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    config = nbgrader_course.load_config(root, root=course)
    results = []
    for name in names:
        entry = planned(name)
        title = entry.title if entry else name
        if name not in landed:
            results.append(AssignmentResult(name, title, landed=False))
            continue
        reason = missing_data(entry)
        if reason:
            say(f"{name}: skipped: {reason}")
            results.append(AssignmentResult(name, title, landed=True, skipped=reason))
            continue
        start = time.perf_counter()
        say(f"{name}: preparing the data its fast mode needs")
        prepare_for_grading(name)
        results.append(demo_assignment(config, name, title, say))
        say(f"{name}: done in {time.perf_counter() - start:.0f} s")
    return results


def summary(results: list[AssignmentResult]) -> str:
    def score(pair, manual=0.0):
        if pair is None:
            return "-"
        return f"{pair[0]:g} / {pair[1] - manual:g}" + (f" (+{manual:g} manual)" if manual else "")

    rows = []
    for r in results:
        if not r.landed:
            rows.append([r.name, r.title, "-", "not there yet", "-", "-", "-"])
            continue
        if r.skipped:
            rows.append([r.name, r.title, "-", f"skipped: {r.skipped}", "-", "-", "skipped"])
            continue
        rows.append([r.name, r.title, f"{r.seconds:.0f} s", r.metric, score(r.reference, r.manual),
                     score(r.blank, r.manual),
                     "ok" if r.ok else "FAILED"])
    table = format_table(["assignment", "title", "run time", "key metric", "reference", "blank", "result"], rows)
    notes = [f"  {r.name}: {p}" for r in results for p in r.problems]
    return table + ("\nProblems:\n" + "\n".join(notes) if notes else "")
