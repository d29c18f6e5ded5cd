"""The small vocabulary every hook is written in."""

from __future__ import annotations

import numpy as np

PASSED_MESSAGE = "Public tests passed"


def check(condition: bool, hint: str) -> None:
    """Fail with ``hint`` (what is wrong, and where to look) unless ``condition`` holds."""
    if not condition:
        raise AssertionError(hint)


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
