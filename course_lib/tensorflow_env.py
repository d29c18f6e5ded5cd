"""The environment TensorFlow runs in, in every process of the course that may train a network.

The `course` command sets it for the kernels it starts (``course lab``,
``course solutions run``, ``course demo``), the grading sandbox passes it to
the autograder's kernels, the Docker image declares it, and the tests and
benchmarks use it, so that a notebook trains at the same speed everywhere:

- ``TF_CPP_MIN_LOG_LEVEL=2`` hides TensorFlow's start-up notices, oneDNN's
  included, and leaves oneDNN on. (``TF_ENABLE_ONEDNN_OPTS=0`` hides that
  notice by turning oneDNN off: training 1.6-2.1x slower on CPU,
  ``benchmarks/tensorflow_onednn.py``.)
- ``TF_CPU_ALLOCATOR_USE_BFC=true`` keeps tensor memory in TensorFlow's own
  pool (its BFC allocator) instead of asking the C library for every tensor.
  The library hands large blocks back to the system and gets them again as
  fresh pages, one page fault per 4 kB: in assignment 5's training loop, 11x
  more page faults and a third of the CPU time spent in the kernel
  (``benchmarks/tensorflow_allocator.py``).

Both must be in the environment before TensorFlow starts; ``set_defaults``
keeps any value the user set. An empty value is not a choice: TensorFlow reads
``TF_CPP_MIN_LOG_LEVEL=`` as 0 and prints every notice, so it is replaced.
"""

from __future__ import annotations

import os

TENSORFLOW_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_CPU_ALLOCATOR_USE_BFC": "true"}


def set_defaults(environment=None) -> None:
    """Put TENSORFLOW_ENVIRONMENT into ``environment`` (default ``os.environ``) where it has no value yet."""
    environment = os.environ if environment is None else environment
    for name, value in TENSORFLOW_ENVIRONMENT.items():
        if not environment.get(name, "").strip():
            environment[name] = value
