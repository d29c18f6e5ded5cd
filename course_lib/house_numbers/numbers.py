"""Whole house numbers: pictures of 1 to 5 digits in a row, with each digit's label and box.

SVHN's "format 1" gives, for each picture, a ``digitStruct`` entry: the file
name, and for each digit its ``label`` (1-9, and 10 for the digit 0) and the
box of its ink as ``left``, ``top``, ``width``, ``height`` in pixels.
``NumberSet`` holds pictures and their entries the same way (``labels`` keep
SVHN's 10-for-0), whether they are synthetic (``generate_numbers``) or read
from a real ``digitStruct.mat`` (``course_lib.house_numbers.digit_struct``).

A synthetic picture: a number drawn by ``course_lib.house_numbers.render``
(digits 14-32 pixels tall, a margin of wall around them), seen by a camera
turned by up to ROTATION degrees and in perspective, with the artefacts of
``course_lib.house_numbers.artefacts``. The first digit is never 0 and follows
Benford's law, as in ``course_lib.house_numbers.crops``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib.house_numbers import artefacts
from course_lib.house_numbers.crops import FIRST_DIGIT
from course_lib.house_numbers.render import camera, draw_number, jittered_quad, project_boxes

MAX_DIGITS = 5
# Digits per number: about SVHN's (15%, 54%, 26%, 4%, 0.03%), with more long numbers to learn them from.
LENGTH_FREQUENCIES = np.array([0.14, 0.44, 0.30, 0.09, 0.03])
DIGIT_HEIGHT = (14.0, 32.0)  # pixels, in the picture
ROTATION = 5.0  # degrees
PERSPECTIVE = 0.04  # corner movement, as a fraction of the picture
CHUNK = 250
PARALLEL_FROM = 1_000
SPLIT_KEYS = {"train": 11, "test": 12, "valid": 13, "extra": 14}
FORMAT = "course_lib.house_numbers/numbers-v1"


@dataclass
class NumberSet:
    """Pictures of house numbers, with their digits as SVHN's format-1 ``digitStruct`` gives them.

    images: uint8 arrays (rows, columns, 3), one per picture (sizes differ).
    boxes: float64 arrays (digits, 4): each digit's ``(left, top, width, height)`` in pixels.
    labels: int64 arrays (digits,): SVHN's labels, 1-9, and 10 for the digit 0.
    names: file names (``1.png``, ``2.png``, ... as in SVHN). source: where they come from, in a line.
    synthetic: generated here, not the real SVHN.
    """

    images: list
    boxes: list
    labels: list
    names: list = field(default_factory=list)
    source: str = ""
    synthetic: bool = True

    def __post_init__(self):
        if not (len(self.images) == len(self.boxes) == len(self.labels)):
            raise ValueError(f"{len(self.images)} images, {len(self.boxes)} box lists, {len(self.labels)} label lists")
        if not self.names:
            self.names = [f"{index + 1}.png" for index in range(len(self.images))]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        """One picture's ``digitStruct`` entry (an int index), or a NumberSet of some of them (a slice or indexes)."""
        if isinstance(index, (int, np.integer)):
            boxes = self.boxes[index]
            return {"name": self.names[index],
                    "bbox": {"height": boxes[:, 3].tolist(), "label": self.labels[index].tolist(),
                             "left": boxes[:, 0].tolist(), "top": boxes[:, 1].tolist(),
                             "width": boxes[:, 2].tolist()}}
        chosen = range(len(self))[index] if isinstance(index, slice) else [int(i) for i in index]
        return NumberSet([self.images[i] for i in chosen], [self.boxes[i] for i in chosen],
                         [self.labels[i] for i in chosen], [self.names[i] for i in chosen], self.source,
                         self.synthetic)

    def numbers(self) -> list[str]:
        """Each picture's number as text, e.g. ``"210"`` (SVHN's label 10 read as 0)."""
        return ["".join(str(int(d) % 10) for d in labels) for labels in self.labels]

    def lengths(self) -> np.ndarray:
        return np.array([len(labels) for labels in self.labels], dtype=np.int64)

    def __repr__(self) -> str:
        kind = "SYNTHETIC (generated here, not SVHN)" if self.synthetic else "real SVHN"
        return f"NumberSet of {len(self):,} pictures, {kind}: {self.source}"


def number_rng(seed: int, split: str, index: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), SPLIT_KEYS[split], int(index)])


def plan_digits(count: int, seed: int, split: str) -> list[np.ndarray]:
    """The digits (0-9) of each number of a split: 1 to 5 digits, the first never 0 (and 1 most often)."""
    rng = np.random.default_rng([int(seed), SPLIT_KEYS[split], 10**9])
    lengths = 1 + rng.choice(MAX_DIGITS, size=int(count), p=LENGTH_FREQUENCIES)
    digits = rng.integers(0, 10, (int(count), MAX_DIGITS))
    digits[:, 0] = 1 + rng.choice(9, size=int(count), p=FIRST_DIGIT / FIRST_DIGIT.sum())
    return [digits[i, :length].copy() for i, length in enumerate(lengths)]


def render_number(digits, rng: np.random.Generator, fonts) -> tuple[np.ndarray, np.ndarray, tuple]:
    """One picture of the number ``digits`` (ints 0-9), before its artefacts.

    Returns (uint8 image (rows, columns, 3), float64 boxes (len(digits), 4) as (left, top, width, height),
    the settings of its artefacts for ``artefacts.apply``).
    """
    target = rng.uniform(*DIGIT_HEIGHT)
    glyph_size = 32 if target < 22 else 48
    margins = tuple(rng.uniform(0.25, 0.8, 4))
    scene = draw_number(digits, rng, fonts, glyph_size=glyph_size, margins=margins, plaque_chance=0.3)
    scale = target / scene.digit_height
    rows, columns = scene.image.shape[:2]
    size = (max(8, int(round(columns * scale))), max(8, int(round(rows * scale))))
    quad = jittered_quad(0, 0, columns, rows, rng, rotation=ROTATION, perspective=PERSPECTIVE)
    image, forward = camera(scene.image, quad, size, supersample=2 if scale < 0.75 else 1, forward=True)
    boxes = project_boxes(scene.boxes, forward)
    low = np.clip(boxes[:, :2], 0, None)
    high = np.minimum(boxes[:, :2] + boxes[:, 2:], [size[0], size[1]])
    boxes = np.round(np.c_[low, high - low], 1)
    return image, boxes, artefacts.draw(rng, scale=target / 28)


def _render_chunk(task):
    """Worker: ``(images, boxes)`` of the numbers ``start, start + 1, ...`` of one split."""
    fonts, seed, split, start, digit_lists = task
    images, boxes = [], []
    noise = np.random.default_rng([int(seed), SPLIT_KEYS[split], int(start), 7])  # chunks start at k * CHUNK
    for offset, digits in enumerate(digit_lists):
        image, box, settings = render_number(digits, number_rng(seed, split, start + offset), fonts)
        images.append(artefacts.apply(image[None], [settings], noise)[0])
        boxes.append(box)
    return images, boxes


def generate_numbers(count: int, *, seed: int = 0, split: str = "train", fonts=None, workers: int | None = None,
                     progress: bool = True) -> NumberSet:
    """``count`` synthetic house-number pictures with their digitStruct entries (see the module docstring).

    split: "train", "test", "valid" or "extra" (other pictures for the same seed). The same seed gives the
    same pictures, whatever the number of workers.
    """
    from course_lib.house_numbers.fonts import digit_fonts
    from course_lib.parallel import ordered_map
    from course_lib.progress import bar

    if split not in SPLIT_KEYS:
        raise ValueError(f"split must be one of {', '.join(SPLIT_KEYS)}, got {split!r}")
    count = int(count)
    fonts = tuple(str(f) for f in (digit_fonts() if fonts is None else fonts))
    digit_lists = plan_digits(count, seed, split)
    tasks = [(fonts, seed, split, start, digit_lists[start:start + CHUNK]) for start in range(0, count, CHUNK)]
    images, boxes = [], []
    with bar(total=count, desc=f"synthetic house numbers ({split})", unit="img", show=progress) as shown:
        for (_, _, _, _, chunk), (rendered, chunk_boxes) in zip(
                tasks, ordered_map(_render_chunk, tasks, workers=workers, parallel=count >= PARALLEL_FROM)):
            images += rendered
            boxes += chunk_boxes
            shown.update(len(chunk))
    labels = [np.where(d == 0, 10, d).astype(np.int64) for d in digit_lists]
    return NumberSet(images, boxes, labels, source=f"synthetic house numbers, seed {seed}, split {split}")


# --- on disk ---------------------------------------------------------------------------------------

def save_numbers(path, numbers: NumberSet) -> Path:
    """Write ``numbers`` into one ``.npz`` file (no pickles; a temporary name first, then renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shapes = np.array([image.shape[:2] for image in numbers.images], dtype=np.int64).reshape(-1, 2)
    pixels = np.concatenate([image.reshape(-1) for image in numbers.images]) if len(numbers) else np.zeros(0, np.uint8)
    counts = np.array([len(labels) for labels in numbers.labels], dtype=np.int64)
    arrays = {
        "format": np.array(FORMAT), "source": np.array(numbers.source), "synthetic": np.array(numbers.synthetic),
        "shapes": shapes, "pixels": pixels.astype(np.uint8), "counts": counts,
        "boxes": np.concatenate(numbers.boxes).reshape(-1, 4) if len(numbers) else np.zeros((0, 4)),
        "labels": np.concatenate(numbers.labels).astype(np.int64) if len(numbers) else np.zeros(0, np.int64),
        "names": np.array(numbers.names),
    }
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def load_numbers_file(path) -> NumberSet:
    """The NumberSet written by ``save_numbers``."""
    with np.load(Path(path), allow_pickle=False) as content:
        if "format" not in content or str(content["format"]) != FORMAT:
            raise ValueError(f"{path} is not a set of house numbers written by save_numbers")
        shapes, counts = content["shapes"], content["counts"]
        pixels, boxes, labels = content["pixels"], content["boxes"], content["labels"]
        images, starts = [], np.concatenate([[0], np.cumsum(shapes[:, 0] * shapes[:, 1] * 3)])
        for (rows, columns), start in zip(shapes, starts[:-1]):
            images.append(pixels[start:start + rows * columns * 3].reshape(rows, columns, 3))
        edges = np.concatenate([[0], np.cumsum(counts)])
        return NumberSet(images, [boxes[a:b] for a, b in zip(edges[:-1], edges[1:])],
                         [labels[a:b] for a, b in zip(edges[:-1], edges[1:])], [str(n) for n in content["names"]],
                         str(content["source"]), bool(content["synthetic"]))
