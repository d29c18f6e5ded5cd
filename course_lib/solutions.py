"""Running the reference solutions (the nbgrader source notebooks) with a real kernel.

For teaching assistants: does every notebook still run, and does it still
reach its figures? Each assignment folder is copied into the build folder and
executed there by papermill with ``FAST_MODE`` set, so the repository stays
clean and the executed copies keep their outputs for reading.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.errors import CourseError
from course_lib.kernels import IpcKernelManager
from course_lib.project import build_dir, existing_assignments, notebooks_dir, source_notebooks
from course_lib.results import figures_in, full_mode_target

CELL_TIMEOUT = 3600  # seconds per cell; full-mode training cells are long


@dataclass
class NotebookRun:
    assignment: str
    source: Path
    output: Path
    seconds: float
    figures: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(f["passed"] for f in self.figures)

    def headline(self, limit: int | None = None) -> str:
        """The figures the notebook recorded, name=value; only the first ``limit`` (then "...") if given."""
        if not self.figures:
            return "-"
        shown = self.figures if limit is None else self.figures[:limit]
        text = ", ".join(f"{f['name']}={f['value']:.4g}" + _annotation(f) for f in shown)
        return text + (", ..." if len(shown) < len(self.figures) else "")

    def problem(self) -> str:
        if self.error:
            return self.error
        misses = [f for f in self.figures if not f["passed"]]
        return "; ".join(f"{f['name']}={f['value']:.4g} misses its target "
                         f"(at least {f.get('at_least')}, at most {f.get('at_most')})" for f in misses)


def _annotation(figure: dict) -> str:
    """" (below target)", " (fast; full mode: >= 0.9)", both, or nothing."""
    notes = ([] if figure["passed"] else ["below target"]) + ([f"fast; {full_mode_target(figure)}"]
                                                             if full_mode_target(figure) else [])
    return f" ({'; '.join(notes)})" if notes else ""


def run_notebook(source: Path, output: Path, *, full: bool = False, timeout: int = CELL_TIMEOUT,
                 assignment: str = "") -> NotebookRun:
    """Execute ``source`` into ``output`` (in output's folder) with FAST_MODE = not full."""
    import nbformat
    import papermill

    logging.getLogger("papermill").setLevel(logging.WARNING)
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters={"FAST_MODE": not full}, cwd=str(output.parent),
            kernel_name="python3", progress_bar=False, log_output=False, execution_timeout=timeout,
            kernel_manager_class=IpcKernelManager, shutdown_kernel="immediate",
        )
    except papermill.PapermillExecutionError as failure:
        error = f"cell {failure.exec_count}: {failure.ename}: {failure.evalue}".splitlines()[0][:300]
    except Exception as failure:  # kernel died, timeout, unreadable notebook...
        error = f"{type(failure).__name__}: {failure}".splitlines()[0][:300]
    seconds = time.perf_counter() - start
    figures = figures_in(nbformat.read(output, as_version=4)) if output.exists() else []
    if error is None and not figures:
        error = "the notebook recorded no headline figure (it should call course_lib.record)"
    return NotebookRun(assignment, source, output, seconds, figures, error)


def run_assignments(names=None, *, full=False, output_dir: Path | None = None, on_start=None) -> list[NotebookRun]:
    """Run the reference notebooks of ``names`` (default: every assignment that exists)."""
    available = existing_assignments()
    names = list(names or available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise CourseError(f"no such assignment: {', '.join(unknown)}; there are: {', '.join(available) or 'none'}")
    output_dir = Path(output_dir or build_dir() / "solutions")
    runs = []
    for name in names:
        work = output_dir / name
        if work.exists():
            shutil.rmtree(work)
        shutil.copytree(notebooks_dir() / name, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for source in source_notebooks(name):
            if on_start:
                on_start(name, source)
            runs.append(run_notebook(source, work / source.name, full=full, assignment=name))
    return runs
