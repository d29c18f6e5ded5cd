"""The library the course notebooks import.

Importing ``course_lib`` is cheap: it loads no deep-learning framework and
touches no data. The pieces live in modules named for what they do:

- ``course_lib.data``: the dataset registry and ``load(name)``;
- ``course_lib.notebook``: ``setup_notebook()`` (course style) and ``fast_mode()``;
- ``course_lib.results``: ``record()``, the headline figures a notebook reports;
- ``course_lib.cli``: the ``course`` command.
"""

from course_lib.errors import CourseError
from course_lib.notebook import fast_mode, setup_notebook
from course_lib.results import record

__version__ = "0.1.0"

__all__ = ["CourseError", "fast_mode", "record", "setup_notebook", "__version__"]
