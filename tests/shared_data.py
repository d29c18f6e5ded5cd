"""A COURSE_DATA_DIR made from ../shared/data, for the tests and benchmarks that need real datasets.

``../shared`` is the developers' folder of real data (never part of the
product). ``assignment_data_dir()`` lays it out the way a user would:

- ``cifar10/train/<class>/*.jpg`` and ``cifar10/test/<class>/*.jpg``: the real
  CIFAR-10, unpacked once from ``cifar10-jpeg.tar.gz`` (about 4 s) and kept
  in ``build/test-data`` (``COURSE_TEST_DATA`` to put it elsewhere);
- ``mnist/t10k-*-ubyte.gz``: the real MNIST test files, copied (not linked:
  a sandboxed grading kernel sees the data folder, not what links point to).

Usage from a benchmark or a shell:
    COURSE_DATA_DIR=$(.venv/bin/python -m tests.shared_data) course solutions run 04_cifar10_cnn --full
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
CIFAR_TAR = SHARED_DATA / "cifar10" / "cifar10-jpeg.tar.gz"
MNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def data_root() -> Path:
    return Path(os.environ.get("COURSE_TEST_DATA") or REPO / "build" / "test-data")


def assignment_data_dir() -> Path | None:
    """The folder (see the module docstring), made on first use; None when ../shared/data is absent."""
    if not SHARED_DATA.is_dir():
        return None
    root = data_root()
    root.mkdir(parents=True, exist_ok=True)
    if CIFAR_TAR.is_file():
        _unpack_once(CIFAR_TAR, root / "cifar10")
    mnist = root / "mnist"
    mnist.mkdir(exist_ok=True)
    for name in MNIST_FILES:
        source = SHARED_DATA / "mnist" / name
        if source.is_file() and not (mnist / name).is_file():
            shutil.copy2(source, mnist / name)
    return root


def _unpack_once(archive: Path, destination: Path) -> None:
    """Unpack ``archive`` into ``destination`` unless a stamp says it already was (same size and time)."""
    stamp = destination / ".unpacked-from"
    wanted = f"{archive.name} {archive.stat().st_size} {int(archive.stat().st_mtime)}"
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=destination.parent))
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        (scratch / ".unpacked-from").write_text(wanted)
        if destination.exists():
            shutil.rmtree(destination)
        os.replace(scratch, destination)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    folder = assignment_data_dir()
    if folder is None:
        raise SystemExit(f"{SHARED_DATA} is absent: no real data to lay out")
    print(folder)
