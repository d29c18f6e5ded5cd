"""Assignment 4: CIFAR-10, from the class-folder tree of JPEGs these machines hold (see __init__).

``data.load("cifar10")`` reads the official archive (downloaded, or put in the data folder) or a class-folder
tree of the same 60,000 images; there is no embedded sample. These machines have no internet, so the only
source here is ../shared's tree, laid out as a user would (``tests.shared_data``).
"""

from tests.conftest import REPO
from tests.shared_data import assignment_data_dir

NOTEBOOK = REPO / "notebooks" / "04_cifar10_cnn" / "cifar10_cnn.ipynb"
DATA_CELLS = ("imports", "parameters", "sizes", "load", "split")
_TREE = assignment_data_dir()  # None without ../shared/data: the source is then skipped
SOURCES = {
    "the real CIFAR-10 as a class-folder tree of JPEGs": {
        "COURSE_DATA_DIR": str(_TREE) if _TREE else "{shared}", "COURSE_CACHE_DIR": "{tmp}", "COURSE_FAST_MODE": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "**CIFAR-10** holds 60,000 photos of 32×32 pixels": "CIFAR-10 as published; every copy load reads holds all of it",
    "after at most 30 minutes of training": "the assignment's target, not the data",
    "downloads the official archive (170 MB)": "the official archive's size (170,498,071 bytes, checked on download)",
    "In full mode: 45,000 images to train on, 5,000 to validate, the 10,000 test images": "the notebook's full-mode "
        "sizes (its sizes cell), the same for every copy; fast mode's are printed",
    "(20,000 images, 4 epochs)": "a trial the course ran, stated as one",
    "(an earlier version of the reference network, 15,000 images, 4 epochs)": "a trial the course ran, stated as one",
    "(20,000 training images, 6 epochs)": "a trial the course ran, stated as one",
    "31.3 M multiplications per image against 37.4 M": "the networks' arithmetic on a 32x32 image, not the data",
    "computes it from 2,000 of your standardised training images and checks it on 500": "the cell's own setting "
        "(every mode has at least 1,500 training and 500 validation images)",
    "within 30 minutes of training": "the assignment's target, not the data",
    "s per epoch": "measured in the full-mode run of the model answer, stated as measured",
    "took 93 to 116 seconds, so 15 epochs fit; in a later run on a slower machine, 179 to 210": "the reference's "
        "epochs in its two full-mode runs (benchmarks/README.md), stated as measured",
    "on 20 training images for 40 steps": "the cell's own setting",
    "runs your network so on 20 random images": "the public test's own setting (TINY_BATCH images it makes itself)",
    "Mind the 30 minutes": "the assignment's target, not the data",
}
