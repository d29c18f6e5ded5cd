"""Headline figures: what a notebook reports about itself (e.g. test accuracy).

A notebook calls ``record("test_accuracy", acc, at_least=0.97)``. The student
sees one line; ``course solutions run`` finds the figure in the executed
notebook's outputs (a display bundle of its own MIME type) and fails the run
when the figure misses the threshold the notebook stated for its mode.
"""

from __future__ import annotations

import math

MIME = "application/vnd.course-kit.figure+json"


def record(name: str, value, *, at_least=None, at_most=None, fast: bool | None = None, digits: int = 4) -> float:
    """Report a headline figure of this notebook and return it as a float.

    at_least / at_most: the threshold, or a pair ``(fast mode's, full mode's)`` (either may be None) with
        ``fast=FAST_MODE`` saying which applies. A fast run then shows the full mode's threshold beside its
        figure, so nobody mistakes a pipeline check for the real result.
    """
    value = float(value)
    (at_least, full_at_least), (at_most, full_at_most) = _modes(at_least, fast), _modes(at_most, fast)
    passed = _passes(value, at_least, at_most)
    text = f"{name} = {value:.{digits}f}"
    target = _bounds(at_least, at_most)
    if target:
        text += f"  (target {target}: {'met' if passed else 'NOT met'})"
    full = _bounds(full_at_least, full_at_most)
    if fast and full:
        text += f"  (fast mode; full mode: {full})"
    payload = {"name": name, "value": value, "at_least": at_least, "at_most": at_most, "passed": passed,
               "fast": fast, "full_at_least": full_at_least, "full_at_most": full_at_most}
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display({MIME: payload, "text/plain": text}, raw=True)
            return value
    except ImportError:
        pass
    print(text)
    return value


def _modes(threshold, fast: bool | None) -> tuple[float | None, float | None]:
    """(the threshold that applies, the full mode's) of a threshold or a (fast, full) pair."""
    if not isinstance(threshold, (tuple, list)):
        return threshold, (threshold if fast else None)
    if fast is None:
        raise ValueError("a (fast mode, full mode) threshold needs fast=FAST_MODE, to know which applies")
    fast_value, full_value = threshold
    return (fast_value if fast else full_value), full_value


def _bounds(at_least, at_most, *, signs=("≥", "≤")) -> str:
    """"≥ 0.9 and ≤ 30", one side, or "" when neither bound is set."""
    parts = [f"{sign} {bound:g}" for sign, bound in zip(signs, (at_least, at_most)) if bound is not None]
    return " and ".join(parts)


def full_mode_target(figure: dict) -> str:
    """"full mode: >= 0.9" for a figure recorded in fast mode with a full-mode threshold, else ""."""
    if not figure.get("fast"):
        return ""
    bounds = _bounds(figure.get("full_at_least"), figure.get("full_at_most"), signs=(">=", "<="))
    return f"full mode: {bounds}" if bounds else ""


def _passes(value, at_least, at_most) -> bool:
    if math.isnan(value):
        return False
    return (at_least is None or value >= at_least) and (at_most is None or value <= at_most)


def figures_in(notebook) -> list[dict]:
    """Every figure recorded in an executed notebook (an nbformat node or dict), in order."""
    found = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                figure = dict(data[MIME])
                figure["passed"] = _passes(figure["value"], figure.get("at_least"), figure.get("at_most"))
                found.append(figure)
    return found
