"""course_lib.notmnist.curated: assignment 1's curated splits in one call, cached, on small generated archives."""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_lib.errors import DataIntegrityError
from course_lib.notmnist import curated, source
from course_lib.notmnist.source import Archives
from tests.conftest import REPO
from tests.notebook_reference import reference_namespace

SMALL, LARGE = 300, 1_200
SIZES = (800, 200, 200)  # per letter: 20 valid + 80 train of about 115 readable; 20 test of about 29


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """Generated archives of 300 + 1,200 images and their manifest, made once for this module."""
    from course_lib import notmnist

    folder = tmp_path_factory.mktemp("generated")
    notmnist.generate(folder, small=SMALL, large=LARGE, seed=0, progress=False)
    return folder


@pytest.fixture
def tiny_archives(data_env, monkeypatch, generated):
    """The cache in tmp_path, holding the generated archives of 300 + 1,200 images as ensure_archives keeps them."""
    from course_lib.notmnist import generated_folder

    monkeypatch.setenv("COURSE_NOTMNIST_SMALL", str(SMALL))
    monkeypatch.setenv("COURSE_NOTMNIST_LARGE", str(LARGE))
    shutil.copytree(generated, generated_folder())
    return data_env[1]


def assignment_1_pipeline(archives, sizes):
    """The splits as assignment 1's reference solution makes them: unpacked folders, its own functions."""
    from course_lib.archives import extract

    notebook = REPO / "notebooks" / "01_notmnist" / "notmnist.ipynb"
    ns = reference_namespace(notebook, ["imports", "normalize", "load_letter", "merge_datasets", "shuffle", "overlap"])
    train_size, valid_size, test_size = sizes
    with tempfile.TemporaryDirectory() as scratch:
        large = extract(archives.large, Path(scratch), expected_folders="ABCDEFGHIJ", progress=False)
        small = extract(archives.small, Path(scratch), expected_folders="ABCDEFGHIJ", progress=False)
        large_arrays = {letter: ns["load_letter"](large / letter, 1) for letter in "ABCDEFGHIJ"}
        small_arrays = {letter: ns["load_letter"](small / letter, 1) for letter in "ABCDEFGHIJ"}
    valid, valid_labels, train, train_labels = ns["merge_datasets"](large_arrays, train_size, valid_size)
    _, _, test, test_labels = ns["merge_datasets"](small_arrays, test_size)
    train, train_labels = ns["shuffle"](train, train_labels)
    valid, valid_labels = ns["shuffle"](valid, valid_labels)
    test, test_labels = ns["shuffle"](test, test_labels)
    clean_valid = ns["sanitize"](valid, valid_labels, train)
    clean_test = ns["sanitize"](test, test_labels, train, valid)
    return (train, train_labels), clean_valid, clean_test


def test_the_splits_are_assignment_1s_and_are_cached(tiny_archives, capsys):
    data = curated.curated_splits("generated", sizes=SIZES, progress=False)
    capsys.readouterr()  # assignment 1's load_letter prints the files it skips
    expected = assignment_1_pipeline(source.find_archives("generated"), SIZES)
    for name, (images, labels) in zip(("train", "valid", "test"), expected):
        assert np.array_equal(getattr(data, f"{name}_images"), images), name
        assert np.array_equal(getattr(data, f"{name}_labels"), labels), name
    assert data.train_images.dtype == np.float32 and data.train_labels.dtype == np.int64
    assert data.generated and data.kind == "generated" and data.generator_version is not None
    assert data.removed["valid"] == 200 - len(data.valid_labels) > 0
    assert data.removed["test"] == 200 - len(data.test_labels) > 0
    assert data.skipped > 0  # the generator plants unreadable and wrong-size files
    assert "GENERATED on this machine" in repr(data) and "train 800" in repr(data)

    assert data.path.parent == tiny_archives / "notmnist" / "curated" and data.path.suffix == ".npz"
    with np.load(data.path, allow_pickle=False) as stored:
        assert stored["train_images"].dtype == np.uint8
        assert json.loads(str(stored["meta"]))["generated"] is True
    again = curated.curated_splits("generated", sizes=SIZES, progress=False)
    assert again.path == data.path and again.removed == data.removed and again.skipped == data.skipped
    for name in ("train_images", "train_labels", "valid_images", "valid_labels", "test_images", "test_labels"):
        assert np.array_equal(getattr(again, name), getattr(data, name)), name
    assert not list(data.path.parent.glob("*.partial")) and data.path.stat().st_mode & 0o777 == 0o644


def test_a_changed_archive_or_pipeline_gives_another_cache_file(tmp_path, monkeypatch):
    large, small = tmp_path / "notMNIST_large.tar.gz", tmp_path / "notMNIST_small.tar.gz"
    large.write_bytes(b"x" * 10)
    small.write_bytes(b"y" * 5)
    manifest = {"archives": {"notMNIST_large.tar.gz": {"sha256": "a" * 64},
                             "notMNIST_small.tar.gz": {"sha256": "b" * 64}}}
    generated = Archives(large, small, True, "the generator", manifest)
    key = curated.cache_key(generated, SIZES)
    changed = json.loads(json.dumps(manifest))
    changed["archives"]["notMNIST_small.tar.gz"]["sha256"] = "c" * 64
    assert curated.cache_key(Archives(large, small, True, "the generator", changed), SIZES) != key
    assert curated.cache_key(generated, (900, 200, 200)) != key

    real = Archives(large, small, False, str(tmp_path))
    real_key = curated.cache_key(real, SIZES)
    assert real_key != key
    large.write_bytes(b"x" * 11)  # another download of the real archive: another size
    assert curated.cache_key(real, SIZES) != real_key
    monkeypatch.setattr(curated, "CURATION_VERSION", curated.CURATION_VERSION + 1)
    assert curated.cache_key(generated, SIZES) != key


def test_each_set_of_archives_is_unpacked_into_its_own_cache_folder(data_env, tmp_path, monkeypatch):
    """Assignment 1 unpacks into the cache, never into the assignment folder nbgrader submits; a fast-mode
    and a full-mode run (or generated and real archives) never share a folder; a read-only cache (the
    grading sandbox) falls back to notmnist_data/ in the working folder."""
    large, small = tmp_path / "notMNIST_large.tar.gz", tmp_path / "notMNIST_small.tar.gz"
    large.write_bytes(b"x" * 10)
    small.write_bytes(b"y" * 5)
    manifest = {"archives": {"notMNIST_large.tar.gz": {"sha256": "a" * 64},
                             "notMNIST_small.tar.gz": {"sha256": "b" * 64}}}
    fast = source.unpack_folder(Archives(large, small, True, "the generator", manifest))
    assert fast.parent == data_env[1] / "notmnist" / "unpacked" and fast.is_dir() and fast.name.startswith("generated-")
    assert source.unpack_folder(Archives(large, small, True, "the generator", manifest)) == fast
    full_manifest = json.loads(json.dumps(manifest))
    full_manifest["archives"]["notMNIST_large.tar.gz"]["sha256"] = "c" * 64
    full = source.unpack_folder(Archives(large, small, True, "the generator", full_manifest))
    real = source.unpack_folder(Archives(large, small, False, str(tmp_path)))
    assert len({fast, full, real}) == 3 and real.name.startswith("real-")

    monkeypatch.setenv("COURSE_CACHE_DIR", str(large / "cache"))  # under a file: the cache cannot be written
    local = source.unpack_folder(Archives(large, small, False, str(tmp_path)))
    assert local == Path("notmnist_data") / real.name


def test_new_archives_replace_the_stale_cache_file(tiny_archives, monkeypatch):
    first = curated.curated_splits("generated", sizes=SIZES, progress=False)
    monkeypatch.setenv("COURSE_NOTMNIST_LARGE", str(LARGE + 100))  # other archives, same split sizes
    second = curated.curated_splits("generated", sizes=SIZES, progress=False)
    assert second.path != first.path and second.path.is_file() and not first.path.exists()


def test_a_damaged_cache_file_is_rebuilt(tiny_archives):
    data = curated.curated_splits("generated", sizes=SIZES, progress=False)
    data.path.write_bytes(data.path.read_bytes()[:1000])
    again = curated.curated_splits("generated", sizes=SIZES, progress=False)
    assert np.array_equal(again.test_images, data.test_images)
    with np.load(again.path, allow_pickle=False) as stored:
        assert len(stored["train_labels"]) == 800


def test_a_read_only_cache_still_gives_the_data(tiny_archives):
    (tiny_archives / "notmnist" / "curated").write_text("not a folder")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = curated.curated_splits("generated", sizes=SIZES, progress=False)
    assert data.path is None and len(data.train_labels) == 800 and data.train_images.dtype == np.float32
    assert any("not cached" in str(w.message) for w in caught)


def test_prepare_builds_the_fast_mode_file(tiny_archives, monkeypatch):
    monkeypatch.setitem(source.FAST_SIZES, "small", SMALL)
    monkeypatch.setitem(source.FAST_SIZES, "large", LARGE)
    monkeypatch.setitem(curated.SIZES, "fast", SIZES)
    path = curated.prepare_fast_mode()
    assert path.is_file() and path.name.startswith("curated-800-200-200-")
    assert curated.curated_splits(fast=True, progress=False).path == path


def test_too_few_images_and_bad_sizes_are_refused(tiny_archives):
    with pytest.raises(DataIntegrityError, match="too few readable images"):
        curated.curated_splits("generated", sizes=(2_000, 200, 200), progress=False)
    with pytest.raises(ValueError, match="multiple of 10"):
        curated.curated_splits("generated", sizes=(805, 200, 200), progress=False)
