"""Every requirement a hidden test enforces is checked, with a hint, by the public hook (see tests/hidden_requirements).

For each assignment's catalogue: the reference passes every hidden block in the catalogue's context (so the
context is the notebook's); every wrong answer fails the hidden block at the assertion it names and is rejected
by the public hook with its hint; and every hidden assertion is broken by some wrong answer or says why none is
needed.
"""

from __future__ import annotations

import importlib
import re

import pytest

from problem_unittests.checks import PublicTestFailure
from tests.hidden_requirements import PENDING, Catalogue, failing_line, graded_cells

CATALOGUES = ["notmnist", "fundamentals", "mnist_cnn", "cifar10_cnn", "digit_sequences", "house_numbers"]


def _catalogue(name: str) -> Catalogue:
    try:
        catalogue = importlib.import_module(f"tests.hidden_requirements.{name}").CATALOGUE
    except ModuleNotFoundError:
        if name in PENDING:
            pytest.skip(f"{name}: {PENDING[name]}")
        pytest.fail(f"tests/hidden_requirements/{name}.py is missing: every assignment has a catalogue")
    assert name not in PENDING, f"tests/hidden_requirements/{name}.py exists: take {name} out of PENDING"
    return catalogue


def _wrong_answers() -> list:
    found = []
    for name in CATALOGUES:
        try:
            catalogue = importlib.import_module(f"tests.hidden_requirements.{name}").CATALOGUE
        except ModuleNotFoundError:
            continue
        found += [pytest.param(name, wrong, id=f"{name}-{wrong}") for wrong in catalogue.wrong]
    return found


_contexts: dict[str, dict] = {}


def _context(name: str) -> dict:
    """The catalogue's namespace, built once per session; each use gets a shallow copy."""
    if name not in _contexts:
        _contexts[name] = _catalogue(name).context()
    return dict(_contexts[name])


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_hidden_assertion_is_broken_by_a_wrong_answer_or_says_why_not(name):
    catalogue = _catalogue(name)
    cells = graded_cells(catalogue.notebook)
    unknown = sorted({wrong.cell for wrong in catalogue.wrong} - set(cells))
    assert not unknown, f"{name}: wrong answers for cells without a hidden block: {unknown}"
    uncovered = []
    for grade_id, cell in cells.items():
        broken = {cell.assertion(wrong.breaks) for wrong in catalogue.wrong if wrong.cell == grade_id}
        exempt = {cell.assertion(piece) for (cell_id, piece) in catalogue.needs_none if cell_id == grade_id}
        uncovered += [f"{grade_id}: {found[2]}" for found in cell.assertions()
                      if found not in broken and found not in exempt]
    assert not uncovered, f"{name}: hidden assertions no wrong answer breaks:\n" + "\n".join(uncovered)


@pytest.mark.parametrize("name", CATALOGUES)
def test_the_reference_passes_every_graded_cell_in_the_context(name):
    for grade_id, cell in graded_cells(_catalogue(name).notebook).items():
        for part, source in (("public part", cell.public), ("hidden block", cell.hidden)):
            line, error = failing_line(source, _context(name), f"<{part} {grade_id}>")
            assert error is None, f"{grade_id}: the reference fails its own {part} at line {line}: {error!r}"


@pytest.mark.parametrize("name, wrong", _wrong_answers())
def test_a_wrong_answer_fails_the_hidden_test_and_the_public_hook_says_why(name, wrong):
    catalogue = _catalogue(name)
    cell = graded_cells(catalogue.notebook)[wrong.cell]
    first, last, source = cell.assertion(wrong.breaks)

    namespace = wrong.apply(_context(name))
    line, error = failing_line(cell.hidden, namespace, f"<hidden {wrong.cell}>")
    assert error is not None, f"the hidden test of {wrong.cell} passes this wrong answer"
    assert line is not None and first <= line <= last, (
        f"the hidden test of {wrong.cell} failed at line {line} ({error!r}), not at the assertion {source!r}")

    namespace = wrong.apply(_context(name))
    _, rejected = failing_line(cell.public, namespace, f"<public {wrong.cell}>")
    assert isinstance(rejected, PublicTestFailure), (
        f"the public hook of {wrong.cell} should reject this wrong answer with a hint; it "
        + ("passed it" if rejected is None else f"raised {rejected!r}"))
    assert re.search(wrong.hint, str(rejected)), f"the hint does not match {wrong.hint!r}: {rejected}"
