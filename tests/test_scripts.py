"""The loaders and the generator from plain scripts, written as students write them.

No ``if __name__ == "__main__":`` guard, with and without TensorFlow imported
first: work spread over the cores must not run the script again (as
multiprocessing's spawn and forkserver do) nor fork a process running
TensorFlow's threads. Each script is a real file run by a real interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from course_lib.data.decode import PARALLEL_FROM

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _run_script(path, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, cwd=path.parent,
                          env=dict(os.environ, **env), timeout=600)


@pytest.fixture(scope="module")
def cifar_tree(tmp_path_factory):
    """A CIFAR-10 class-folder tree big enough for the loader to decode on every core."""
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    per_class = {"train": PARALLEL_FROM // 10 + 10, "test": 3}
    for split, count in per_class.items():
        for name in CLASSES:
            folder = root / "cifar10" / split / name
            folder.mkdir(parents=True)
            for index in range(count):
                pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{index:04d}.png", compress_level=1)
    return root, {split: count * 10 for split, count in per_class.items()}


@pytest.mark.parametrize("tensorflow_first", [False, True], ids=["plain", "tensorflow-first"])
def test_loading_a_folder_tree_from_a_script_without_main_guard(tmp_path, cifar_tree, tensorflow_first):
    root, counts = cifar_tree
    script = tmp_path / "train.py"
    script.write_text(("import keras\n" if tensorflow_first else "") + (
        "print('script body ran')\n"
        "from course_lib.data import load\n"
        "(x, y), (xt, yt) = load('cifar10')\n"
        "print(x.shape, xt.shape, y.max())\n"))
    result = _run_script(script, {"COURSE_DATA_DIR": str(root), "COURSE_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("script body ran") == 1  # the workers did not run the script again
    assert f"({counts['train']}, 32, 32, 3) ({counts['test']}, 32, 32, 3) 9" in result.stdout


@pytest.mark.parametrize("tensorflow_first", [False, True], ids=["plain", "tensorflow-first"])
def test_generating_notmnist_from_a_script_without_main_guard(tmp_path, tensorflow_first):
    script = tmp_path / "make_letters.py"
    script.write_text(("import keras\n" if tensorflow_first else "") + (
        "print('script body ran')\n"
        "from course_lib.notmnist import generate, read_manifest\n"
        f"manifest = read_manifest(generate({str(tmp_path / 'out')!r}, small=300, large={PARALLEL_FROM}))\n"
        "print('members', sum(a['members'] for a in manifest['archives'].values()))\n"))
    result = _run_script(script, {"COURSE_CACHE_DIR": str(tmp_path / "cache"), "COURSE_PROGRESS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("script body ran") == 1
    assert f"members {PARALLEL_FROM + 300}" in result.stdout
    # stderr is a pipe here, as in a log: the bar writes whole lines, a few of them, never a carriage return.
    bar = [line for line in result.stderr.splitlines() if line.startswith("generating notMNIST")]
    assert "\r" not in result.stderr and 2 <= len(bar) <= 12, result.stderr[-2000:]
    assert f"{PARALLEL_FROM + 300}/{PARALLEL_FROM + 300}" in bar[-1]
