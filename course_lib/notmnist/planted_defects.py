"""A curation scored against the truth: what the notMNIST generator planted, and how much of it was found.

The generator (``course_lib.notmnist``) plants exact copies, near copies (one or two pixels changed) and
wrong labels in the archives it writes, and its manifest (``notMNIST_manifest.json``) lists every one by
archive member. Assignment 1 stores each letter folder's readable images in the order of their sorted file
names, so every stored row is a known member and the manifest can be laid over the rows:

>>> data = planted_defects.curation_set(train_arrays, test_arrays, train_root, test_root, manifest)  # doctest: +SKIP
>>> score = planted_defects.score_copies(pairs, data, max_different_pixels=2)                      # doctest: +SKIP
>>> score.precision, score.recall                                                                   # doctest: +SKIP
(1.0, 1.0)

Precision: of what was flagged, the share that is a defect. Recall: of the planted defects, the share that
was flagged. A pair of images within ``max_different_pixels`` of each other is a copy whether or not the
generator planted it (fonts that lack a letter draw the same box for several letters), so a pair's precision
is checked on the pixels and its recall against the manifest; a wrong label is a wrong label only where the
manifest says so. The real notMNIST has no manifest: nobody recorded which of its images are copies or
wrongly labelled, so the same calls report counts only (``data.has_truth`` is False) and say why.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from course_lib.errors import CourseError

LETTERS = "ABCDEFGHIJ"
PIXEL_DEPTH = 255.0
COPY_KINDS = {  # the manifest's list of each planted copy kind -> what a person calls it
    "duplicates": "exact copies, same archive",
    "near_duplicates": "near copies (1-2 pixels), same archive",
    "duplicates_from_large": "test images copied from the large archive",
    "near_duplicates_from_large": "test images nearly copied from it",
}
EXACT_KINDS = ("duplicates", "duplicates_from_large")
LABEL_KINDS = {  # what a wrongly labelled image shows (the manifest's "shows") -> a short name
    "missing_glyph_box": "missing-glyph box",
    "filled_box": "filled box",
    "symbol": "symbol",
    "other_character": "another character",
    "blank": "blank",
}
SHORT = {"missing_glyph_box": "box", "filled_box": "filled box", "symbol": "symbol", "blank": "blank"}
NO_MANIFEST = ("no manifest: these are not generated archives (the real notMNIST?), and nobody recorded which of "
               "their images are copies or wrongly labelled, so there is no truth to measure precision and "
               "recall against; these are counts only")
_CHUNK_PAIRS = 8192  # pairs of images compared at once


@dataclass(eq=False)
class CurationSet:
    """Every stored image of both archives in one array, and what the generator planted among them.

    images: (N, 28, 28) as stored: the large archive's letters A..J, then the small archive's.
    labels: (N,) int64, 0..9 for A..J (the folder each image came from).
    small: (N,) bool, True for the images of the small (test) archive.
    members: (N,) the archive member of each row ("notMNIST_large/A/<name>.png"); None without a manifest.
    copies: {kind of COPY_KINDS: (P, 2) int64 planted pairs of rows, i < j}; empty without a manifest.
    wrong_labels: {kind of LABEL_KINDS: (M,) int64 rows}; empty without a manifest.
    shows: {row: what its planted wrong label shows, in a word or two ("box", "'R'")}; empty without a manifest.
    pixels: (N, 28, 28) uint8, when this module read the images itself (``generated_sample``); else None.
    """

    images: np.ndarray
    labels: np.ndarray
    small: np.ndarray
    members: list[str] | None = None
    copies: dict = field(default_factory=dict)
    wrong_labels: dict = field(default_factory=dict)
    shows: dict = field(default_factory=dict)
    pixels: np.ndarray | None = None

    @property
    def has_truth(self) -> bool:
        """True when a manifest says what was planted (generated archives)."""
        return self.members is not None

    def planted_wrong_labels(self) -> np.ndarray:
        """(M,) int64 rows of every planted wrong label, sorted."""
        found = [rows for rows in self.wrong_labels.values()]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, np.int64)

    def describe(self) -> str:
        """A few lines: how many images, and what was planted among them (or why nothing is known)."""
        lines = [f"{len(self.images):,} images: {int((~self.small).sum()):,} from the large archive, "
                 f"{int(self.small.sum()):,} from the small one"]
        if not self.has_truth:
            return "\n".join([*lines, NO_MANIFEST])
        lines.append("planted copies (pairs): " + ", ".join(f"{COPY_KINDS[kind]} {len(pairs):,}"
                                                            for kind, pairs in self.copies.items()))
        lines.append("planted wrong labels: " + ", ".join(f"{LABEL_KINDS[kind]} {len(rows):,}"
                                                          for kind, rows in self.wrong_labels.items()))
        return "\n".join(lines)


def curation_set(large_arrays: dict, small_arrays: dict, large_root, small_root, manifest: dict | None = None
                 ) -> CurationSet:
    """The stored arrays of both archives as one ``CurationSet``, with the manifest laid over its rows.

    large_arrays, small_arrays: ``{letter: (n, 28, 28) array}`` as assignment 1 stores them.
    large_root, small_root: the unpacked folders (``.../notMNIST_large``) they were read from.
    manifest: the generator's manifest, or None (real archives: counts only).
    Row i of ``large_arrays[letter]`` must be the i-th readable file of the folder in sorted name order
    (what ``class_arrays.read_image_folder`` returns); a few rows are checked against their files.
    """
    parts = [(large_arrays, Path(large_root), False), (small_arrays, Path(small_root), True)]
    missing = [letter for arrays, _, _ in parts for letter in LETTERS if letter not in arrays]
    if missing:
        raise CourseError(f"the stored arrays lack the letters {', '.join(sorted(set(missing)))}: store every "
                          "letter A to J of both archives first")
    images = np.concatenate([np.asarray(arrays[letter]) for arrays, _, _ in parts for letter in LETTERS])
    labels = np.concatenate([np.full(len(arrays[letter]), index, np.int64) for arrays, _, _ in parts
                             for index, letter in enumerate(LETTERS)])
    small = np.concatenate([np.full(len(arrays[letter]), is_small) for arrays, _, is_small in parts
                            for letter in LETTERS])
    if manifest is None:
        return CurationSet(images, labels, small)
    members = _stored_members(parts, manifest)
    row = {member: index for index, member in enumerate(members)}
    copies = {}
    for kind in COPY_KINDS:
        pairs = [(row[_member(record["original"], row)], row[_member(record["copy"], row)])
                 for record in _defects(manifest, kind)]
        copies[kind] = np.sort(np.array(pairs, np.int64).reshape(-1, 2), axis=1)
    wrong, shows = {kind: [] for kind in LABEL_KINDS}, {}
    for record in _defects(manifest, "mislabeled"):
        index = row[_member(record["member"], row)]
        wrong.setdefault(record["shows"], []).append(index)
        shows[index] = f"'{record['text']}'" if record.get("text") else SHORT.get(record["shows"], record["shows"])
    wrong_labels = {kind: np.array(sorted(rows), np.int64) for kind, rows in wrong.items()}
    return CurationSet(images, labels, small, members, copies, wrong_labels, shows)


def _defects(manifest: dict, kind: str) -> list[dict]:
    return [record for archive in manifest["archives"].values() for record in archive["defects"].get(kind, [])]


def _member(member: str, row: dict) -> str:
    if member not in row:
        raise CourseError(f"the manifest lists {member}, which is not among the stored images: the arrays and the "
                          "manifest come from different archives (delete the stored arrays and run the notebook "
                          "from the top)")
    return member


def _stored_members(parts, manifest: dict) -> list[str]:
    """The member of every row: per letter folder, its image files in sorted order minus the unreadable ones."""
    from course_lib.data.decode import image_files

    unreadable = {record["member"] for kind in ("unreadable", "wrong_size") for record in _defects(manifest, kind)}
    members = []
    for arrays, root, _ in parts:
        for letter in LETTERS:
            names = [f"{root.name}/{letter}/{path.name}" for path in image_files(root / letter)]
            names = [name for name in names if name not in unreadable]
            stored = np.asarray(arrays[letter])
            if len(names) != len(stored):
                raise CourseError(f"{root / letter} has {len(names):,} readable images but {len(stored):,} were "
                                  "stored: load_letter must keep every readable image and skip only the files "
                                  "that cannot be read (Part 2)")
            _check_rows(root.parent, names, stored)
            members += names
    return members


def _check_rows(folder: Path, names: list[str], stored: np.ndarray) -> None:
    """The first, middle and last stored rows of a letter must be the pixels of their files, normalised."""
    from PIL import Image

    for index in sorted({0, len(names) // 2, len(names) - 1} if names else set()):
        with Image.open(folder / names[index]) as image:
            expected = (np.asarray(image.convert("L"), np.float32) - PIXEL_DEPTH / 2) / PIXEL_DEPTH
        if stored[index].shape != expected.shape or not np.allclose(stored[index], expected, atol=1e-6):
            raise CourseError(f"stored image {index} of {Path(names[index]).parent} is not the file "
                              f"{Path(names[index]).name}: load_letter must read the files in the order of their "
                              "sorted names (Part 2); fix it, delete the stored arrays and run the notebook again")


# --------------------------------------------------------------------------- scores

def _pairs_array(pairs, count: int) -> np.ndarray:
    """``pairs`` as a (P, 2) int64 array, or a CourseError saying what shape it should have."""
    array = np.asarray(pairs)
    if array.size == 0:
        return np.zeros((0, 2), np.int64)
    if array.ndim != 2 or array.shape[1] != 2 or array.dtype.kind not in "iu":
        raise CourseError(f"pairs should be an integer array of shape (P, 2), one row (i, j) per pair, got "
                          f"{array.dtype} {array.shape}")
    return array.astype(np.int64)


def differing_pixels(images: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """(P,) int64: how many pixels differ between images[i] and images[j] for each row (i, j) of ``pairs``."""
    rows = np.asarray(images).reshape(len(images), -1)
    counts = np.zeros(len(pairs), np.int64)
    for start in range(0, len(pairs), _CHUNK_PAIRS):
        part = pairs[start:start + _CHUNK_PAIRS]
        counts[start:start + len(part)] = np.count_nonzero(rows[part[:, 0]] != rows[part[:, 1]], axis=1)
    return counts


@dataclass
class CopyScore:
    """What a list of copy pairs found, against the pixels and the manifest.

    returned: distinct pairs returned ((i, j) and (j, i) are one pair). invalid: of those, rows that are not
    two different images of the set ((i, i), an index out of range). copies: returned pairs whose images
    differ in at most max_different_pixels pixels; identical: of those, the exact copies. planted, found:
    {kind: pairs planted, and found}; missed: {kind: (m, 2) rows of the planted pairs not returned}.
    """

    max_different_pixels: int
    returned: int
    invalid: int
    copies: int
    identical: int
    has_truth: bool
    planted: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)
    missed: dict = field(default_factory=dict)

    @property
    def precision(self) -> float:
        """Share of the returned pairs that are copies (nan when nothing was returned)."""
        return self.copies / self.returned if self.returned else float("nan")

    @property
    def recall(self) -> float:
        """Share of the planted pairs that were returned (nan without a manifest)."""
        planted = sum(self.planted.values())
        return sum(self.found.values()) / planted if self.has_truth and planted else float("nan")

    @property
    def accidental(self) -> int:
        """Copies returned that the generator did not plant: identical renders (blanks, boxes, a font twice)."""
        return self.copies - sum(self.found.values())

    def missed_pairs(self) -> np.ndarray:
        """(m, 2) every planted pair not returned, kind by kind."""
        return np.concatenate([*self.missed.values(), np.zeros((0, 2), np.int64)])

    def summary(self) -> str:
        k = self.max_different_pixels
        copies = "identical" if k == 0 else f"at most {k} pixel{'s' * (k != 1)} differ"
        lines = [f"pairs returned: {self.returned:,}; copies ({copies}): {self.copies:,}"
                 + (f", of them identical: {self.identical:,}" if k else "")
                 + (f"; not a pair of two different images: {self.invalid:,}" if self.invalid else "")]
        if not self.has_truth:
            return "\n".join([*lines, NO_MANIFEST])
        planted = sum(self.planted.values())
        lines.append(f"precision {self.precision:.3f} (share of the pairs returned that are copies)")
        lines.append(f"recall    {self.recall:.3f} (planted pairs found: {sum(self.found.values()):,} of {planted:,})")
        width = max(len(name) for name in COPY_KINDS.values())
        lines += [f"  {COPY_KINDS[kind]:<{width}}  {self.found[kind]:>6,} of {count:,}"
                  for kind, count in self.planted.items()]
        lines.append(f"copies the generator did not plant: {self.accidental:,} (the same render twice: blank "
                     "images, boxes drawn for several letters, one font under two names)")
        return "\n".join(lines)


def score_copies(pairs, data: CurationSet, max_different_pixels: int) -> CopyScore:
    """Score copy pairs (P, 2) of rows of ``data.images``: precision on the pixels, recall against the manifest."""
    count = len(data.images)
    array = _pairs_array(pairs, count)
    array = np.unique(np.sort(array, axis=1), axis=0)
    valid = (array[:, 0] != array[:, 1]) & (array.min(axis=1, initial=0) >= 0) & (array.max(axis=1, initial=0) < count)
    good = array[valid]
    differ = differing_pixels(data.images, good)
    close = differ <= max_different_pixels
    score = CopyScore(max_different_pixels, returned=len(array), invalid=int((~valid).sum()), copies=int(close.sum()),
                      identical=int((differ == 0).sum()), has_truth=data.has_truth)
    if data.has_truth:
        codes = good[:, 0] * count + good[:, 1]
        for kind, planted in data.copies.items():
            hit = np.isin(planted[:, 0] * count + planted[:, 1], codes)
            score.planted[kind], score.found[kind], score.missed[kind] = len(planted), int(hit.sum()), planted[~hit]
    return score


@dataclass
class LabelScore:
    """What a list of suspect labels found, against the manifest's planted wrong labels.

    flagged: distinct rows flagged. planted, found: {kind of LABEL_KINDS: wrong labels planted, and flagged}.
    missed: rows of planted wrong labels not flagged; false_alarms: rows flagged whose label is right.
    """

    flagged: int
    has_truth: bool
    planted: dict = field(default_factory=dict)
    found: dict = field(default_factory=dict)
    missed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    false_alarms: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def correct(self) -> int:
        return sum(self.found.values())

    @property
    def precision(self) -> float:
        """Share of the flagged images whose label is wrong (nan without a manifest or with nothing flagged)."""
        return self.correct / self.flagged if self.has_truth and self.flagged else float("nan")

    @property
    def recall(self) -> float:
        """Share of the planted wrong labels that were flagged (nan without a manifest)."""
        planted = sum(self.planted.values())
        return self.correct / planted if self.has_truth and planted else float("nan")

    def summary(self) -> str:
        lines = [f"images flagged: {self.flagged:,}"]
        if not self.has_truth:
            return "\n".join([*lines, NO_MANIFEST])
        lines.append(f"precision {self.precision:.3f} (flagged images whose label is wrong: {self.correct:,})")
        lines.append(f"recall    {self.recall:.3f} (planted wrong labels found: {self.correct:,} of "
                     f"{sum(self.planted.values()):,})")
        width = max(len(name) for name in LABEL_KINDS.values())
        lines += [f"  {LABEL_KINDS.get(kind, kind):<{width}}  {self.found[kind]:>6,} of {count:,}"
                  for kind, count in self.planted.items()]
        return "\n".join(lines)


def score_labels(suspects, data: CurationSet) -> LabelScore:
    """Score suspect rows (M,) of ``data``: precision and recall against the planted wrong labels."""
    rows = np.asarray(suspects)
    if rows.size and (rows.ndim != 1 or rows.dtype.kind not in "iu"):
        raise CourseError(f"suspects should be a 1-D integer array of row indices, got {rows.dtype} {rows.shape}")
    rows = np.unique(rows.astype(np.int64))
    if rows.size and (rows[0] < 0 or rows[-1] >= len(data.images)):
        raise CourseError(f"suspect rows must be in 0..{len(data.images) - 1}, got {rows[0]}..{rows[-1]}")
    score = LabelScore(len(rows), data.has_truth)
    if data.has_truth:
        for kind, planted in data.wrong_labels.items():
            score.planted[kind], score.found[kind] = len(planted), int(np.isin(planted, rows).sum())
        wrong = data.planted_wrong_labels()
        score.missed = np.setdiff1d(wrong, rows)
        score.false_alarms = np.setdiff1d(rows, wrong)
    return score


# --------------------------------------------------------------------------- figures

def _message(text: str):
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 0.8))
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    return figure


def _some(count: int, limit: int, seed: int = 0) -> np.ndarray:
    """``limit`` of ``count`` positions picked at random (seeded), in order: a sample across the letters."""
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, limit, replace=False))


def show_pairs(data: CurationSet, pairs, title: str, *, limit: int = 10):
    """Up to ``limit`` pairs (a seeded sample) side by side, titled with letter and archive; returns the Figure.

    The second image of each pair says how many pixels differ. No pairs: a line saying so.
    """
    from course_lib.plotting import show_images

    pairs = _pairs_array(pairs, len(data.images))
    pairs = pairs[_some(len(pairs), limit)]
    if not len(pairs):
        return _message(f"{title}: none")
    differ = differing_pixels(data.images, pairs)
    images, titles = [], []
    for (i, j), count in zip(pairs, differ):
        images += [data.images[i], data.images[j]]
        titles += [f"{LETTERS[data.labels[i]]} {'small' if data.small[i] else 'large'}",
                   f"{LETTERS[data.labels[j]]} {'small' if data.small[j] else 'large'}, {count} px"]
    return show_images(images, titles, suptitle=title)


def show_rows(data: CurationSet, rows, title: str, *, limit: int = 20):
    """Up to ``limit`` images of ``rows`` (a seeded sample), titled "under A" and, for a planted wrong label,
    what it shows; returns the Figure."""
    from course_lib.plotting import show_images

    rows = np.asarray(rows, np.int64)
    rows = rows[_some(len(rows), limit)]
    if not len(rows):
        return _message(f"{title}: none")
    titles = [f"under {LETTERS[data.labels[row]]}" + (f"\n{data.shows[row]}" if row in data.shows else "")
              for row in rows]
    return show_images(data.images[rows], titles, suptitle=title)


def plot_threshold(thresholds, scores, *, chosen: float | None = None):
    """Precision and recall of the suspect labels against the threshold (log scale); returns the Figure."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(thresholds, [score.precision for score in scores], marker="o", label="precision")
    ax.plot(thresholds, [score.recall for score in scores], marker="o", label="recall")
    if chosen is not None:
        ax.axvline(chosen, color="gray", linestyle="--", linewidth=1, label=f"threshold {chosen:g}")
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("threshold on the probability of the image's own label")
    ax.set_title("Flag more, find more, and be wrong more often")
    ax.grid(True, alpha=0.3)
    ax.legend()
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------- other data, for the hidden tests

@functools.lru_cache(maxsize=2)
def _generated(seed: int, small: int, large: int) -> CurationSet:
    from course_lib.archives import extract
    from course_lib.class_arrays import read_image_folder
    from course_lib.notmnist import ARCHIVE_NAMES, generate, read_manifest

    with tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(generate(scratch, small=small, large=large, seed=seed, progress=False))
        roots, arrays, pixels = [], [], []
        for folder in ("notMNIST_large", "notMNIST_small"):
            root = extract(Path(scratch) / ARCHIVE_NAMES[folder], Path(scratch), expected_folders=LETTERS,
                           progress=False)
            read = {letter: read_image_folder(root / letter, progress=False)[0] for letter in LETTERS}
            roots.append(root)
            pixels += [read[letter] for letter in LETTERS]
            arrays.append({letter: ((read[letter].astype(np.float32) - PIXEL_DEPTH / 2) / PIXEL_DEPTH)
                           for letter in LETTERS})
        data = curation_set(arrays[0], arrays[1], roots[0], roots[1], manifest)
    data.pixels = np.concatenate(pixels)
    return data


def generated_sample(seed: int = 7, small: int = 300, large: int = 1_200) -> CurationSet:
    """A ``CurationSet`` of archives generated afresh (not the notebook's): other data, for the hidden tests.

    Images normalised as assignment 1 does, ``pixels`` the uint8 originals. Made once per process (about 5 s
    for the default sizes); each call returns its own copy, so a function that changes its input changes
    nothing for the next caller.
    """
    data = _generated(int(seed), int(small), int(large))
    return replace(data, images=data.images.copy(), labels=data.labels.copy(), small=data.small.copy(),
                   members=list(data.members), shows=dict(data.shows), pixels=data.pixels.copy())
