"""The reference solution of a source notebook, as Python objects, for testing hooks against it.

``reference_namespace(notebook, cells)`` runs the named cells of an nbgrader
source notebook (solution markers removed) in one namespace and returns it,
so that every hook is proven against the very code the autograder's
reference runs. ``fails(hook, function, hint)`` checks that a hook rejects a
wrong answer with a message containing ``hint``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

MARKER = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$", re.M)


def cells_by_id(notebook_path: Path) -> dict:
    notebook = nbformat.read(notebook_path, as_version=4)
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in notebook.cells}


def reference_namespace(notebook_path: Path, cells, namespace: dict | None = None) -> dict:
    """Execute the cells ``cells`` (grade ids, in the order given) of the notebook; return the namespace."""
    by_id = cells_by_id(notebook_path)
    missing = [grade_id for grade_id in cells if grade_id not in by_id]
    if missing:
        raise KeyError(f"{notebook_path.name} has no cells {missing}")
    namespace = {} if namespace is None else namespace
    for grade_id in cells:
        source = MARKER.sub("", by_id[grade_id].source)
        exec(compile(source, f"{notebook_path.name}:{grade_id}", "exec"), namespace)
    return namespace


def passes(hook, function, capsys, name: str) -> None:
    """``hook(function)`` must pass and say so: "Public tests passed: <name>."."""
    hook(function)
    assert f"Public tests passed: {name}." in capsys.readouterr().out


def fails(hook, function, hint: str, exception=AssertionError):
    """``hook(function)`` must fail with ``exception`` whose message matches ``hint`` (a regex)."""
    with pytest.raises(exception, match=hint):
        hook(function)
