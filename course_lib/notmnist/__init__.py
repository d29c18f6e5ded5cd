"""notMNIST made again on this machine: letters A-J rendered from the installed fonts.

The real notMNIST (Yaroslav Bulatov, 2011) cannot be downloaded everywhere
and its hosts come and go. It was made by rendering letters from public
fonts, so this package makes it again, with the same on-disk layout and the
same kinds of defects (duplicates, near-duplicates, unreadable files, a
wrong-size image, a small class imbalance), listed in a ground-truth manifest.

>>> from course_lib import notmnist
>>> len(notmnist.usable_fonts()) > 20                                   # doctest: +SKIP
True
>>> manifest = notmnist.generate("out", small=2_000, large=12_000)      # doctest: +SKIP
>>> folder = notmnist.ensure_archives()                                 # doctest: +SKIP

Modules: ``fonts`` (finding usable fonts), ``render`` (one image),
``plan`` (sizes and planted defects), ``archive`` (deterministic tar.gz and
member names), ``generator`` (both archives and the manifest), ``cache``
(the archives in the user's cache, and the ``load("notmnist")`` stand-in).
"""

from course_lib.notmnist.cache import ensure_archives, generated_folder, read_manifest, standin
from course_lib.notmnist.curated import CuratedNotMNIST, curated_splits
from course_lib.notmnist.fonts import LETTERS, usable_fonts
from course_lib.notmnist.generator import (
                                           ARCHIVE_NAMES,
                                           DEFAULT_LARGE,
                                           DEFAULT_SMALL,
                                           GENERATOR_VERSION,
                                           MANIFEST_NAME,
                                           generate,
)
from course_lib.notmnist.render import render_letter
from course_lib.notmnist.source import (
                                           Archives,
                                           describe_defects,
                                           find_archives,
                                           planted_cross_duplicates,
                                           prepare_fast_mode,
                                           unpack_folder,
)

__all__ = ["ARCHIVE_NAMES", "DEFAULT_LARGE", "DEFAULT_SMALL", "GENERATOR_VERSION", "LETTERS", "MANIFEST_NAME",
           "Archives", "CuratedNotMNIST", "curated_splits", "describe_defects", "ensure_archives", "find_archives",
           "generate", "generated_folder", "planted_cross_duplicates", "prepare_fast_mode", "read_manifest",
           "render_letter", "standin", "unpack_folder", "usable_fonts"]
