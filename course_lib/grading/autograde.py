"""Autograding a batch of submissions: each alone, sandboxed, N at a time, merged into one gradebook.

For every submission, in a process of its own (forked, so it starts in
milliseconds):

1. a scratch nbgrader course is made for it alone: a snapshot of the
   gradebook taken before the batch, the assignment's non-notebook files,
   and a copy of the submission, repaired (``course_lib.grading.repair``);
2. nbgrader's own ``autograde`` runs there, its kernel sandboxed
   (``course_lib.grading.sandbox``), with a per-cell timeout, a wall-clock
   limit, CPU, memory and file-size limits, and outputs capped in size;
3. the process writes a report; it never touches the course's gradebook.

The parent merges each finished submission into the course's gradebook, one
at a time (sqlite is not safe for concurrent writers), and copies its
autograded notebooks into place. A submission that cannot be graded (an
unreadable file, a kernel that died or ran out of time) gets zero on every
graded cell and its reason in the report; the batch goes on. Because every
submission is graded alone, from the same snapshot, the results do not
depend on the number of workers.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course_lib import progress
from course_lib.errors import CourseError
from course_lib.grading import canary as canary_check
from course_lib.grading import cell_errors, gradebook_copy, nbgrader_course, reference_outputs, sandbox
from course_lib.grading.repair import RepairError, repair
from course_lib.project import prepare_for_grading

REPORTS = "grading-reports"  # <course>/grading-reports/<assignment>/<student>.json
GRACE = 120  # seconds a grading process may take beyond its kernel's wall-clock limit


@dataclass
class Result:
    """What happened to one submission. ok: nbgrader graded every notebook.

    max_score counts every point; manual_max_score, those a person grades (written answers), which
    autograding leaves at 0 until then.
    """

    student: str
    ok: bool
    score: float = 0.0
    max_score: float = 0.0
    manual_max_score: float = 0.0
    reason: str = ""
    repairs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sandbox: str = ""


@dataclass
class Job:
    assignment: str
    student: str
    submission: Path
    scratch: Path
    snapshot: bytes  # the assignment's definition as a SQLite gradebook (gradebook_copy.assignment_snapshot)
    source: Path
    student_version: Path
    spec: str
    course_id: str
    extension: float | None = None  # seconds of extension the student has in the course's gradebook


def find_submissions(folder: Path, assignment: str) -> dict[str, Path]:
    """``{student: folder}`` for every ``<folder>/<student>/<assignment>/`` (nbgrader's submitted/ layout)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"{folder} does not exist: expected nbgrader's layout <folder>/<student>/{assignment}/")
    found = {p.name: p / assignment for p in sorted(folder.iterdir())
             if p.is_dir() and (p / assignment).is_dir() and not p.name.startswith(".")}
    if not found:
        raise CourseError(f"no submissions in {folder}: expected <student>/{assignment}/ folders")
    return found


def choose_sandbox(requested: str = "auto", say=print) -> str:
    """"bwrap" or "none". auto: bwrap when it works here, else a loud warning and limits only."""
    if requested == "none":
        say("WARNING: sandbox disabled (--sandbox none): student code runs with your rights, limits only.")
        return "none"
    works, why = sandbox.bubblewrap_works()
    if works:
        return "bwrap"
    if requested == "bwrap":
        raise CourseError(f"the sandbox was required but cannot be used: {why}")
    say("WARNING: NO SANDBOX. " + why + ". Student code will run with your rights (only CPU, memory, "
        "file-size and time limits apply). Install bubblewrap, or grade inside a container (Docker).")
    return "none"


class CanaryFailed(CourseError):
    """The reference solution did not get full marks in the grading sandbox: the batch was not graded."""


def autograde(assignment: str, *, repository: Path | None = None, course_root: Path | None = None,
              submissions: Path | None = None, db_url: str | None = None, workers: int = 1,
              limits: sandbox.Limits | None = None,
              sandbox_tool: str = "auto", keep_work: bool = False, canary: bool = True,
              say=print) -> list[Result]:
    """Grade every submission of ``assignment``; return one Result per student, in name order.

    canary: first grade the assignment's reference solution in the same sandbox
        (``course_lib.grading.canary``); unless it gets every autograded point,
        raise CanaryFailed before anything reaches the gradebook. It runs beside
        the first submissions; their results wait for its verdict.
    keep_work: keep each submission's scratch course and grading log in
        ``<course>/.grading/<assignment>/<student>/`` (to see why one failed).
    """
    limits = limits or sandbox.Limits()
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")  # nbformat validates each notebook often
    config = nbgrader_course.load_config(repository, root=course_root, db_url=db_url)
    course = nbgrader_course.course_folder(config)
    sources = sorted((nbgrader_course.source_folder(config) / assignment).glob("*.ipynb"))
    if not sources:
        raise CourseError(f"no source notebooks for {assignment} in {nbgrader_course.source_folder(config)}")
    if reference_outputs.strays(sources[0].parent):  # it would replace every student's own file
        raise CourseError("not graded: " + "; ".join(reference_outputs.strays(sources[0].parent)))
    release = course / config.CourseDirectory.get("release_directory", "release") / assignment
    if not _in_gradebook(config, assignment) or not all((release / s.name).is_file() for s in sources):
        say(f"{assignment}: building the student version first (generate_assignment)")
        nbgrader_course.generate_assignment(config, assignment)
    found = find_submissions(submissions or course / "submitted", assignment)
    if canary_check.STUDENT in found:
        raise CourseError(f"a submission is named {canary_check.STUDENT!r}, the id the grader's canary uses: "
                          "rename it")
    tool = choose_sandbox(sandbox_tool, say)
    prepare_for_grading(assignment)  # data the fast mode builds, built once: kernels see the cache read-only

    work = course / ".grading" / assignment
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    snapshot = gradebook_copy.assignment_snapshot(nbgrader_course.db_url(config), assignment,
                                                  config.CourseDirectory.course_id)
    extensions = _extensions(config, assignment)

    def job(student: str, folder: Path) -> Job:
        return Job(assignment, student, folder, work / student, snapshot, sources[0].parent, release,
                   sandbox.make_spec(_kernels_folder(), limits, tool=tool).to_json(),
                   config.CourseDirectory.course_id, extensions.get(student))

    jobs = [job(student, folder) for student, folder in found.items()]
    manual = manual_points(sources[0].parent)
    canary_job, key = None, ""
    if canary:
        key = canary_check.environment_key(sources, jobs[0].spec)
        if canary_check.passed_before(course, assignment, key):
            say(f"{assignment}: canary: the reference passed in this grading environment before")
        else:
            folder = canary_check.write_reference_submission(
                sorted(release.glob("*.ipynb")), sources, work / ".canary" / assignment)
            canary_job = job(canary_check.STUDENT, folder)
    else:
        say(f"{assignment}: canary skipped (--skip-canary): a broken grading environment would go unnoticed")
    results, held = {}, []
    verdict = {"known": canary_job is None}
    bar = progress.bar(total=len(jobs), desc=f"grading {assignment}", unit="submission", leave=True,
                       show=sys.stderr.isatty())
    failures = [0]

    def merge(job: Job, outcome: dict):
        result = _merge(config, job, outcome)
        results[job.student] = result
        failures[0] += not result.ok
        state = f"{result.score:g} / {result.max_score:g}" if result.ok else f"FAILED: {result.reason}"
        bar.update(1)
        bar.set_postfix(failed=failures[0])
        line = f"  {job.student}: {state} ({result.seconds:.0f} s)"
        if bar.disable:
            say(line)
        else:  # above the bar, which stays at the bottom of the terminal
            bar.write(line, file=sys.stderr)

    def finished(job: Job, outcome: dict):
        shutil.rmtree(_spec_of(job).kernels_folder, ignore_errors=True)
        if job is canary_job:
            judged = canary_check.judge(assignment, outcome, job.scratch / "course", sources, manual)
            if not judged.passed:
                canary_check.forget(course, assignment)
                raise CanaryFailed(
                    f"{assignment}: the canary failed, so nothing was graded and the gradebook is unchanged.\n"
                    f"{judged.problem}\n"
                    "Graded here, students would be marked down for the environment, not for their work. Fix "
                    "it (the modules and data the notebook needs must be visible inside the sandbox) and grade "
                    "again; or, if you know why, grade anyway with --skip-canary.")
            canary_check.remember_pass(course, assignment, key, judged.score, judged.max_score)
            say(f"{assignment}: canary: the reference got every autograded point in the sandbox "
                f"({judged.score:g} / {judged.max_score - manual:g})")
            verdict["known"] = True
            while held:
                merge(*held.pop(0))
        elif verdict["known"]:
            merge(job, outcome)
        else:
            held.append((job, outcome))

    say(f"{assignment}: grading {len(jobs)} submission(s), {workers} at a time, sandbox: {tool}"
        + (", after the canary (the reference solution)" if canary_job else ""))
    _warm_imports()
    try:
        _run(([canary_job] if canary_job else []) + jobs, workers, limits.wall + GRACE, finished)
    finally:
        bar.close()
        if keep_work:
            say(f"{assignment}: scratch courses and grading logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return [results[student] for student in sorted(results)]


def _kernels_folder() -> Path:
    """A short private folder for one submission's kernel files (a Unix socket path is at most 107 bytes)."""
    return Path(tempfile.mkdtemp(prefix="ck-"))


def _in_gradebook(config, assignment: str) -> bool:
    from nbgrader.api import MissingEntry

    if not nbgrader_course.gradebook_exists(config):
        return False
    with nbgrader_course.gradebook(config) as book:
        try:
            book.find_assignment(assignment)
            return True
        except MissingEntry:
            return False


def _extensions(config, assignment: str) -> dict[str, float]:
    """``{student: seconds}`` of the extensions granted in the course's gradebook for ``assignment``."""
    with nbgrader_course.gradebook(config) as book:
        return {s.student.id: s.extension.total_seconds() for s in book.find_assignment(assignment).submissions
                if s.extension}


def _give_extension(gradebook: Path, job: Job) -> None:
    """The student's extension, into the scratch gradebook: nbgrader's late penalty counts from it."""
    import datetime

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{gradebook}", job.course_id) as book:
        book.update_or_create_submission(job.assignment, job.student,
                                         extension=datetime.timedelta(seconds=job.extension))


# --- running the jobs ---------------------------------------------------------------------------------------

def _warm_imports() -> None:
    """Import what every grading process needs once, here: forked children then start with it loaded."""
    import nbclient  # noqa: F401
    import nbconvert.preprocessors  # noqa: F401
    import nbgrader.apps  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401

    from course_lib.grading import preprocessors  # noqa: F401


def _run(jobs, workers: int, timeout: float, finished) -> None:
    """Grade each job in a forked process, ``workers`` at a time; ``finished(job, outcome)`` as each ends.

    ``workers`` notebooks run at a time (a semaphore the processes share). Up
    to as many more processes get ready meanwhile: they copy and repair their
    submission and start their sandboxed kernel, then wait for a turn, so a
    freed slot does not wait for a kernel to start. The time limit counts from
    a process's turn. If ``finished`` raises (the canary failed), every process
    still running is stopped and the exception goes on.
    """
    context = multiprocessing.get_context("fork")
    turns = context.Semaphore(max(1, workers))
    pending, alive = list(jobs), []
    try:
        _schedule(context, turns, pending, alive, workers, timeout, finished)
    except BaseException:
        for job, process, _, _ in alive:
            if process.is_alive():
                process.kill()
            process.join()
            shutil.rmtree(_spec_of(job).kernels_folder, ignore_errors=True)
        raise


def _schedule(context, turns, pending, alive, workers, timeout, finished) -> None:
    """The loop of ``_run``: ``alive`` holds ``(job, process, forked at, turn)`` of the running processes."""
    while pending or alive:
        done, still = [], []
        for job, process, forked, turn in alive:
            now = time.time()
            began = turn.value or None
            over = (now - began > timeout) if began else (now - forked > 2 * timeout)
            if process.is_alive() and not over:
                still.append((job, process, forked, turn))
                continue
            if process.is_alive():
                process.kill()
            process.join()
            done.append((job, _outcome(job, process, now - (began or forked), timeout)))
        alive[:] = still
        waiting = sum(1 for _, _, _, turn in alive if not turn.value)
        while pending and waiting < max(1, workers):
            job = pending.pop(0)
            job.scratch.mkdir(parents=True, exist_ok=True)
            turn = context.Value("d", 0.0)
            process = context.Process(target=_child, args=(job, turns, turn), name=f"grade-{job.student}")
            process.start()
            alive.append((job, process, time.time(), turn))
            waiting += 1
        while done:
            finished(*done.pop(0))
        if not done:
            time.sleep(0.02)


def _outcome(job: Job, process, seconds: float, timeout: float) -> dict:
    path = job.scratch / "outcome.json"
    if path.is_file():
        return json.loads(path.read_text())
    if seconds >= timeout:
        reason = f"grading took longer than {timeout:.0f} s and was stopped"
    else:
        reason = f"the grading process died (exit code {process.exitcode})"
    return {"ok": False, "reason": reason, "repairs": [], "seconds": seconds}


def _child(job: Job, turns, turn) -> None:
    """In the forked process: get ready, wait for a turn, grade one submission, write outcome.json."""
    log = open(job.scratch / "grading.log", "w")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout, sys.stderr = log, log
    start = time.monotonic()
    outcome = {"ok": False, "reason": "", "repairs": [], "seconds": 0.0}
    has_turn = False
    try:
        repairs = _prepare(job)
        turns.acquire()
        has_turn, turn.value = True, time.time()
        start = time.monotonic()
        outcome.update(_grade(job), repairs=repairs)
    except RepairError as error:
        outcome["reason"] = str(error)
    except Exception as error:  # whatever happens, the batch goes on
        outcome["reason"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]
    finally:
        if has_turn:
            turns.release()
    outcome["seconds"] = round(time.monotonic() - start, 2)
    temporary = job.scratch / "outcome.json.partial"
    temporary.write_text(json.dumps(outcome))
    os.replace(temporary, job.scratch / "outcome.json")
    log.flush()
    os._exit(0)


def _prepare(job: Job) -> list[str]:
    """The scratch course for one submission, its repairs, and its kernel started ahead."""
    course = job.scratch / "course"
    submitted = course / "submitted" / job.student / job.assignment
    shutil.copytree(job.submission, submitted, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    source_copy = course / "source" / job.assignment
    shutil.copytree(job.source, source_copy, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    (course / "gradebook.db").write_bytes(job.snapshot)
    if job.extension:
        _give_extension(course / "gradebook.db", job)
    repairs = []
    for source in sorted(job.source.glob("*.ipynb")):
        notebook = submitted / source.name
        if notebook.is_file():
            report = repair(notebook, source, job.student_version / source.name)
            repairs += [f"{source.name}: {action}" for action in report.actions]
    # The kernel's working folder holds what nbgrader will put there: the submission's files, then the
    # assignment's own files over them (notebooks aside: the kernel never sees those).
    working = course / "autograded" / job.student / job.assignment
    shutil.copytree(submitted, working, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    shutil.copytree(source_copy, working, dirs_exist_ok=True)
    os.environ[sandbox.ENVIRONMENT_VARIABLE] = job.spec
    os.environ["NBGRADER_EXECUTION"] = "autograde"  # what nbgrader sets while it executes the notebook
    sandbox.start_ahead(working)
    return repairs


def _grade(job: Job) -> dict:
    course = job.scratch / "course"
    config = grading_config(course, job.course_id, _spec_of(job).limits)
    result = nbgrader_course.api(config).autograde(job.assignment, job.student, force=True, create=True)
    print(result.get("log", ""), result.get("error") or "", flush=True)  # into grading.log (--keep-work)
    if not result.get("success"):
        return {"ok": False, "reason": _failure_reason(job, result)}
    graded = course / "autograded" / job.student / job.assignment
    for source in sorted(job.source.glob("*.ipynb")):
        if (graded / source.name).is_file():
            failure = cell_errors.setup_failure(graded / source.name, source)
            if failure is not None:  # no student code had run yet: the environment is broken, not the answer
                return {"ok": False, "reason": cell_errors.explain_setup_failure(failure)}
    return {"ok": True, "reason": ""}


def grading_config(course: Path, course_id: str, limits: sandbox.Limits):
    """nbgrader's configuration for grading in ``course``: sandboxed kernels, timeouts, capped outputs."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import LimitOutput
    from traitlets.config import Config

    from course_lib.grading.preprocessors import CapOutputSize

    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = course_id
    config.Execute.kernel_manager_class = "course_lib.grading.sandbox.SandboxedKernelManager"
    config.Execute.timeout = limits.cell
    config.Execute.interrupt_on_timeout = True
    config.Execute.startup_timeout = 120
    # The kernel is thrown away: killing it at the end saves the seconds a graceful shutdown can hang.
    config.Execute.shutdown_kernel = "immediate"
    steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    steps.insert(steps.index(LimitOutput) + 1, CapOutputSize)  # lines, then characters and images
    config.Autograde.autograde_preprocessors = steps
    return config


def _spec_of(job: Job) -> sandbox.SandboxSpec:
    return sandbox.SandboxSpec.from_json(job.spec)


def _failure_reason(job: Job, result: dict) -> str:
    kernels = Path(_spec_of(job).kernels_folder)
    statuses = [json.loads(p.read_text()) for p in sorted(kernels.glob("*/status.json"))]
    for status in statuses:
        if status.get("wall_clock_exceeded"):
            return "the notebook ran longer than the wall-clock limit and its kernel was stopped"
    log = (result.get("log") or "") + (result.get("error") or "")
    if "DeadKernelError" in log or "Kernel died" in log:
        codes = [s.get("returncode") for s in statuses if not s.get("stopped_by_grader")]
        code = codes[-1] if codes else None
        explanation = {0: "the notebook ended its own kernel (os._exit or sys.exit?)",
                       -9: "killed: out of memory or CPU time?", -24: "CPU time limit exceeded",
                       -25: "file-size limit exceeded"}.get(code, f"exit code {code}")
        return f"the kernel died while running the notebook ({explanation})"
    if "CellTimeoutError" in log or "Timeout waiting for execute reply" in log:
        return _timeout_reason(log, _spec_of(job).limits.cell)
    try:
        nbgrader_course.checked(result, "autograde")
    except CourseError as error:
        return str(error)
    return "nbgrader could not grade it"


def _timeout_reason(log: str, limit: float) -> str:
    """What to tell about a cell that outlived the per-cell limit: nbclient logs the cell's lines as a list."""
    import ast

    cell = ""
    for line in log.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            try:
                lines = ast.literal_eval(stripped)
            except (ValueError, SyntaxError):
                continue
            if isinstance(lines, list) and all(isinstance(item, str) for item in lines):
                code = [item for item in lines if item.strip() and not item.lstrip().startswith(("#", "import ",
                                                                                                "from "))]
                cell = (code or lines or [""])[-1].strip()[:120]
    where = f" (the cell ending `{cell}`)" if cell else ""
    return (f"a cell ran longer than the per-cell limit of {limit:g} s{where} and did not stop when "
            "interrupted; the notebook could not be graded to the end (--cell-timeout sets the limit)")


# --- merging into the course's gradebook --------------------------------------------------------------------

def _merge(config, job: Job, outcome: dict) -> Result:
    """Copy one submission's grades into the course's gradebook and its notebooks into autograded/."""
    from nbgrader.api import Gradebook

    course = nbgrader_course.course_folder(config)
    result = Result(job.student, bool(outcome.get("ok")), reason=outcome.get("reason", ""),
                    repairs=list(outcome.get("repairs", [])), seconds=float(outcome.get("seconds", 0)),
                    sandbox=_spec_of(job).tool)
    scratch_course = job.scratch / "course"
    with nbgrader_course.gradebook(config) as book:
        book.update_or_create_student(job.student)
        if result.ok:
            with Gradebook(f"sqlite:///{scratch_course / 'gradebook.db'}", job.course_id) as graded:
                source = graded.find_submission(job.assignment, job.student)
                book.update_or_create_submission(job.assignment, job.student, timestamp=source.timestamp)
                for notebook in source.notebooks:
                    for grade in notebook.grades:
                        mine = book.find_grade(grade.name, notebook.name, job.assignment, job.student)
                        mine.auto_score, mine.needs_manual_grade = grade.auto_score, grade.needs_manual_grade
                        mine.manual_score, mine.extra_credit = grade.manual_score, grade.extra_credit
                    for comment in notebook.comments:
                        mine = book.find_comment(comment.name, notebook.name, job.assignment, job.student)
                        mine.auto_comment = comment.auto_comment
                    mine_notebook = book.find_submission_notebook(notebook.name, job.assignment, job.student)
                    mine_notebook.late_submission_penalty = notebook.late_submission_penalty
                book.db.commit()
        else:
            target = book.update_or_create_submission(job.assignment, job.student)
            for notebook in target.notebooks:
                for grade in notebook.grades:
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
            book.db.commit()
        submission = book.find_submission(job.assignment, job.student)
        result.score, result.max_score = float(submission.score), float(submission.max_score)
    result.manual_max_score = manual_points(job.source)
    _place_autograded(course, scratch_course, job, result)
    return result


def _place_autograded(course: Path, scratch_course: Path, job: Job, result: Result) -> None:
    """autograded/<student>/<assignment>/ (swapped in whole), and the grading report beside, not inside it.

    The report stays out of autograded/: nbgrader copies that folder's files
    into the students' feedback.
    """
    target = course / "autograded" / job.student / job.assignment
    graded = scratch_course / "autograded" / job.student / job.assignment
    if target.exists():
        shutil.rmtree(target)
    if result.ok and graded.is_dir():
        incoming = target.parent / f".{job.assignment}.incoming"
        if incoming.exists():
            shutil.rmtree(incoming)
        shutil.copytree(graded, incoming)
        os.replace(incoming, target)
    report = report_path(course, job.assignment, job.student)
    report.parent.mkdir(parents=True, exist_ok=True)
    log = job.scratch / "grading.log"
    if not result.ok and log.is_file():  # nbgrader's own account of what went wrong, beside the report
        shutil.copy(log, report.with_suffix(".log"))
    temporary = report.with_suffix(".json.partial")
    temporary.write_text(json.dumps(asdict(result), indent=2))
    os.replace(temporary, report)


def manual_points(source_folder: Path) -> float:
    """Points of the cells a person grades (graded answer cells, e.g. written answers) in a source folder."""
    import nbformat

    total = 0.0
    for path in sorted(Path(source_folder).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and meta.get("solution"):
                total += float(meta.get("points", 0))
    return total


def report_path(course: Path, assignment: str, student: str) -> Path:
    return Path(course) / REPORTS / assignment / f"{student}.json"


def read_report(course: Path, assignment: str, student: str) -> dict | None:
    path = report_path(course, assignment, student)
    return json.loads(path.read_text()) if path.is_file() else None
