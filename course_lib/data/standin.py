"""What an offline stand-in gives ``load``: the images of one split and where they came from.

Stand-ins are plug-ins: the registry names each one as ``"module:function"``
(``Dataset.embedded``), taking ``(dataset, splits, real_splits)`` and returning
``{split: Standin}``. They import this module; the data layer never imports
them, so the dependencies run one way (for example ``course_lib.notmnist`` ->
``course_lib.data``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Standin:
    """images, labels: one split. location: where they came from. note: what they are, in a line.
    real: a sample of the published data (not an imitation). skipped: ``(file, reason)`` left out."""

    images: np.ndarray
    labels: np.ndarray
    location: str
    note: str
    real: bool
    skipped: list = field(default_factory=list)
