"""Progress bars: tqdm, silenced everywhere at once with ``COURSE_PROGRESS=0`` (tests, CI logs)."""

from __future__ import annotations

import os

from tqdm.auto import tqdm


def wanted(requested: bool = True) -> bool:
    """Whether to show a bar: asked for, and not switched off by COURSE_PROGRESS=0."""
    return bool(requested) and os.environ.get("COURSE_PROGRESS", "1").strip() != "0"


def bar(*args, show: bool = True, **kwargs):
    """A tqdm bar (the notebook widget in Jupyter, text elsewhere) that honours COURSE_PROGRESS."""
    kwargs.setdefault("leave", False)
    return tqdm(*args, disable=not wanted(show), **kwargs)
