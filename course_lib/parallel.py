"""Work spread over every core, safe to call from any script, notebook or kernel.

``ordered_map(function, tasks)`` runs ``function`` on each task in worker
processes and yields the results in order. The workers are joblib's (loky):
fresh interpreters that never re-import the caller's script, so a plain
``python script.py`` without an ``if __name__ == "__main__":`` guard works,
with or without TensorFlow imported first (forking a process that runs
TensorFlow's threads can deadlock; re-importing the script, as
multiprocessing's spawn and forkserver do, starts the work again from its
first line). The workers stay up for a few minutes and are reused by the
next call, so a second call starts at once.

Threads are no substitute here: decoding a 32x32 JPEG or rendering a 28x28
letter is mostly Python work holding the GIL (measured: two threads decode
CIFAR-10 slower than one).
"""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(function, tasks, *, workers: int | None = None, parallel: bool = True):
    """Yield ``function(task)`` for every task, in order.

    function: a module-level function (it is sent to the workers by reference).
    workers: processes to use (default: every core); parallel=False or a
    single worker runs everything here, in this process.
    """
    workers = cores() if workers is None else max(1, int(workers))
    if not parallel or workers == 1:
        yield from map(function, tasks)
        return
    from joblib import Parallel, delayed

    runner = Parallel(n_jobs=workers, backend="loky", return_as="generator", batch_size=1, pre_dispatch="2*n_jobs")
    yield from runner(delayed(function)(task) for task in tasks)
