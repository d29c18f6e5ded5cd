"""Datasets for the course: one registry, one search order, one ``load``.

>>> from course_lib import data
>>> (x_train, y_train), (x_test, y_test) = data.load("mnist")
>>> (x_train, y_train), (x_test, y_test) = data.load("cifar10")       # doctest: +SKIP
>>> _, info = data.load("mnist", with_info=True); print(info)          # doctest: +SKIP

See ``course_lib.data.locate`` for where datasets are looked for, and
``course_lib.data.places`` for the environment variables that change it.
"""

from course_lib.data.api import DatasetInfo, as_float, class_names, load, locate
from course_lib.data.fetch import fetch
from course_lib.data.formats.folders import read_class_folders
from course_lib.data.registry import DATASETS

NAMES = tuple(DATASETS)

__all__ = ["DATASETS", "NAMES", "DatasetInfo", "as_float", "class_names", "fetch", "load", "locate",
           "read_class_folders"]
