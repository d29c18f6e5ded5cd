"""What house numbers are painted on: flat paint, gradients, and textures cut from real photographs.

The photographs ship inside scikit-image (``skimage.data``), so nothing is
downloaded: brick, grass and gravel (grey, tinted here like painted walls or
lit by coloured light), and a few colour photographs (a coffee cup on a table,
a rocket on its pad, a cat's fur, the astronaut's suit, a Hubble field).

``background(rng, rows, columns)`` returns one background, float32
(rows, columns, 3) in [0, 255]; every draw comes from ``rng``.
"""

from __future__ import annotations

import bisect
import functools

import numpy as np
from PIL import Image

GREY_TEXTURES = ("brick", "grass", "gravel", "camera", "moon", "coins", "page")
COLOUR_TEXTURES = ("coffee", "rocket", "chelsea", "astronaut", "hubble_deep_field", "immunohistochemistry")
# Background kinds and how often each is drawn.
KINDS = {"paint": 0.25, "gradient": 0.2, "grey texture": 0.35, "colour texture": 0.2}
_RUNNING = np.cumsum(list(KINDS.values()), dtype=np.float64)
KIND_CDF = (_RUNNING / _RUNNING[-1]).tolist()  # the cumulative probabilities numpy's Generator.choice makes from p
# Paint colours seen on houses, doors and plaques (RGB), drawn with random variations around them.
PAINTS = np.array([
    (236, 232, 220), (250, 250, 245), (40, 40, 42), (15, 20, 30), (120, 30, 30), (160, 60, 40), (30, 60, 110),
    (25, 80, 50), (200, 170, 110), (180, 150, 120), (130, 130, 125), (90, 70, 55), (210, 200, 160),
    (60, 90, 130), (170, 40, 45), (230, 190, 60), (100, 120, 90), (200, 120, 80),
], dtype=np.float32)


@functools.lru_cache(maxsize=None)
def photograph(name: str) -> Image.Image:
    """A photograph from ``skimage.data`` as a PIL RGB image (loaded once per process)."""
    import skimage.data

    array = np.asarray(getattr(skimage.data, name)())
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return Image.fromarray(np.ascontiguousarray(array[..., :3]).astype(np.uint8), "RGB")


def paint_colour(rng: np.random.Generator) -> np.ndarray:
    """One paint colour (3,) float32: a common house colour, varied, or any colour at all (15%)."""
    if rng.random() < 0.15:
        return rng.uniform(0, 255, 3).astype(np.float32)
    base = PAINTS[int(rng.integers(len(PAINTS)))]
    return np.minimum(np.maximum(base + rng.normal(0, 18, 3), 0), 255).astype(np.float32)


def texture(rng: np.random.Generator, rows: int, columns: int, names=None) -> np.ndarray:
    """A patch of a photograph, float32 (rows, columns, 3): a random region, zoomed by 0.5-3x, maybe mirrored."""
    names = names or GREY_TEXTURES + COLOUR_TEXTURES
    name = names[int(rng.integers(len(names)))]
    source = photograph(name)
    zoom = float(np.exp(rng.uniform(np.log(0.5), np.log(3.0))))
    width = min(source.width, max(4, int(round(columns / zoom))))
    height = min(source.height, max(4, int(round(rows / zoom))))
    left = int(rng.integers(0, source.width - width + 1))
    top = int(rng.integers(0, source.height - height + 1))
    mirror = bool(rng.random() < 0.5)
    patch = source.resize((columns, rows), Image.Resampling.BILINEAR, box=(left, top, left + width, top + height))
    array = np.asarray(patch, dtype=np.float32)
    return array[:, ::-1] if mirror else array


def gradient(rng: np.random.Generator, rows: int, columns: int, first=None, second=None) -> np.ndarray:
    """A linear blend between two colours at a random angle, float32 (rows, columns, 3)."""
    first = paint_colour(rng) if first is None else first
    second = paint_colour(rng) if second is None else second
    angle = rng.uniform(0, 2 * np.pi)
    y, x = np.arange(rows, dtype=np.float32)[:, None], np.arange(columns, dtype=np.float32)[None, :]
    position = x * np.cos(angle) + y * np.sin(angle)
    position = (position - position.min()) / max(float(np.ptp(position)), 1.0)
    return first + position[..., None] * (second - first)


def draw_kind(rng: np.random.Generator) -> str:
    """A background kind, drawn with the KINDS probabilities: the draw of ``rng.choice(len(KINDS), p=...)``
    (one ``rng.random()``, looked up in KIND_CDF), without its checks of ``p``."""
    return list(KINDS)[bisect.bisect_right(KIND_CDF, rng.random())]


def background(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """One background, float32 (rows, columns, 3) in [0, 255] (see the module docstring)."""
    kind = draw_kind(rng)
    if kind == "paint":
        colour = paint_colour(rng)
        return np.broadcast_to(colour, (rows, columns, 3)) + rng.normal(0, rng.uniform(0, 5), (rows, columns, 1))
    if kind == "gradient":
        first = paint_colour(rng)
        second = np.clip(first + rng.normal(0, 50, 3), 0, 255) if rng.random() < 0.7 else None
        return gradient(rng, rows, columns, first, second)
    if kind == "grey texture":
        patch = texture(rng, rows, columns, GREY_TEXTURES)
        tint = paint_colour(rng) / 255.0
        contrast = rng.uniform(0.3, 1.0)  # weathered walls are flat; fresh brick is not
        mean = patch.mean()
        return np.clip(((patch - mean) * contrast + mean) * tint * rng.uniform(0.8, 1.6), 0, 255)
    patch = texture(rng, rows, columns, COLOUR_TEXTURES)
    return patch * rng.uniform(0.7, 1.2)
