"""What goes into each archive: images per letter, which font draws each one, and the planted defects.

An archive of ``size`` files has ``size`` slots, letter by letter (A..J) and
in order within a letter (the tar order). Most slots are fresh renders; a
few are defects, planted as in the real notMNIST:

=========================  =====================================================  =========================
kind                       what the file is                                       how many
=========================  =====================================================  =========================
duplicate                  the same bytes as an earlier image of the same letter  5% of large, 0.2% of small
near_duplicate             a copy with 1-2 pixels changed by >= 40 grey levels    1% of large
duplicate_from_large       the same bytes as an image of the large archive        8% of small
near_duplicate_from_large  a near-duplicate of an image of the large archive      1% of small
empty                      0 bytes                                                } together size / 44,000,
truncated                  a PNG cut short                                        } at least 2 (5 in 220,000)
wrong_size                 a readable PNG of another size (28x27, 32x32, ...)     1
mislabeled                 not the letter of its folder: what a font lacking the  6.5% of large, 0.5% of small
                           letter shows instead (see CONFUSIONS)                  (the real error rates)
=========================  =====================================================  =========================

Within an archive, an original always comes before its copies, and is
itself a fresh render. One or two letters get 2-4% fewer slots than the
others (the sizes still add up to ``size``). Everything is drawn from a
``numpy`` Generator seeded with ``SeedSequence(seed, spawn_key=(archive code, PLAN_KEY))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.notmnist.fonts import LETTERS

SMALL, LARGE = "notMNIST_small", "notMNIST_large"
ARCHIVE_CODES = {SMALL: 0, LARGE: 1}  # the first key of every seed drawn for that archive
PLAN_KEY = 1_000_000  # second seed key of an archive's plan (image seeds use (code, letter, slot))
MIN_SIZE = 100

DUPLICATES = {LARGE: 0.05, SMALL: 0.002}
NEAR_DUPLICATES = {LARGE: 0.01, SMALL: 0.0}
FROM_LARGE = {LARGE: 0.0, SMALL: 0.08}
NEAR_FROM_LARGE = {LARGE: 0.0, SMALL: 0.01}
# Label noise: the real large archive has about 6.5% wrong or unreadable labels, the
# hand-cleaned small one about 0.5% (notMNIST's description).
LABEL_NOISE = {LARGE: 0.065, SMALL: 0.005}
# What a mislabeled image shows, and how often: the font's "missing glyph" box, a filled box,
# a pictogram or letter of a symbol font, another character of the same font, nothing.
CONFUSIONS = {"missing_glyph_box": 0.30, "filled_box": 0.10, "symbol": 0.25, "other_character": 0.30,
              "blank": 0.05}
OTHER_CHARACTERS = "KLMNOPQRSTUVWXYZklmnopqrstuvwxyz0123456789&?@#%$"  # not A-J nor a-j: those would be right
UNREADABLE_PER = 44_000  # one unreadable file per this many (at least 2: one empty, one truncated)
WRONG_SHAPES = ((28, 27), (27, 28), (32, 32), (28, 32))  # (rows, columns)
IMBALANCE = (0.02, 0.04)  # fraction fewer images for the one or two smaller letters

COPY_KINDS = ("duplicate", "near_duplicate", "duplicate_from_large", "near_duplicate_from_large")
RENDERED_KINDS = ("truncated", "wrong_size", "mislabeled")  # defects that render something


@dataclass(frozen=True)
class Special:
    """A slot that is not a plain fresh render.

    kind: one of COPY_KINDS, RENDERED_KINDS or "empty".
    original: (archive folder, letter index, slot index) of the copied image, for copies.
    pixels: how many pixels a near-duplicate changes (1 or 2).
    shape: (rows, columns) of a wrong-size image.
    keep: fraction of the PNG's bytes a truncated file keeps.
    shows: for a mislabeled image, one of CONFUSIONS.
    text: the characters an "other_character" image shows (1-4 of OTHER_CHARACTERS).
    symbol_font: index into the symbol fonts of a "symbol" image.
    """

    kind: str
    original: tuple[str, int, int] | None = None
    pixels: int = 0
    shape: tuple[int, int] | None = None
    keep: float = 1.0
    shows: str | None = None
    text: str = ""
    symbol_font: int = -1


@dataclass
class ArchivePlan:
    """Everything about one archive except the pixels.

    folder: "notMNIST_small" or "notMNIST_large" (the archive's top folder).
    per_letter: (10,) number of files for each letter, adding up to ``size``.
    fonts: per letter, (per_letter[l],) int index into the font list of each slot (non-decreasing).
    variants: per letter, (per_letter[l],) how many earlier slots of that letter used the same font.
    special: (letter index, slot index) -> Special, for the defects.
    imbalanced: letter -> the fraction fewer images it was given.
    variant_digits: digits of the variant numbers in member names (at least 3).
    """

    folder: str
    size: int
    per_letter: list[int]
    fonts: list[np.ndarray]
    variants: list[np.ndarray]
    special: dict[tuple[int, int], Special] = field(default_factory=dict)
    imbalanced: dict[str, float] = field(default_factory=dict)
    variant_digits: int = 3

    @property
    def code(self) -> int:
        return ARCHIVE_CODES[self.folder]

    def needs_render(self, letter: int, slot: int) -> bool:
        special = self.special.get((letter, slot))
        return special is None or special.kind in RENDERED_KINDS

    def fresh(self, letter: int) -> np.ndarray:
        """Sorted slot indexes of ``letter`` that are plain fresh renders."""
        taken = [slot for (other, slot) in self.special if other == letter]
        return np.setdiff1d(np.arange(self.per_letter[letter]), taken)


def plan_rng(seed: int, folder: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ARCHIVE_CODES[folder], PLAN_KEY)))


def image_rng(seed: int, folder: str, letter: int, slot: int) -> np.random.Generator:
    """The Generator for one slot: keyed by archive, letter and slot, so the order of work does not matter."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ARCHIVE_CODES[folder], letter, slot)))


def letter_sizes(size: int, rng: np.random.Generator) -> tuple[list[int], dict[str, float]]:
    """Split ``size`` over the ten letters, one or two of them 2-4% smaller (at least one image smaller).

    Returns ``(per_letter (10,), {letter: fraction fewer drawn})``; per_letter adds up to ``size``.
    """
    count = int(rng.integers(1, 3))
    smaller = sorted(int(i) for i in rng.choice(len(LETTERS), count, replace=False))
    fewer = {LETTERS[i]: float(rng.uniform(*IMBALANCE)) for i in smaller}
    typical = size / len(LETTERS)
    sizes = np.zeros(len(LETTERS), dtype=int)
    for i in smaller:
        sizes[i] = min(int(typical * (1 - fewer[LETTERS[i]])), int(typical) - 1)
    others = [i for i in range(len(LETTERS)) if i not in smaller]
    rest = size - int(sizes.sum())
    for rank, i in enumerate(others):  # the rest split evenly, the earlier letters taking the remainder
        sizes[i] = rest // len(others) + (rank < rest % len(others))
    return [int(s) for s in sizes], fewer


def defect_counts(folder: str, size: int) -> dict[str, int]:
    """How many slots of each defect kind an archive of ``size`` files gets."""
    unreadable = max(2, round(size / UNREADABLE_PER))
    return {
        "duplicate": max(1, round(size * DUPLICATES[folder])),
        "near_duplicate": round(size * NEAR_DUPLICATES[folder]),
        "duplicate_from_large": round(size * FROM_LARGE[folder]),
        "near_duplicate_from_large": round(size * NEAR_FROM_LARGE[folder]),
        "empty": (unreadable + 1) // 2,
        "truncated": unreadable // 2,
        "wrong_size": 1,
        "mislabeled": round(size * LABEL_NOISE[folder]),
    }


def plan_archive(folder: str, size: int, font_count: int, seed: int, large: ArchivePlan | None = None,
                 symbol_fonts: int = 0) -> ArchivePlan:
    """The plan of one archive. ``large`` (the large archive's plan) is needed for the small one's copies.

    symbol_fonts: how many symbol fonts mislabeled images may be drawn from (0: none is shown).
    """
    if size < MIN_SIZE:
        raise ValueError(f"{folder} needs at least {MIN_SIZE} images (10 per letter), got {size}")
    if font_count < 1:
        raise ValueError("no usable font: install some (for example Debian's fonts-liberation or fonts-dejavu)")
    rng = plan_rng(seed, folder)
    per_letter, imbalanced = letter_sizes(size, rng)
    fonts, variants = [], []
    for count in per_letter:
        # Each font draws the letter count // font_count times, a random few once more;
        # slots go font by font (the tar lists a font's images together, as sorted names would).
        per_font = np.full(font_count, count // font_count)
        per_font[rng.permutation(font_count)[:count % font_count]] += 1
        fonts.append(np.repeat(np.arange(font_count), per_font))
        variants.append(np.concatenate([np.arange(n) for n in per_font]))
    digits = max(3, len(str(max(int(v.max(initial=0)) for v in variants))))
    plan = ArchivePlan(folder, size, per_letter, fonts, variants, imbalanced=imbalanced, variant_digits=digits)

    kinds = [kind for kind, count in defect_counts(folder, size).items() for _ in range(count)]
    if any(kind.endswith("_from_large") for kind in kinds) and large is None:
        raise ValueError(f"{folder} copies images of the large archive: plan that one first")
    # Slot 0 of each letter is never a defect, so every copy has an earlier original to copy.
    starts = np.concatenate([[0], np.cumsum(per_letter)[:-1]])
    eligible = np.setdiff1d(np.arange(size), starts)
    positions = rng.choice(eligible, len(kinds), replace=False)
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    letter_of = np.searchsorted(starts, positions, side="right") - 1
    located = sorted(zip(letter_of.tolist(), (positions - starts[letter_of]).tolist(), kinds))
    for letter, slot, kind in located:  # placeholders first: originals must be fresh renders
        plan.special[(letter, slot)] = Special(kind)
    wrong_shape = WRONG_SHAPES[int(rng.integers(len(WRONG_SHAPES)))]
    fresh = {letter: plan.fresh(letter) for letter in range(len(LETTERS))}
    large_fresh = {letter: large.fresh(letter) for letter in range(len(LETTERS))} if large else {}
    for letter, slot, kind in located:
        if kind in ("duplicate", "near_duplicate"):
            earlier = fresh[letter][:np.searchsorted(fresh[letter], slot)]
            original = (folder, letter, int(earlier[rng.integers(len(earlier))]))
        elif kind.endswith("_from_large"):
            original = (LARGE, letter, int(large_fresh[letter][rng.integers(len(large_fresh[letter]))]))
        else:
            original = None
        plan.special[(letter, slot)] = Special(
            kind, original,
            pixels=int(rng.integers(1, 3)) if kind.startswith("near") else 0,
            shape=wrong_shape if kind == "wrong_size" else None,
            keep=float(rng.uniform(0.3, 0.7)) if kind == "truncated" else 1.0,
            **(_confusion(rng, symbol_fonts) if kind == "mislabeled" else {}),
        )
    return plan


def _confusion(rng: np.random.Generator, symbol_fonts: int) -> dict:
    """What one mislabeled image shows: ``{"shows", "text", "symbol_font"}`` for ``Special``."""
    shows = list(CONFUSIONS)[int(rng.choice(len(CONFUSIONS), p=list(CONFUSIONS.values())))]
    length = 1 if rng.random() < 0.8 else int(rng.integers(2, 5))  # now and then a few characters
    text = "".join(OTHER_CHARACTERS[i] for i in rng.integers(len(OTHER_CHARACTERS), size=length))
    symbol = int(rng.integers(symbol_fonts)) if symbol_fonts else -1
    if shows == "symbol" and not symbol_fonts:
        shows = "other_character"
    return {"shows": shows, "text": text if shows == "other_character" else "",
            "symbol_font": symbol if shows == "symbol" else -1}
