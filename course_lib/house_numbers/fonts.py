"""The fonts house-number digits are drawn from, and each digit's glyph as an ink mask.

The fonts are those the notMNIST generator uses (``course_lib.notmnist.usable_fonts()``)
whose digits read as digits, as on a house:

- each of 0-9 maps to a digit glyph in the font's character map (``zero``,
  ``uni0030``, ...: a math or symbol font mapping ``0`` to ``prime`` is left out);
- the ten render as ten different, non-blank glyphs;
- at least READABLE of the ten look more like themselves than like any other
  digit, compared with the same digits in matplotlib's own fonts (DejaVu and
  STIX, on every machine): display fonts whose digits are cubes, dots or
  pictures are left out.

Checking a font takes a few milliseconds; the verdicts are kept in the cache
(``<cache>/svhn/digit-fonts.json``, by file, size and modification time), so
that only new fonts are checked again.

``digit_ink(font, digit, size)`` is a digit's ink, drawn once per process.
Opening a font takes about 0.3 ms and drawing a digit 0.2 ms, and each
worker of a hundred thousand crops meets nearly every digit of every font,
so ``write_inks`` draws them all once, on every core, into a file that each
worker takes in with ``read_inks``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DIGITS = "0123456789"
DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
GLYPH_SIZE = 48  # pixels per em of the glyph masks, unless asked otherwise
CHECK_SIZE = 40
TEMPLATE_BOX = 20  # pixels: digits compared as 20x20 images
READABLE = 9  # digits of 10 that must look like themselves
TEMPLATE_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf",
                  "DejaVuSerif.ttf", "DejaVuSerif-Italic.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf")
VERDICTS_FILE = "digit-fonts.json"
CHECK_VERSION = 1  # bump when the checks change, so that cached verdicts are redone
INKS_BATCH = 50  # fonts per task of write_inks


def _is_digit_glyph(digit: int, glyph_name: str) -> bool:
    """``zero``, ``zero.lf``, ``zerooldstyle``, ``uni0030``, ``glyph19``: a digit; ``prime``: something else."""
    code = f"{0x30 + digit:04X}"
    return bool(re.fullmatch(rf"(?:{DIGIT_NAMES[digit]}|{digit})(?:oldstyle)?(?:[._].*)?|uni{code}|u{code}|"
                             r"(?:glyph|gid|cid|g)?\d+", glyph_name))


def _normalised(font: ImageFont.FreeTypeFont, digit: str, box: int = TEMPLATE_BOX) -> np.ndarray:
    """The digit's ink scaled into a box x box square (aspect kept, centred), zero mean, unit norm."""
    left, top, right, bottom = font.getbbox(digit)
    canvas = Image.new("L", (max(1, right - left) + 2, max(1, bottom - top) + 2))
    ImageDraw.Draw(canvas).text((1 - left, 1 - top), digit, font=font, fill=255)
    ink = np.asarray(canvas)
    rows, columns = np.flatnonzero(ink.max(axis=1) > 60), np.flatnonzero(ink.max(axis=0) > 60)
    out = np.zeros((box, box), np.float32)
    if len(rows) == 0:
        return out
    ink = ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    scale = box / max(ink.shape)
    small = Image.fromarray(ink).resize((max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale))),
                                        Image.Resampling.BILINEAR)
    top, left = (box - small.height) // 2, (box - small.width) // 2
    out[top:top + small.height, left:left + small.width] = np.asarray(small, np.float32) / 255.0
    out -= out.mean()
    return out / (np.linalg.norm(out) + 1e-6)


@functools.lru_cache(maxsize=1)
def templates() -> np.ndarray:
    """The digits of matplotlib's DejaVu and STIX fonts, normalised: float32 (fonts, 10, 20, 20)."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    fonts = [ImageFont.truetype(str(folder / name), CHECK_SIZE) for name in TEMPLATE_FONTS
             if (folder / name).is_file()]
    if not fonts:
        raise ValueError(f"matplotlib's fonts are missing from {folder}: reinstall matplotlib")
    return np.stack([[_normalised(font, digit) for digit in DIGITS] for font in fonts])


def readable_digits(font: ImageFont.FreeTypeFont) -> int:
    """How many of the font's ten digits are nearest (by correlation) to the same digit of a template font."""
    drawn = np.stack([_normalised(font, digit) for digit in DIGITS])
    similarity = np.einsum("dhw,rkhw->drk", drawn, templates()).max(axis=1)  # (digit drawn, template digit)
    return int((similarity.argmax(axis=1) == np.arange(10)).sum())


def digit_rejection(path) -> str | None:
    """Why the font at ``path`` cannot draw house numbers (None: it can). See the module docstring."""
    from course_lib.notmnist.fonts import TYPE1_SUFFIXES, glyph_images, quiet_fonttools

    path = Path(path)
    try:
        font = ImageFont.truetype(str(path), CHECK_SIZE, index=0)
        if path.suffix.lower() not in TYPE1_SUFFIXES:
            from fontTools.ttLib import TTFont

            with quiet_fonttools(), TTFont(str(path), fontNumber=0, lazy=True) as tt:
                cmap = tt.getBestCmap() or {}
            glyphs = {digit: cmap.get(0x30 + digit) for digit in range(10)}
            missing = [str(digit) for digit, name in glyphs.items() if name is None]
            if missing:
                return f"has no {''.join(missing)} in its character map"
            others = [f"{digit}->{name}" for digit, name in glyphs.items() if not _is_digit_glyph(digit, name)]
            if others:
                return f"maps digits to other glyphs ({', '.join(others[:3])})"
        images = glyph_images(font, DIGITS)
        if any(image.max() == 0 for image in images):
            return "renders a digit blank"
        if len({(image.shape, image.tobytes()) for image in images}) < 10:
            return "renders different digits as the same glyph"
        readable = readable_digits(font)
    except Exception as error:  # FreeType and fontTools raise many kinds; any means "not usable"
        return f"cannot be opened ({type(error).__name__}: {str(error)[:80]})"
    if readable < READABLE:
        return f"only {readable} of its 10 digits look like digits"
    return None


def _check_many(paths) -> list:
    """Worker: ``digit_rejection`` of each path."""
    return [digit_rejection(path) for path in paths]


def _key(path: Path) -> str:
    stat = path.stat()
    return f"{CHECK_VERSION}:{stat.st_size}:{stat.st_mtime_ns}"


def survey(paths, *, cache_file: Path | None = None) -> dict[Path, str | None]:
    """``{path: rejection or None}`` for font files, reusing and updating the verdicts kept in ``cache_file``."""
    from course_lib.parallel import ordered_map

    paths = [Path(p) for p in paths]
    kept = {}
    if cache_file is not None and cache_file.is_file():
        try:
            kept = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
    verdicts, todo = {}, []
    for path in paths:
        entry = kept.get(str(path))
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == _key(path):
            verdicts[path] = entry[1]
        else:
            todo.append(path)
    chunks = [todo[start:start + 100] for start in range(0, len(todo), 100)]
    for chunk, results in zip(chunks, ordered_map(_check_many, chunks, parallel=len(todo) > 200)):
        verdicts.update(zip(chunk, results))
    if todo and cache_file is not None:
        _save_verdicts(cache_file, {str(path): [_key(path), verdicts[path]] for path in paths})
    return verdicts


def _save_verdicts(cache_file: Path, verdicts: dict) -> None:
    """Write the verdicts (a temporary name, then renamed); a read-only cache (the grading sandbox) is fine."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, prefix=f".{cache_file.name}.", suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(verdicts, stream, indent=0, sort_keys=True)
        os.replace(temporary, cache_file)
    except OSError:
        pass


@functools.lru_cache(maxsize=1)
def _digit_fonts() -> tuple[Path, ...]:
    from course_lib.data.places import dataset_cache
    from course_lib.notmnist import usable_fonts

    verdicts = survey(usable_fonts(), cache_file=dataset_cache("svhn") / VERDICTS_FILE)
    return tuple(path for path, reason in verdicts.items() if reason is None)


def digit_fonts() -> list[Path]:
    """Every font on this machine that draws readable house numbers, sorted by file name (once per process)."""
    fonts = list(_digit_fonts())
    if not fonts:
        raise ValueError("no usable font draws the digits 0-9 here: install a font package (e.g. fonts-dejavu)")
    return fonts


_INKS: dict[tuple[str, int, int], tuple[np.ndarray, int]] = {}  # digit_ink's, by (font file, digit, size)


def digit_ink(font_path: str, digit: int, size: int = GLYPH_SIZE) -> tuple[np.ndarray, int]:
    """The ink of ``digit`` in a font, drawn at ``size`` pixels per em, kept for the life of the process
    (or taken from a file of ``write_inks`` by ``read_inks``).

    Returns ``(mask, top)``: mask float32 (rows, columns) in [0, 1], cropped to
    the ink (pixels above 0.1, i.e. 26/255); top: rows from the font's
    ascender line to the ink (so digits drawn side by side share a baseline).
    """
    key = (str(font_path), int(digit), int(size))
    if key not in _INKS:
        from course_lib.notmnist.fonts import load_font

        ink, top = _drawn_ink(load_font(key[0], key[2]), DIGITS[key[1]])
        _INKS[key] = (_as_mask(ink), top)
    return _INKS[key]


def _drawn_ink(font: ImageFont.FreeTypeFont, text: str) -> tuple[np.ndarray, int]:
    """``(ink, top)``: ``text`` drawn in ``font``, uint8, cropped to the pixels above 25; top: see ``digit_ink``.
    No ink at all gives a 1x1 zero and top 0."""
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (max(1, right - left) + 2, max(1, bottom - top) + 2))
    ImageDraw.Draw(canvas).text((1 - left, 1 - top), text, font=font, fill=255)
    ink = np.asarray(canvas)
    rows, columns = np.flatnonzero(ink.max(axis=1) > 25), np.flatnonzero(ink.max(axis=0) > 25)
    if len(rows) == 0:
        return np.zeros((1, 1), np.uint8), 0
    return ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1], int(top) - 1 + int(rows[0])


def _as_mask(ink: np.ndarray) -> np.ndarray:
    """A uint8 ink as a float32 mask in [0, 1]."""
    return ink.astype(np.float32) / 255.0


def _drawn_digits(task) -> list:
    """Worker: for each font of ``task`` = (font paths, size), the ``_drawn_ink`` of its ten digits."""
    from course_lib.notmnist.fonts import load_font

    font_paths, size = task
    return [[_drawn_ink(load_font(path, size), text) for text in DIGITS] for path in font_paths]


def write_inks(path, font_paths, size: int = GLYPH_SIZE, *, workers: int | None = None) -> Path:
    """Draw the ten digits of every font (each font opened once) on every core, into the file ``path`` for
    ``read_inks``: a NumPy ``.npz`` (no pickle) of the font files, an index (font, digit, rows, columns, top,
    start) and every ink's pixels end to end, about 4 kB a font. Written under a temporary name, then renamed."""
    from course_lib.parallel import ordered_map

    font_paths = [str(font) for font in font_paths]
    batches = [font_paths[start:start + INKS_BATCH] for start in range(0, len(font_paths), INKS_BATCH)]
    index, pixels, start = [], [], 0
    drawn = (ten for batch in ordered_map(_drawn_digits, [(batch, size) for batch in batches], workers=workers)
             for ten in batch)
    for font, ten in enumerate(drawn):
        for digit, (ink, top) in enumerate(ten):
            index.append((font, digit, *ink.shape, top, start))
            pixels.append(ink.ravel())
            start += ink.size
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, fonts=np.array(font_paths, dtype=str), size=np.int64(size),
                     index=np.array(index, np.int64).reshape(-1, 6),
                     pixels=np.concatenate(pixels) if pixels else np.zeros(0, np.uint8))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


@functools.lru_cache(maxsize=None)
def read_inks(path) -> None:
    """Take the inks in the file ``path`` of ``write_inks`` for ``digit_ink`` (once per process and file)."""
    with np.load(path, allow_pickle=False) as saved:
        font_paths, size, index, pixels = saved["fonts"], int(saved["size"]), saved["index"], saved["pixels"]
    for font, digit, rows, columns, top, start in index.tolist():
        key = (str(font_paths[font]), digit, size)
        if key not in _INKS:
            _INKS[key] = (_as_mask(pixels[start:start + rows * columns].reshape(rows, columns)), top)


@functools.lru_cache(maxsize=None)
def glyph(font_path: str, digit: int, size: int = GLYPH_SIZE) -> tuple[np.ndarray, int, int]:
    """``(mask, top, advance)``: the ink of ``digit`` in a font (``digit_ink``) and its pen advance in pixels."""
    from course_lib.notmnist.fonts import load_font

    mask, top = digit_ink(font_path, digit, size)
    return mask, top, int(round(load_font(font_path, size).getlength(DIGITS[digit])))
