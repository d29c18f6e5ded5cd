"""The student image: build times (cold and warm), its size and largest layers, and how soon a container answers.

    flock /tmp/course-kit-cpu.lock python benchmarks/container.py            warm builds, size, start
    flock /tmp/course-kit-cpu.lock python benchmarks/container.py --cold     also a cold build, in an empty store

With podman, through admin/container/podman.sh (this machine's settings). Measured:

- cold: an empty podman store (``--root``/``--runroot`` in a temporary folder) and an empty pip cache mount
  (``TMPDIR``, where the builder keeps it): the base made from Debian's archive (admin/container/base-image.sh),
  then ``podman build`` of the Dockerfile, every layer new, every wheel downloaded;
- warm: ``podman build`` again in the default store, nothing changed; then from a copy of the build context
  in which one course_lib file changed (what a new commit usually is): the dependencies' layer stays cached;
- size: the image's size and its largest layers (``podman history``);
- start: from ``podman run`` to JupyterLab answering ``/api/status`` with the printed token, and to Chromium
  showing its file browser with the assignments on the printed URL, ``--runs`` times.

Writes results/container.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import machine, write_results  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PODMAN = ["bash", str(REPO / "admin" / "container" / "podman.sh")]
TAG = "localhost/course-kit-benchmark:latest"


def timed(command: list[str], env: dict | None = None, log: Path | None = None) -> float:
    started = time.monotonic()
    with open(log or "/dev/null", "w") as output:
        subprocess.run(command, check=True, stdout=output, stderr=subprocess.STDOUT,
                       env=dict(os.environ, **(env or {})))
    return round(time.monotonic() - started, 1)


def podman(*args: str, env: dict | None = None) -> str:
    return subprocess.run([*PODMAN, *args], check=True, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {}))).stdout


def cold_build(scratch: Path) -> dict:
    # An empty store, and an empty builder cache too: the pip cache mount lives under TMPDIR, not in the store.
    (scratch / "tmp").mkdir()
    store = {"PODMAN_OPTS": f"--root {scratch}/root --runroot {scratch}/run", "TMPDIR": f"{scratch}/tmp"}
    try:
        base = timed(["bash", str(REPO / "admin" / "container" / "base-image.sh")], store, scratch / "base.log")
        build = timed([*PODMAN, "build", "--tag", TAG, str(REPO)], store, scratch / "build.log")
        size = int(podman("image", "inspect", "--format", "{{.Size}}", TAG, env=store))
    finally:
        subprocess.run([*PODMAN, "system", "reset", "--force"], env=dict(os.environ, **store),
                       capture_output=True)
    return {"base_seconds": base, "build_seconds": build, "total_seconds": round(base + build, 1),
            "image_megabytes": round(size / 1e6)}


def context_copy(scratch: Path) -> Path:
    """The build context with one course_lib file changed (a comment added), as a new commit changes it."""
    copy = scratch / "context"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".venv", "build", ".git", "__pycache__", "*.pyc"))
    target = copy / "course_lib" / "errors.py"
    target.write_text(target.read_text() + f"\n# benchmark {secrets.token_hex(4)}\n")
    return copy


def layers(image: str, count: int = 6) -> list[dict]:
    rows = []
    for line in podman("history", "--no-trunc", "--format", "{{json .}}", image).splitlines():
        entry = json.loads(line)
        size = int(entry.get("size", 0) or 0)
        command = " ".join(str(entry.get("CreatedBy", "")).split())[:160]
        rows.append({"megabytes": round(size / 1e6), "created_by": command})
    return sorted(rows, key=lambda row: -row["megabytes"])[:count]


def start_times(image: str, runs: int) -> list[dict]:
    """From ``podman run`` to JupyterLab answering /api/status with the printed token, and to a usable JupyterLab:
    Chromium, on the printed URL, shows the file browser listing assignment 1 (seconds, each run a new container
    on a new volume)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for _ in range(runs):
                seconds.append(start_once(image, browser))
        finally:
            browser.close()
    return seconds


def start_once(image: str, browser) -> dict:
    name = f"course-kit-benchmark-{secrets.token_hex(4)}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    podman("run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:8888", image)
    try:
        while True:
            said = podman("logs", name)
            match = re.search(r"(http://127\.0\.0\.1):8888(/lab\?token=([0-9a-f]+))", said)
            if match:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                                 headers={"Authorization": f"token {match[3]}"})
                try:
                    with urllib.request.urlopen(request, timeout=5):
                        answered = round(time.monotonic() - started, 1)
                        break
                except OSError:
                    pass
            if time.monotonic() - started > 300:
                raise RuntimeError(f"no answer within 300 s:\n{said}")
            time.sleep(0.2)
        page = browser.new_page()
        try:
            page.goto(f"{match[1]}:{port}{match[2]}")
            page.locator(".jp-DirListing-item", has_text="01_notmnist").wait_for(timeout=300_000)
            usable = round(time.monotonic() - started, 1)
        finally:
            page.close()
    finally:
        subprocess.run([*PODMAN, "rm", "--force", "--time", "10", name], capture_output=True)
    return {"api_status": answered, "file_browser_in_chromium": usable}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also build from nothing, in an empty podman store")
    parser.add_argument("--runs", type=int, default=3, help="container starts to time (default 3)")
    args = parser.parse_args()
    results = {"command": " ".join(["python", "benchmarks/container.py", *sys.argv[1:]]), "machine": machine(),
               "podman": podman("--version").strip()}
    with tempfile.TemporaryDirectory(prefix="course-kit-container-") as folder:
        scratch = Path(folder)
        if args.cold:
            results["cold"] = cold_build(scratch)
            print("cold:", results["cold"], flush=True)
        timed(["bash", str(REPO / "admin" / "container" / "base-image.sh")])
        first = timed([*PODMAN, "build", "--tag", TAG, str(REPO)], log=scratch / "first.log")
        warm = timed([*PODMAN, "build", "--tag", TAG, str(REPO)], log=scratch / "warm.log")
        changed = timed([*PODMAN, "build", "--tag", TAG + "-changed", str(context_copy(scratch))],
                        log=scratch / "changed.log")
        results["warm"] = {"first_build_in_default_store_seconds": first, "unchanged_seconds": warm,
                           "course_lib_changed_seconds": changed}
        print("warm:", results["warm"], flush=True)
        subprocess.run([*PODMAN, "rmi", TAG + "-changed"], capture_output=True)
    results["image_megabytes"] = round(int(podman("image", "inspect", "--format", "{{.Size}}", TAG)) / 1e6)
    results["largest_layers"] = layers(TAG)
    results["run_to_ready_seconds"] = start_times(TAG, args.runs)
    print("size:", results["image_megabytes"], "MB; start:", results["run_to_ready_seconds"], flush=True)
    for layer in results["largest_layers"]:
        print(f"  {layer['megabytes']:>6} MB  {layer['created_by']}")
    print(write_results("container", results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
