"""Decoding many small images into one uint8 array, on every core (``course_lib.parallel``), skipping the bad ones."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from course_lib.parallel import cores, ordered_map
from course_lib.progress import bar as progress_bar

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
PARALLEL_FROM = 2_000  # below this, starting worker processes costs more than it saves
CHUNK = 1_000


def decode_one(source, mode: str, size: tuple[int, int] | None, resize: bool) -> np.ndarray:
    """Decode one image (a path or raw bytes). Raises ValueError with the reason."""
    opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    with opened as image:
        image.load()
        if size is not None and image.size != size:
            if not resize:
                raise ValueError(f"wrong size {image.size[0]}x{image.size[1]}, expected {size[0]}x{size[1]}")
            image = image.resize(size, Image.Resampling.LANCZOS)
        return np.asarray(image.convert(mode), dtype=np.uint8)


def _decode_chunk(args):
    sources, names, mode, size, resize = args
    arrays, kept, skipped = [], [], []
    for index, (source, name) in enumerate(zip(sources, names)):
        try:
            arrays.append(decode_one(source, mode, size, resize))
            kept.append(index)
        except (OSError, ValueError, UnidentifiedImageError, SyntaxError) as error:
            skipped.append((name, _reason(error)))
    return arrays, kept, skipped


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, UnidentifiedImageError):
        return "not a readable image (empty or corrupted file)"
    if "truncated" in text.lower():
        return "truncated image file"
    return text.splitlines()[0][:200]


def decode_many(sources, names=None, *, mode="L", size=None, resize=False, desc="decoding images",
                progress=True):
    """Decode ``sources`` (paths or bytes) into one array.

    mode: "L" for grayscale (N, H, W) or "RGB" (N, H, W, 3).
    size: (width, height) every image must have; a different size is skipped,
        or resized when ``resize`` is true. None accepts the size of the first image.
    Returns ``(images, kept, skipped)``: kept indexes into ``sources`` and
    skipped lists ``(name, reason)`` for images that could not be used.
    """
    sources = list(sources)
    names = [str(s) for s in sources] if names is None else list(names)
    if size is None:
        size = _first_size(sources)
    chunks = [(sources[i:i + CHUNK], names[i:i + CHUNK], mode, size, resize)
              for i in range(0, len(sources), CHUNK)]
    bar = progress_bar(total=len(sources), desc=desc, unit="img", show=progress and len(sources) >= PARALLEL_FROM,
               leave=False)
    arrays, kept, skipped = [], [], []
    for number, (chunk_arrays, chunk_kept, chunk_skipped) in enumerate(_run(chunks, len(sources))):
        arrays.extend(chunk_arrays)
        kept.extend(number * CHUNK + k for k in chunk_kept)
        skipped.extend(chunk_skipped)
        bar.update(len(chunk_kept) + len(chunk_skipped))
    bar.close()
    if arrays:
        images = np.stack(arrays)
    else:
        height, width = (size[1], size[0]) if size else (0, 0)
        images = np.zeros((0, height, width) + ((3,) if mode == "RGB" else ()), np.uint8)
    return images, kept, skipped


def _run(chunks, count):
    return ordered_map(_decode_chunk, chunks, parallel=count >= PARALLEL_FROM and cores() > 1)


def _first_size(sources):
    """The size of the first readable image: with no size given, the others must match it."""
    for source in sources:
        try:
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                image.load()
                return image.size
        except (OSError, ValueError, UnidentifiedImageError, SyntaxError):
            continue
    return None


def image_files(folder: Path) -> list[Path]:
    """Image files directly inside ``folder`` (common types, any letter case), sorted by name.

    One ``os.scandir`` (its entries know their type without a stat per file) and a sort of plain
    names: on 60,000 CIFAR-10 files this takes a tenth of the time of sorting ``Path`` objects.
    """
    folder = Path(folder)
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries
                       if not entry.name.startswith(".") and os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES
                       and entry.is_file())
    return [folder / name for name in names]
