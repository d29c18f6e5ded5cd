"""One notMNIST image: a letter from a font, cropped to its ink, stretched edge to edge into 28x28.

The real notMNIST (see its description and sample grids) is letters drawn by
fonts and nothing else: each glyph cropped to its ink and resized to 28x28
without keeping its aspect ratio (an ``I`` in a sans font becomes a filled
box), white on black, upright unless the font is italic, with no margins,
rotation or noise. The resizing filter rings: a dark row of 1-6 grey levels
beside each edge, a few levels of ripple inside wide strokes. Its variety
comes from tens of thousands of fonts, many of them display fonts (bold,
hollow, shadowed, letters in boxes, scripts).

``render_letter`` does the same with the fonts of this machine: the glyph is
drawn large (``RENDER_SIZE`` pixels per em), cropped to its ink and resized
to 28x28 with a Lanczos filter, which rings as the real images do. As the
real set has about 50 times more fonts than a machine has, every image
varies its font the ways fonts of one family or of display families differ
(drawn from the ``numpy`` Generator it is given):

- the stroke weight, from light to black (``WEIGHTS``): a family's weights
  (no synthetic slant: the italic fonts give the real share of slanted letters);
- for some, a display style (``STYLES``): hollow (outline), shadowed, inline
  (a dark line inside the strokes), in a box (a dark letter on a white box),
  or rounded and blurred;
- the crop: the ink's box, each edge moved in by a fraction of a pixel (so
  that no two images are copies); for about one image in six a little room
  on the left or the right, as the real images have where a font's box was
  wider than its ink.

``render_confusion`` draws what a font that lacks a letter shows instead
(the planted label noise, see ``course_lib.notmnist.plan``).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from scipy.ndimage import maximum_filter, minimum_filter

from course_lib.notmnist.fonts import LETTERS, load_font

SHAPE = (28, 28)  # (rows, columns) of a notMNIST image
RENDER_SIZE = 96  # pixels per em for the large drawing
INK = 32  # grey level above which a pixel counts as ink when cropping (at RENDER_SIZE)
# Stroke weight levels: negative erodes the drawing by that many pixels, positive draws a stroke
# that wide around it (at RENDER_SIZE, 96 pixels per em); each level drawn with its probability.
WEIGHTS = {-2: 0.10, -1: 0.19, 0: 0.41, 1: 0.16, 2: 0.08, 3: 0.04, 4: 0.02}
# Display styles and how often each is drawn.
STYLES = {"plain": 0.89, "outline": 0.04, "shadow": 0.03, "inline": 0.02, "boxed": 0.02}
# How often each side (left, top, right, bottom) gets some room between the ink and the edge,
# and how much (a fraction of the crop's width or height).
ROOM_CHANCE = (0.17, 0.025, 0.18, 0.02)
ROOM = (0.01, 0.05)
JITTER = 0.9  # largest sub-pixel move of each crop edge, in pixels at RENDER_SIZE
MIN_SIDE = 56  # a glyph narrower or shorter than this (pixels) is drawn again larger ...
MAX_SCALE = 6  # ... at most this many times RENDER_SIZE

_WEIGHT_LEVELS = tuple(WEIGHTS)
_WEIGHT_CUMULATIVE = np.cumsum(list(WEIGHTS.values()))
_STYLE_NAMES = tuple(STYLES)
_STYLE_CUMULATIVE = np.cumsum(list(STYLES.values()))


def render_letter(font_path, letter: str, rng: np.random.Generator, *, shape=SHAPE) -> np.ndarray:
    """One image of ``letter`` in the font at ``font_path``, varied by ``rng``.

    shape: (rows, columns) of the image, 28x28 unless asked otherwise.
    Returns an array of shape ``shape``, uint8, white letter on black.
    The draws from ``rng`` are always the same in number and order, so a
    Generator seeded the same way gives the same image.
    """
    if letter not in LETTERS:
        raise ValueError(f"letter must be one of {LETTERS}, got {letter!r}")
    draws = rng.random(14)  # weight, style, 4 knobs, room for 4 sides, 4 jitters
    weight = _WEIGHT_LEVELS[_pick(_WEIGHT_CUMULATIVE, draws[0])]
    style = _STYLE_NAMES[_pick(_STYLE_CUMULATIVE, draws[1])]
    knobs = draws[2:6]  # the style's parameters, each in [0, 1)
    # A side gets room when its draw falls below its chance; the draw, rescaled, sets how much.
    room = [ROOM[0] + draw / chance * (ROOM[1] - ROOM[0]) if draw < chance else 0.0
            for draw, chance in zip(draws[6:10], ROOM_CHANCE)]
    jitter = draws[10:14] * JITTER  # sub-pixel moves of the crop's edges (left, top, right, bottom)

    glyph, unit = _glyph(str(font_path), letter, weight)
    if style != "plain":
        glyph = _cropped(_STYLED[style](glyph, knobs, unit))
    if any(room):
        glyph = _with_room(glyph, room)
    return stretched(glyph, shape, jitter)


def _pick(cumulative: np.ndarray, draw: float) -> int:
    """The index a uniform ``draw`` in [0, 1) falls on, for probabilities with these cumulative sums."""
    return min(int(np.searchsorted(cumulative, draw * cumulative[-1], side="right")), len(cumulative) - 1)


def stretched(glyph: Image.Image, shape=SHAPE, jitter=(0, 0, 0, 0)) -> np.ndarray:
    """``glyph`` (mode "L") resized to ``shape`` (rows, columns) with a Lanczos filter, as uint8.

    jitter: how far (in pixels of ``glyph``, each below 1) the box resized moves in from its
    left, top, right and bottom edge: two images of the same glyph differ in a sub-pixel phase,
    as two renderings of one font at different sizes do, rather than being copies.
    """
    rows, columns = shape
    width, height = glyph.size
    left, top, right, bottom = (float(j) for j in jitter)
    box = (left, top, max(left + 1.0, width - right), max(top + 1.0, height - bottom))
    return np.asarray(glyph.resize((columns, rows), Image.Resampling.LANCZOS, box=box), dtype=np.uint8)


def _eroded(glyph: Image.Image, size: int) -> Image.Image:
    """``glyph`` with every pixel the darkest of the ``size`` x ``size`` square around it."""
    return Image.fromarray(minimum_filter(np.asarray(glyph), size=size, mode="constant", cval=0), mode="L")


def _outline(glyph: Image.Image, knobs, unit: int) -> Image.Image:
    """Hollow: only a rim of the letter is left, 2-4 pixels wide at RENDER_SIZE (``unit`` times that here)."""
    rim = (2 + int(knobs[0] * 3)) * unit
    hollow = ImageChops.subtract(glyph, _eroded(glyph, 2 * rim + 1))
    return hollow if hollow.getbbox() else glyph


def _shadow(glyph: Image.Image, knobs, unit: int) -> Image.Image:
    """A solid copy of the letter 5-14 pixels (at RENDER_SIZE) down and to one side, behind it, a dark gap between."""
    dx = int(5 + knobs[0] * 10) * unit * (1 if knobs[2] < 0.7 else -1)
    dy = int(5 + knobs[1] * 10) * unit
    width, height = glyph.size
    canvas = Image.new("L", (width + abs(dx), height + dy))
    canvas.paste(glyph, (max(dx, 0), dy))
    front = Image.new("L", canvas.size)
    front.paste(glyph, (max(-dx, 0), 0))
    gap = Image.fromarray(maximum_filter(np.asarray(front), size=4 * unit + 1, mode="constant", cval=0), mode="L")
    return ImageChops.lighter(ImageChops.subtract(canvas, gap), front)


def _inline(glyph: Image.Image, knobs, unit: int) -> Image.Image:
    """A dark line, 1-2 pixels wide at RENDER_SIZE, along the middle of the strokes (as engraved display fonts)."""
    inset = (5 + int(knobs[0] * 4)) * unit
    inner = _eroded(glyph, 2 * inset + 1)
    if not inner.getbbox():
        return glyph
    line = ImageChops.subtract(inner, _eroded(inner, (1 + int(knobs[1] * 2)) * 2 * unit + 1))
    return ImageChops.subtract(glyph, line)


def _boxed(glyph: Image.Image, knobs, unit: int) -> Image.Image:
    """A dark letter on a white box, 6-17 pixels (at RENDER_SIZE) around it, as on tiles and signs."""
    pad = (6 + int(knobs[0] * 12)) * unit
    width, height = glyph.size
    box = Image.new("L", (width + 2 * pad, height + 2 * pad), 255)
    box.paste(ImageChops.invert(glyph), (pad, pad), glyph)
    if knobs[1] < 0.3:  # rounded tile: the corners cut
        corner = (4 + int(knobs[2] * 10)) * unit
        mask = Image.new("L", box.size)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, box.size[0] - 1, box.size[1] - 1), corner * 2, fill=255)
        box = ImageChops.multiply(box, mask)
    return box


def _soft(glyph: Image.Image, knobs) -> Image.Image:
    """Rounded, slightly blurred strokes, as brush and marker display fonts."""
    return glyph.filter(ImageFilter.GaussianBlur(float(2 + knobs[0] * 3))).point(lambda v: min(255, int(v * 1.6)))


_STYLED = {"outline": _outline, "shadow": _shadow, "inline": _inline, "boxed": _boxed, "soft": _soft}


@functools.lru_cache(maxsize=4096)
def _glyph(font_path: str, letter: str, weight: int) -> Image.Image:
    """``(glyph, scale)``: the letter drawn at ``scale`` times RENDER_SIZE with the given stroke weight,
    cropped to its ink (mode "L").

    A glyph narrower or shorter than MIN_SIDE pixels (the stem of an I) is drawn again larger, so
    that stretching it to 28 pixels gives a crisp bar or box, not a blur of its anti-aliased edges.
    """
    glyph = _weighted(font_path, letter, weight, 1)
    scale = min(MAX_SCALE, math.ceil(MIN_SIDE / max(1, min(glyph.size))))
    return (glyph, 1) if scale == 1 else (_weighted(font_path, letter, weight, scale), scale)


def _weighted(font_path: str, letter: str, weight: int, scale: int) -> Image.Image:
    """The letter drawn at ``scale`` times RENDER_SIZE, its weight scaled alike, in full contrast, cropped."""
    canvas = _drawn(font_path, letter, max(weight, 0) * scale, RENDER_SIZE * scale)
    if weight < 0:
        drawn = np.asarray(canvas)
        thinner = minimum_filter(drawn, size=2 * -weight * scale + 1, mode="constant", cval=0)
        # A hairline font would vanish: keep it as drawn.
        if np.count_nonzero(thinner > INK) >= 0.4 * np.count_nonzero(drawn > INK):
            canvas = Image.fromarray(thinner, mode="L")
    brightest = max(canvas.getextrema()[1], 1)
    if brightest < 255:  # full contrast: a hairline drawn grey would be a grey letter
        canvas = canvas.point(lambda v: min(255, v * 255 // brightest))
    return _cropped(canvas)


def _drawn(font_path: str, text: str, stroke: int = 0, size: int = RENDER_SIZE) -> Image.Image:
    """``text`` drawn white on black at ``size`` pixels per em with a stroke ``stroke`` pixels wide,
    with a 4-pixel border."""
    font = load_font(font_path, size)
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    pad = 4
    canvas = Image.new("L", (max(1, right - left) + 2 * pad, max(1, bottom - top) + 2 * pad))
    ImageDraw.Draw(canvas).text((pad - left, pad - top), text, font=font, fill=255,
                                stroke_width=stroke, stroke_fill=255)
    return canvas


def _with_room(glyph: Image.Image, room) -> Image.Image:
    """``glyph`` with black added on its (left, top, right, bottom), each a fraction of its width or height."""
    width, height = glyph.size
    left, top, right, bottom = (int(round(r * size)) for r, size in zip(room, (width, height, width, height)))
    canvas = Image.new("L", (width + left + right, height + top + bottom))
    canvas.paste(glyph, (left, top))
    return canvas


def _cropped(image: Image.Image) -> Image.Image:
    """``image`` cropped to the box of its ink (pixels above INK); unchanged when it has none."""
    box = ImageChops.subtract(image, Image.new("L", image.size, INK)).getbbox()
    return image if box is None else image.crop(box)


MISSING = "\U0010fffd"  # a character no font has: FreeType draws the font's "missing glyph" instead


def render_confusion(font_path, shows: str, rng: np.random.Generator, *, text: str = "", symbol_font=None,
                     letter: str = "A", shape=SHAPE) -> np.ndarray:
    """What a font that lacks ``letter`` shows instead: one planted wrong label (uint8, ``shape``).

    shows: "missing_glyph_box" (the font's missing-glyph box, or a drawn one when
    the font's is empty), "filled_box", "symbol" (``letter`` in ``symbol_font``,
    a pictogram or a Greek letter), "other_character" (``text`` in the font),
    or "blank".
    """
    if shows == "blank":
        return np.zeros(shape, np.uint8)
    if shows == "filled_box":
        return np.full(shape, 255, np.uint8)
    if shows == "symbol":
        if symbol_font is None:
            raise ValueError("a symbol confusion needs symbol_font")
        glyph = _cropped(_drawn(str(symbol_font), letter))
    elif shows == "other_character":
        if not text:
            raise ValueError("an other_character confusion needs text")
        glyph = _cropped(_drawn(str(font_path), text))
    elif shows == "missing_glyph_box":
        glyph = _cropped(_drawn(str(font_path), MISSING))
        if not _has_ink(glyph):
            glyph = _box(rng)
    else:
        raise ValueError(f"unknown confusion {shows!r}")
    if not _has_ink(glyph):
        return np.zeros(shape, np.uint8)
    return stretched(glyph, shape)


def _box(rng: np.random.Generator) -> Image.Image:
    """A hollow rectangle, as most fonts draw a missing glyph (sometimes crossed)."""
    width, height = int(rng.integers(40, 70)), int(rng.integers(70, 96))
    line = int(rng.integers(3, 9))
    box = Image.new("L", (width, height))
    draw = ImageDraw.Draw(box)
    draw.rectangle((0, 0, width - 1, height - 1), outline=255, width=line)
    if rng.random() < 0.3:
        draw.line((0, 0, width - 1, height - 1), fill=255, width=line)
        draw.line((0, height - 1, width - 1, 0), fill=255, width=line)
    return box


def _has_ink(image: Image.Image) -> bool:
    return image.getextrema()[1] > INK
