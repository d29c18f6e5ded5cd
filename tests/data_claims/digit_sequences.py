"""Assignment 5: MNIST digits, from the embedded sample alone or beside the real test files (see __init__)."""

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "05_digit_sequences" / "digit_sequences.ipynb"
DATA_CELLS = ("imports", "parameters", "sizes", "digits", "making", "splits")
SOURCES = {
    "the embedded sample alone": {"COURSE_DATA_DIR": "{tmp}", "COURSE_CACHE_DIR": "{tmp}", "COURSE_FAST_MODE": "1"},
    "the real MNIST test files beside it": {"COURSE_DATA_DIR": "{shared}", "COURSE_CACHE_DIR": "{tmp}",
                                            "COURSE_FAST_MODE": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "the full MNIST (60,000 training and 10,000 test digits)": "each copy load can find, named with its own size",
    "500 of the training digits are set aside": "the notebook's own setting, sequences.mnist_pools(validation=500)",
    "after 20,000 training sequences it read 7%": "a trial the course ran, stated as one",
    "it makes 100,000 sequences in a few seconds": "the builder's speed, which does not depend on the digits",
    "up to 20 minutes of training": "the full run trains on 13 epochs of 25,000 new sequences whatever the pools hold "
                                    "(measured: 18.6 minutes)",
}
