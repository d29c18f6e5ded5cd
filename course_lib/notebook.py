"""What the first cell of every notebook calls: the course style, and the fast-mode switch."""

from __future__ import annotations

import os
import sys
import warnings
from importlib import resources

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def fast_mode(default: bool = False) -> bool:
    """Whether heavy cells should shrink.

    ``COURSE_FAST_MODE=1`` or ``0`` decides when set; otherwise fast mode is on
    while nbgrader autogrades (``NBGRADER_EXECUTION`` is set) and ``default``
    elsewhere. ``course solutions run`` passes ``FAST_MODE`` as a parameter.
    """
    value = os.environ.get("COURSE_FAST_MODE", "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return bool(os.environ.get("NBGRADER_EXECUTION")) or default


def custom_css() -> str:
    """The course style sheet (``admin/custom.css``, shipped inside the package)."""
    return resources.files("course_lib").joinpath("assets", "custom.css").read_text(encoding="utf-8")


def setup_notebook() -> None:
    """Apply the course style to this notebook; works from any folder.

    Call it once, in the first code cell. Outside IPython it does nothing.
    While nbgrader executes the notebook, Python warnings (Keras' advice on
    ``input_shape``, a deprecation in a library) are printed on standard
    output: nbgrader gives no credit to a graded cell that writes to stderr,
    and a harmless warning must not cost a student the cell's points.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        warnings_to_stdout()
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display(HTML(f"<style>\n{custom_css()}\n</style>"))


def warnings_to_stdout() -> None:
    """Print Python warnings on standard output (still shown, never a lost point when graded).

    Only the warnings module is redirected: text a cell writes to ``sys.stderr``
    itself still goes there. TensorFlow's C++ log lines are kept out by the
    grading sandbox (``TF_CPP_MIN_LOG_LEVEL=2``).
    """

    def show(message, category, filename, lineno, file=None, line=None):
        sys.stdout.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show
