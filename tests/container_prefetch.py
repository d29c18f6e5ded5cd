"""The image built with ``PREFETCH_DATA`` from a data mirror on 127.0.0.1, and nothing else reachable.

Run inside a network namespace of its own (``unshare --net``, as tests/container_build.py starts it):
it brings up loopback (the namespace has no other interface and no route out), serves the given files
as a ``COURSE_DATA_MIRROR`` (``<dataset>/<file>``) on 127.0.0.1, and runs ``podman build --network host``
with ``PREFETCH_DATA=mnist`` and that mirror, so the build's download can reach the mirror and no other
host. Only the dataset the mirror serves: ``PREFETCH_DATA=true`` runs the same line with every dataset, and
generating notMNIST and SVHN would add about 20 minutes of both cores to ``make test``. Writes what
happened (the interfaces, every request and its status, the build's exit code) as JSON to ``--log``, and exits
with the build's exit code.

    unshare --net -- python tests/container_prefetch.py --log LOG --tag TAG mnist/FILE=PATH ...
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PODMAN = ["bash", str(REPO / "admin" / "container" / "podman.sh")]
PREFETCH = "mnist"


class Mirror(http.server.BaseHTTPRequestHandler):
    """GET /<dataset>/<file> for the files it was given; 404 for anything else; every request recorded."""

    def __init__(self, *args, files: dict[str, Path], requests: list, **kwargs):
        self.files, self.requests = files, requests
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0].lstrip("/")
        file = self.files.get(path)
        self.requests.append({"path": "/" + path, "status": 200 if file else 404})
        if file is None:
            self.send_error(404)
            return
        data = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("files", nargs="*", metavar="DATASET/FILE=PATH")
    args = parser.parse_args()
    files = dict((name, Path(path)) for name, _, path in (entry.partition("=") for entry in args.files))

    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    interfaces = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    routes = subprocess.run(["ip", "-4", "route", "show"], capture_output=True, text=True, check=True).stdout
    requests: list[dict] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Mirror, files=files, requests=requests))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mirror = f"http://127.0.0.1:{server.server_port}/"
    print(f"data mirror: {mirror} serving {', '.join(files) or 'nothing'}", flush=True)
    print(f"network namespace: interfaces {[line.split(':')[1].strip() for line in interfaces.splitlines()]}, "
          f"routes {routes.splitlines()}", flush=True)
    command = [*PODMAN, "build", "--network", "host", "--build-arg", f"PREFETCH_DATA={PREFETCH}",
               "--build-arg", f"COURSE_DATA_MIRROR={mirror}", "--tag", args.tag, str(REPO)]
    try:
        returncode = subprocess.run(command, stdout=sys.stdout, stderr=subprocess.STDOUT).returncode
    finally:
        server.shutdown()
        server.server_close()
    record = {"mirror": mirror, "interfaces": interfaces.splitlines(), "routes": routes.splitlines(),
              "requests": requests, "returncode": returncode}
    temporary = args.log.with_name(args.log.name + ".tmp")
    temporary.write_text(json.dumps(record, indent=2))
    temporary.replace(args.log)
    return returncode


if __name__ == "__main__":
    sys.exit(main())
