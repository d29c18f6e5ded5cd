"""One notMNIST image: a letter from a font, cropped to its ink, stretched to fill 28x28.

As in the real notMNIST, the aspect ratio is not kept (an ``I`` in a sans font
becomes a filled bar), the letter is white on black and anti-aliased: it is
drawn large (``RENDER_SIZE`` pixels per em) and resized down with a Lanczos
filter. Every image varies a little, drawn from the ``numpy`` Generator it
is given:

- margins: 0-3 pixels on each side, independently (so the letter's box size varies);
- rotation within +-6 degrees and horizontal shear within +-0.15;
- stroke weight: thinner (eroded) or bolder (a stroke drawn around it);
- a decorative style for about 1 image in 4, as the real set's many display fonts give:
  hollow (outline), drop shadow, striped, framed, distressed (holes), or inverted
  (a dark letter on a white box); see STYLES;
- occasionally a slight blur (radius 0.3-0.6 pixel); then full contrast (the brightest
  pixel is 255) and gaussian noise with sigma 0-6 grey levels.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from course_lib.notmnist.fonts import LETTERS, load_font

SHAPE = (28, 28)  # (rows, columns) of a notMNIST image
RENDER_SIZE = 80  # pixels per em for the large drawing
MAX_MARGIN = 3
MAX_ROTATION = 6.0  # degrees
MAX_SHEAR = 0.15
# Stroke weight levels: negative erodes the drawing by that many pixels, positive
# draws a stroke that wide around it (at RENDER_SIZE); 0 twice, as the most common.
WEIGHTS = (-2, -1, 0, 0, 1, 2, 3)
BLUR_CHANCE = 0.15
MAX_NOISE = 6.0  # grey levels (standard deviation)
INK = 64  # grey level above which a pixel counts as ink when cropping (at RENDER_SIZE)
# Decorative styles and how often each is drawn.
STYLES = {"plain": 0.76, "outline": 0.06, "shadow": 0.05, "striped": 0.03, "framed": 0.03,
          "distressed": 0.03, "inverted": 0.04}


def render_letter(font_path, letter: str, rng: np.random.Generator, *, shape=SHAPE) -> np.ndarray:
    """One image of ``letter`` in the font at ``font_path``, varied by ``rng``.

    shape: (rows, columns) of the image, 28x28 unless asked otherwise.
    Returns an array of shape ``shape``, uint8, white letter on black.
    The draws from ``rng`` are always the same in number and order, so a
    Generator seeded the same way gives the same image.
    """
    if letter not in LETTERS:
        raise ValueError(f"letter must be one of {LETTERS}, got {letter!r}")
    rows, columns = shape
    weight = WEIGHTS[int(rng.integers(len(WEIGHTS)))]
    rotation = rng.uniform(-MAX_ROTATION, MAX_ROTATION)
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    left, top, right, bottom = (int(m) for m in rng.integers(0, MAX_MARGIN + 1, size=4))
    blur = rng.uniform(0.3, 0.6) if rng.random() < BLUR_CHANCE else 0.0
    noise_sigma = rng.uniform(0.0, MAX_NOISE)
    noise = rng.standard_normal(shape)
    style = list(STYLES)[int(rng.choice(len(STYLES), p=list(STYLES.values())))]
    knobs = rng.random(4)  # the style's parameters, each in [0, 1)
    texture = rng.random((8, 8))  # the holes of a distressed letter

    glyph = _glyph(str(font_path), letter, weight)
    if style not in ("plain", "inverted"):
        glyph = _cropped(_STYLED[style](glyph, knobs, texture))
    glyph = _skewed(glyph, rotation, shear)
    box = (max(1, columns - left - right), max(1, rows - top - bottom))
    canvas = Image.new("L", (columns, rows))
    canvas.paste(glyph.resize(box, Image.Resampling.LANCZOS), (left, top))
    if style == "inverted":
        canvas.paste(ImageChops.invert(canvas.crop((left, top, left + box[0], top + box[1]))), (left, top))
    if blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(blur))
    image = np.asarray(canvas, dtype=np.float32)
    # Full contrast, as in the real images: a hairline font shrunk to 28 pixels would be dim grey.
    image = image * (255.0 / max(image.max(), 1.0)) + noise_sigma * noise
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _outline(glyph: Image.Image, knobs, texture) -> Image.Image:
    """Hollow: only a 2-4 pixel rim of the letter (at RENDER_SIZE) is left."""
    rim = 2 + int(knobs[0] * 3)
    hollow = ImageChops.subtract(glyph, glyph.filter(ImageFilter.MinFilter(2 * rim + 1)))
    return hollow if hollow.getbbox() else glyph


def _shadow(glyph: Image.Image, knobs, texture) -> Image.Image:
    """A dimmer copy of the letter 4-10 pixels down and to one side, behind it."""
    dx = int(4 + knobs[0] * 7) * (1 if knobs[2] < 0.7 else -1)
    dy = int(4 + knobs[1] * 7)
    width, height = glyph.size
    canvas = Image.new("L", (width + abs(dx), height + dy))
    behind = glyph.point(lambda v: int(v * (0.35 + 0.4 * knobs[3])))
    canvas.paste(behind, (max(dx, 0), dy))
    front = Image.new("L", canvas.size)
    front.paste(glyph, (max(-dx, 0), 0))
    return ImageChops.lighter(canvas, front)


def _striped(glyph: Image.Image, knobs, texture) -> Image.Image:
    """The letter filled with stripes (horizontal or diagonal), 6-10 pixels apart."""
    period = 6 + int(knobs[0] * 5)
    rows, columns = np.indices((glyph.size[1], glyph.size[0]))
    position = rows if knobs[1] < 0.6 else rows + columns
    stripes = ((position % period) < period * (0.45 + 0.2 * knobs[2])).astype(np.uint8) * 255
    return ImageChops.multiply(glyph, Image.fromarray(stripes, mode="L"))


def _framed(glyph: Image.Image, knobs, texture) -> Image.Image:
    """The letter inside a rectangle or an ellipse, 3-5 pixels wide, 6-15 pixels away."""
    gap = 6 + int(knobs[0] * 10)
    line = 3 + int(knobs[1] * 3)
    width, height = glyph.size
    canvas = Image.new("L", (width + 2 * (gap + line), height + 2 * (gap + line)))
    canvas.paste(glyph, (gap + line, gap + line))
    draw = ImageDraw.Draw(canvas)
    shape = draw.rectangle if knobs[2] < 0.6 else draw.ellipse
    shape((0, 0, canvas.size[0] - 1, canvas.size[1] - 1), outline=255, width=line)
    return canvas


def _distressed(glyph: Image.Image, knobs, texture) -> Image.Image:
    """The letter with holes, as worn-out or stencilled display fonts have them."""
    holes = Image.fromarray((texture < 0.2 + 0.1 * knobs[0]).astype(np.uint8) * 255, mode="L")
    holes = holes.resize(glyph.size, Image.Resampling.BICUBIC).point(lambda v: 0 if v > 128 else 255)
    marked = ImageChops.multiply(glyph, holes)
    return marked if marked.getbbox() else glyph


_STYLED = {"outline": _outline, "shadow": _shadow, "striped": _striped, "framed": _framed,
           "distressed": _distressed}


@functools.lru_cache(maxsize=8192)
def _glyph(font_path: str, letter: str, weight: int) -> Image.Image:
    """The letter drawn at RENDER_SIZE with the given stroke weight, cropped to its ink (mode "L")."""
    font = load_font(font_path, RENDER_SIZE)
    stroke = max(weight, 0)
    left, top, right, bottom = font.getbbox(letter, stroke_width=stroke)
    pad = 4
    canvas = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad))
    ImageDraw.Draw(canvas).text((pad - left, pad - top), letter, font=font, fill=255,
                                stroke_width=stroke, stroke_fill=255)
    if weight < 0:
        thinner = canvas.filter(ImageFilter.MinFilter(2 * -weight + 1))
        # A hairline font would vanish: keep it as drawn.
        if np.count_nonzero(np.asarray(thinner) > INK) >= 0.4 * np.count_nonzero(np.asarray(canvas) > INK):
            canvas = thinner
    return _cropped(canvas)


def _skewed(glyph: Image.Image, rotation: float, shear: float) -> Image.Image:
    """``glyph`` rotated by ``rotation`` degrees and sheared by ``shear``, cropped to its ink."""
    angle = math.radians(rotation)
    cos, sin = math.cos(angle), math.sin(angle)
    # Forward map (x, y) -> rotation @ shear @ (x, y), about the glyph's centre.
    forward = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    width, height = glyph.size
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], dtype=float) - (width / 2, height / 2)
    moved = corners @ forward.T
    new_width = int(math.ceil(np.ptp(moved[:, 0]))) + 2
    new_height = int(math.ceil(np.ptp(moved[:, 1]))) + 2
    (a, b), (c, d) = forward
    inverse = np.array([[d, -b], [-c, a]]) / (a * d - b * c)
    # PIL wants the inverse map: output (x, y) -> input coordinates.
    centre_out = np.array([new_width / 2, new_height / 2])
    offset = np.array([width / 2, height / 2]) - inverse @ centre_out
    coefficients = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
    turned = glyph.transform((new_width, new_height), Image.Transform.AFFINE, coefficients,
                             resample=Image.Resampling.BILINEAR)
    return _cropped(turned)


def _cropped(image: Image.Image) -> Image.Image:
    """``image`` cropped to the box of its ink (pixels above INK); unchanged when it has none."""
    ink = np.asarray(image) > INK
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return image
    return image.crop((int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1))
