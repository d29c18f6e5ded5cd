"""Finding the fonts notMNIST letters can be rendered from: every usable font file on this machine.

A font is usable when PIL (FreeType) opens it, its character map holds A-J as
letters (not as symbols: Symbol maps A to Alpha, Dingbats maps it to a
pictogram), and the ten letters render as ten different, non-blank glyphs.
The same font is used once: files with identical contents, and the same
design (family and style) shipped twice (OpenType and Type 1 versions of the
URW fonts, Liberation 1 and 2, matplotlib's copy of DejaVu), count once.

Fonts are looked for in the system's font folders (Debian's ``fonts-*``
packages), matplotlib's own, and ``extra_font_dir()`` in the course cache,
where ``course fonts install`` puts Google Fonts (``course_lib.notmnist.webfonts``).
The survey of a few thousand files takes about a minute, so its result is
kept in the cache (``fonts-survey.json``) and reused while no font file
has changed.

Symbol fonts (Dingbats, Symbol) are not usable, but the generator draws
some wrong labels from them, as the real notMNIST has: ``symbol_fonts()``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTERS = "ABCDEFGHIJ"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".pfb", ".pfa", ".t1", ".woff")
TYPE1_SUFFIXES = (".pfb", ".pfa", ".t1")
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
FONTCONFIG_FILES = ("/etc/fonts/fonts.conf", "/etc/fonts/conf.d")
CHECK_SIZE = 48  # pixels per em for the "renders ten different letters" check
SURVEY_FILE = "fonts-survey.json"
SURVEY_VERSION = 1  # bump when survey() would judge the same files differently
SURVEY_CHUNK = 150  # font files per task handed to a worker process
SURVEYS_KEPT = 4  # surveys of different font sets kept in a survey file
SYMBOLS = "maps letters to symbols"


def extra_font_dir() -> Path:
    """``<cache>/notmnist/fonts``: fonts installed for the generator alone (``course fonts install``)."""
    from course_lib.data.places import dataset_cache

    return dataset_cache("notmnist") / "fonts"


def font_dirs() -> list[Path]:
    """Folders searched for fonts, in order: the usual system folders, the absolute
    ``<dir>`` entries of fontconfig's configuration (Debian's fonts-texgyre lives in
    /usr/share/texmf), and matplotlib's own fonts."""
    import matplotlib

    dirs = [Path(d).expanduser() for d in SYSTEM_FONT_DIRS]
    dirs += _fontconfig_dirs()
    dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    dirs.append(extra_font_dir())
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

    with quiet_fonttools(), TTFont(str(path), fontNumber=0, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    return {letter: cmap.get(ord(letter)) for letter in LETTERS}


@contextlib.contextmanager
def quiet_fonttools():
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


def glyph_images(font: ImageFont.FreeTypeFont, characters: str = LETTERS) -> list[np.ndarray]:
    """Each character drawn alone, white on black, cropped to its box plus a 2-pixel border."""
    images = []
    for letter in characters:
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
    images = glyph_images(font)
    blank = [letter for letter, image in zip(LETTERS, images) if image.max() == 0]
    if blank:
        return f"renders {''.join(blank)} blank"
    if len({(image.shape, image.tobytes()) for image in images}) < len(LETTERS):
        return "renders different letters as the same glyph"
    symbols = [f"{letter}->{glyph}" for letter, glyph in glyphs.items() if not _is_letter_glyph(letter, glyph)]
    if symbols:  # checked last: a symbol font that draws ten glyphs can show wrong labels
        return f"{SYMBOLS} ({', '.join(symbols[:3])})"
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
    from course_lib.parallel import ordered_map

    paths = sorted(candidate_files(dirs), key=lambda p: (_format_rank(p), str(p)))
    chunks = [paths[start:start + SURVEY_CHUNK] for start in range(0, len(paths), SURVEY_CHUNK)]
    inspected = [entry for chunk in ordered_map(_inspect, chunks, parallel=len(chunks) > 1) for entry in chunk]
    usable, rejected, contents, designs = [], {}, {}, {}
    for path, (digest, design, reason) in zip(paths, inspected):  # in order: the first of a kind is kept
        if digest in contents:
            rejected[path] = f"same file contents as {contents[digest]}"
            continue
        contents[digest] = path
        if design in designs:
            reason = f"same design ({' '.join(filter(None, design))}) as {designs[design]}"
        if reason is None:
            designs[design] = path
            usable.append(path)
        else:
            rejected[path] = reason
    return sorted(usable, key=lambda p: (p.name, str(p))), rejected


def _inspect(paths: list[Path]) -> list[tuple[str, tuple | None, str | None]]:
    """Worker: ``(sha256, design, rejection)`` of each font file."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # it warns about many harmless font quirks
    return [(hashlib.sha256(path.read_bytes()).hexdigest(), _design(path), rejection(path)) for path in paths]


@functools.lru_cache(maxsize=1)
def _survey_here() -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(usable fonts, symbol fonts) of this machine: from a saved survey when no font file changed."""
    candidates = candidate_files()
    key = hashlib.sha256(json.dumps([SURVEY_VERSION] + [_stat_key(p) for p in candidates]).encode()).hexdigest()
    files = survey_files()
    entry = next((saved for saved in (_read_surveys(path).get(key) for path in files) if saved), None)
    if entry is None:
        usable, rejected = survey()
        symbols = sorted((p for p, reason in rejected.items() if reason.startswith(SYMBOLS)),
                         key=lambda p: (p.name, str(p)))
        entry = {"usable": [str(p) for p in usable], "symbols": [str(p) for p in symbols],
                 "rejected": {str(p): reason for p, reason in sorted(rejected.items())}}
    # Saved in every place that lacks it, the course cache first: a grading sandbox, which sees that
    # cache (read-only) but not the platform's, then finds it there.
    for path in files:
        surveys = _read_surveys(path)
        if surveys.get(key) != entry:
            surveys.pop(key, None)
            kept = dict(list(surveys.items())[-(SURVEYS_KEPT - 1):])  # the most recent few font sets
            _save_json(path, {"surveys": {**kept, key: entry}})
    return tuple(map(Path, entry["usable"])), tuple(map(Path, entry["symbols"]))


def survey_files() -> list[Path]:
    """Where surveys are saved: the course cache, and the platform's cache when COURSE_CACHE_DIR points
    elsewhere (tests and sandboxes use a cache of their own; the fonts are the machine's all the same)."""
    import pooch

    files = [extra_font_dir().parent / SURVEY_FILE, Path(pooch.os_cache("course-kit")) / "notmnist" / SURVEY_FILE]
    return list(dict.fromkeys(files))


def _read_surveys(path: Path) -> dict:
    try:
        surveys = json.loads(path.read_text(encoding="utf-8")).get("surveys", {})
        return surveys if isinstance(surveys, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _stat_key(path: Path) -> str:
    stat = path.stat()
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def _save_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` (temporary name, then rename); a read-only cache is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=1)
        os.replace(temporary, path)
    except OSError:
        pass
    finally:
        Path(temporary).unlink(missing_ok=True)


def usable_fonts() -> list[Path]:
    """Every usable font file on this machine (see the module docstring), sorted by file name.

    Surveyed once per process, and the survey kept in the cache while no font file changes.
    """
    return list(_survey_here()[0])


def refresh() -> None:
    """Survey again on the next call (after fonts were installed or removed in this process)."""
    _survey_here.cache_clear()


def symbol_fonts() -> list[Path]:
    """The symbol fonts on this machine that draw ten different glyphs for A-J (Dingbats, Symbol, ...),
    sorted by file name: the generator's wrong labels show some of them."""
    return list(_survey_here()[1])


@functools.lru_cache(maxsize=256)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """``ImageFont.truetype(path, size)``, opened once per process."""
    return ImageFont.truetype(path, size, index=0)
