"""Starting JupyterLab the one way the course does: ``course lab``, the Docker image and the browser tests.

A student's JupyterLab serves the work folder only, behind a token, on a port that
was free, with nbgrader's student extensions (the Assignments tab, the Validate
button) and without the instructor's (formgrader, create assignment, course list). An
instructor's serves the course repository, with the formgrader, and reads nbgrader's
configuration from ``admin/`` as the ``course`` command does.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course_lib.errors import CourseError

DEFAULT_PORT = 8888
# nbgrader's JupyterLab plugins and server extensions that are for instructors only.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
STUDENT, INSTRUCTOR = "student", "instructor"


@dataclass
class LabServer:
    """A running JupyterLab: where it listens, its token, its process and log."""

    root: Path
    ip: str
    port: int
    token: str
    process: subprocess.Popen
    log: Path | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1" if self.ip in ("0.0.0.0", "", "*") else self.ip

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def url(self, path: str = "lab") -> str:
        """``path`` under the server, with the token (``url("lab/tree/01_notmnist/notmnist.ipynb")``)."""
        separator = "&" if "?" in path else "?"
        return f"{self.base_url}{path.lstrip('/')}{separator}token={self.token}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.is_file() else ""


def free_port(ip: str = "127.0.0.1", preferred: int | None = DEFAULT_PORT) -> int:
    """``preferred`` if nothing listens there on ``ip``, else a port the system says is free."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "", "*") else ip
    candidates = ([preferred] if preferred else []) + [0]
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise CourseError(f"no free port on {host}")


def write_config_folder(folder: Path, role: str, exchange: Path | None = None) -> Path:
    """Jupyter configuration for ``role``, in ``folder`` (put on JUPYTER_CONFIG_PATH); return the folder.

    student: nbgrader's instructor plugins and server extensions are off.
    instructor: nbgrader's exchange is ``exchange`` (the course's own config does not name one).
    """
    folder = Path(folder)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    if role == STUDENT:
        page = {"disabledExtensions": {plugin: True for plugin in INSTRUCTOR_PLUGINS}}
        server = {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}}
        (folder / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2))
        (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=2))
    elif role == INSTRUCTOR:
        if exchange is not None:
            nbgrader = {"Exchange": {"root": str(exchange)}}
            (folder / "nbgrader_config.json").write_text(json.dumps(nbgrader, indent=2))
    else:
        raise ValueError(f"role must be {STUDENT!r} or {INSTRUCTOR!r}, not {role!r}")
    return folder


def lab_command(root: Path, ip: str, port: int, open_browser: bool = False) -> list[str]:
    """The command that starts JupyterLab on ``root`` (the token goes through the environment, not argv)."""
    command = [sys.executable, "-m", "jupyterlab",
               f"--ServerApp.root_dir={root}", f"--ServerApp.ip={ip}", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.open_browser={open_browser}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI and many containers run as root; Jupyter asks for this
        command.append("--ServerApp.allow_root=True")
    return command


def _wait_until_ready(server: LabServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"{server.base_url}api/status",
                                     headers={"Authorization": f"token {server.token}"})
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise CourseError(f"JupyterLab stopped at start (exit code {server.process.returncode})"
                              + (f":\n{server.log_text()[-3000:]}" if server.log else ""))
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise CourseError(f"JupyterLab did not answer on {server.base_url} within {timeout:.0f} s")


def _stop(process: subprocess.Popen, grace: float = 15) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running(root, *, role: str = STUDENT, ip: str = "127.0.0.1", port: int | None = None,
            token: str | None = None, exchange: Path | None = None, cwd: Path | None = None,
            env: dict | None = None, log: Path | None = None, open_browser: bool = False,
            timeout: float = 90) -> Iterator[LabServer]:
    """JupyterLab on ``root``, ready to answer, for the ``with`` block; stopped after it.

    role: ``"student"`` (nbgrader's instructor extensions off) or ``"instructor"``.
    port: default 8888 if it is free, else any free port. token: default $JUPYTER_TOKEN, else a random one.
    cwd: where nbgrader looks for ``nbgrader_config.py`` (default ``root``).
    env: added to this process's environment. log: where JupyterLab's output goes (default: inherited).
    """
    root = Path(root).resolve()
    port = port or free_port(ip)
    token = token or os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    with tempfile.TemporaryDirectory(prefix=f"course-lab-{role}-config-") as config:
        write_config_folder(Path(config), role, exchange)
        search = [config] + [p for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
        full_env = dict(os.environ, **(env or {}), JUPYTER_TOKEN=token, JUPYTER_CONFIG_PATH=os.pathsep.join(search))
        output = open(log, "ab") if log else None  # noqa: SIM115 (closed below, after the process)
        try:
            process = subprocess.Popen(lab_command(root, ip, port, open_browser), cwd=cwd or root, env=full_env,
                                       stdout=output, stderr=subprocess.STDOUT if output else None,
                                       start_new_session=True)  # Ctrl-C reaches us; we stop it cleanly
            server = LabServer(root, ip, port, token, process, Path(log) if log else None)
            try:
                _wait_until_ready(server, timeout)
                yield server
            finally:
                _stop(process)
        finally:
            if output:
                output.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def serve(root, **options) -> int:
    """Run JupyterLab on ``root`` in the foreground until it stops, Ctrl-C or SIGTERM; return its exit code."""
    signal.signal(signal.SIGTERM, _interrupt)  # `docker stop`: shut JupyterLab and its kernels down cleanly
    with running(root, **options) as server:
        try:  # from the moment the URL is out, a stop request is an ordinary end
            print(f"JupyterLab is running on {server.root}: {server.url()}\n(Ctrl-C stops it)", flush=True)
            return server.process.wait()
        except KeyboardInterrupt:
            print("stopping JupyterLab", flush=True)
            _stop(server.process)
            return 0
