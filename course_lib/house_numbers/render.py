"""Drawing a house number: digits in a font and a colour on a background, then seen by a camera.

Two steps, shared by the cropped digits, the whole numbers and the example photos:

- ``draw_number(digits, rng, fonts)``: a flat, frontal drawing (a *scene*) of
  the digits side by side on a common baseline, in one font, weight and ink
  colour, maybe outlined or casting a shadow, maybe on a plaque with a
  border, over a background from ``course_lib.house_numbers.backgrounds``;
  with the box of each digit's ink;
- ``camera(scene, quad, size)``: what a camera sees of the region ``quad`` of
  the scene (four corners, so that rotation and perspective are one
  transform), at ``size`` pixels; ``Camera(scene).view(quad, size)`` for
  several views of one scene. ``course_lib.house_numbers.artefacts`` then
  adds what a street camera does (light, blur, noise, JPEG).

Every random choice comes from the ``numpy`` Generator passed in, so the same
seed gives the same image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from course_lib.house_numbers.backgrounds import background, paint_colour
from course_lib.house_numbers.fonts import digit_ink

MIN_CONTRAST = 70.0  # grey levels between ink and what is behind it, at least (plus a random 0-40)
WEIGHTS = (-1, 0, 0, 0, 0, 1, 2)  # stroke weight change in pixels at 48 pixels per em (0 most often)


@dataclass
class Scene:
    """A drawn number. image: float32 (rows, columns, 3), in [0, 255] once clipped (``camera`` clips it).

    boxes: float64 (digits, 4), each digit's ink as ``(left, top, width, height)`` in pixels of ``image``.
    digit_height: the tallest digit's ink height, in pixels.
    """

    image: np.ndarray
    boxes: np.ndarray
    digit_height: float


def luma(colour) -> float:
    """The brightness of an RGB colour (ITU-R 601 weights)."""
    red, green, blue = (float(c) for c in colour[:3])
    return 0.299 * red + 0.587 * green + 0.114 * blue


def contrasting_ink(rng: np.random.Generator, behind) -> np.ndarray:
    """An ink colour (3,) that stands out from the colour ``behind``: a paint colour, made lighter or darker if not."""
    ink = paint_colour(rng)
    if abs(luma(ink) - luma(behind)) >= MIN_CONTRAST + rng.uniform(0, 40):
        return ink
    if luma(behind) > 110:
        return rng.uniform(0, 70, 3).astype(np.float32)
    return rng.uniform(190, 255, 3).astype(np.float32)


def _place(canvas: np.ndarray, mask: np.ndarray, top: int, left: int) -> None:
    """canvas = max(canvas, mask placed at (top, left)), clipped to the canvas."""
    rows, columns = mask.shape
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + rows, canvas.shape[0]), min(left + columns, canvas.shape[1])
    if t1 > t0 and l1 > l0:
        region = canvas[t0:t1, l0:l1]
        np.maximum(region, mask[t0 - top:t1 - top, l0 - left:l1 - left], out=region)


def thickened(mask: np.ndarray, pixels: int) -> np.ndarray:
    """The mask grown (pixels > 0) or shrunk (pixels < 0) by that many pixels: a square max or min filter."""
    if pixels == 0:
        return mask
    pick, reach = (np.maximum if pixels > 0 else np.minimum), abs(int(pixels))
    out = mask
    for _ in range(2):  # rows, then (transposed) columns
        padded = np.zeros((out.shape[0] + 2 * reach, out.shape[1]), out.dtype)
        padded[reach:reach + len(out)] = out
        result = padded[:len(out)].copy()
        for shift in range(1, 2 * reach + 1):
            pick(result, padded[shift:shift + len(out)], out=result)
        out = result.T
    return np.ascontiguousarray(out)


def draw_number(digits, rng: np.random.Generator, fonts, *, glyph_size: int = 48,
                margins=(0.4, 0.3, 0.4, 0.3), plaque_chance: float = 0.3) -> Scene:
    """A frontal drawing of ``digits`` (a sequence of ints 0-9) on a background.

    fonts: font file paths to choose from; glyph_size: pixels per em of the drawing.
    margins: (left, top, right, bottom) background around the digits, in digit heights;
        each is enlarged by a random 0-50%.
    plaque_chance: how often the digits sit on a plaque (a panel of another colour, maybe with a border).
    """
    digits = [int(d) for d in digits]
    if not digits or any(not 0 <= d <= 9 for d in digits):
        raise ValueError(f"digits must be 1 or more integers in 0..9, got {digits}")
    font = str(fonts[int(rng.integers(len(fonts)))])
    weight = int(round(WEIGHTS[int(rng.integers(len(WEIGHTS)))] * glyph_size / 48))
    spacing = rng.uniform(-0.02, 0.45)  # gap between digits, in digit heights
    jitter = rng.normal(0, 0.015, (len(digits), 2))  # (down, right) per digit, in digit heights: hand-fixed numerals
    outline, shadow, plaque = rng.random(3) < (0.12, 0.18, plaque_chance)
    extra = 1 + rng.uniform(0, 0.5, 4)
    knobs = rng.random(8)

    glyphs = [digit_ink(font, d, glyph_size) for d in digits]
    height = max(mask.shape[0] for mask, _ in glyphs)
    ascent = min(top for _, top in glyphs)
    pad = (np.asarray(margins) * extra * height).astype(int) + 2 + abs(weight)
    gap = int(round(spacing * height))
    positions, x = [], int(pad[0])
    for (mask, top), (down, right) in zip(glyphs, jitter):
        positions.append((int(pad[1]) + top - ascent + int(round(down * height)), x + int(round(right * height))))
        x = positions[-1][1] + mask.shape[1] + gap
    columns = max(x - gap + int(pad[2]), 1)
    rows = max(p[0] + m.shape[0] for p, (m, _) in zip(positions, glyphs)) + int(pad[3])

    ink_mask = np.zeros((rows, columns), np.float32)
    boxes = []
    for (mask, _), (top, left) in zip(glyphs, positions):
        _place(ink_mask, mask, top, left)
        boxes.append((left - max(weight, 0), top - max(weight, 0), mask.shape[1] + 2 * max(weight, 0),
                      mask.shape[0] + 2 * max(weight, 0)))
    thick = thickened(ink_mask, weight)
    if weight > 0 or thick.sum() > 0.6 * ink_mask.sum():  # a hairline font would break up: keep it as drawn
        ink_mask = thick
    boxes = np.asarray(boxes, dtype=np.float64)

    image = background(rng, rows, columns).astype(np.float32)
    left, top = int(boxes[:, 0].min()), int(boxes[:, 1].min())
    right, bottom = int((boxes[:, 0] + boxes[:, 2]).max()), int((boxes[:, 1] + boxes[:, 3]).max())
    if plaque:
        margin = height * (0.15 + 0.35 * knobs[1])
        x0, y0 = int(max(left - margin, 0)), int(max(top - margin * 0.8, 0))
        x1, y1 = int(min(right + margin, columns)), int(min(bottom + margin * 0.8, rows))
        if knobs[2] < 0.5:  # the plaque's shadow on the wall
            shift = max(1, int(height * 0.08))
            image[y0 + shift:y1 + shift, x0 + shift:x1 + shift] *= 0.55 + 0.3 * knobs[3]
        behind = paint_colour(rng)
        image[y0:y1, x0:x1] = behind
    else:
        behind = image[top:bottom, left:right].reshape(-1, 3).mean(axis=0)
    ink = contrasting_ink(rng, behind)
    if plaque and knobs[4] < 0.6:  # a border in the ink's colour
        width = max(1, int(height * (0.03 + 0.04 * knobs[5])))
        image[y0:y0 + width, x0:x1] = image[y1 - width:y1, x0:x1] = ink
        image[y0:y1, x0:x0 + width] = image[y0:y1, x1 - width:x1] = ink
    if shadow:
        moved = np.zeros_like(ink_mask)
        _place(moved, ink_mask, int(round(height * (0.03 + 0.07 * knobs[6]))),
               int(round(height * (0.07 * knobs[7] - 0.035))))
        image *= 1 - 0.6 * moved[..., None]
    if outline:
        edge = thickened(ink_mask, max(1, int(round(height * (0.04 + 0.04 * knobs[0])))))[..., None]
        image += (contrasting_ink(rng, ink) - image) * edge
    shade = 1 + rng.uniform(-0.25, 0.25) * (np.arange(rows, dtype=np.float32) / max(rows - 1, 1) * 2 - 1)
    alpha = ink_mask[..., None]
    image += (np.minimum(ink * shade[:, None, None], 255) - image) * alpha
    return Scene(image, boxes, float(height))


# --- the camera ------------------------------------------------------------------------------------

def homography(source, target) -> np.ndarray:
    """The 3x3 projective map sending the four points ``source`` (4, 2) to ``target`` (4, 2)."""
    rows = []
    for (x, y), (u, v) in zip(np.asarray(source, float), np.asarray(target, float)):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    system = np.asarray(rows)
    solution = np.linalg.solve(system[:, :8], system[:, 8])
    return np.append(solution, 1.0).reshape(3, 3)


def project(points, matrix) -> np.ndarray:
    """Points (N, 2) mapped by a 3x3 homography."""
    points = np.asarray(points, float).reshape(-1, 2)
    moved = np.c_[points, np.ones(len(points))] @ np.asarray(matrix).T
    return moved[:, :2] / moved[:, 2:3]


def project_boxes(boxes, matrix) -> np.ndarray:
    """Axis-aligned boxes (N, 4) ``(left, top, width, height)`` around each box's four corners once mapped."""
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    left, top, right, bottom = boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2], boxes[:, 1] + boxes[:, 3]
    corners = np.stack([np.c_[left, top], np.c_[right, top], np.c_[right, bottom], np.c_[left, bottom]], axis=1)
    moved = project(corners.reshape(-1, 2), matrix).reshape(-1, 4, 2)
    low, high = moved.min(axis=1), moved.max(axis=1)
    return np.c_[low, high - low]


def jittered_quad(left, top, right, bottom, rng, *, rotation: float = 0.0, perspective: float = 0.0) -> np.ndarray:
    """The corners (top-left, top-right, bottom-right, bottom-left) of a box, rotated by up to ``rotation``
    degrees about its centre and each moved by up to ``perspective`` times the box's size."""
    centre = np.array([(left + right) / 2, (top + bottom) / 2])
    half = np.array([(right - left) / 2, (bottom - top) / 2])
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
    angle = np.radians(rng.uniform(-rotation, rotation))
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    corners = corners @ turn.T + rng.uniform(-perspective, perspective, (4, 2)) * 2 * half
    return corners + centre


def square_to_quad(quad, columns: float = 1.0, rows: float = 1.0) -> np.ndarray:
    """The 3x3 homography sending the corners of a ``columns`` x ``rows`` rectangle at the origin (top-left,
    top-right, bottom-right, bottom-left) to ``quad``, in closed form (Heckbert, 1989)."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = np.asarray(quad, float).tolist()
    sx, sy = x0 - x1 + x2 - x3, y0 - y1 + y2 - y3
    if abs(sx) < 1e-12 and abs(sy) < 1e-12:  # a parallelogram: affine
        g = h = 0.0
    else:
        dx1, dx2, dy1, dy2 = x1 - x2, x3 - x2, y1 - y2, y3 - y2
        det = dx1 * dy2 - dx2 * dy1
        g, h = (sx * dy2 - dx2 * sy) / det, (dx1 * sy - sx * dy1) / det
    matrix = np.array([[x1 - x0 + g * x1, x3 - x0 + h * x3, x0],
                       [y1 - y0 + g * y1, y3 - y0 + h * y3, y0],
                       [g, h, 1.0]])
    return matrix * [1.0 / columns, 1.0 / rows, 1.0]


class Camera:
    """A camera in front of one scene (float32 (rows, columns, 3), clipped to [0, 255] and rounded to
    uint8 here, once for all its views)."""

    def __init__(self, scene: np.ndarray):
        self.picture = np.minimum(np.maximum(scene, 0) + 0.5, 255).astype(np.uint8)
        self.image = Image.fromarray(self.picture, "RGB")

    def view(self, quad, size, *, supersample: int = 1, forward: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """The region ``quad`` of the scene (corners top-left, top-right, bottom-right, bottom-left) seen
        frontally at ``size`` = (columns, rows).

        Outside the scene, its border pixels are repeated. supersample: draw that many times larger, then
        average down (for a scene much larger than the result). Returns ``(uint8 image (rows, columns, 3),
        the 3x3 homography from scene to image coordinates if forward=True, else None)``.
        """
        columns, rows = int(size[0]), int(size[1])
        big = (columns * supersample, rows * supersample)
        quad = np.asarray(quad, float)
        corners = quad.tolist()
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        height, width = self.picture.shape[:2]
        need = math.ceil(max(0.0, -min(xs + ys), max(xs) - width, max(ys) - height))
        image = self.image
        if need:
            need += 2
            image = Image.fromarray(np.pad(self.picture, ((need, need), (need, need), (0, 0)), mode="edge"), "RGB")
        backward = square_to_quad(quad + need, *big)  # output pixel -> (padded) scene pixel
        seen = image.transform(big, Image.Transform.PERSPECTIVE, backward.ravel()[:8].tolist(),
                               resample=Image.Resampling.BILINEAR)
        if supersample > 1:
            seen = seen.reduce(supersample)
        if not forward:
            return np.asarray(seen), None
        shift = np.array([[1.0, 0, need], [0, 1.0, need], [0, 0, 1.0]])
        matrix = np.diag([1 / supersample, 1 / supersample, 1.0]) @ np.linalg.inv(backward) @ shift
        return np.asarray(seen), matrix / matrix[2, 2]


def camera(scene: np.ndarray, quad, size, *, supersample: int = 1,
           forward: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """``Camera(scene).view(quad, size, ...)``: one view of a scene (see ``Camera.view``)."""
    return Camera(scene).view(quad, size, supersample=supersample, forward=forward)
