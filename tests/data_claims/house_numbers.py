"""Assignment 6: the synthetic SVHN (crops and whole numbers) of fast mode, from the cache (see __init__).

The real SVHN is on none of these machines; a copy in SVHN's own layouts (a class-folder tree of crops and
format-1 folders) is read by the notebook's data cells in tests/test_assignment_house_numbers.py. The fast-mode
sets come from the session's cache (generated once, about 90 s, by whichever test needs them first).
"""

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "06_house_numbers" / "house_numbers.ipynb"
DATA_CELLS = ("imports", "parameters", "sizes", "my_settings", "settings", "load_crops", "load_numbers")
SOURCES = {
    "the synthetic SVHN of fast mode (crops and whole numbers)": {"COURSE_FAST_MODE": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "their label 10 means the digit 0": "SVHN's own convention for its files, which the synthetic ones follow",
    "and **10 for the digit 0**": "SVHN's own convention for format 1, which the synthetic numbers follow",
    "**10 meaning the digit 0**": "SVHN's own convention, whatever the source",
    "64×64 crops": "the notebook's own preparation (Goodfellow et al.'s), whatever the source",
}
