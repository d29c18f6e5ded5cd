"""Synthetic digit sequences: handwritten glyphs (MNIST digits, or notMNIST letters) placed side by side.

The seed capstone trains a model to read numbers of up to five digits on
images made by concatenating MNIST digits. This module makes them, fast and
without leaks between splits:

>>> pools = mnist_pools(validation=500)                         # doctest: +SKIP
>>> train = build_sequences(pools.train, 100_000, seed=1)       # doctest: +SKIP
>>> train.images.shape, train.labels[0]                         # doctest: +SKIP
((100000, 32, 128), array([ 7,  2,  9, 10, 10]))

- ``GlyphPool``: the glyph images one split may use, prepared once (each
  cropped to its ink and resized to every scale the sequences may use).
- ``mnist_pools`` / ``letter_pools``: a training, a validation and a test
  pool, with **no image in two of them** (the validation digits are taken
  out of the training digits; the test digits are MNIST's own test set when
  it is on this machine). A sequence is built from one pool only, so no
  glyph image appears in two splits.
- ``build_sequences(pool, count, style, seed)``: ``count`` sequences of
  1 to 5 glyphs. ``SequenceStyle`` holds what you can vary: the canvas, the
  lengths, the spacing between neighbours (negative: they overlap), vertical
  jitter, scaling, and where the sequence sits on the canvas, so that the
  task is not "cut the image into five equal parts".
- ``distorted(pool, copies)``: the pool and turned and slanted copies of
  its glyphs, for more variety from a few thousand training digits.
- ``sequence_labels_of``: the five-position labels, ``BLANK`` (10) after the
  last glyph.

Labels: position ``k`` of a sequence holds the class of its ``k``-th glyph
from the left (0-9), or ``BLANK`` where the sequence is shorter. Everything
is vectorised numpy: 100,000 sequences take a few seconds (a progress bar
appears when it takes longer than that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

BLANK = 10  # the label of an empty position
NUM_CLASSES = 11  # 0-9 and BLANK
MAX_DIGITS = 5
PLACEMENTS = ("anywhere", "centred", "left")
GLYPH_BOX = 20  # MNIST digits are normalised to fit 20x20 pixels (in a 28x28 image); letters are drawn to match
INK_THRESHOLD = 0  # a pixel brighter than this is ink
CHUNK = 8_192  # sequences drawn at a time (bounds the memory of the index arrays)
BAR_DELAY = 2.0  # seconds before a progress bar appears


@dataclass(frozen=True)
class SequenceStyle:
    """How sequences look. Every distance is in pixels.

    canvas: (height, width) of each image.
    lengths: (shortest, longest) number of glyphs, drawn uniformly; longest <= max_digits.
    max_digits: label positions per sequence (5 in the seed).
    spacing: (low, high) gap between the ink of neighbours, drawn uniformly per gap; a negative gap
        makes them overlap (the brighter pixel wins where two glyphs meet).
    jitter: each glyph moves up or down by up to this much from the sequence's centre line.
    scale: (low, high) size of each glyph relative to MNIST's 20-pixel box, drawn per glyph among
        ``scale_levels`` evenly spaced values.
    placement: "anywhere" (a random place on the canvas), "centred", or "left" (at the left edge,
        vertically centred).
    """

    canvas: tuple[int, int] = (32, 128)
    lengths: tuple[int, int] = (1, 5)
    max_digits: int = MAX_DIGITS
    spacing: tuple[int, int] = (-2, 4)
    jitter: int = 2
    scale: tuple[float, float] = (0.85, 1.15)
    scale_levels: int = 7
    placement: str = "anywhere"

    def __post_init__(self):
        height, width = self.canvas
        shortest, longest = self.lengths
        if height < 8 or width < 8:
            raise ValueError(f"canvas must be at least 8x8 pixels, got {self.canvas}")
        if not 1 <= shortest <= longest <= self.max_digits:
            raise ValueError(f"lengths must satisfy 1 <= shortest <= longest <= max_digits={self.max_digits}, "
                             f"got {self.lengths}")
        if self.spacing[0] > self.spacing[1]:
            raise ValueError(f"spacing must be (low, high) with low <= high, got {self.spacing}")
        if self.jitter < 0:
            raise ValueError(f"jitter must be >= 0, got {self.jitter}")
        if not 0.2 <= self.scale[0] <= self.scale[1] <= 4:
            raise ValueError(f"scale must be (low, high) with 0.2 <= low <= high <= 4, got {self.scale}")
        if self.scale_levels < 1:
            raise ValueError(f"scale_levels must be at least 1, got {self.scale_levels}")
        if self.placement not in PLACEMENTS:
            raise ValueError(f"placement must be one of {', '.join(PLACEMENTS)}, got {self.placement!r}")
        tallest = math.ceil(GLYPH_BOX * self.scale[1])
        if tallest + 2 * self.jitter > height or tallest > width:
            raise ValueError(f"a glyph scaled by {self.scale[1]} is {tallest} pixels: with jitter {self.jitter} "
                             f"it does not fit a {height}x{width} canvas; make the canvas larger or the scale "
                             "or jitter smaller")

    @property
    def scales(self) -> tuple[float, ...]:
        """The glyph sizes drawn from (relative to the 20-pixel box)."""
        low, high = self.scale
        return tuple(float(s) for s in np.linspace(low, high, self.scale_levels)) if high > low else (float(low),)

    def but(self, **changes) -> SequenceStyle:
        """A copy with some fields changed: ``style.but(spacing=(-6, 0))``."""
        return replace(self, **changes)


@dataclass
class Sequences:
    """A set of sequence images and what is in them.

    images: uint8 (N, height, width), white glyphs on black.
    labels: int64 (N, max_digits): the class of each glyph from the left, BLANK after the last.
    sources: int64 (N, max_digits): the index in the pool of the glyph image at each position, -1 for BLANK.
    boxes: int32 (N, max_digits, 4): (top, left, bottom, right) of each glyph's ink (bottom and right
        exclusive, clipped to the canvas), -1 for BLANK.
    """

    images: np.ndarray
    labels: np.ndarray
    sources: np.ndarray
    boxes: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index) -> Sequences:
        """The sequences at ``index`` (a slice, an index array or a boolean mask), as a Sequences."""
        if isinstance(index, (int, np.integer)):
            index = slice(int(index), int(index) + 1 or None)
        return Sequences(self.images[index], self.labels[index], self.sources[index], self.boxes[index])

    @property
    def lengths(self) -> np.ndarray:
        """int64 (N,): how many glyphs each sequence holds."""
        return (self.labels != BLANK).sum(axis=1)

    def texts(self, alphabet: str = "0123456789") -> list[str]:
        """Each label as a string, e.g. "7209" (``alphabet`` names the classes 0-9)."""
        return [label_text(row, alphabet) for row in self.labels]


def label_text(row, alphabet: str = "0123456789") -> str:
    """One label row (max_digits,) as a string: "72" for [7, 2, 10, 10, 10]; blanks in the middle show as "_"."""
    row = [int(value) for value in np.asarray(row).ravel()]
    while row and row[-1] == BLANK:
        row.pop()
    return "".join("_" if value == BLANK else alphabet[value] for value in row)


def sequence_labels_of(digit_lists, max_digits: int = MAX_DIGITS) -> np.ndarray:
    """Lists of glyph classes (each of 1..max_digits) -> int64 (N, max_digits), padded with BLANK at the end."""
    labels = np.full((len(digit_lists), max_digits), BLANK, dtype=np.int64)
    for row, digits in enumerate(digit_lists):
        digits = [int(d) for d in digits]
        if len(digits) > max_digits:
            raise ValueError(f"sequence {row} has {len(digits)} glyphs; at most {max_digits} fit the labels")
        if any(not 0 <= d < BLANK for d in digits):
            raise ValueError(f"sequence {row}: classes must be 0-9, got {digits}")
        labels[row, :len(digits)] = digits
    return labels


# --- glyph pools -----------------------------------------------------------------------------------------------

def _resize_matrix(size_in: int, size_out: int) -> np.ndarray:
    """(size_out, size_in) float32: row i averages the input pixels under output pixel i (a triangle
    filter, widened when shrinking so that no input pixel is skipped)."""
    factor = size_out / size_in
    support = max(1.0, 1.0 / factor)
    centres = (np.arange(size_out) + 0.5) / factor - 0.5
    distance = np.abs(np.arange(size_in)[None, :] - centres[:, None]) / support
    weights = np.clip(1.0 - distance, 0.0, None)
    return (weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-8)).astype(np.float32)


def _ink_boxes(images: np.ndarray) -> np.ndarray:
    """int64 (N, 4): (top, left, height, width) of the ink in each image; (0, 0, 0, 0) for a blank image."""
    ink = images > INK_THRESHOLD
    rows, columns = ink.any(axis=2), ink.any(axis=1)
    has_ink = rows.any(axis=1)
    top = np.where(has_ink, rows.argmax(axis=1), 0)
    bottom = np.where(has_ink, rows.shape[1] - rows[:, ::-1].argmax(axis=1), 0)
    left = np.where(has_ink, columns.argmax(axis=1), 0)
    right = np.where(has_ink, columns.shape[1] - columns[:, ::-1].argmax(axis=1), 0)
    return np.stack([top, left, bottom - top, right - left], axis=1).astype(np.int64)


def _to_corner(images: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Each image shifted so that its ink starts at the top-left corner (vectorised gather)."""
    count, height, width = images.shape
    padded = np.zeros((count, 2 * height, 2 * width), images.dtype)
    padded[:, :height, :width] = images
    rows = boxes[:, 0, None, None] + np.arange(height)[None, :, None]
    columns = boxes[:, 1, None, None] + np.arange(width)[None, None, :]
    return padded[np.arange(count)[:, None, None], rows, columns]


@dataclass
class GlyphPool:
    """The glyph images one split may use, prepared for pasting.

    images: uint8 (N, h, w) glyphs, white on black (MNIST: 28x28 with the digit in a 20x20 box).
    labels: int64 (N,) classes 0-9.
    name: what the pool is, for messages ("MNIST training digits").
    """

    images: np.ndarray
    labels: np.ndarray
    name: str = "glyphs"
    _prepared: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.images = np.asarray(self.images)
        self.labels = np.asarray(self.labels).astype(np.int64).ravel()
        if self.images.ndim != 3 or self.images.dtype != np.uint8:
            raise ValueError(f"{self.name}: images must be uint8 (N, height, width), "
                             f"got {self.images.dtype} {self.images.shape}")
        if len(self.images) != len(self.labels) or len(self.labels) == 0:
            raise ValueError(f"{self.name}: {len(self.images)} images but {len(self.labels)} labels")
        if self.labels.min() < 0 or self.labels.max() >= BLANK:
            raise ValueError(f"{self.name}: labels must be classes 0-9, got {self.labels.min()}..{self.labels.max()}")

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"GlyphPool({self.name}: {len(self):,} images {self.images.shape[1]}x{self.images.shape[2]})"

    def prepared(self, scales) -> tuple[np.ndarray, np.ndarray]:
        """(patches uint8 (levels, N, box, box), sizes int64 (levels, N, 2)): each glyph cropped to its ink and
        resized by each scale (1.0: MNIST's size), in the top-left corner of a common box; sizes are
        (height, width) of its ink. Computed once per set of scales."""
        key = tuple(round(float(s), 6) for s in scales)
        if key not in self._prepared:
            self._prepared = {key: _prepare(self.images, key)}  # keep one: the style rarely changes
        return self._prepared[key]


def _prepare(images: np.ndarray, scales) -> tuple[np.ndarray, np.ndarray]:
    count, height, width = images.shape
    cornered = _to_corner(images, _ink_boxes(images)).astype(np.float32)
    resized, sizes = [], []
    for scale in scales:
        out_h, out_w = max(1, round(height * scale)), max(1, round(width * scale))
        glyphs = _resize_matrix(height, out_h) @ (cornered @ _resize_matrix(width, out_w).T)
        glyphs = np.clip(np.rint(glyphs), 0, 255).astype(np.uint8)
        boxes = _ink_boxes(glyphs)
        resized.append(glyphs)
        sizes.append(boxes[:, 2:] + boxes[:, :2])  # the ink starts at (0, 0) up to rounding
    box = int(max(s.max() for s in sizes)) or 1
    patches = np.zeros((len(scales), count, box, box), np.uint8)
    for level, glyphs in enumerate(resized):
        h, w = min(box, glyphs.shape[1]), min(box, glyphs.shape[2])
        patches[level, :, :h, :w] = glyphs[:, :h, :w]
    return patches, np.stack(sizes).astype(np.int64)


# --- building sequences ------------------------------------------------------------------------------------------

def build_sequences(pool: GlyphPool, count: int, style: SequenceStyle | None = None, *, seed: int = 0,
                    progress: bool = True) -> Sequences:
    """``count`` sequence images made of glyphs from ``pool`` only, as ``style`` says.

    Returns a Sequences: images uint8 (count, height, width), labels int64 (count, max_digits) with BLANK
    after the last glyph, sources (pool indexes), boxes. The same pool, style and seed give the same
    sequences. A progress bar appears when the work takes more than a couple of seconds.
    """
    from course_lib.progress import bar

    style = style or SequenceStyle()
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    patches, sizes = pool.prepared(style.scales)
    height, width = style.canvas
    slots = style.max_digits
    rng = np.random.default_rng(seed)
    images = np.zeros((count, height, width), np.uint8)
    labels = np.full((count, slots), BLANK, np.int64)
    sources = np.full((count, slots), -1, np.int64)
    boxes = np.full((count, slots, 4), -1, np.int32)
    with bar(total=count, desc="building sequences", unit="seq", delay=BAR_DELAY, show=progress) as progress_bar:
        for start in range(0, count, CHUNK):
            stop = min(count, start + CHUNK)
            chunk = _draw_chunk(rng, stop - start, style, patches, sizes, len(pool))
            chunk_images, chunk_sources, chunk_boxes = chunk
            images[start:stop] = chunk_images
            sources[start:stop] = chunk_sources
            boxes[start:stop] = chunk_boxes
            used = chunk_sources >= 0
            labels[start:stop][used] = pool.labels[chunk_sources[used]]
            progress_bar.update(stop - start)
    return Sequences(images, labels, sources, boxes)


def _draw_chunk(rng, count, style, patches, sizes, pool_size):
    """One chunk of sequences: (images, sources, boxes)."""
    height, width = style.canvas
    slots, box = style.max_digits, patches.shape[-1]
    shortest, longest = style.lengths
    lengths = rng.integers(shortest, longest + 1, size=count)
    active = np.arange(slots)[None, :] < lengths[:, None]  # (count, slots)
    glyphs = rng.integers(0, pool_size, size=(count, slots))
    levels = rng.integers(0, len(patches), size=(count, slots))
    gaps = rng.integers(style.spacing[0], style.spacing[1] + 1, size=(count, slots))
    jitter = rng.integers(-style.jitter, style.jitter + 1, size=(count, slots))
    heights = np.where(active, sizes[levels, glyphs, 0], 0)
    widths = np.where(active, sizes[levels, glyphs, 1], 0)

    # Left edges: each glyph starts where the previous one's ink ends, plus its gap (none before the first).
    gaps[:, 0] = 0
    gaps = np.where(active, gaps, 0)
    lefts = np.cumsum(gaps + np.concatenate([np.zeros((count, 1), np.int64), widths[:, :-1]], axis=1), axis=1)
    last = lengths - 1
    rows = np.arange(count)
    total = lefts[rows, last] + widths[rows, last]
    # A sequence too wide for the canvas is squeezed: its glyphs overlap more, the last one most.
    excess = np.maximum(total - width, 0)
    share = np.arange(slots)[None, :] / np.maximum(last, 1)[:, None]
    lefts = lefts - np.ceil(excess[:, None] * np.minimum(share, 1.0)).astype(np.int64)
    lefts = np.maximum(lefts, 0)
    total = np.minimum(total, width)

    tallest = heights.max(axis=1)
    if style.placement == "anywhere":
        offset = (rng.random(count) * (width - total + 1)).astype(np.int64)
        low = tallest / 2 + style.jitter
        high = height - tallest / 2 - style.jitter
        centre = low + rng.random(count) * np.maximum(high - low, 0)
    else:
        rng.random(count), rng.random(count)  # the same draws in every placement: one seed, one set of glyphs
        offset = (width - total) // 2 if style.placement == "centred" else np.zeros(count, np.int64)
        centre = np.full(count, height / 2)
    lefts = lefts + offset[:, None]
    tops = np.floor(centre[:, None] - heights / 2 + 0.5).astype(np.int64) + jitter
    tops = np.clip(tops, 0, np.maximum(height - heights, 0))

    # Paste, slot by slot: within one slot each sequence gets at most one glyph, so a gather-max-scatter through
    # a window view of the canvas (one (box, box) window per sequence) is exact. The canvas has a margin of one
    # box at the bottom and right, so that every window fits.
    canvas = np.zeros((count, height + box, width + box), np.uint8)
    windows = np.lib.stride_tricks.sliding_window_view(canvas, (box, box), axis=(1, 2), writeable=True)
    for slot in range(slots):
        which = np.flatnonzero(active[:, slot])
        if which.size == 0:
            continue
        place = (which, tops[which, slot], lefts[which, slot])
        windows[place] = np.maximum(windows[place], patches[levels[which, slot], glyphs[which, slot]])
    images = canvas[:, :height, :width]
    sources = np.where(active, glyphs, -1)
    boxes = np.stack([tops, lefts, np.minimum(tops + heights, height), np.minimum(lefts + widths, width)], axis=2)
    boxes = np.where(active[:, :, None], boxes, -1).astype(np.int32)
    return images, sources, boxes


# --- the pools of the assignment ---------------------------------------------------------------------------------

def distorted(pool: GlyphPool, copies: int, *, rotation: float = 12.0, shear: float = 0.25,
              seed: int = 0) -> GlyphPool:
    """``pool`` and ``copies`` distorted versions of each of its glyphs: a larger pool of the same labels.

    Each copy turns its glyph about the image centre by an angle drawn uniformly within ``rotation`` degrees
    either way and slants it by a shear drawn within ``shear`` (radians) either way, as hands write: a
    pool of a few thousand digits then shows the model more ways of writing each one. Only the pool's own
    glyphs are used, so a distorted training pool still shares no glyph with the other splits. The same
    pool and seed give the same copies.
    """
    from skimage.transform import AffineTransform, warp

    if copies < 0:
        raise ValueError(f"copies must be >= 0, got {copies}")
    rng = np.random.default_rng(seed)
    count, height, width = pool.images.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    out = np.empty((copies, count, height, width), np.uint8)
    angles = np.deg2rad(rng.uniform(-rotation, rotation, (copies, count)))
    shears = rng.uniform(-shear, shear, (copies, count))
    for copy in range(copies):
        for index, image in enumerate(pool.images):
            about_centre = (AffineTransform(translation=-centre)
                            + AffineTransform(rotation=angles[copy, index], shear=shears[copy, index])
                            + AffineTransform(translation=centre))
            warped = warp(image, about_centre.inverse, order=1, preserve_range=True)
            out[copy, index] = np.clip(np.rint(warped), 0, 255).astype(np.uint8)
    images = np.concatenate([pool.images, out.reshape(-1, height, width)])
    return GlyphPool(images, np.tile(pool.labels, copies + 1), f"{pool.name} and {copies} distorted copies of each")


@dataclass
class Pools:
    """Glyph pools for the three splits, disjoint; ``info`` says where the images came from."""

    train: GlyphPool
    valid: GlyphPool
    test: GlyphPool
    info: str = ""

    def __iter__(self):
        return iter((self.train, self.valid, self.test))


def split_pool(images, labels, validation: int, *, seed: int = 0, names=("training", "validation")):
    """(train pool, validation pool): ``validation`` images taken out at random, stratified by class."""
    images, labels = np.asarray(images), np.asarray(labels).astype(np.int64)
    if not 0 < validation < len(labels):
        raise ValueError(f"validation must be between 1 and {len(labels) - 1}, got {validation}")
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    per_class = np.bincount(labels, minlength=BLANK)[classes] / len(labels)
    takes = np.floor(per_class * validation).astype(int)
    takes[: validation - takes.sum()] += 1  # the remainder, to the first classes
    chosen = np.concatenate([rng.choice(np.flatnonzero(labels == c), size=take, replace=False)
                             for c, take in zip(classes, takes)])
    is_valid = np.zeros(len(labels), bool)
    is_valid[chosen] = True
    train_index, valid_index = np.flatnonzero(~is_valid), np.flatnonzero(is_valid)
    return (GlyphPool(images[train_index], labels[train_index], names[0]),
            GlyphPool(images[valid_index], labels[valid_index], names[1]))


def mnist_pools(validation: int = 500, *, seed: int = 0) -> Pools:
    """MNIST digits for the three splits: training and validation digits out of MNIST's training images
    (the 5,000 embedded ones offline), test digits from MNIST's test images (the real 10,000 when they are
    in COURSE_DATA_DIR, else the embedded sample's own 1,000). No image is in two pools."""
    from course_lib.data import load

    ((train_images, train_labels), (test_images, test_labels)), info = load("mnist", with_info=True)
    train, valid = split_pool(train_images, train_labels, validation, seed=seed,
                              names=("MNIST training digits", "MNIST validation digits"))
    test = GlyphPool(test_images, test_labels, "MNIST test digits")
    return Pools(train, valid, test, str(info))


def letter_pools(per_letter: int = 300, *, seed: int = 0) -> Pools:
    """notMNIST-style letters A-J (classes 0-9) drawn from the installed fonts, split by font: each split has
    fonts of its own (about 70/15/15%), and an image that an earlier split already holds (two fonts can draw
    a letter alike) is left out, so no glyph image is in two pools.

    per_letter: images of each letter per pool (training gets four times as many).
    """
    from course_lib.notmnist import LETTERS, render_letter, usable_fonts

    fonts = sorted(usable_fonts())
    if len(fonts) < 3:
        raise ValueError(f"rendering letters needs at least 3 usable fonts, found {len(fonts)}")
    order = np.random.default_rng(seed).permutation(len(fonts))
    cut_valid, cut_test = max(1, round(0.7 * len(fonts))), max(2, round(0.85 * len(fonts)))
    cut_test = min(cut_test, len(fonts) - 1)
    groups = {"training": order[:cut_valid], "validation": order[cut_valid:cut_test], "test": order[cut_test:]}
    pools, seen = {}, set()
    for offset, (split, members) in enumerate(groups.items()):
        rng = np.random.default_rng([seed, offset])
        size = per_letter * (4 if split == "training" else 1)
        images, labels, here = [], [], set()
        for label, letter in enumerate(LETTERS):
            for font in rng.choice(members, size=size):
                image = render_letter(fonts[font], letter, rng, shape=(GLYPH_BOX, GLYPH_BOX))
                # Two fonts can draw a letter alike (metric clones, a plain "I"): an image already in an
                # earlier split is left out of this one.
                if image.tobytes() not in seen:
                    images.append(image)
                    labels.append(label)
                    here.add(image.tobytes())
        seen |= here
        pools[split] = GlyphPool(np.stack(images), np.array(labels), f"letters for {split} ({len(members)} fonts)")
    info = f"notMNIST-style letters rendered from {len(fonts)} fonts, split by font"
    return Pools(pools["training"], pools["validation"], pools["test"], info)
