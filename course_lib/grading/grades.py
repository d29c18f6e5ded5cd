"""Grades as a CSV: one row per student, one column per graded part, the total and a late flag."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from course_lib.grading import nbgrader_course
from course_lib.grading.autograde import read_report


def table(config, assignment: str) -> tuple[list[str], list[list]]:
    """(header, rows) for ``assignment``: student, each graded cell, total, max, late, graded."""
    course = nbgrader_course.course_folder(config)
    with nbgrader_course.gradebook(config) as book:
        definition = book.find_assignment(assignment)
        notebooks = sorted(definition.notebooks, key=lambda n: n.name)
        several = len(notebooks) > 1
        parts = [(n.name, cell.name) for n in notebooks
                 for cell in sorted(n.grade_cells, key=_order(config, assignment, n.name))]
        header = ["student"] + [f"{nb}:{cell}" if several else cell for nb, cell in parts]
        header += ["total", "max", "late", "graded"]
        rows = []
        for submission in sorted(definition.submissions, key=lambda s: s.student.id):
            scores = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[(notebook.name, grade.name)] = grade.score
            report = read_report(course, assignment, submission.student.id) or {}
            graded = "ok" if report.get("ok", True) else f"failed: {report.get('reason', '')}"
            if report.get("repairs"):
                graded += f" (repaired: {'; '.join(report['repairs'])})"
            rows.append([submission.student.id] + [_number(scores.get(part)) for part in parts]
                        + [_number(submission.score), _number(submission.max_score),
                           "yes" if (submission.total_seconds_late or 0) > 0 else "no", graded])
    return header, rows


def _order(config, assignment: str, notebook: str):
    """Sort key: a graded cell's position in the source notebook."""
    import nbformat

    from course_lib.grading.student_version import grade_id

    path = nbgrader_course.source_folder(config) / assignment / f"{notebook}.ipynb"
    cells = nbformat.read(path, as_version=4).cells if path.is_file() else []
    positions = {grade_id(cell): index for index, cell in enumerate(cells)}
    return lambda cell: (positions.get(cell.name, len(positions)), cell.name)


def _number(value) -> str:
    if value is None:
        return ""
    return f"{float(value):g}"


def to_csv(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write(config, assignment: str, output: Path | None) -> str:
    """The CSV text; also written to ``output`` (atomically) when given."""
    import os
    import tempfile

    text = to_csv(*table(config, assignment))
    if output is not None:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, output)
    return text
