"""Every requirement of a hidden test has a public counterpart: the catalogues and the machinery.

A hidden test may check only what the text asks for and what the public hook
checks, with a hint; it differs from the public test in its data alone. One
catalogue per assignment (a module beside this one) proves it assertion by
assertion. It lists wrong answers, each named for the hidden assertion it
breaks; for each of them (``tests/test_hidden_requirements.py``):

1. the hidden block of the graded cell, run in the notebook's namespace with
   the wrong answer in place of the reference, fails at that assertion (so
   the requirement is real);
2. the graded cell's public part (the hook) rejects it with a hint
   (``PublicTestFailure`` whose message matches ``hint``).

Every assertion of every hidden block is broken by some wrong answer, or is
listed in ``needs_none`` with the reason no wrong answer can break it alone
(a special case of an assertion that one does break, say).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS", re.S | re.M)


@dataclass(frozen=True)
class Wrong:
    """A wrong answer: ``replace`` puts it in the notebook's namespace for graded cell ``cell``: a dict
    (name -> object), or a function of the namespace returning one (for answers made from the context, a
    model left untrained, say).

    breaks: a piece of the source of the hidden assertion it must break (the first assertion holding it).
    hint: a regular expression the public hook's message must match.
    """

    cell: str
    breaks: str
    replace: dict
    hint: str

    def __str__(self) -> str:
        return f"{self.cell}[{self.breaks}]"

    def apply(self, namespace: dict) -> dict:
        """``namespace`` with the wrong answer in place of the reference's (changed in place, and returned)."""
        namespace.update(self.replace(namespace) if callable(self.replace) else self.replace)
        return namespace


@dataclass
class Catalogue:
    """One assignment's wrong answers.

    context: builds the namespace its graded cells run in: the notebook's own cells (reference solutions
        included) and, for what only a long run makes (a trained model, say), small stand-ins.
    needs_none: ``{(cell, piece of an assertion): why no wrong answer is needed}``.
    """

    notebook: Path
    context: Callable[[], dict]
    wrong: list[Wrong]
    needs_none: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class GradedCell:
    grade_id: str
    public: str  # the cell's source before its hidden block (the docstring and the hook's call)
    hidden: str  # the hidden block's source

    def assertions(self) -> list[tuple[int, int, str]]:
        """(first line, last line, source) of every assert statement of the hidden block, in order."""
        tree = ast.parse(self.hidden)
        found = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        return sorted((node.lineno, node.end_lineno, ast.get_source_segment(self.hidden, node)) for node in found)

    def assertion(self, piece: str) -> tuple[int, int, str]:
        matches = [found for found in self.assertions() if piece in found[2]]
        if not matches:
            raise KeyError(f"{self.grade_id}: no hidden assertion holds {piece!r}")
        return matches[0]


# Assignments whose catalogues (of wrong answers and of data claims) are not on this branch yet, and why; the
# tests skip them with the reason, and fail once the catalogue arrives and the entry stays.
PENDING: dict[str, str] = {}


def graded_cells(notebook: Path) -> dict[str, GradedCell]:
    """Every autograded test cell of a source notebook that has a hidden block, by grade id."""
    cells = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        match = HIDDEN.search(cell.source)
        if meta.get("grade") and not meta.get("solution") and match:
            cells[meta["grade_id"]] = GradedCell(meta["grade_id"], cell.source[:match.start()], match.group(1))
    return cells


def failing_line(source: str, namespace: dict, filename: str) -> tuple[int | None, BaseException | None]:
    """Run ``source``; the line of it where it failed and the exception (None, None when it passed)."""
    try:
        exec(compile(source, filename, "exec"), namespace)
    except Exception as error:  # noqa: BLE001 (a wrong answer may fail in any way)
        line, traceback = None, error.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == filename:
                line = traceback.tb_lineno
            traceback = traceback.tb_next
        return line, error
    return None, None


def in_fast_mode(build: Callable[[], dict]) -> Callable[[], dict]:
    """``build`` run with COURSE_FAST_MODE=1 (the notebooks' fast sizes), the environment restored after."""
    import os

    def context() -> dict:
        before = os.environ.get("COURSE_FAST_MODE")
        os.environ["COURSE_FAST_MODE"] = "1"
        try:
            return build()
        finally:
            if before is None:
                os.environ.pop("COURSE_FAST_MODE", None)
            else:
                os.environ["COURSE_FAST_MODE"] = before

    return context
