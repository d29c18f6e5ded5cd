"""What a street camera does to a picture: uneven light, low contrast, blur, sensor noise, JPEG artefacts.

Applied to a whole batch of images at once (numpy, no loop over images), so
that a hundred thousand 32x32 crops take seconds:

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
    pad_rows, pad_columns = -rows % 16, -columns % 16
    padded = np.pad(images, ((0, 0), (0, pad_rows), (0, pad_columns), (0, 0)), mode="edge")
    ycc = np.einsum("nhwc,dc->nhwd", padded, TO_YCC)  # einsum, not matmul: no BLAS threads
    ycc[..., 0] -= 128.0
    luma_table, chroma_table = quantisation_tables(quality)
    luma = _quantised(ycc[..., 0], luma_table)
    r2, c2 = padded.shape[1] // 2, padded.shape[2] // 2
    chroma = ycc[..., 1:].reshape(count, r2, 2, c2, 2, 2).mean(axis=(2, 4))  # 4:2:0, as most cameras save
    chroma = np.stack([_quantised(chroma[..., k], chroma_table) for k in range(2)], axis=-1)
    chroma = chroma.repeat(2, axis=1).repeat(2, axis=2)
    restored = np.einsum("nhwc,dc->nhwd", np.concatenate([luma[..., None] + 128.0, chroma], axis=-1), FROM_YCC)
    return restored[:, :rows, :columns]


def _quantised(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Each 8x8 block of ``plane`` (N, rows, columns) through a DCT, rounded to multiples of ``table`` (N, 8, 8)."""
    count, rows, columns = plane.shape
    blocks = plane.reshape(count, rows // 8, 8, columns // 8, 8).transpose(0, 1, 3, 2, 4)
    coefficients = scipy.fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    table = table[:, None, None]
    coefficients = np.round(coefficients / table) * table
    blocks = scipy.fft.idctn(coefficients, axes=(-2, -1), norm="ortho")
    return blocks.transpose(0, 1, 3, 2, 4).reshape(count, rows, columns)


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
        length = out.shape[axis]
        pad = [(0, 0)] * 4
        pad[axis] = (BLUR_RADIUS, BLUR_RADIUS)
        padded = np.pad(out, pad, mode="edge")
        total = np.zeros_like(out)
        for index in range(len(taps)):
            part = padded[:, index:index + length] if axis == 1 else padded[:, :, index:index + length]
            total += weights[:, index] * part
        out = total
    return out


def apply(images: np.ndarray, settings, rng: np.random.Generator) -> np.ndarray:
    """``images`` uint8 (N, rows, columns, 3) with each one's settings (N, len(FIELDS)) applied; uint8."""
    settings = np.asarray(settings, np.float32).reshape(-1, len(FIELDS))
    light_x, light_y, contrast, blur, noise, quality = (settings[:, k] for k in range(len(FIELDS)))
    count, rows, columns, _ = images.shape
    y = (np.arange(rows, dtype=np.float32) / max(rows - 1, 1) - 0.5)[None, :, None, None]
    x = (np.arange(columns, dtype=np.float32) / max(columns - 1, 1) - 0.5)[None, None, :, None]
    array = images.astype(np.float32) * (1 + light_x[:, None, None, None] * x + light_y[:, None, None, None] * y)
    mean = array.mean(axis=(1, 2, 3), keepdims=True)
    array = (array - mean) * contrast[:, None, None, None] + mean
    if (blur > 0).any():
        array = blurred(array, blur)
    grain = rng.standard_normal((count, rows, columns, 1), dtype=np.float32)  # sensor noise: mostly brightness
    array = np.clip(array + grain * noise[:, None, None, None], 0, 255)
    compressed = quality > 0
    if compressed.any():
        array[compressed] = jpeg_like(array[compressed], quality[compressed])
    return np.clip(np.rint(array), 0, 255).astype(np.uint8)
