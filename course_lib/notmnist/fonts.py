"""Finding the fonts notMNIST letters can be rendered from: every usable font file on this machine.

A font is usable when PIL (FreeType) opens it, its character map holds A-J as
letters (not as symbols: Symbol maps A to Alpha, Dingbats maps it to a
pictogram), and the ten letters render as ten different, non-blank glyphs.
The same font is used once: files with identical contents, and the same
design (family and style) shipped twice (OpenType and Type 1 versions of the
URW fonts, Liberation 1 and 2, matplotlib's copy of DejaVu), count once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTERS = "ABCDEFGHIJ"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".pfb", ".pfa", ".t1")
TYPE1_SUFFIXES = (".pfb", ".pfa", ".t1")
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONTCONFIG_FILES = ("/etc/fonts/fonts.conf", "/etc/fonts/conf.d")
CHECK_SIZE = 48  # pixels per em for the "renders ten different letters" check


def font_dirs() -> list[Path]:
    """Folders searched for fonts, in order: the usual system folders, the absolute
    ``<dir>`` entries of fontconfig's configuration (Debian's fonts-texgyre lives in
    /usr/share/texmf), and matplotlib's own fonts."""
    import matplotlib

    dirs = [Path(d).expanduser() for d in SYSTEM_FONT_DIRS]
    dirs += _fontconfig_dirs()
    dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    unique = []
    for folder in dirs:
        if folder not in unique:
            unique.append(folder)
    return unique


def _fontconfig_dirs() -> list[Path]:
    files = []
    for entry in map(Path, FONTCONFIG_FILES):
        files += sorted(entry.glob("*.conf")) if entry.is_dir() else [entry]
    dirs = []
    for conf in files:
        try:
            text = conf.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        dirs += [Path(d.strip()) for d in re.findall(r"<dir(?:\s[^>]*)?>([^<]+)</dir>", text)
                 if d.strip().startswith("/")]
    return dirs


def candidate_files(dirs=None) -> list[Path]:
    """Every font file (by suffix) under ``dirs``, symlinks resolved, each once, sorted."""
    found = set()
    for folder in font_dirs() if dirs is None else dirs:
        if not Path(folder).is_dir():
            continue
        for root, _, names in os.walk(folder, followlinks=True):
            for name in names:
                if name.lower().endswith(FONT_SUFFIXES):
                    path = Path(root, name).resolve()
                    if path.is_file():
                        found.add(path)
    return sorted(found)


def letter_glyph_names(path: Path) -> dict[str, str | None]:
    """The glyph each of A-J maps to, by name (None: not in the character map).

    TrueType/OpenType: the best Unicode cmap (fontTools). Type 1: the font's
    built-in encoding, read from its clear-text header.
    """
    if path.suffix.lower() in TYPE1_SUFFIXES:
        encoding = _type1_clear_text(path).split("/Encoding", 1)[-1]
        if encoding.lstrip().startswith("StandardEncoding"):
            return {letter: letter for letter in LETTERS}
        codes = dict(re.findall(r"dup\s+(\d+)\s*/(\S+)\s+put", encoding))
        return {letter: codes.get(str(ord(letter))) for letter in LETTERS}
    from fontTools.ttLib import TTFont

    with _quiet_fonttools(), TTFont(str(path), fontNumber=0, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return {letter: cmap.get(ord(letter)) for letter in LETTERS}


@contextlib.contextmanager
def _quiet_fonttools():
    """fontTools logs harmless table quirks of system fonts ("1 extra bytes in
    post.stringData array") as warnings on stderr; in a graded notebook cell a
    line on stderr costs the cell its points, so keep only its errors."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _type1_clear_text(path: Path) -> str:
    """The clear-text part of a Type 1 font (before ``eexec``), where its encoding is."""
    data = path.read_bytes()
    if data[:2] == b"\x80\x01":  # PFB: the first segment is the clear text
        return data[6:6 + int.from_bytes(data[2:6], "little")].decode("latin-1")
    return data.split(b"eexec", 1)[0].decode("latin-1")


def _is_letter_glyph(letter: str, glyph: str) -> bool:
    """``A``, ``A.alt``, ``uni0041``, ``glyph36``: a letter; ``Alpha``, ``a10``: a symbol."""
    code = f"{ord(letter):04X}"
    return bool(re.fullmatch(rf"{letter}(?:[._].*)?|uni{code}|u{code}|(?:glyph|gid|cid|g)?\d+", glyph))


def _letter_images(font: ImageFont.FreeTypeFont) -> list[np.ndarray]:
    images = []
    for letter in LETTERS:
        left, top, right, bottom = font.getbbox(letter)
        canvas = Image.new("L", (max(1, right - left) + 4, max(1, bottom - top) + 4))
        ImageDraw.Draw(canvas).text((2 - left, 2 - top), letter, font=font, fill=255)
        images.append(np.asarray(canvas))
    return images


def rejection(path: Path) -> str | None:
    """Why the font at ``path`` cannot be used for notMNIST (None: it can)."""
    try:
        font = ImageFont.truetype(str(path), CHECK_SIZE, index=0)
        glyphs = letter_glyph_names(path)
    except Exception as error:  # FreeType and fontTools raise many kinds; any means "not usable"
        return f"cannot be opened ({type(error).__name__}: {str(error)[:80]})"
    missing = [letter for letter, glyph in glyphs.items() if glyph is None]
    if missing:
        return f"has no {''.join(missing)} in its character map"
    symbols = [f"{letter}->{glyph}" for letter, glyph in glyphs.items() if not _is_letter_glyph(letter, glyph)]
    if symbols:
        return f"maps letters to symbols ({', '.join(symbols[:3])})"
    images = _letter_images(font)
    blank = [letter for letter, image in zip(LETTERS, images) if image.max() == 0]
    if blank:
        return f"renders {''.join(blank)} blank"
    if len({(image.shape, image.tobytes()) for image in images}) < len(LETTERS):
        return "renders different letters as the same glyph"
    return None


def _format_rank(path: Path) -> int:
    """OpenType/TrueType before Type 1, so a design shipped in both keeps its modern file."""
    return 1 if path.suffix.lower() in TYPE1_SUFFIXES else 0


def _design(path: Path) -> tuple | None:
    try:
        return ImageFont.truetype(str(path), CHECK_SIZE, index=0).getname()
    except Exception:  # not openable: rejection() says why
        return None


def survey(dirs=None) -> tuple[list[Path], dict[Path, str]]:
    """``(usable fonts, {rejected path: reason})`` for every candidate file under ``dirs``.

    Usable fonts are sorted by file name (then path), so the order does not
    depend on where a package put them.
    """
    usable, rejected, contents, designs = [], {}, {}, {}
    for path in sorted(candidate_files(dirs), key=lambda p: (_format_rank(p), str(p))):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in contents:
            rejected[path] = f"same file contents as {contents[digest]}"
            continue
        contents[digest] = path
        design = _design(path)
        if design in designs:
            reason = f"same design ({' '.join(filter(None, design))}) as {designs[design]}"
        else:
            reason = rejection(path)
        if reason is None:
            designs[design] = path
            usable.append(path)
        else:
            rejected[path] = reason
    return sorted(usable, key=lambda p: (p.name, str(p))), rejected


@functools.lru_cache(maxsize=1)
def _usable_fonts() -> tuple[Path, ...]:
    return tuple(survey()[0])


def usable_fonts() -> list[Path]:
    """Every usable font file on this machine (see the module docstring), sorted by file name.

    Surveyed once per process (a few seconds).
    """
    return list(_usable_fonts())


@functools.lru_cache(maxsize=None)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """``ImageFont.truetype(path, size)``, opened once per process."""
    return ImageFont.truetype(path, size, index=0)
