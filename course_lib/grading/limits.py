"""The limits each grading kernel runs under.

A module of its own, with no heavy imports, so that the ``course`` command can
show these defaults in its help without loading the sandbox (jupyter_client).
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1 << 30


@dataclass
class Limits:
    """Per-kernel limits. wall: seconds for the whole notebook; cpu: CPU seconds;
    memory and file_size in bytes; cell: seconds per cell (nbgrader's Execute.timeout)."""

    wall: float = 600
    cpu: int = 600
    memory: int = 8 * GIB  # address space: TensorFlow compiling with XLA (assignment 4) needs more than 4 GB
    file_size: int = 200 << 20
    cell: int = 120
