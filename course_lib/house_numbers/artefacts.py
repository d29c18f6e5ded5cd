"""What a street camera does to a picture: uneven light, low contrast, blur, sensor noise, JPEG artefacts.

Applied to a batch of images at once (numpy, BATCH images at a time, no loop
over images), so that a hundred thousand 32x32 crops take seconds:

- light: brightness changing linearly across the image (up to +-LIGHT at the edges);
- contrast: pulled towards the image's mean (down to MIN_CONTRAST) in half the images;
- blur: a Gaussian of standard deviation up to MAX_BLUR pixels (none in 30% of the images);
- noise: Gaussian, up to MAX_NOISE grey levels, the same in the three channels (brightness noise);
- JPEG-like artefacts (70% of the images, quality 15-90): what JPEG compression loses, computed as
  JPEG does it: YCbCr colours, the colour planes at half resolution, a DCT of 8x8 blocks, and
  each coefficient rounded to a multiple of the standard quantisation table scaled for the quality.

``draw(rng, scale)`` draws the settings of one image; ``apply(images, settings, rng)`` applies
them to a batch (``rng`` draws the noise).
"""

from __future__ import annotations

import numpy as np
import scipy.fft

LIGHT = 0.35
MIN_CONTRAST = 0.5
MAX_BLUR = 1.3
MAX_NOISE = 9.0
JPEG_CHANCE = 0.7
QUALITY = (15, 90)
BLUR_RADIUS = 4  # taps on each side of the blur kernel
BATCH = 64  # images worked on together by apply
FIELDS = ("light_x", "light_y", "contrast", "blur", "noise", "quality")

# The quantisation tables of the JPEG standard (Annex K), at quality 50.
LUMA_TABLE = np.array([
    [16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55], [14, 13, 16, 24, 40, 57, 69, 56],
    [14, 17, 22, 29, 51, 87, 80, 62], [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]], dtype=np.float32)
CHROMA_TABLE = np.full((8, 8), 99, dtype=np.float32)
CHROMA_TABLE[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]
TO_YCC = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], np.float32)
FROM_YCC = np.linalg.inv(TO_YCC).astype(np.float32)


def draw(rng: np.random.Generator, scale: float = 1.0) -> tuple[float, ...]:
    """The settings of one image (see FIELDS), drawn from ``rng``.

    scale: the image's size relative to a 32-pixel crop (the blur grows with it). quality 0 means no JPEG.
    """
    light_x, light_y = rng.uniform(-LIGHT, LIGHT, 2)
    contrast = 1.0 if rng.random() < 0.5 else rng.uniform(MIN_CONTRAST, 1.0)
    blur = 0.0 if rng.random() < 0.3 else rng.uniform(0.2, MAX_BLUR) * scale
    noise = rng.uniform(0, MAX_NOISE)
    quality = float(rng.integers(QUALITY[0], QUALITY[1] + 1)) if rng.random() < JPEG_CHANCE else 0.0
    return (float(light_x), float(light_y), float(contrast), float(blur), float(noise), quality)


def quantisation_tables(quality) -> tuple[np.ndarray, np.ndarray]:
    """The luma and chroma tables (N, 8, 8) for JPEG qualities (N,) in 1..100, as libjpeg scales them."""
    quality = np.clip(np.asarray(quality, np.float32), 1, 100)
    scale = np.where(quality < 50, 5000 / quality, 200 - 2 * quality)[:, None, None]
    return (np.maximum(np.floor((LUMA_TABLE * scale + 50) / 100), 1),
            np.maximum(np.floor((CHROMA_TABLE * scale + 50) / 100), 1))


def jpeg_like(images: np.ndarray, quality) -> np.ndarray:
    """What JPEG at ``quality`` (N,) keeps of float images (N, rows, columns, 3) in [0, 255]; a new array."""
    count, rows, columns, _ = images.shape
    padded = edge_padded(edge_padded(images, 1, 0, -rows % 16), 2, 0, -columns % 16)
    red, green, blue = padded[..., 0], padded[..., 1], padded[..., 2]
    luma, blue_chroma, red_chroma = (red * TO_YCC[k, 0] + green * TO_YCC[k, 1] + blue * TO_YCC[k, 2] for k in range(3))
    luma_table, chroma_table = quantisation_tables(quality)
    luma = _quantised(luma - 128.0, luma_table) + 128.0
    blue_chroma, red_chroma = (_quantised(_halved(plane), chroma_table) for plane in (blue_chroma, red_chroma))
    r2, c2 = blue_chroma.shape[1:]
    luma = luma.reshape(count, r2, 2, c2, 2)  # each chroma value covers 2x2 luma pixels: broadcast, not repeated
    blue_chroma, red_chroma = blue_chroma[:, :, None, :, None], red_chroma[:, :, None, :, None]
    restored = np.empty((count, rows, columns, 3), np.float32)
    for k in range(3):
        plane = luma * FROM_YCC[k, 0] + blue_chroma * FROM_YCC[k, 1] + red_chroma * FROM_YCC[k, 2]
        restored[..., k] = plane.reshape(count, 2 * r2, 2 * c2)[:, :rows, :columns]
    return restored


def _halved(plane: np.ndarray) -> np.ndarray:
    """The mean of each 2x2 block of ``plane`` (N, rows, columns), rows and columns even: JPEG's 4:2:0 chroma."""
    return (plane[:, 0::2, 0::2] + plane[:, 0::2, 1::2] + plane[:, 1::2, 0::2] + plane[:, 1::2, 1::2]) / 4


def _quantised(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each 8x8 block of ``plane`` (N, rows, columns) through a DCT, rounded to multiples of ``table`` (N, 8, 8)."""
    count, rows, columns = plane.shape
    blocks = plane.reshape(count, rows // 8, 8, columns // 8, 8).transpose(0, 1, 3, 2, 4)
    coefficients = scipy.fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    table = table[:, None, None]
    coefficients = np.round(coefficients / table) * table
    blocks = scipy.fft.idctn(coefficients, axes=(-2, -1), norm="ortho")
    return blocks.transpose(0, 1, 3, 2, 4).reshape(count, rows, columns)


def edge_padded(images: np.ndarray, axis: int, before: int, after: int) -> np.ndarray:
    """``images`` with its first and last slices along ``axis`` repeated ``before`` and ``after`` times.

    The same as ``np.pad(..., mode="edge")`` along one axis, without its overhead; ``images`` itself when
    both are 0.
    """
    if before == 0 and after == 0:
        return images
    length = images.shape[axis]
    shape = list(images.shape)
    shape[axis] = before + length + after
    padded = np.empty(shape, images.dtype)
    moved, source = np.moveaxis(padded, axis, 0), np.moveaxis(images, axis, 0)
    moved[:before] = source[:1]
    moved[before:before + length] = source
    moved[before + length:] = source[-1:]
    return padded


def blurred(images: np.ndarray, sigma) -> np.ndarray:
    """Each float image (N, rows, columns, 3) blurred by a Gaussian of its own ``sigma`` (N,) pixels (0: unchanged).

    Separable, edges repeated; weighted sums of shifted copies (no BLAS call: its threads would fight
    the worker processes for the cores).
    """
    sigma = np.asarray(sigma, np.float32)
    taps = np.arange(-BLUR_RADIUS, BLUR_RADIUS + 1)
    weights = np.exp(-0.5 * (taps / np.maximum(sigma, 1e-3)[:, None]) ** 2).astype(np.float32)
    weights /= weights.sum(axis=1, keepdims=True)
    weights = weights[:, :, None, None, None]
    out = images
    for axis in (1, 2):
        out = _smoothed(out, weights, axis)
    return out


def _smoothed(images: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """``images`` (N, rows, columns, 3) convolved along ``axis`` (1 or 2) with each one's ``weights``
    (N, taps, 1, 1, 1)."""
    length = images.shape[axis]
    padded = np.moveaxis(edge_padded(images, axis, BLUR_RADIUS, BLUR_RADIUS), axis, 1)
    total = weights[:, 0] * padded[:, :length]
    term = np.empty_like(total)
    for index in range(1, weights.shape[1]):
        np.multiply(weights[:, index], padded[:, index:index + length], out=term)
        total += term
    return np.moveaxis(total, 1, axis)


def apply(images: np.ndarray, settings, rng: np.random.Generator) -> np.ndarray:
    """``images`` uint8 (N, rows, columns, 3) with each one's settings (N, len(FIELDS)) applied; uint8.

    Worked on BATCH images at a time, so that their float copies stay in the processor's cache.
    """
    settings = np.asarray(settings, np.float32).reshape(-1, len(FIELDS))
    grain = rng.standard_normal((*images.shape[:3], 1), dtype=np.float32)  # sensor noise: mostly brightness
    out = np.empty_like(images)
    for start in range(0, len(images), BATCH):
        part = slice(start, start + BATCH)
        out[part] = _applied(images[part], settings[part], grain[part])
    return out


def _applied(images: np.ndarray, settings: np.ndarray, grain: np.ndarray) -> np.ndarray:
    """``apply`` on a few images, with their noise ``grain`` (N, rows, columns, 1) already drawn."""
    light_x, light_y, contrast, blur, noise, quality = (settings[:, k] for k in range(len(FIELDS)))
    _, rows, columns, _ = images.shape
    y = (np.arange(rows, dtype=np.float32) / max(rows - 1, 1) - 0.5)[None, :, None, None]
    x = (np.arange(columns, dtype=np.float32) / max(columns - 1, 1) - 0.5)[None, None, :, None]
    array = images.astype(np.float32) * (1 + light_x[:, None, None, None] * x + light_y[:, None, None, None] * y)
    mean = array.mean(axis=(1, 2, 3), keepdims=True)
    array = (array - mean) * contrast[:, None, None, None] + mean
    sharp = blur > 0
    if sharp.any():
        array[sharp] = blurred(array[sharp], blur[sharp])
    array = np.clip(array + grain * noise[:, None, None, None], 0, 255)
    compressed = quality > 0
    if compressed.any():
        array[compressed] = jpeg_like(array[compressed], quality[compressed])
    return np.clip(np.rint(array), 0, 255).astype(np.uint8)
