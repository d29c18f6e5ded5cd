"""How our tools talk to the kernels they start."""

from __future__ import annotations

import os
import uuid

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import default


class IpcKernelManager(AsyncKernelManager):
    """A kernel reached through local socket files (IPC) rather than TCP on localhost.

    Other users of the machine cannot connect to it, it works across network
    namespaces (a sandbox with no network), and ipykernel does not warn about
    unencrypted TCP. The socket files live in Jupyter's runtime folder, named
    by an absolute path, so kernel and client agree whatever their working folders.
    """

    @default("transport")
    def _default_transport(self):
        return "ipc"

    @default("ip")
    def _default_ip(self):
        runtime = jupyter_runtime_dir()
        os.makedirs(runtime, exist_ok=True)
        return os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:12]}-ipc")
