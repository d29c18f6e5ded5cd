"""The dataset registry: names, official files, published sizes and checksums."""

import re

import pytest

from course_lib.data import registry
from course_lib.errors import CourseError


def test_the_five_datasets_are_registered():
    assert list(registry.DATASETS) == ["notmnist", "mnist", "fashion_mnist", "cifar10", "svhn"]


@pytest.mark.parametrize("name", list(registry.DATASETS))
def test_every_file_has_official_urls_and_a_check(name):
    dataset = registry.DATASETS[name]
    assert set(dataset.splits) == {"train", "test"}
    assert len(dataset.class_names) == 10
    for official in dataset.files:
        assert official.urls and all(re.match(r"https?://", url) for url in official.urls)
        assert all(url.endswith(official.name) for url in official.urls)
        assert official.size or official.checksum_known, f"{official.name} can be checked neither way"
        for digest in (official.md5, official.content_md5):
            assert digest is None or re.fullmatch(r"[0-9a-f]{32}", digest)


def test_published_figures():
    assert registry.get("notmnist").file("notMNIST_large.tar.gz").size == 247_336_696
    assert registry.get("notmnist").file("notMNIST_small.tar.gz").size == 8_458_043
    cifar = registry.get("cifar10").file("cifar-10-python.tar.gz")
    assert cifar.md5 == "c58f30108f718f92721af3b95e74349a"
    assert registry.get("mnist").file("t10k-images-idx3-ubyte.gz").size == 1_648_877
    # notMNIST trains on the large archive and tests on the small one, as the original course did.
    assert registry.get("notmnist").splits == {"train": ("notMNIST_large.tar.gz",),
                                               "test": ("notMNIST_small.tar.gz",)}


def test_aliases_and_unknown_names():
    assert registry.get("Fashion-MNIST").name == "fashion_mnist"
    assert registry.get("CIFAR-10").name == "cifar10"
    with pytest.raises(CourseError, match="the course knows: notmnist, mnist"):
        registry.get("imagenet")
