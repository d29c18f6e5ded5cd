"""Assignment 3: MNIST from the embedded sample alone or beside the real test files; Fashion-MNIST from Debian."""

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "03_mnist_cnn" / "mnist_cnn.ipynb"
DATA_CELLS = ("imports", "parameters", "sizes", "load", "shuffle", "fashion_load")
SOURCES = {
    "the embedded sample alone": {"COURSE_DATA_DIR": "{tmp}", "COURSE_CACHE_DIR": "{tmp}", "COURSE_FAST_MODE": "1"},
    "the real MNIST test files beside it": {"COURSE_DATA_DIR": "{shared}", "COURSE_CACHE_DIR": "{tmp}",
                                            "COURSE_FAST_MODE": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "about 25 minutes with the 5,000 MNIST digits the course ships": "measured for each source it names "
                                                                      "(benchmarks/README.md)",
    "MNIST holds 70,000 handwritten digits": "MNIST as published",
    "the **5,000 real MNIST digits that ship inside the": "the embedded sample, named as such, split as it says",
    "Fashion-MNIST (Xiao, Rasul and Vollgraf": "Fashion-MNIST as published; every source of it has all of it",
    "of Fashion-MNIST's 60,000 training images": "Fashion-MNIST as published",
    "28 pixels become 26 after the first convolution": "the network's arithmetic on a 28x28 image, not the data",
}
