"""The sandbox a submission's kernel runs in while it is graded.

Student code runs with the grader's rights unless something stops it
(nbgrader#978). Each kernel nbgrader starts for autograding is wrapped:

1. ``course_lib.grading.launcher`` applies limits (CPU seconds, memory, size
   of any file written) and kills the kernel after a wall-clock limit;
2. bubblewrap (Debian's ``bubblewrap``), when available, gives it no network,
   its own process, IPC and host-name namespaces, and a file system made of
   read-only system folders, the Python environment and the course library,
   read-only data folders, an empty private /tmp and home, and, writable, only
   its own working copy and its own kernel connection folder. The course
   folder (source notebooks with hidden tests, the gradebook, other students'
   submissions) simply does not exist in there.

Where bubblewrap is missing or cannot run (no user namespaces, not Linux),
grading falls back to the launcher's limits alone and says so loudly. In
production, run the grader itself in a container (Docker) as well.

The settings travel to the kernel manager through ``COURSE_SANDBOX`` (JSON),
set by the grading process: nbgrader creates the kernel manager itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jupyter_client.manager import in_pending_state
from traitlets import default

from course_lib.grading.limits import Limits
from course_lib.kernels import IpcKernelManager
from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT

ENVIRONMENT_VARIABLE = "COURSE_SANDBOX"
LAUNCHER = str(Path(__file__).with_name("launcher.py"))
STANDBY_MARGIN = 60  # seconds beyond another notebook's wall clock a kernel started ahead may wait
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc", "/var/cache/fontconfig")


@dataclass
class SandboxSpec:
    """What a sandboxed kernel may see. tool: "bwrap" or "none"."""

    tool: str
    limits: Limits
    read_only: list[str] = field(default_factory=list)
    kernels_folder: str = ""
    environment: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> SandboxSpec:
        raw = json.loads(text)
        return cls(raw["tool"], Limits(**raw["limits"]), raw["read_only"], raw["kernels_folder"],
                   raw["environment"])


def bubblewrap_works() -> tuple[bool, str]:
    """Whether bubblewrap is installed and can make a sandbox here; and why not."""
    tool = shutil.which("bwrap")
    if tool is None:
        return False, "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    try:
        result = subprocess.run([tool, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                                capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bwrap cannot run: {error}"
    if result.returncode != 0:
        return False, f"bwrap cannot make a sandbox here: {result.stderr.strip()[:200]}"
    return True, ""


def _package_folder(module: str) -> str:
    __import__(module)
    return str(Path(sys.modules[module].__file__).resolve().parent)


def readable_folders(data_folders=()) -> list[str]:
    """What a kernel needs to read: system folders, Python, the course library, data."""
    from course_lib.notebook import custom_css  # noqa: F401 (the style sheet must resolve inside too)

    candidates = list(SYSTEM_FOLDERS)
    candidates += [str(Path(sys.base_prefix).resolve()), str(Path(sys.prefix).resolve()), sys.prefix]
    candidates += [str(Path(sys.executable).resolve().parent)]
    candidates += [_package_folder("course_lib"), _package_folder("problem_unittests")]
    css = Path(_package_folder("course_lib")) / "assets" / "custom.css"
    candidates.append(str(css.resolve()))
    candidates += [str(Path(folder).resolve()) for folder in data_folders if folder]
    seen, result = set(), []
    for path in candidates:
        if path not in seen and os.path.exists(path):
            seen.add(path)
            result.append(path)
    return result


def data_folders() -> list[str]:
    """Data a notebook may read while graded: COURSE_DATA_DIR and the dataset cache."""
    from course_lib.data import places

    folders = [str(places.cache_dir())]
    if places.data_dir():
        folders.append(str(places.data_dir()))
    return folders


def make_spec(kernels_folder: Path, limits: Limits, *, tool: str) -> SandboxSpec:
    from course_lib.data import places

    environment = {"COURSE_CACHE_DIR": str(places.cache_dir().resolve()), "COURSE_OFFLINE": "1",
                   "COURSE_PROGRESS": "0", "HOME": "/tmp/home", "MPLCONFIGDIR": "/tmp/home/.matplotlib",
                   **TENSORFLOW_ENVIRONMENT}
    if places.data_dir():
        environment["COURSE_DATA_DIR"] = str(places.data_dir().resolve())
    return SandboxSpec(tool, limits, readable_folders(data_folders()), str(kernels_folder), environment)


def wrap(command: list[str], spec: SandboxSpec, *, cwd: str, private: Path, work: Path | None = None) -> list[str]:
    """The command that runs ``command`` (a kernel) in the sandbox, under the launcher's limits.

    work: a copy of the working folder without its notebooks, shown at ``cwd``
    inside: nbgrader writes the notebook being graded, hidden tests included,
    into that folder before running it, and the student's code must not read it.
    """
    limits = spec.limits
    # Run as a plain script with -S -E: it needs the standard library only, and starts in a few milliseconds.
    launcher = [sys.executable, "-S", "-E", LAUNCHER, "--status", str(private / "status.json"),
                "--wall", str(limits.wall), "--cpu", str(limits.cpu), "--memory", str(limits.memory),
                "--file-size", str(limits.file_size), "--standby", str(limits.wall + STANDBY_MARGIN), "--"]
    if spec.tool != "bwrap":
        return launcher + command
    sandbox = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/tmp/home"]
    for path in spec.read_only:
        sandbox += ["--ro-bind", path, path]
    sandbox += ["--bind", str(work or cwd), cwd, "--bind", str(private), str(private)]
    for name, value in spec.environment.items():
        sandbox += ["--setenv", name, value]
    # The kernel's parent is the sandbox's init (pid 1) in there: without this, ipykernel
    # would take that for "my parent has exited" and quit. The sandbox dies with its parent anyway.
    sandbox += ["--unsetenv", "JPY_PARENT_PID", "--chdir", cwd, "--"]
    return launcher + sandbox + command


_STARTED_AHEAD: dict[str, SandboxedKernelManager] = {}


def start_ahead(cwd: Path, kernel_name: str = "python3", extra_arguments=("--HistoryManager.hist_file=:memory:",)):
    """Start the kernel a grading process will need, before nbgrader asks for it.

    Kernel start-up (half a second or more) then overlaps other work. The next
    SandboxedKernelManager created in this process for ``kernel_name`` takes it
    over instead of starting its own; its wall clock starts at that moment.
    """
    Path(cwd).mkdir(parents=True, exist_ok=True)
    from jupyter_core.utils import run_sync

    manager = SandboxedKernelManager(kernel_name=kernel_name)
    run_sync(manager._async_launch_ahead)(cwd=str(cwd), extra_arguments=list(extra_arguments))
    _STARTED_AHEAD[kernel_name] = manager
    return manager


class SandboxedKernelManager(IpcKernelManager):
    """The kernel manager nbgrader uses while we autograde: every kernel in its own sandbox.

    Each kernel gets a private folder (connection file and IPC sockets) under
    the spec's kernels folder, so no kernel can find another's keys or sockets.
    Interrupts (per-cell timeouts) are sent as messages, which cross the sandbox.
    A kernel started ahead (``start_ahead``) is taken over rather than started.
    """

    @in_pending_state
    async def _async_start_kernel(self, **kw):
        ahead = _STARTED_AHEAD.pop(self.kernel_name, None)
        if ahead is None or not await ahead.is_alive():
            if ahead is not None:
                await ahead.shutdown_kernel(now=True)
            await self._async_launch_ahead(**kw)
        else:
            self._take_over(ahead, kw)
        self._start_wall_clock()

    start_kernel = _async_start_kernel  # AsyncKernelManager binds the base class's function to this name

    async def _async_launch_ahead(self, **kw):
        """Launch the kernel process (what jupyter_client's start_kernel does, without the wall clock)."""
        self._attempted_start = True
        kernel_cmd, kw = await self._async_pre_start_kernel(**kw)
        await self._async_launch_kernel(kernel_cmd, **kw)
        await self._async_post_start_kernel(**kw)

    def _take_over(self, ahead: SandboxedKernelManager, kw) -> None:
        self._attempted_start = True
        ahead._close_control_socket()
        self._private_folder = ahead._private
        self.connection_file = ahead.connection_file
        self.load_connection_info(ahead.get_connection_info())  # ports, key and signature scheme
        self.provisioner = ahead.provisioner
        self.provisioner.parent = self
        self._kernel_spec = ahead.kernel_spec
        self._launch_args = dict(kw)
        self._connect_control_socket()

    def _start_wall_clock(self) -> None:
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            try:
                os.kill(process.pid, signal.SIGUSR1)
            except OSError:
                pass

    @default("connection_file")
    def _default_connection_file(self):
        return str(self._private / "kernel.json")

    @default("ip")
    def _default_ip(self):
        return str(self._private / "ipc")

    @property
    def _private(self) -> Path:
        if not hasattr(self, "_private_folder"):
            spec = self._spec()
            base = Path(spec.kernels_folder) if spec.kernels_folder else Path(tempfile.gettempdir())
            self._private_folder = base / f"kernel-{uuid.uuid4().hex[:12]}"
            self._private_folder.mkdir(parents=True, exist_ok=True)
        return self._private_folder

    @staticmethod
    def _spec() -> SandboxSpec:
        text = os.environ.get(ENVIRONMENT_VARIABLE)
        if not text:
            return SandboxSpec("none", Limits())
        return SandboxSpec.from_json(text)

    async def _async_pre_start_kernel(self, **kw):
        command, kw = await super()._async_pre_start_kernel(**kw)
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        cwd = str(Path(kw.get("cwd") or os.getcwd()).resolve())
        spec = self._spec()
        # The kernel works in a copy of its folder without notebooks (nbgrader writes the notebook under
        # grading, hidden tests included, there, and may remove and remake the folder while a kernel
        # started ahead waits). The sandbox shows the copy at the original path; without one, it is the cwd.
        work = self._private / "work"
        shutil.copytree(cwd, work, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        if spec.tool != "bwrap":
            kw["cwd"] = str(work)
        return wrap(command, spec, cwd=cwd, private=self._private, work=work), kw
