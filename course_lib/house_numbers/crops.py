"""Synthetic SVHN cropped digits: 32x32 colour images, one digit centred, in SVHN's ``.mat`` layout.

SVHN's "format 2" was made by cropping every digit of every house number to
a square around its box, so the digit fills most of the height and parts of
its neighbours show at the left and right edges. This module does the same
with drawn house numbers (``course_lib.house_numbers.render``): each number
of 1 to 5 digits is drawn once, then the camera looks at a square around
each of its digits in turn (turned by up to ROTATION degrees, in
perspective, its centre and size jittered), and each crop gets its own
artefacts (``course_lib.house_numbers.artefacts``). As in house numbers,
the first digit is never 0 and follows Benford's law, so 1 is the most
common label and 0 and 9 the rarest, about as in the real SVHN.

``generate_crops(count, seed=...)`` makes many on every core (with a
progress bar; from SHARED_INKS_FROM crops on, the digits of every font are
drawn once for all the workers, by ``fonts.write_inks``); ``write_mat`` and
``course_lib.data.formats.svhn.read_mat`` write and read them as the
official ``train_32x32.mat`` / ``test_32x32.mat``:
``X`` uint8 (32, 32, 3, N), ``y`` uint8 (N, 1), where 10 means the digit 0.
The same seed gives the same images, whatever the number of workers.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np

from course_lib.house_numbers import artefacts
from course_lib.house_numbers.fonts import read_inks, write_inks
from course_lib.house_numbers.render import Camera, draw_number, jittered_quad

SIZE = 32
GLYPH_SIZE = 32  # pixels per em of the drawing: digits about 23 pixels tall, seen at 20-32
LENGTH_FREQUENCIES = np.array([0.15, 0.35, 0.33, 0.13, 0.04])  # digits per house number
FIRST_DIGIT = np.log10(1 + 1 / np.arange(1, 10))  # Benford's law for the first digit, 1-9
FILL = (0.62, 1.0)  # the digit's height, as a fraction of the crop's
ROTATION = 8.0  # degrees
PERSPECTIVE = 0.05  # corner movement, as a fraction of the crop
CHUNK = 200  # house numbers per task handed to a worker (about 500 crops)
PARALLEL_FROM = 2_000  # fewer crops than this are made in this process
SHARED_INKS_FROM = 10_000  # from this many crops, each font's digits are drawn once for all workers, not in each
SPLIT_KEYS = {"train": 1, "test": 2, "extra": 3, "valid": 4}
MAT_HEADER = b"MATLAB 5.0 MAT-file, written by course_lib.house_numbers: SYNTHETIC house-number crops, not SVHN"


def number_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The Generator that draws house number ``index`` of ``split``: independent of how the work is split up."""
    return np.random.default_rng([int(seed), SPLIT_KEYS[split], int(index)])


def plan_numbers(count: int, seed: int, split: str) -> list[np.ndarray]:
    """The house numbers whose digits give ``count`` crops: int64 arrays of digits 0-9, in order.

    The last number may be cut short (only its first digits are cropped).
    """
    rng = np.random.default_rng([int(seed), SPLIT_KEYS[split], 10**9])
    numbers, total = [], 0
    while total < count:
        batch = max(16, int((count - total) / 2.3) + 16)
        lengths = 1 + rng.choice(5, size=batch, p=LENGTH_FREQUENCIES)
        digits = rng.integers(0, 10, (batch, 5))
        digits[:, 0] = 1 + rng.choice(9, size=batch, p=FIRST_DIGIT / FIRST_DIGIT.sum())
        for row, length in zip(digits, lengths):
            take = int(min(length, count - total))
            if take <= 0:
                break
            numbers.append(row[:take].astype(np.int64))
            total += take
    return numbers


def plan_labels(count: int, seed: int, split: str) -> np.ndarray:
    """The label (0-9) of each crop of a split, int64 (count,), in order."""
    numbers = plan_numbers(count, seed, split)
    return np.concatenate(numbers) if numbers else np.zeros(0, np.int64)


def render_crops(digits, rng: np.random.Generator, fonts) -> tuple[np.ndarray, list]:
    """A crop of each digit of the house number ``digits`` as the camera sees it, before its artefacts.

    Returns (uint8 (len(digits), 32, 32, 3): each digit centred, parts of its neighbours at the sides;
    the settings of each crop's artefacts, for ``artefacts.apply``).
    """
    digits = [int(d) for d in digits]
    scene = draw_number(digits, rng, fonts, glyph_size=GLYPH_SIZE, margins=(0.9, 0.5, 0.9, 0.5), plaque_chance=0.2)
    images, settings = np.empty((len(digits), SIZE, SIZE, 3), np.uint8), []
    camera = Camera(scene.image)
    for index, (left, top, width, height) in enumerate(scene.boxes):
        side = max(height / rng.uniform(*FILL), width * 1.05)
        cx = left + width / 2 + rng.normal(0, 0.03) * side
        cy = top + height / 2 + rng.normal(0, 0.03) * side
        quad = jittered_quad(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, rng,
                             rotation=ROTATION, perspective=PERSPECTIVE)
        images[index] = camera.view(quad, (SIZE, SIZE))[0]
        settings.append(artefacts.draw(rng))
    return images, settings


def _render_chunk(task) -> np.ndarray:
    """Worker: the crops of the house numbers ``start, start + 1, ...`` of one split, uint8 (crops, 32, 32, 3).

    inks: a file of ``write_inks`` holding the fonts' digits, or None (each process draws those it needs).
    """
    fonts, seed, split, start, numbers, inks = task
    if inks is not None:
        read_inks(inks)
    images, settings = [], []
    for offset, digits in enumerate(numbers):
        crops, drawn = render_crops(digits, number_rng(seed, split, start + offset), fonts)
        images.append(crops)
        settings += drawn
    noise = np.random.default_rng([int(seed), SPLIT_KEYS[split], int(start), 7])  # chunks always start at k * CHUNK
    return artefacts.apply(np.concatenate(images), settings, noise)


def generate_crops(count: int, *, seed: int = 0, split: str = "train", fonts=None, workers: int | None = None,
                   progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``count`` synthetic crops: (uint8 images (count, 32, 32, 3), int64 labels (count,) in 0-9).

    split: "train", "test", "valid" or "extra": each gives other images for the same seed.
    fonts: font files to draw from (default: ``digit_fonts()``); workers: processes (default: every core).
    """
    from course_lib.house_numbers.fonts import digit_fonts
    from course_lib.parallel import cores, ordered_map
    from course_lib.progress import bar

    if split not in SPLIT_KEYS:
        raise ValueError(f"split must be one of {', '.join(SPLIT_KEYS)}, got {split!r}")
    count = int(count)
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    fonts = tuple(str(f) for f in (digit_fonts() if fonts is None else fonts))
    numbers = plan_numbers(count, seed, split)
    labels = np.concatenate(numbers) if numbers else np.zeros(0, np.int64)
    images = np.empty((count, SIZE, SIZE, 3), np.uint8)
    parallel = count >= PARALLEL_FROM and (cores() if workers is None else workers) > 1
    inks = shared_inks(fonts, workers) if parallel and count >= SHARED_INKS_FROM else None
    tasks = [(fonts, seed, split, start, numbers[start:start + CHUNK], inks) for start in range(0, len(numbers), CHUNK)]
    done = 0
    with bar(total=count, desc=f"synthetic SVHN crops ({split})", unit="img", show=progress) as shown:
        for rendered in ordered_map(_render_chunk, tasks, workers=workers, parallel=parallel):
            images[done:done + len(rendered)] = rendered
            done += len(rendered)
            shown.update(len(rendered))
    return images, labels


_SHARED_INKS: dict[tuple[str, ...], tuple[tempfile.TemporaryDirectory, Path]] = {}  # shared_inks's latest


def shared_inks(fonts: tuple[str, ...], workers: int | None = None) -> Path:
    """The file of ``write_inks`` holding the digits of ``fonts`` at GLYPH_SIZE, for the workers to read.

    Made once per process for the same fonts, in a temporary folder removed when the process ends (or when
    other fonts are asked for).
    """
    if fonts not in _SHARED_INKS:
        _SHARED_INKS.clear()
        scratch = tempfile.TemporaryDirectory(prefix="svhn-inks-")
        _SHARED_INKS[fonts] = scratch, write_inks(Path(scratch.name) / "inks.npz", fonts, GLYPH_SIZE,
                                                  workers=workers)
    return _SHARED_INKS[fonts][1]


def mat_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The ``.mat`` file of SVHN's cropped digits holding ``images`` (N, 32, 32, 3) and ``labels`` (N,) in 0-9.

    As the official files: ``X`` uint8 (32, 32, 3, N), ``y`` uint8 (N, 1) with 10 for the digit 0. The
    header names the generator instead of a date, so the same images give the same bytes.
    """
    import scipy.io

    images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
    if images.ndim != 4 or images.shape[1:] != (SIZE, SIZE, 3) or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 (N, 32, 32, 3), got {images.dtype} {images.shape}")
    if len(labels) != len(images) or (labels.size and (labels.min() < 0 or labels.max() > 9)):
        raise ValueError(f"labels must be {len(images)} digits in 0..9")
    stored = np.where(labels == 0, 10, labels).astype(np.uint8).reshape(-1, 1)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X": np.transpose(images, (1, 2, 3, 0)), "y": stored}, do_compression=False)
    data = bytearray(buffer.getvalue())
    data[:116] = MAT_HEADER.ljust(116)[:116]  # the descriptive text: scipy puts the time of day there
    return bytes(data)


def write_mat(path, images: np.ndarray, labels: np.ndarray) -> Path:
    """Write ``mat_bytes(images, labels)`` to ``path`` (a temporary name first, then renamed); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(mat_bytes(images, labels))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path
