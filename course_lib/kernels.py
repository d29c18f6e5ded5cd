"""How our tools talk to the kernels they start."""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager
from traitlets import default


class IpcKernelManager(AsyncKernelManager):
    """A kernel reached through local socket files (IPC) rather than TCP on localhost.

    Other users of the machine cannot connect to it, it works across network
    namespaces (a sandbox with no network), and ipykernel does not warn about
    unencrypted TCP. The socket files are named by a short absolute path (a
    Unix socket path may not exceed 107 bytes), so kernel and client agree
    whatever their working folders; messages still need the key in the
    connection file, which stays in Jupyter's private runtime folder.
    """

    @default("transport")
    def _default_transport(self):
        return "ipc"

    @default("ip")
    def _default_ip(self):
        return os.path.join(tempfile.gettempdir(), f"jk-{uuid.uuid4().hex[:12]}-ipc")
