"""The student image, built with podman in the background while the rest of the suite runs.

tests/conftest.py starts it right after collection when tests/test_container.py is part of the session
(``start``), and stops whatever still runs at the end (``stop``); tests/test_container.py runs last and
waits for each step (``wait``). The steps, one after the other, each at low priority (``nice``) so
that the tests running meanwhile keep the CPU:

1. ``base``: the Dockerfile's FROM made locally when podman lacks it (admin/container/base-image.sh);
2. ``image``: ``podman build`` of the Dockerfile, unchanged, reusing podman's layer cache in its default
   storage (warm: seconds; cold: see benchmarks/README.md), its RUN steps in the host's network: a network
   of their own adds an interface to the host at each step, which the browser tests running meanwhile see;
3. ``prefetch``: the same build with ``PREFETCH_DATA=mnist`` and ``COURSE_DATA_MIRROR`` naming a data
   mirror on 127.0.0.1, run in a network namespace of its own that has nothing but loopback
   (tests/container_prefetch.py): the download can reach the mirror and nothing else.

Each step writes its log to build/container/<step>.log.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PODMAN = ["bash", str(REPO / "admin" / "container" / "podman.sh")]
LOGS = REPO / "build" / "container"
IMAGE = "localhost/course-kit-test:latest"
PREFETCH_IMAGE = "localhost/course-kit-test-prefetch:latest"
STEPS = ("base", "image", "prefetch")
CONTAINER_TESTS = "test_container.py"


def unavailable() -> str | None:
    """Why containers cannot run here (None: they can). Only a missing podman or a non-Linux system counts."""
    if not sys.platform.startswith("linux"):
        return f"the container tests need Linux and podman (this is {sys.platform})"
    if not shutil.which("podman"):
        return ("podman is not installed: `make test` installs podman, runc and mmdebstrap as root on Debian "
                "(admin/apt-packages-dev.txt); elsewhere `apt-get install podman runc mmdebstrap`")
    return None


@dataclass
class Step:
    name: str
    command: list[str]
    log: Path
    returncode: int | None = None
    seconds: float | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.is_file() else "(no log)"


class BackgroundBuild:
    """The three steps in a thread, one process at a time; ``stop`` ends the one running."""

    def __init__(self, mirror_files: dict[str, Path]):
        LOGS.mkdir(parents=True, exist_ok=True)
        nice = ["nice", "-n", "10"]
        self.mirror_log = LOGS / "prefetch-mirror.json"
        mirror = [f"{name}={path}" for name, path in mirror_files.items()]
        self.steps = {
            "base": Step("base", [*nice, "bash", str(REPO / "admin" / "container" / "base-image.sh")],
                         LOGS / "base.log"),
            # --network host: each RUN of a default build gets a veth on podman's bridge, and Chromium, testing
            # meanwhile (tests/test_browser.py), fails its requests in flight with ERR_NETWORK_CHANGED.
            "image": Step("image", [*nice, *PODMAN, "build", "--network", "host", "--tag", IMAGE, str(REPO)],
                          LOGS / "image.log"),
            "prefetch": Step("prefetch", [*nice, "unshare", "--net", "--", sys.executable,
                                          str(REPO / "tests" / "container_prefetch.py"),
                                          "--log", str(self.mirror_log), "--tag", PREFETCH_IMAGE, *mirror],
                             LOGS / "prefetch.log"),
        }
        self.process: subprocess.Popen | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="container-build", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        failed = None
        for step in self.steps.values():
            skipped = mirror_missing() if step.name == "prefetch" else None
            if failed or self.stopped or skipped:
                step.returncode = -1
                why = "stopped" if self.stopped else f"step {failed} failed" if failed else skipped
                step.log.write_text(f"not run: {why}\n")
                step.done.set()
                continue
            started = time.monotonic()
            with open(step.log, "w") as log:
                self.process = subprocess.Popen(step.command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                                start_new_session=True)
                step.returncode = self.process.wait()
            step.seconds = time.monotonic() - started
            if step.returncode != 0:
                failed = step.name
            step.done.set()

    def wait(self, name: str, timeout: float = 3600) -> Step:
        step = self.steps[name]
        if not step.done.wait(timeout):
            raise TimeoutError(f"the container build's step {name} did not finish within {timeout:.0f} s")
        return step

    def stop(self) -> None:
        """End the step still running (its whole process group) and skip the rest."""
        self.stopped = True
        process = self.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.thread.join(timeout=120)


_build: BackgroundBuild | None = None
MIRROR_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def mirror_files() -> dict[str, Path]:
    """What the data mirror serves: the real MNIST test set from ../shared (``<dataset>/<file>`` -> path)."""
    from tests.conftest import SHARED_DATA

    folder = SHARED_DATA / "mnist"
    return {f"mnist/{name}": folder / name for name in MIRROR_FILES if (folder / name).is_file()}


def mirror_missing() -> str | None:
    """Why the mirror cannot serve MNIST's test set (None when it can): the files ../shared lacks."""
    from tests.conftest import SHARED_DATA

    missing = [name for name in MIRROR_FILES if not (SHARED_DATA / "mnist" / name).is_file()]
    return f"the data mirror serves MNIST's test set from {SHARED_DATA / 'mnist'}, which lacks {missing}" if missing \
        else None


def start(items) -> None:
    """Start the build when the session holds a test that needs it (the ``build`` fixture) and podman is here."""
    global _build
    needed = any(item.path.name == CONTAINER_TESTS and "build" in getattr(item, "fixturenames", ()) for item in items)
    if _build is not None or not needed or unavailable():
        return
    _build = BackgroundBuild(mirror_files())
    _build.start()


def current() -> BackgroundBuild | None:
    return _build


def stop() -> None:
    if _build is not None:
        _build.stop()
