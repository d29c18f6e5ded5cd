"""Readers of the real on-disk formats, on files written in those formats."""

import dataclasses
import gzip
import os
import pickle

import numpy as np
import pytest

from course_lib.data import load, registry, verify
from course_lib.data.formats import cifar, idx, svhn
from course_lib.data.formats.folders import read_class_folders
from course_lib.errors import DataIntegrityError, DataNotFoundError
from tests.datafiles import write_cifar_tar, write_class_tree, write_idx, write_svhn_mat

# --- IDX ---------------------------------------------------------------------------------------

def test_idx_round_trip_gzipped_and_plain(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    for name in ("x-images-idx3-ubyte.gz", "x-images-idx3-ubyte"):
        read = idx.read_idx(write_idx(tmp_path / name, images))
        assert read.dtype == np.uint8 and read.shape == (2, 28, 28)
        np.testing.assert_array_equal(read, images)


def test_idx_truncated_and_not_idx(tmp_path):
    path = write_idx(tmp_path / "labels-idx1-ubyte", np.arange(10))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(DataIntegrityError, match=r"shape \(10,\).*holds 15 bytes"):
        idx.read_idx(path)
    (tmp_path / "junk").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(DataIntegrityError, match="not an IDX file"):
        idx.read_idx(tmp_path / "junk")


# --- CIFAR-10 (pickled batches) ----------------------------------------------------------------

def _registered_as_official(monkeypatch, path):
    """Make the registry expect this fixture archive, as if it were the published one."""
    dataset = registry.DATASETS["cifar10"]
    official = dataclasses.replace(dataset.files[0], size=path.stat().st_size, md5=verify.md5_of(path))
    monkeypatch.setitem(registry.DATASETS, "cifar10", dataclasses.replace(dataset, files=(official,)))


def test_cifar_archive_loads_after_verification(data_env, monkeypatch):
    data_dir, _ = data_env
    (data_dir / "cifar10").mkdir()
    archive = data_dir / "cifar10" / "cifar-10-python.tar.gz"
    written = write_cifar_tar(archive)
    _registered_as_official(monkeypatch, archive)
    ((x_train, y_train), (x_test, y_test)), info = load("cifar10", with_info=True)
    assert x_train.shape == (100, 32, 32, 3) and x_test.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, written["train"][0])
    np.testing.assert_array_equal(y_test, written["test"][1])
    assert info.splits["train"].verified == "md5" and info.splits["train"].origin == "COURSE_DATA_DIR"
    assert info.class_names[0] == "airplane"


class Exploded(Exception):
    pass


class Bomb:
    """Unpickling this would create a file: proof that something was unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_corrupted_cifar_archive_is_refused_and_nothing_is_unpickled(data_env, monkeypatch, tmp_path):
    data_dir, _ = data_env
    (data_dir / "cifar10").mkdir()
    archive = data_dir / "cifar10" / "cifar-10-python.tar.gz"
    write_cifar_tar(archive)
    _registered_as_official(monkeypatch, archive)
    # Tamper: same archive layout, one batch replaced by a pickle that would create a file.
    marker = tmp_path / "unpickled.txt"
    write_cifar_tar(archive, replace={"data_batch_1": pickle.dumps(Bomb(str(marker)), protocol=2)})

    def never(*args, **kwargs):
        raise Exploded("a batch was unpickled")

    monkeypatch.setattr(pickle, "loads", never)
    monkeypatch.setattr(pickle, "load", never)
    monkeypatch.setattr(cifar._ArraysOnlyUnpickler, "load", never)
    monkeypatch.setattr(cifar, "load_batch", never)
    with pytest.raises(DataIntegrityError) as refused:
        load("cifar10")
    message = str(refused.value)
    assert str(archive) in message and "cifar-10-python.tar.gz" in message and "md5" in message
    assert "course data fetch cifar10" in message
    assert not marker.exists()


def test_truncated_official_cifar_name_is_refused(data_env):
    data_dir, _ = data_env
    (data_dir / "cifar10").mkdir()
    archive = data_dir / "cifar10" / "cifar-10-python.tar.gz"
    archive.write_bytes(b"\x1f\x8b" + os.urandom(1000))
    with pytest.raises(DataIntegrityError, match=r"170,498,071 bytes.*found 1,002 bytes"):
        load("cifar10")


def test_unpickler_builds_only_arrays_even_for_a_verified_file(tmp_path):
    marker = tmp_path / "unpickled.txt"
    with pytest.raises(DataIntegrityError, match=r"open is not allowed in a CIFAR batch"):
        cifar.load_batch(pickle.dumps(Bomb(str(marker)), protocol=2), "hostile batch")
    assert not marker.exists()
    images, labels = cifar.load_batch(
        pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [3, 4]}, protocol=2), "batch")
    assert images.shape == (2, 32, 32, 3) and labels.tolist() == [3, 4]


# --- SVHN ------------------------------------------------------------------------------------

def test_svhn_mat_label_ten_means_zero(data_env, monkeypatch):
    data_dir, _ = data_env
    folder = data_dir / "svhn"
    folder.mkdir()
    train = write_svhn_mat(folder / "train_32x32.mat", count=40, seed=1)
    test = write_svhn_mat(folder / "test_32x32.mat", count=25, seed=2)
    dataset = registry.DATASETS["svhn"]
    files = tuple(dataclasses.replace(f, size=(folder / f.name).stat().st_size, md5=verify.md5_of(folder / f.name))
                  for f in dataset.files)
    monkeypatch.setitem(registry.DATASETS, "svhn", dataclasses.replace(dataset, files=files))
    (x_train, y_train), (x_test, y_test) = load("svhn")
    assert x_train.shape == (40, 32, 32, 3) and x_test.shape == (25, 32, 32, 3)
    np.testing.assert_array_equal(x_train, train[0])
    np.testing.assert_array_equal(y_test, test[1])
    assert 10 not in y_train and y_train.min() >= 0


def test_svhn_reader_rejects_a_mat_without_x_and_y(tmp_path):
    import scipy.io

    scipy.io.savemat(tmp_path / "other.mat", {"A": np.zeros(3)})
    with pytest.raises(DataIntegrityError, match="no X and y"):
        svhn.read_mat(tmp_path / "other.mat")


# --- class-folder trees ------------------------------------------------------------------------

def test_class_folders_skip_and_report_bad_images(tmp_path):
    root = tmp_path / "train"
    write_class_tree(root, ["cat", "dog"], per_class=4)
    write_class_tree(root, ["dog"], per_class=1, suffix=".jpg", seed=3)  # another common type
    (root / "cat" / "empty.png").write_bytes(b"")
    good = (root / "dog" / "0001.png").read_bytes()
    (root / "dog" / "cut.png").write_bytes(good[: len(good) // 2])
    write_class_tree(tmp_path / "odd", ["cat"], per_class=1, size=(30, 32))
    (tmp_path / "odd" / "cat" / "0000.png").rename(root / "cat" / "small.png")
    images, labels, classes, skipped = read_class_folders(root)
    assert classes == ("cat", "dog")
    assert images.shape == (9, 32, 32, 3) and labels.tolist() == [0] * 4 + [1] * 5
    reasons = {os.path.basename(name): reason for name, reason in skipped}
    assert set(reasons) == {"empty.png", "cut.png", "small.png"}
    assert "wrong size 30x32" in reasons["small.png"]


def test_class_folders_unknown_class_and_empty(tmp_path):
    write_class_tree(tmp_path / "t", ["cat", "zebra"], per_class=1)
    with pytest.raises(DataIntegrityError, match="zebra"):
        read_class_folders(tmp_path / "t", class_names=("cat", "dog"))
    (tmp_path / "e" / "cat").mkdir(parents=True)
    with pytest.raises(DataNotFoundError, match="no images"):
        read_class_folders(tmp_path / "e")


def test_gzip_content_check_accepts_a_recompressed_copy(tmp_path):
    images = np.arange(3 * 4, dtype=np.uint8).reshape(3, 4)
    plain = write_idx(tmp_path / "a-images-idx3-ubyte", images).read_bytes()
    import hashlib

    official = registry.OfficialFile("a-images-idx3-ubyte.gz", 999, "0" * 32, ("http://example.invalid/a",),
                                     content_md5=hashlib.md5(plain).hexdigest(), content_size=len(plain))
    copy = tmp_path / "a-images-idx3-ubyte.gz"
    copy.write_bytes(gzip.compress(plain, mtime=0))
    assert verify.verify(copy, official, dataset="test") == "content md5"
    copy.write_bytes(gzip.compress(plain[:-1] + b"\x07", mtime=0))
    with pytest.raises(DataIntegrityError, match="uncompressed content"):
        verify.verify(copy, official, dataset="test")
