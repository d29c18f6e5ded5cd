"""Headline figures: what a notebook reports about itself (e.g. test accuracy).

A notebook calls ``record("test_accuracy", acc, at_least=0.97)``. The student
sees one line; ``course solutions run`` finds the figure in the executed
notebook's outputs (a display bundle of its own MIME type) and fails the run
when the figure misses the threshold the notebook stated for its mode.
"""

from __future__ import annotations

import math

MIME = "application/vnd.course-kit.figure+json"


def record(name: str, value, *, at_least: float | None = None, at_most: float | None = None,
           digits: int = 4) -> float:
    """Report a headline figure of this notebook and return it as a float.

    at_least / at_most: the threshold for the mode the notebook runs in.
    """
    value = float(value)
    passed = _passes(value, at_least, at_most)
    target = []
    if at_least is not None:
        target.append(f"≥ {at_least:g}")
    if at_most is not None:
        target.append(f"≤ {at_most:g}")
    text = f"{name} = {value:.{digits}f}"
    if target:
        text += f"  (target {' and '.join(target)}: {'met' if passed else 'NOT met'})"
    payload = {"name": name, "value": value, "at_least": at_least, "at_most": at_most, "passed": passed}
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
