"""What went wrong in a graded notebook, cell by cell, in words an instructor can act on.

Two questions after nbgrader has run a submission:

- did a **setup cell** fail? The setup cells are the locked code cells before
  the first cell a student writes in (imports, data loading): no student code
  has run yet when they run, so an error there means the grading environment
  is broken (a module the sandbox cannot import, a data folder it cannot
  read), not that the student is wrong;
- which **graded cells** lost points, and why? nbgrader gives a graded cell
  no credit when it raises an error, and also when it writes anything to
  standard error (a library's warning is enough).
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

TRACEBACK_LINES = 3  # lines of a traceback worth showing in a one-screen message


@dataclass
class CellError:
    grade_id: str
    ename: str
    evalue: str
    traceback: list[str]

    def summary(self) -> str:
        return f"{self.ename}: {self.evalue}".strip().splitlines()[0][:300]


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _error_of(cell) -> CellError | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            from nbconvert.filters import strip_ansi

            lines = [strip_ansi(line) for line in output.get("traceback", [])]
            return CellError(_meta(cell).get("grade_id", "?"), output.get("ename", "Error"),
                             output.get("evalue", ""), lines)
    return None


def _stderr_of(cell) -> CellError | None:
    """A cell that wrote to standard error, as nbgrader scores it: no credit."""
    text = "".join(output.get("text", "") for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream" and output.get("name") == "stderr")
    if not text.strip():
        return None
    return CellError(_meta(cell).get("grade_id", "?"), "output on standard error",
                     "nbgrader gives no credit to a graded cell that writes to stderr",
                     [line for line in text.splitlines() if line.strip()])


def setup_cell_ids(source_notebook) -> list[str]:
    """grade_ids of the locked code cells that come before the first cell a student writes in."""
    ids = []
    for cell in source_notebook.cells:
        meta = _meta(cell)
        if meta.get("solution"):
            break
        if cell.cell_type == "code" and meta.get("locked") and meta.get("grade_id"):
            ids.append(meta["grade_id"])
    return ids


def setup_failure(graded_path, source_path) -> CellError | None:
    """The first setup cell of the graded notebook that raised an error, or None."""
    setup = set(setup_cell_ids(nbformat.read(source_path, as_version=4)))
    for cell in nbformat.read(graded_path, as_version=4).cells:
        if _meta(cell).get("grade_id") in setup:
            error = _error_of(cell)
            if error is not None:
                return error
    return None


def explain_setup_failure(error: CellError) -> str:
    """A setup cell's error as the cause an instructor can fix."""
    if error.ename in ("ModuleNotFoundError", "ImportError"):
        cause = "the grader cannot import a module inside the sandbox"
        if "'" in error.evalue:
            cause = f"the grader cannot import {error.evalue.split(chr(39))[1]} inside the sandbox"
    elif error.ename in ("FileNotFoundError", "PermissionError", "IsADirectoryError", "NotADirectoryError",
                         "DataNotFoundError", "DataIntegrityError", "OSError"):
        cause = "the grader cannot read the data it needs inside the sandbox"
    else:
        cause = "the grading environment is broken"
    return f"{cause}: setup cell '{error.grade_id}' failed with {error.summary()}"


def failed_graded_cells(graded_path) -> list[CellError]:
    """Every graded test cell of the notebook that raised an error or wrote to stderr."""
    found = []
    for cell in nbformat.read(graded_path, as_version=4).cells:
        meta = _meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            error = _error_of(cell) or _stderr_of(cell)
            if error is not None:
                found.append(error)
    return found


def last_traceback_lines(error: CellError, count: int = TRACEBACK_LINES) -> list[str]:
    """The last ``count`` non-empty lines of a traceback (where it went wrong)."""
    lines = [line.rstrip() for block in error.traceback for line in block.splitlines() if line.strip()]
    return lines[-count:]
