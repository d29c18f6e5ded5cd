"""Repairing a submitted notebook before nbgrader sees it.

nbgrader stops on a notebook whose graded cells were deleted or duplicated
(nbgrader#1682, #1941). Students do that by accident all the time, so before
grading, each submitted notebook is compared with the source (by nbgrader's
``grade_id``) and repaired where that is safe:

- a graded or read-only cell that is missing is put back, as the student
  version has it, after the cell that precedes it in the source;
- a cell whose ``grade_id`` occurs twice is kept once: for an answer cell the
  last copy (the one that ran last), for any other cell the first;
- a cell whose type was changed (code <-> markdown) is changed back;
- nbgrader metadata the student changed is restored from the student version;
- duplicate cell ids are made unique.

Every change is recorded and shown to the instructor. A file that is not a
notebook at all cannot be repaired: ``RepairError``.
"""

from __future__ import annotations

import json
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_lib.errors import CourseError


class RepairError(CourseError):
    """The submission cannot be read as a notebook."""


@dataclass
class Repair:
    notebook: str
    actions: list[str] = field(default_factory=list)


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_answer(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution")) and not meta.get("grade")


def read_submission(path: Path):
    """The submitted notebook as nbformat v4 (duplicate cell ids already made unique), and the ids that were
    duplicated; RepairError when it is not a notebook."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        identifiers = [cell.get("id") for cell in raw.get("cells", []) if isinstance(cell, dict) and cell.get("id")]
        duplicated = sorted({i for i in identifiers if identifiers.count(i) > 1})
        with warnings.catch_warnings():  # nbformat renames duplicate ids, with a warning: we report them
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(json.dumps(raw), as_version=4)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise RepairError(f"{Path(path).name} is not a readable notebook ({type(error).__name__}: "
                          f"{str(error).splitlines()[0][:200] if str(error) else ''})") from None
    if not isinstance(notebook.get("cells"), list):
        raise RepairError(f"{Path(path).name} is not a readable notebook (it has no cells)")
    return notebook, duplicated


def repair(submitted: Path, source: Path, student_version: Path) -> Repair:
    """Repair ``submitted`` in place against ``source`` and ``student_version``; return what was done."""
    notebook, duplicated_ids = read_submission(submitted)
    source_cells = nbformat.read(source, as_version=4).cells
    student_cells = {_grade_id(c): c for c in nbformat.read(student_version, as_version=4).cells if _grade_id(c)}
    by_id = {_grade_id(c): c for c in source_cells if _grade_id(c)}
    report = Repair(Path(submitted).name)
    report.actions += [f"duplicate cell id '{identifier}' made unique" for identifier in duplicated_ids]

    notebook.cells = _deduplicate(notebook.cells, report)
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if grade_id in by_id:
            _restore_type_and_metadata(cell, student_cells.get(grade_id, by_id[grade_id]), report)
    notebook.cells = _restore_missing(notebook.cells, source_cells, student_cells, report)
    if report.actions:
        nbformat.write(notebook, submitted)
    return report


def _deduplicate(cells, report: Repair):
    positions: dict[str, list[int]] = {}
    for index, cell in enumerate(cells):
        if _grade_id(cell):
            positions.setdefault(_grade_id(cell), []).append(index)
    drop = set()
    for grade_id, where in positions.items():
        if len(where) > 1:
            keep = where[-1] if _is_answer(cells[where[-1]]) else where[0]
            drop.update(i for i in where if i != keep)
            report.actions.append(f"cell '{grade_id}' occurred {len(where)} times: kept the "
                                  f"{'last' if keep == where[-1] else 'first'} copy")
    return [cell for index, cell in enumerate(cells) if index not in drop]


def _restore_type_and_metadata(cell, original, report: Repair) -> None:
    grade_id = _grade_id(original)
    if cell.cell_type != original.cell_type:
        report.actions.append(f"cell '{grade_id}' was changed from {original.cell_type} to {cell.cell_type}: "
                              "changed back")
        cell.cell_type = original.cell_type
        if original.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    if cell.metadata.get("nbgrader") != original.metadata.get("nbgrader"):
        report.actions.append(f"cell '{grade_id}': nbgrader metadata was changed: restored")
        cell.metadata["nbgrader"] = json.loads(json.dumps(original.metadata["nbgrader"]))


def _restore_missing(cells, source_cells, student_cells, report: Repair):
    present = {_grade_id(cell) for cell in cells}
    result = list(cells)
    previous = None
    for original in source_cells:
        grade_id = _grade_id(original)
        if grade_id is None:
            continue
        if grade_id not in present and grade_id in student_cells:
            replacement = nbformat.from_dict(json.loads(json.dumps(student_cells[grade_id])))
            replacement["id"] = uuid.uuid4().hex[:8]
            after = next((i for i, c in enumerate(result) if _grade_id(c) == previous), -1)
            result.insert(after + 1, replacement)
            present.add(grade_id)
            report.actions.append(f"cell '{grade_id}' was missing: restored from the student version")
        previous = grade_id
    return result
