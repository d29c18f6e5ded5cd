"""Downloads against a real HTTP server: the mirror, interrupted and corrupted transfers, the cache, the CLI.

The server (tests/http_server.py) serves the real MNIST test files from
../shared/data as the instructor's mirror ($COURSE_DATA_MIRROR). The official
hosts are made unreachable whether or not this machine is online: every
request outside 127.0.0.1 goes to a proxy address that refuses connections.
Nothing of course_lib is mocked.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from http_server import FileServer, corrupted, refusing_address, serve_folder

from course_lib import data
from course_lib.data import registry
from course_lib.data import verify as verify_module
from course_lib.data.download import download
from course_lib.data.verify import md5_of, verify
from course_lib.errors import DataIntegrityError, DownloadError

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

MNIST = registry.get("mnist")
IMAGES = MNIST.file("t10k-images-idx3-ubyte.gz")
LABELS = MNIST.file("t10k-labels-idx1-ubyte.gz")
TEST_FILES = (IMAGES.name, LABELS.name)
IMAGES_PATH = f"/mnist/{IMAGES.name}"
LABELS_PATH = f"/mnist/{LABELS.name}"
TRAIN_IMAGES_PATH = "/mnist/train-images-idx3-ubyte.gz"

# The published MNIST test set: first labels and digits per class.
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@dataclass
class Places:
    data_dir: Path
    cache_dir: Path

    @property
    def mnist_cache(self) -> Path:
        return self.cache_dir / "mnist"


@pytest.fixture
def shared_mnist() -> Path:
    """../shared/data/mnist with the two real t10k files; skips when absent."""
    folder = SHARED_DATA / "mnist"
    missing = [name for name in TEST_FILES if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"{folder} lacks {', '.join(missing)}: these tests serve the real MNIST test files "
                    "from ../shared/data as the download mirror")
    return folder


@pytest.fixture
def places(tmp_path, monkeypatch) -> Places:
    """Empty data dir and cache in tmp_path; downloads allowed; official hosts unreachable."""
    data_dir, cache_dir = tmp_path / "data", tmp_path / "cache"
    data_dir.mkdir()
    cache_dir.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    verify_module._VERIFIED.clear()
    with refusing_address() as proxy:
        for variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(variable, proxy)
        for variable in ("ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(variable, raising=False)
        for variable in ("NO_PROXY", "no_proxy"):
            monkeypatch.setenv(variable, "127.0.0.1,localhost")
        yield Places(data_dir, cache_dir)


@pytest.fixture
def mirror(shared_mnist, places, monkeypatch) -> FileServer:
    """The HTTP server serving ../shared/data, set as $COURSE_DATA_MIRROR (no trailing slash)."""
    with serve_folder(SHARED_DATA) as server:
        monkeypatch.setenv("COURSE_DATA_MIRROR", server.url)
        yield server
        assert not server.hook_errors, server.hook_errors


def real_bytes(name: str) -> bytes:
    return (SHARED_DATA / "mnist" / name).read_bytes()


def listing(folder: Path) -> list[str]:
    """Every entry of ``folder`` (hidden ``.part`` files included), sorted."""
    return sorted(entry.name for entry in folder.iterdir())


def failure_line(message: str, url: str) -> str:
    """The line of a DownloadError message that reports ``url``."""
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith(f"{url}: ")]
    assert len(lines) == 1, f"expected one line for {url} in:\n{message}"
    return lines[0]


def run_course(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_lib", *args], capture_output=True, text=True,
                          env=dict(os.environ), cwd=REPO, timeout=120)


# 1. The mirror serves the test split; the training split falls back to the embedded sample.

def test_fetch_downloads_real_test_split_from_mirror_and_load_reads_it_from_cache(mirror, places, shared_mnist):
    cache = places.mnist_cache

    sources = data.fetch("mnist")

    test = sources["test"]
    assert (test.origin, test.location, test.verified) == ("download", str(cache), "content md5")
    assert test.paths == {name: cache / name for name in TEST_FILES}
    for name in TEST_FILES:
        assert (cache / name).read_bytes() == real_bytes(name)
    assert listing(cache) == sorted(TEST_FILES)  # official names only, no temporary left
    train = sources["train"]
    assert train.origin == "embedded" and not train.found
    assert "train-images-idx3-ubyte.gz" in train.note
    # <mirror>/<dataset>/<file>: each test file fetched once; the training file asked for (404).
    assert mirror.requests[IMAGES_PATH] == 1
    assert mirror.requests[LABELS_PATH] == 1
    assert mirror.requests[TRAIN_IMAGES_PATH] == 1

    ((x_train, y_train), (x_test, y_test)), info = data.load("mnist", with_info=True)

    assert info.splits["test"].origin == "cache"
    assert info.splits["test"].verified == "content md5"
    assert info.splits["test"].count == 10_000
    assert x_test.shape == (10_000, 28, 28) and x_test.dtype == np.uint8
    header = bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (10_000, 28, 28))
    assert hashlib.md5(header + x_test.tobytes()).hexdigest() == IMAGES.content_md5  # the published pixels
    assert y_test[:10].tolist() == FIRST_TEST_LABELS
    assert np.bincount(y_test).tolist() == TEST_LABEL_COUNTS
    assert info.splits["train"].origin == "embedded"
    assert info.splits["train"].count == 5_000
    assert x_train.shape == (5_000, 28, 28) and y_train.shape == (5_000,)
    assert info.real  # a sample of the real training set counts as real
    assert mirror.requests[IMAGES_PATH] == 1  # load read the cache, it did not download again


# 2. An interrupted transfer.

def test_interrupted_transfer_leaves_nothing_and_the_error_says_what_happened(mirror, places):
    cache = places.mnist_cache
    size = len(real_bytes(IMAGES.name))
    cut = 100_000
    mirror.set_mode(IMAGES_PATH, "interrupt", cut_at=cut)

    sources = data.fetch("mnist")

    assert sources["test"].origin == "embedded"  # not the real test files
    assert mirror.requests[IMAGES_PATH] == 1
    assert listing(cache) == []  # nothing under the official name, no .part file

    with pytest.raises(DownloadError) as caught:
        download("mnist", IMAGES, cache)

    message = str(caught.value)
    assert message.startswith(f"could not download {IMAGES.name} for mnist:")
    url = mirror.url_of(IMAGES_PATH)
    assert re.fullmatch(rf"{re.escape(url)}: \w+: IncompleteRead\({cut} bytes read, {size - cut} more expected\)",
                        failure_line(message, url))
    for official_url in IMAGES.urls:  # then every official host was tried, and refused
        assert "Connection refused" in failure_line(message, official_url)
    assert str(cache) in message  # where to put the file by hand
    assert listing(cache) == []


# 3. Corrupted content is refused.

@functools.cache
def _altered_pixels() -> bytes:
    """A valid gzip of the test images with one pixel changed: right format, wrong data."""
    content = bytearray(gzip.decompress(real_bytes(IMAGES.name)))
    content[16 + 28 * 14 + 14] ^= 0xFF
    return gzip.compress(bytes(content), compresslevel=1, mtime=0)


BAD_RESPONSES = {
    # name: (mode, body, reason in the message)
    "same size, bytes changed": ("corrupt", None, "it is not a complete gzip file"),
    "truncated gzip": ("serve", lambda: real_bytes(IMAGES.name)[:500_000],
                       "it is not a complete gzip file (Compressed file ended before the end-of-stream marker"),
    "valid gzip, altered pixels": ("serve", _altered_pixels, "its uncompressed content (7,840,016 bytes, md5 "),
}


def _serve_bad(mirror: FileServer, case: str) -> None:
    mode, body, _ = BAD_RESPONSES[case]
    mirror.set_mode(IMAGES_PATH, mode, body=body() if body else None)


@pytest.mark.parametrize("case", list(BAD_RESPONSES))
def test_corrupted_download_is_refused_and_nothing_is_kept(mirror, places, case):
    cache = places.mnist_cache
    _serve_bad(mirror, case)
    if case == "same size, bytes changed":
        assert len(corrupted(real_bytes(IMAGES.name))) == IMAGES.size  # right size, wrong bytes

    with pytest.raises(DownloadError) as caught:
        download("mnist", IMAGES, cache)

    message = str(caught.value)
    url = mirror.url_of(IMAGES_PATH)
    line = failure_line(message, url)
    assert f"refusing to read the download from {url}: " in line
    assert BAD_RESPONSES[case][2] in line
    assert IMAGES.name in message
    assert mirror.requests[IMAGES_PATH] == 1
    assert listing(cache) == []  # nothing under the official name, no .part file


@pytest.mark.parametrize("case", ["same size, bytes changed", "truncated gzip", "valid gzip, altered pixels"])
def test_refused_download_message_names_the_expected_checksum(mirror, places, case):
    _serve_bad(mirror, case)

    with pytest.raises(DownloadError) as caught:
        download("mnist", IMAGES, places.mnist_cache)

    line = failure_line(str(caught.value), mirror.url_of(IMAGES_PATH))
    assert IMAGES.md5 in line or IMAGES.content_md5 in line, line


def test_verify_names_the_file_and_expected_checksum_of_a_corrupted_gzip(shared_mnist, tmp_path):
    """What download() shortens: verify's own message has the expected size and md5."""
    damaged = tmp_path / IMAGES.name
    damaged.write_bytes(corrupted(real_bytes(IMAGES.name)))

    with pytest.raises(DataIntegrityError) as caught:
        verify(damaged, IMAGES, dataset="mnist")

    message = str(caught.value)
    assert message.startswith(f"refusing to read {damaged}: it is not a complete gzip file")
    assert f"Expected the official {IMAGES.name} (1,648,877 bytes, md5 {IMAGES.md5})" in message
    assert "`course data fetch mnist`" in message


# 4. A corrupted file already in the cache.

def test_corrupted_cache_file_is_refused_by_load_and_replaced_atomically_by_fetch(mirror, places):
    cache = places.mnist_cache
    cache.mkdir()
    target = cache / IMAGES.name
    damaged = corrupted(real_bytes(IMAGES.name))  # same size as the official file: only the md5 tells
    target.write_bytes(damaged)
    (cache / LABELS.name).write_bytes(real_bytes(LABELS.name))
    inode_before = target.stat().st_ino

    with pytest.raises(DataIntegrityError) as caught:
        data.load("mnist")

    message = str(caught.value)
    assert f"refusing to read {target}: " in message
    assert f"md5 {IMAGES.md5}" in message
    assert mirror.requests[IMAGES_PATH] == 0  # no silent download, no silent stand-in
    assert target.read_bytes() == damaged

    seen_during_transfer = {}

    def look_at_cache():
        seen_during_transfer["official bytes"] = target.read_bytes()
        seen_during_transfer["entries"] = listing(cache)

    mirror.on_request(IMAGES_PATH, look_at_cache)
    sources = data.fetch("mnist")

    assert sources["test"].origin == "download"
    assert sources["test"].verified == "content md5"
    # While the new file was arriving, the old one was untouched under its name, beside a temporary.
    assert seen_during_transfer["official bytes"] == damaged
    entries = seen_during_transfer["entries"]
    assert len(entries) == 3 and sorted(TEST_FILES) == [e for e in entries if not e.endswith(".part")]
    assert [e for e in entries if e.endswith(".part")][0].startswith(f".{IMAGES.name}.")
    # Then it was replaced by a rename: a new file, the verified download.
    assert target.stat().st_ino != inode_before
    assert target.read_bytes() == real_bytes(IMAGES.name)
    verify_module._VERIFIED.clear()
    assert verify(target, IMAGES, dataset="mnist") == "content md5"
    assert listing(cache) == sorted(TEST_FILES)
    assert mirror.requests[IMAGES_PATH] == 1
    assert mirror.requests[LABELS_PATH] == 0  # the verified labels file was left alone

    (_, (x_test, y_test)), info = data.load("mnist", with_info=True, download=False)
    assert info.splits["test"].origin == "cache"
    assert x_test.shape == (10_000, 28, 28) and y_test[:10].tolist() == FIRST_TEST_LABELS


def test_lone_corrupted_cache_file_is_refused_even_without_downloading(shared_mnist, places):
    target = places.mnist_cache / IMAGES.name
    target.parent.mkdir()
    target.write_bytes(real_bytes(IMAGES.name)[:1000])  # an interrupted copy; the labels file not copied yet

    with pytest.raises(DataIntegrityError, match=re.escape(str(target))):
        data.load("mnist", download=False)


# 5. The `course` command, end to end.

def test_cli_fetch_mnist_downloads_into_the_cache(mirror, places):
    cache = places.mnist_cache

    result = run_course("data", "fetch", "mnist")

    assert result.returncode == 0, result.stderr
    assert f"mnist test: download: {cache}\n" in result.stdout
    assert "mnist train: embedded: " in result.stdout
    assert "Traceback" not in result.stderr
    assert listing(cache) == sorted(TEST_FILES)
    for name in TEST_FILES:
        assert verify(cache / name, MNIST.file(name), dataset="mnist") == "content md5"
    assert mirror.requests[IMAGES_PATH] == 1 and mirror.requests[LABELS_PATH] == 1


def test_cli_fetch_mnist_with_interrupted_images_stands_in_and_exits_0(mirror, places):
    """fetch() stands in with the embedded sample when a download fails: not a failure of the command,
    but the output must say the test split is the stand-in and which file was not fetched."""
    mirror.set_mode(IMAGES_PATH, "interrupt")

    result = run_course("data", "fetch", "mnist")

    assert result.returncode == 0, result.stderr
    test_line = next(line for line in result.stdout.splitlines() if line.startswith("mnist test: "))
    assert test_line.startswith("mnist test: embedded: ")
    assert f"real files not fetched: could not download {IMAGES.name}" in test_line
    assert "Traceback" not in result.stdout + result.stderr
    assert mirror.requests[IMAGES_PATH] == 1
    assert listing(places.mnist_cache) == []  # no partial file under any name


def test_fetch_stand_in_note_says_why_the_download_failed(mirror, places):
    mirror.set_mode(IMAGES_PATH, "interrupt")

    note = data.fetch("mnist")["test"].note

    assert mirror.url_of(IMAGES_PATH) in note and "IncompleteRead" in note, note


def test_cli_fetch_cifar10_with_nothing_anywhere_exits_1_with_a_plain_message(mirror, places):
    result = run_course("data", "fetch", "cifar10")

    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    assert "cifar10: FAILED" in result.stdout
    assert "cifar-10-python.tar.gz (170,498,071 bytes, from https://www.cs.toronto.edu/~kriz/" in output
    assert f"{mirror.url}/cifar10/cifar-10-python.tar.gz: HTTPError: 404" in output
    assert f"{places.data_dir / 'cifar10'}/" in output and f"{places.cache_dir / 'cifar10'}/" in output
    assert result.stderr.strip() == "course: could not fetch cifar10"
    assert mirror.requests["/cifar10/cifar-10-python.tar.gz"] == 1
    assert not (places.cache_dir / "cifar10").exists() or listing(places.cache_dir / "cifar10") == []


# 6. The exact bytes of a re-gzipped official file, through the mirror.

@pytest.mark.parametrize("name", TEST_FILES)
def test_mirror_download_of_regzipped_official_file_is_verified_by_content_md5(mirror, places, name):
    official = MNIST.file(name)
    assert md5_of(SHARED_DATA / "mnist" / name) != official.md5  # a re-gzip: its own md5 differs

    path, method = download("mnist", official, places.mnist_cache)

    assert method == "content md5"
    assert path == places.mnist_cache / name
    assert path.read_bytes() == real_bytes(name)
    assert listing(places.mnist_cache) == [name]
    assert mirror.requests[f"/mnist/{name}"] == 1
