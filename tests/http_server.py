"""A small real HTTP server for download tests, and an address that refuses every connection.

``serve_folder(root)`` serves the files under ``root`` from 127.0.0.1 on a free
port, in a daemon thread. Per URL path, a test picks what the server does:

- ``"serve"`` (the default): the file's bytes, or the ``body`` given;
- ``"interrupt"``: a correct ``Content-Length`` for the whole body, only the
  first ``cut_at`` bytes of it (default: half), then the connection is closed;
- ``"corrupt"``: as many bytes as the real file, a run of them inverted;
- ``"404"``: not found (also what any path without a file gets).

It counts the GET requests per path (``server.requests``) and can call a hook
when a path is requested, before any byte of the body is sent.

    with serve_folder(shared / "data") as server:
        server.set_mode("/mnist/t10k-images-idx3-ubyte.gz", "interrupt")
        ... server.url ...                      # "http://127.0.0.1:PORT"
        assert server.requests["/mnist/t10k-images-idx3-ubyte.gz"] == 1
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

MODES = ("serve", "interrupt", "corrupt", "404")


@dataclass
class Response:
    mode: str = "serve"
    body: bytes | None = None  # bytes to serve instead of the file's
    cut_at: int | None = None  # for "interrupt": bytes sent before closing


def corrupted(data: bytes) -> bytes:
    """Same length, different bytes: 4 KiB in the middle inverted (or all of a smaller body)."""
    if not data:
        return b"\xff"
    start = max(0, len(data) // 2 - 2048)
    stop = min(len(data), start + 4096)
    return data[:start] + bytes(b ^ 0xFF for b in data[start:stop]) + data[stop:]


class FileServer:
    """The running server: its base URL, what each path answers, and the requests it got."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.responses: dict[str, Response] = {}
        self.hooks: dict[str, Callable[[], None]] = {}
        self.requests: Counter[str] = Counter()
        self.hook_errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="test-http-server", daemon=True)

    def set_mode(self, path: str, mode: str, *, body: bytes | None = None, cut_at: int | None = None) -> None:
        """What ``path`` (e.g. "/mnist/t10k-images-idx3-ubyte.gz") answers from now on."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        self.responses[path] = Response(mode, body, cut_at)

    def on_request(self, path: str, hook: Callable[[], None]) -> None:
        """Call ``hook()`` when ``path`` is requested, before the body is sent (errors are kept)."""
        self.hooks[path] = hook

    def url_of(self, path: str) -> str:
        return self.url + path

    def _count(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def _file_bytes(self, path: str) -> bytes | None:
        candidate = (self.root / path.lstrip("/")).resolve()
        if self.root not in candidate.parents or not candidate.is_file():
            return None
        return candidate.read_bytes()

    def start(self) -> FileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _handler_for(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so an early close is a real interruption

        def do_GET(self) -> None:  # noqa: N802 (the http.server spelling)
            path = unquote(urlsplit(self.path).path)
            server._count(path)
            hook = server.hooks.get(path)
            if hook is not None:
                try:
                    hook()
                except BaseException as error:  # reported by the test, not lost in this thread
                    server.hook_errors.append(error)
            response = server.responses.get(path, Response())
            data = response.body if response.body is not None else server._file_bytes(path)
            if response.mode == "404" or data is None:
                self._send_head(404, len(b"not found\n"), "text/plain")
                self.wfile.write(b"not found\n")
                return
            if response.mode == "corrupt":
                data = corrupted(data)
            self._send_head(200, len(data), "application/octet-stream")
            if response.mode == "interrupt":
                cut = len(data) // 2 if response.cut_at is None else response.cut_at
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.close_connection = True  # the client was promised len(data) bytes
                return
            self.wfile.write(data)

        def _send_head(self, status: int, length: int, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(length))
            self.end_headers()

        def log_message(self, format, *args) -> None:  # noqa: A002 (the http.server signature)
            pass  # requests are counted; nothing to print

    return Handler


@contextlib.contextmanager
def serve_folder(root: Path) -> Iterator[FileServer]:
    """A running FileServer for ``root``, stopped on exit."""
    with FileServer(root) as server:
        yield server


@contextlib.contextmanager
def refusing_address() -> Iterator[str]:
    """``"http://127.0.0.1:PORT"`` where every connection is refused at once.

    The port is bound but never listened on, so nothing else can take it while
    the context lasts. Used as HTTP(S)_PROXY, it makes every host outside
    NO_PROXY unreachable, quickly and whether or not this machine is online.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()
