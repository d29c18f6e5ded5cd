"""Which whole house numbers assignment 6 uses: SVHN's own (format 1) when they are here, else synthetic ones."""

from __future__ import annotations


def load_numbers(fast: bool | None = None, *, progress: bool = True):
    """``(train, test)`` NumberSets of whole house numbers.

    The real SVHN's format-1 pictures when ``find_real_numbers`` finds them (in ``$COURSE_DATA_DIR/svhn/``
    or the cache: the folders ``train/`` and ``test/`` of ``train.tar.gz`` and ``test.tar.gz``, or the
    archives themselves); otherwise the SYNTHETIC numbers kept in the cache (generated once).
    fast: the fast-mode sizes (default: ``course_lib.fast_mode()``); real sets are cut to the same sizes.
    """
    from course_lib.house_numbers.cache import sizes_for, synthetic_numbers
    from course_lib.house_numbers.digit_struct import find_real_numbers, read_folder
    from course_lib.notebook import fast_mode

    fast = fast_mode() if fast is None else fast
    real = find_real_numbers()
    if not real:
        return synthetic_numbers(fast=fast, progress=progress)
    sizes = sizes_for("numbers", fast) if fast else {"train": None, "test": None}
    return tuple(read_folder(real[split], limit=sizes[split], progress=progress) for split in ("train", "test"))
