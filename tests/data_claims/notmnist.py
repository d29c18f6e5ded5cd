"""Assignment 1: notMNIST, the generated archives (the only source here) and the real ones (see __init__).

``find_archives`` reads the real archives where they are (the data folder, the cache, a download) and
otherwise generates archives of its own; fast mode always generates the small ones (2,000 + 12,000 files).
No machine here has the real archives, so the text states their sizes as the published archives' and
prints what it loaded. The data cells run on the fast archives in the user's course cache, where any run of
assignment 1 (or this suite's hidden-requirements context) leaves them: made once per machine (about 45 s
here), then read in a few seconds.
"""

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "01_notmnist" / "notmnist.ipynb"
DATA_CELLS = ("imports", "parameters", "sizes", "download", "extract")
SOURCES = {
    "the generated archives (fast mode)": {"COURSE_FAST_MODE": "1"},
}
TRUE_FOR_EVERY_SOURCE = {
    "The real notMNIST comes as two archives": "the published archives, named as the real ones: 247,336,696 and "
                                               "8,458,043 bytes, 529,114 and 18,724 readable images "
                                               "(../shared/README.md); the notebook prints what it loaded",
    "of 28×28 PNG images": "the format: every notMNIST image, real or generated, is a 28x28 PNG",
    "nbgrader will not submit a folder of more than 100 MB": "nbgrader's own limit (CourseDirectory.max_dir_size, "
                                                             "100,000 kB by default)",
}
