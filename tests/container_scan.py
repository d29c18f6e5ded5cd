"""What a whole file system gives away: run inside the container (as root), standard library only.

``python3 -c "$(cat tests/container_scan.py)" NEEDLES.json`` (what tests/test_container.py does through
``podman exec``) walks every regular file under / except /proc, /sys and /dev, and prints one JSON object:

- ``markers``: every file holding ``BEGIN SOLUTION`` or ``BEGIN HIDDEN TESTS``, with whether it holds a
  whole block of one (a line starting with ``### BEGIN SOLUTION`` down to its end, as in a source
  notebook), whether it is a notebook, and whether an installed Python package's RECORD lists it, or the
  module it is the bytecode of (the code of nbgrader and course_lib names the markers in order to find them:
  that is no secret);
- ``needles``: every file holding one of the given lines (the reference solutions' and hidden tests'
  own lines, which nothing a student gets contains), with the lines found;
- ``files`` and ``bytes``: how much was read.

The same functions scan a folder on the host (``scan(root)``), which is how the tests show it can fail.
"""

from __future__ import annotations

import json
import os
import re
import sys

MARKERS = (b"BEGIN SOLUTION", b"BEGIN HIDDEN TESTS")
# A block as nbgrader's source notebooks hold it (in a notebook's JSON, lines are "...\n" strings).
BLOCK = re.compile(rb"(^|\\n\"|\n)\s*(\"\s*)?#+ *BEGIN (SOLUTION|HIDDEN TESTS)\b.*?#+ *END \3", re.S)
SKIPPED = ("/proc", "/sys", "/dev")


def package_files(root: str) -> set[str]:
    """Every file an installed Python package's RECORD lists, as absolute paths under ``root``."""
    listed = set()
    for folder, subfolders, names in os.walk(root):
        if folder.endswith(".dist-info") and "RECORD" in names:
            site = os.path.dirname(folder)
            with open(os.path.join(folder, "RECORD"), encoding="utf-8", errors="replace") as record:
                for line in record:
                    path = line.rsplit(",", 2)[0]
                    if path:
                        listed.add(os.path.normpath(os.path.join(site, path)))
            subfolders[:] = []
    return listed


def lines_of(data: bytes) -> set[bytes]:
    """Every line of a file, stripped; and as a notebook's JSON holds it (``"    return x\\n",``), unquoted."""
    found = set()
    for line in data.split(b"\n"):
        line = line.strip()
        found.add(line)
        if line.startswith(b'"') and line.rstrip(b",").endswith(b'"'):
            try:
                found.add(json.loads(line.rstrip(b",")).strip().encode())
            except (ValueError, UnicodeDecodeError):
                pass
    return found


def scan(root: str = "/", needles: list[str] = ()) -> dict:
    """The report described above, for every file under ``root``. A needle counts as a whole line of a file."""
    wanted = {needle.encode(): needle for needle in needles}
    report = {"markers": [], "needles": [], "files": 0, "bytes": 0}
    for folder, subfolders, names in os.walk(root):
        if root == "/":
            subfolders[:] = [name for name in subfolders if os.path.join(folder, name) not in SKIPPED]
        for name in names:
            path = os.path.join(folder, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            report["files"] += 1
            report["bytes"] += len(data)
            if any(marker in data for marker in MARKERS):
                report["markers"].append({"path": path, "block": bool(BLOCK.search(data)),
                                          "notebook": name.endswith(".ipynb")})
            found = [wanted[line] for line in lines_of(data) & wanted.keys()] if wanted else []
            if found:
                report["needles"].append({"path": path, "lines": sorted(found)})
    packaged = set()
    for place in ("/opt", "/usr/lib", "/usr/local/lib"):
        if os.path.isdir(os.path.join(root, place.lstrip("/"))):
            packaged |= package_files(os.path.join(root, place.lstrip("/")))
    for hit in report["markers"]:
        hit["packaged"] = source_of(os.path.normpath(hit["path"])) in packaged
    return report


def source_of(path: str) -> str:
    """The module a ``__pycache__/NAME.TAG.pyc`` file is the bytecode of (``NAME.py``); any other path as it is.

    The image byte-compiles its packages with compileall after installing them (pip's RECORD lists no .pyc then),
    so a package's bytecode counts as packaged when its source does.
    """
    folder, name = os.path.split(path)
    if os.path.basename(folder) == "__pycache__" and name.endswith(".pyc"):
        return os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")
    return path


if __name__ == "__main__":
    lines = json.loads(sys.argv[1]) if len(sys.argv) > 1 else []
    print(json.dumps(scan("/", lines)))
