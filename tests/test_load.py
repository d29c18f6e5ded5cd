"""load(): the search order and the metadata, on real data."""

import shutil
import tarfile

import numpy as np
import pytest

from course_lib import data
from course_lib.errors import DataIntegrityError, DataNotFoundError

MNIST_TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def test_mnist_with_nothing_is_the_embedded_sample_split_4000_1000(data_env):
    ((x_train, y_train), (x_test, y_test)), info = data.load("mnist", with_info=True)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.bincount(y_test).tolist() == [100] * 10  # stratified
    assert {info.splits[s].origin for s in ("train", "test")} == {"embedded"}
    assert "5,000-image sample" in info.splits["train"].note and "4,000" in info.splits["test"].note
    assert info.real  # a sample of the real digits, not a stand-in of our making
    # No image is in both splits.
    train_rows = {row.tobytes() for row in x_train}
    assert not any(row.tobytes() in train_rows for row in x_test)
    # The same split every time.
    (again, _), _ = data.load("mnist")
    np.testing.assert_array_equal(again, x_train)


def test_mnist_real_test_files_plus_embedded_training_digits(data_env, shared_data, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(shared_data))
    ((x_train, y_train), (x_test, y_test)), info = data.load("mnist", with_info=True)
    assert x_train.shape == (5000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the first ten MNIST test labels
    assert info.splits["test"].origin == "COURSE_DATA_DIR"
    assert info.splits["test"].location == str(shared_data / "mnist")
    assert info.splits["test"].verified == "content md5"
    assert info.splits["train"].origin == "embedded" and "all 5,000" in info.splits["train"].note
    assert "10,000 images from COURSE_DATA_DIR" in str(info)


def test_embedded_sample_never_stands_in_for_the_test_set_beside_real_training_files():
    # The sample is drawn from MNIST's training set: beside the real training files it would leak.
    from course_lib.data import embedded, registry

    with pytest.raises(DataNotFoundError, match="cannot replace them"):
        embedded.mnist_sample(registry.get("mnist"), ["test"], ["train"])
    assert set(embedded.mnist_sample(registry.get("mnist"), ["train"], ["test"])) == {"train"}


@pytest.mark.parametrize("where", ["COURSE_DATA_DIR", "cache"])
def test_truncated_official_file_is_refused_with_its_name(data_env, shared_data, where):
    data_dir, cache_dir = data_env
    folder = (data_dir if where == "COURSE_DATA_DIR" else cache_dir) / "mnist"
    folder.mkdir()
    for name in MNIST_TEST_FILES:
        shutil.copy(shared_data / "mnist" / name, folder / name)
    images = folder / MNIST_TEST_FILES[0]
    images.write_bytes(images.read_bytes()[:100_000])
    with pytest.raises(DataIntegrityError) as refused:
        data.load("mnist")
    message = str(refused.value)
    assert str(images) in message and "1,648,877 bytes" in message and "found 100,000 bytes" in message
    assert "not a complete gzip file" in message


def test_cifar10_missing_everywhere_is_a_clear_error(data_env):
    with pytest.raises(DataNotFoundError) as missing:
        data.load("cifar10")
    message = str(missing.value)
    assert "cifar-10-python.tar.gz (170,498,071 bytes" in message
    assert "COURSE_DATA_DIR" in message and "train/<class>" in message
    assert "Traceback" not in message
    # In IPython the error shows as its message alone.
    assert missing.value._render_traceback_()[0].startswith("DataNotFoundError: CIFAR-10")


@pytest.fixture(scope="module")
def cifar_tree(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cifar_mirror")
    from tests.conftest import SHARED_DATA

    archive = SHARED_DATA / "cifar10" / "cifar10-jpeg.tar.gz"
    if not archive.is_file():
        pytest.skip(f"{archive} is absent: the real CIFAR-10 test needs ../shared/data")
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "cifar10", filter="data")
    return folder


def test_cifar10_class_folder_tree_is_the_real_dataset(data_env, cifar_tree, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(cifar_tree))
    ((x_train, y_train), (x_test, y_test)), info = data.load("cifar10", with_info=True)
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert x_train.dtype == np.uint8 == x_test.dtype
    assert info.class_names == ("airplane", "automobile", "bird", "cat", "deer",
                                "dog", "frog", "horse", "ship", "truck")
    assert np.bincount(y_train).tolist() == [5000] * 10 and np.bincount(y_test).tolist() == [1000] * 10
    assert info.splits["train"].origin == "COURSE_DATA_DIR" and info.splits["train"].verified == "per image"
    assert not info.skipped
    assert 100 < x_test.mean() < 140  # natural images, not noise or zeros


def test_fashion_mnist_from_the_debian_package(data_env):
    from pathlib import Path

    if not Path("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip("Debian's dataset-fashion-mnist is not installed (make installs it when run as root)")
    ((x_train, _), (x_test, y_test)), info = data.load("fashion_mnist", with_info=True)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert info.splits["train"].origin == "system" and info.splits["train"].verified == "content md5"
    assert info.class_names[9] == "Ankle boot" and np.bincount(y_test).tolist() == [1000] * 10
