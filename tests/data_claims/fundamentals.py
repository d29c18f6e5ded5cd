"""Assignment 2: the curated notMNIST of assignment 1's pipeline, generated here (see __init__).

Fast mode always reads the small generated archives ("auto" with fast=True), whatever the machine holds, so
that is the source these machines can give the data cells, read once as the notebook reads it and once as the
autograder does. The real archives (used by full mode, or by NOTMNIST_SOURCE set to their folder) are not here:
the sentences about them state facts of the published archives and of the pipeline's sizes, listed below.

The cache is kept in build/test-data (as tests.shared_data keeps the unpacked CIFAR-10): generating the
fast-mode archives takes about a minute of CPU, curating and loading them again a second.
"""

from tests.conftest import REPO
from tests.shared_data import data_root

NOTEBOOK = REPO / "notebooks" / "02_fundamentals" / "fundamentals.ipynb"
DATA_CELLS = ("imports", "parameters", "settings", "data")
CACHE = str(data_root() / "course-cache")
SOURCES = {
    "the generated fast-mode archives": {"COURSE_CACHE_DIR": CACHE, "COURSE_FAST_MODE": "1"},
    "the same, while autograding": {"COURSE_CACHE_DIR": CACHE, "COURSE_FAST_MODE": "1", "NBGRADER_EXECUTION": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "the full run on 200,000 images": "full mode's training split (curated.SIZES['full']), which the copy removal "
                                      "never shortens; the real large archive (about 529,114 images) and the "
                                      "generated one (220,000) both hold that many",
    "about 16 significant digits": "a property of float64, not of the data",
    "The real notMNIST has about 529,114 images": "facts of the published archives (../shared/README.md) and of the "
                                                  "generator's sizes (generator.DEFAULT_LARGE and DEFAULT_SMALL, "
                                                  "source.FAST_SIZES), each stated for its own source",
    "The pipeline takes 200,000 training, 10,000 validation": "the pipeline's sizes before the copies are removed "
                                                              "(curated.SIZES), as the sentence says; the cell "
                                                              "prints the sizes after",
}
