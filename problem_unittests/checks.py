"""The small vocabulary every hook is written in, and how a failing hook is shown to the student.

A hook that finds something wrong raises ``PublicTestFailure`` with a hint
(which function, what was expected, what came back, where to look). In
JupyterLab and in nbgrader's Validate dialog the student sees that hint
alone, not a traceback through the hook's own code: IPython shows what an
exception's ``_render_traceback_`` returns instead of the traceback. The cell
still fails, so the autograder records it as failed. An error raised inside
the student's own function keeps its traceback, starting in the student's
code. ``COURSE_HOOK_TRACEBACK=1`` (for instructors) shows full tracebacks.
"""

from __future__ import annotations

import functools
import os
import types

import numpy as np

PASSED_MESSAGE = "Public tests passed"
FULL_TRACEBACK = "COURSE_HOOK_TRACEBACK"  # set to 1 to see the hooks' own tracebacks
HOOKS_FOLDER = os.path.dirname(os.path.abspath(__file__))
RED, BOLD, RESET = "\x1b[0;31m", "\x1b[1m", "\x1b[0m"


class PublicTestFailure(AssertionError):
    """A public test found a mistake. ``str()`` is the hint; ``function`` names what was tested."""

    function = ""

    @property
    def _render_traceback_(self):
        """What IPython prints instead of the traceback: the hint alone (absent with COURSE_HOOK_TRACEBACK=1)."""
        if os.environ.get(FULL_TRACEBACK, "") not in ("", "0"):
            raise AttributeError("_render_traceback_")  # IPython then shows the whole traceback
        return self._render

    def _render(self) -> list[str]:
        what = f" for {self.function}" if self.function else ""
        return [f"{RED}{BOLD}Public test failed{what}.{RESET}", str(self),
                "Fix the function above, run its cell, then run this cell again."]


def check(condition: bool, hint: str) -> None:
    """Fail with ``hint`` (what is wrong, and where to look) unless ``condition`` holds."""
    if not condition:
        raise PublicTestFailure(hint)


def _code_files(values) -> set[str]:
    """The files holding the code of the student's functions among a hook's arguments."""
    files = set()
    for value in values:
        code = getattr(getattr(value, "__func__", value), "__code__", None)
        if isinstance(code, types.CodeType) and os.path.dirname(os.path.abspath(code.co_filename)) != HOOKS_FOLDER:
            files.add(code.co_filename)
    return files


def _from_student_code(traceback, files: set[str]):
    """The part of ``traceback`` that starts in the student's code (None when it never gets there)."""
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename in files:
            return traceback
        traceback = traceback.tb_next
    return None


def public_hook(hook):
    """Wrap a hook ``test_<name>(function, ...)``: its failures show as hints, the student's errors as theirs."""
    name = hook.__name__.removeprefix("test_")

    @functools.wraps(hook)
    def run(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841 (IPython and pytest hide this frame)
        try:
            return hook(*args, **kwargs)
        except PublicTestFailure as failure:
            failure.function = failure.function or name
            raise failure.with_traceback(None) from None
        except Exception as error:  # noqa: BLE001 (sorted below, and raised again)
            student = _from_student_code(error.__traceback__, _code_files([*args, *kwargs.values()]))
            if student is not None:  # raised inside the student's own code: their traceback, from there on
                raise error.with_traceback(student)
            failure = PublicTestFailure(
                f"the public test could not use what {name} returned: {type(error).__name__}: {error}. "
                "Check what your function returns (type, shape, dtype) against the description above.")
            failure.function = name
            raise failure from error

    return run


def public_hooks(namespace: dict) -> None:
    """Wrap every ``test_*`` function defined in a hook module (call at the end of the module with ``globals()``)."""
    module = namespace["__name__"]
    for key, value in list(namespace.items()):
        if key.startswith("test_") and isinstance(value, types.FunctionType) and value.__module__ == module:
            namespace[key] = public_hook(value)


def check_array(value, *, name: str, shape=None, dtype_kind=None) -> np.ndarray:
    """``value`` must be a numpy array of ``shape`` (None entries match any size) and dtype kind."""
    check(value is not None, f"{name} returned None: did you forget a `return`?")
    check(isinstance(value, np.ndarray), f"{name} should return a numpy array, got {type(value).__name__}")
    if shape is not None:
        matches = value.ndim == len(shape) and all(s is None or s == v for s, v in zip(shape, value.shape))
        expected = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        check(matches, f"Wrong shape from {name}: expected {expected}, got {value.shape}")
    if dtype_kind is not None:
        kinds = {"f": "floating point", "i": "integer", "u": "unsigned integer", "b": "boolean"}
        check(value.dtype.kind in dtype_kind,
              f"Wrong dtype from {name}: expected {' or '.join(kinds[k] for k in dtype_kind)}, got {value.dtype}")
    return value


def passed(what: str = "") -> None:
    print(f"{PASSED_MESSAGE}{': ' + what if what else ''}.")
