"""What a student must never get: source notebooks, solution code, hidden tests, model answers.

``secrets_in`` scans files the way a student would read them. In a notebook, any
cell holding one of nbgrader's markers (``BEGIN SOLUTION``, ``BEGIN HIDDEN TESTS``
and their ends) gives it away: nbgrader removes them all from a student version; so
does a written-answer cell (markdown, ``solution: true``) holding anything but
nbgrader's "YOUR ANSWER HERE", its model answer. In any other text file, a whole
solution or hidden-test block does (a line starting with ``### BEGIN SOLUTION`` down
to its end): code that merely names the markers, such as the checker in
``course_lib.grading.student_version``, is no secret.

Meant for folders as they are built (a student's own answers are no secret, but
they would count as model answers here).
"""

from __future__ import annotations

import json
from pathlib import Path

from course_lib.grading.student_version import HIDDEN, MARKERS, SOLUTION

ANSWER_PLACEHOLDER = "YOUR ANSWER HERE"  # what nbgrader's ClearSolutions leaves in a written-answer cell
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".gz", ".tgz", ".zip", ".npy", ".npz", ".whl", ".db", ".pdf",
                   ".pyc", ".so", ".ttf", ".otf", ".woff", ".woff2"}


def notebook_secrets(text: str) -> list[str]:
    """What a notebook's JSON text gives away: one line per cell holding a marker (empty: nothing)."""
    try:
        cells = json.loads(text).get("cells", [])
    except (json.JSONDecodeError, AttributeError):
        return ["not a readable notebook"]
    problems = []
    for number, cell in enumerate(cells):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        found = [marker for marker in MARKERS if marker in source]
        if found:
            problems.append(f"cell {number} holds {', '.join(found)}")
        nbgrader = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "markdown" and nbgrader.get("solution") and source.strip() != ANSWER_PLACEHOLDER:
            problems.append(f"cell {number} holds a written answer's model text")
    return problems


def text_secrets(text: str) -> list[str]:
    """The solution and hidden-test blocks in a text file (empty: none)."""
    problems = []
    if SOLUTION.search(text):
        problems.append("a BEGIN SOLUTION ... END SOLUTION block")
    if HIDDEN.search(text):
        problems.append("a BEGIN HIDDEN TESTS ... END HIDDEN TESTS block")
    return problems


def file_secrets(path: Path) -> list[str]:
    """What one file gives away (empty: nothing). Binary files are skipped; notebooks are read cell by cell."""
    path = Path(path)
    if path.suffix.lower() in BINARY_SUFFIXES:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    return notebook_secrets(text) if path.suffix == ".ipynb" else text_secrets(text)


def secrets_in(*paths) -> list[str]:
    """Every file under ``paths`` (files or folders) that holds solution code or a hidden test.

    Returns one line per finding, ``"<file>: <what>"``; empty when a student may see it all.
    """
    problems = []
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            problems += [f"{file}: {problem}" for problem in file_secrets(file)]
    return problems
