"""Start one kernel under limits, and say how it ended.

    python -m course_lib.grading.launcher --status FILE --wall SECONDS --cpu SECONDS
        --memory BYTES --file-size BYTES -- COMMAND...

Runs COMMAND (the sandboxed kernel) with resource limits (CPU time, address
space, size of any file written), kills it when it outlives the wall-clock
limit (counted from SIGUSR1 when the kernel was started ahead, ``--standby``),
and writes a JSON status: ``{"returncode": ..., "wall_clock_exceeded": ...}``.
jupyter_client starts this launcher as "the kernel"; when it kills the
launcher, the kernel dies with it (parent-death signal), sandbox or not.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: the wall-clock kill still applies
        pass


def _limits(cpu: int, memory: int, file_size: int):
    def apply():
        _die_with_parent()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _write_status(path: str, status: dict) -> None:
    temporary = f"{path}.partial"
    with open(temporary, "w") as stream:
        json.dump(status, stream)
    os.replace(temporary, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--status", required=True)
    parser.add_argument("--wall", type=float, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--file-size", type=int, required=True)
    parser.add_argument("--standby", type=float, default=0,
                        help="seconds the kernel may wait, started ahead, before SIGUSR1 starts its wall clock")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    _die_with_parent()
    child = subprocess.Popen(command, preexec_fn=_limits(args.cpu, args.memory, args.file_size))

    def stop(signum, frame):
        child.kill()
        child.wait()
        _write_status(args.status, {"returncode": child.returncode, "wall_clock_exceeded": False,
                                    "stopped_by_grader": True})
        sys.exit(0)

    start = time.monotonic()
    deadline = [start + args.standby + args.wall]

    def go(signum, frame):  # the grader took the kernel into use: its wall clock starts now
        deadline[0] = time.monotonic() + args.wall

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGUSR1, go)
    # Interrupts go to the kernel as messages, not signals: ignore a stray SIGINT here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exceeded = False
    while True:
        try:
            returncode = child.wait(timeout=max(0.05, min(1.0, deadline[0] - time.monotonic())))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline[0]:
                child.kill()
                returncode = child.wait()
                exceeded = True
                break
    _write_status(args.status, {"returncode": returncode, "wall_clock_exceeded": exceeded,
                                "seconds": round(time.monotonic() - start, 1), "stopped_by_grader": False})
    return 0


if __name__ == "__main__":
    sys.exit(main())
