"""Duplicate images across and within datasets, and labels a model doubts (assignment 1, notMNIST curation).

>>> from course_lib import curation
>>> in_train = curation.exact_duplicates(x_test, x_train)        # (N_test,) bool      # doctest: +SKIP
>>> close = curation.near_duplicates(x_test, x_train)            # <= 2 pixels differ  # doctest: +SKIP
>>> x_clean = x_train[~curation.duplicates_within(x_train)]      # first copies kept   # doctest: +SKIP
>>> p = curation.out_of_fold_probabilities(x_train, y_train)     # (N, 10), held out   # doctest: +SKIP

Images are arrays of shape (N, ...) of any numeric dtype (uint8, or float32
normalised as ``(x - 127.5) / 255``); each image is flattened to one row of
D pixels. Two pixels are equal when their bytes are equal, so both arrays must
have the same dtype and image shape (for floats: ``-0.0 != 0.0``, and a NaN
equals the same NaN).

Method. Every row is hashed once, vectorised: its bytes, read as 32-bit lanes,
are combined with fixed random 64-bit multipliers (a multilinear hash, one
``einsum``). Hashes only propose candidates; every match is confirmed on the
pixels, so the answers are exact. Near duplicates use the pigeonhole principle
(multi-index hashing): split the pixel positions into k + 1 disjoint groups
(a seeded permutation, so each group is spread over the whole image); two
images differing in at most k pixels agree exactly on at least one group. Rows
of ``a`` are joined with rows of ``b`` on each group's hash, and each candidate
pair is verified by counting differing pixels. Exact copies are merged first
(so thousands of blank images cost one row), and a bucket holding too many
pairs is split again on the remaining positions (same argument, one level
down), so memory stays bounded: at most ``_CHUNK_PAIRS`` pairs are compared
at once.
"""

from __future__ import annotations

import numpy as np

from course_lib.progress import bar as progress_bar

_SEED = 20_160_105                 # fixed: results and timings do not depend on the run
_CHUNK_ROWS = 1 << 16              # rows hashed at once
_CHUNK_PAIRS = 1 << 14             # candidate pairs compared at once (x D bytes of memory)
_REFINE_ABOVE = 1 << 17            # a bucket with more pairs than this is split again
_MAX_DEPTH = 3                     # beyond this, a bucket is compared pair by pair (in chunks)


# --------------------------------------------------------------------------- inputs and hashing

def _pixels(x, name: str) -> np.ndarray:
    """Validate ``x`` (N, ...) and return it as (N, D) unsigned integers with the same bytes."""
    if not isinstance(x, np.ndarray):
        raise ValueError(f"{name} must be a numpy array of images of shape (N, ...), got {type(x).__name__}; "
                         f"use np.asarray({name}) first")
    if x.ndim < 2:
        raise ValueError(f"{name} has shape {x.shape}: expected a batch of images (N, ...) such as (N, 28, 28); "
                         f"for a single image use {name}[None]")
    if x.dtype.kind not in "biuf" or x.dtype.itemsize not in (1, 2, 4, 8):
        raise ValueError(f"{name} has dtype {x.dtype}: expected numeric pixels (uint8, or floats such as float32)")
    rows = np.ascontiguousarray(x.reshape(len(x), int(np.prod(x.shape[1:]))))
    return rows.view(f"u{x.dtype.itemsize}")


def _pair(a, b, k=None) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of image arrays (and ``k``); return both as (N, D) unsigned integers."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0):
        raise ValueError(f"max_different_pixels must be an integer >= 0, got {k!r}")
    pa, pb = _pixels(a, "a"), _pixels(b, "b")
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(f"a holds images of shape {a.shape[1:]} and b of shape {b.shape[1:]}: "
                         "both must hold images of the same shape")
    if a.dtype != b.dtype:
        raise ValueError(f"a is {a.dtype} and b is {b.dtype}: images are compared byte for byte, so prepare both "
                         "the same way first (e.g. both uint8, or both normalised to float32)")
    return pa, pb


def _row_keys(rows: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
    """64-bit hash of each row of ``rows`` (N, D), or of its ``columns`` (bool mask of D). Returns (N,) uint64.

    A multilinear hash over 32-bit lanes: two different rows collide with
    probability about 2**-32 or less. Collisions only cost a check: every
    caller confirms matches on the pixels.
    """
    width = int(columns.sum()) if columns is not None else rows.shape[1]
    n_bytes = width * rows.dtype.itemsize
    n_lanes = -(-n_bytes // 4)
    multipliers = np.random.default_rng(_SEED + n_bytes).integers(
        0, 2**64 - 1, n_lanes, dtype=np.uint64, endpoint=True)
    keys = np.empty(len(rows), np.uint64)
    for start in range(0, len(rows), _CHUNK_ROWS):
        part = rows[start:start + _CHUNK_ROWS]
        part = np.compress(columns, part, axis=1) if columns is not None else part
        data = np.ascontiguousarray(part).view(np.uint8)
        if n_bytes % 4:
            data = np.pad(data, ((0, 0), (0, 4 * n_lanes - n_bytes)))
        keys[start:start + len(part)] = np.einsum("ij,j->i", data.view("<u4"), multipliers)
    return keys


def _rows_equal(x: np.ndarray, y: np.ndarray, y_rows: np.ndarray) -> np.ndarray:
    """(N,) bool: row i of x (N, D) equals row y_rows[i] of y (M, D); compared in chunks."""
    equal = np.empty(len(x), bool)
    step = max(1, (_CHUNK_PAIRS * 64) // max(1, x.shape[1]))
    for start in range(0, len(x), step):
        equal[start:start + step] = (x[start:start + step] == y[y_rows[start:start + step]]).all(axis=1)
    return equal


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Exact de-duplication of rows (N, D).

    Returns ``(first, inverse, keys)``: ``first`` (U,) the index of the first
    occurrence of each distinct row, in hash order; ``inverse`` (N,) maps each
    row to its distinct row; ``keys`` (U,) their sorted, distinct hashes, or
    None if two different rows shared a hash (then hashes cannot be joined on).
    """
    keys = _row_keys(rows)
    keys_unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if _rows_equal(rows, rows, first[inverse]).all():
        return first, inverse, keys_unique
    # Two different rows share a 64-bit hash (practically never): de-duplicate on the bytes themselves.
    seen: dict[bytes, int] = {}
    inverse = np.array([seen.setdefault(row.tobytes(), len(seen)) for row in rows], dtype=np.intp)
    first = np.unique(inverse, return_index=True)[1]
    return first, inverse, None


# --------------------------------------------------------------------------- exact duplicates

def exact_duplicates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which images of ``a`` also occur, byte for byte, in ``b``.

    Inputs:
    - a: array of shape (N_a, ...), e.g. (10000, 28, 28) uint8 or float32
    - b: array of shape (N_b, ...), same image shape and dtype as ``a``
    Returns a bool array of shape (N_a,). When ``a is b`` every image occurs
    in ``b`` (itself), so the answer is all True: to find repeats inside one
    array use ``duplicates_within``.
    Raises ValueError for non-arrays, different image shapes or dtypes.
    """
    pa, pb = _pair(a, b)
    found = np.zeros(len(pa), bool)
    if len(pa) == 0 or len(pb) == 0:
        return found
    first_b, _, keys_b = _unique_rows(pb)
    if keys_b is None:                                   # a hash collision inside b: compare bytes
        in_b = {row.tobytes() for row in pb}
        return np.fromiter((row.tobytes() in in_b for row in pa), bool, len(pa))
    keys_a = _row_keys(pa)
    where = np.minimum(np.searchsorted(keys_b, keys_a), len(keys_b) - 1)
    candidates = np.flatnonzero(keys_b[where] == keys_a)
    found[candidates] = _rows_equal(pa[candidates], pb, first_b[where[candidates]])
    return found


def duplicates_within(a: np.ndarray) -> np.ndarray:
    """Which images of ``a`` repeat an EARLIER image of ``a`` (byte for byte).

    Input: a, array of shape (N, ...). Returns a bool array of shape (N,), False
    for the first occurrence of each distinct image, so ``a[~duplicates_within(a)]``
    de-duplicates ``a`` keeping first occurrences in their original order.
    """
    rows = _pixels(a, "a")
    repeated = np.ones(len(rows), bool)
    if len(rows):
        repeated[_unique_rows(rows)[0]] = False
    return repeated


# --------------------------------------------------------------------------- near duplicates

class _Matches:
    """Collects verified pairs (indices into the distinct rows); in mask mode only marks ``found``."""

    def __init__(self, n_a: int, keep_pairs: bool):
        self.found = np.zeros(n_a, bool)
        self.keep_pairs = keep_pairs
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, ia: np.ndarray, ib: np.ndarray) -> None:
        self.found[ia] = True
        if self.keep_pairs:
            self.pairs.append((ia, ib))

    def still_open(self, ia: np.ndarray) -> np.ndarray:
        """The rows of ``ia`` worth searching: all of them for pairs, the unmatched ones for a mask."""
        return ia if self.keep_pairs else ia[~self.found[ia]]


def _verify_pairs(A, B, ia, ib, k, matches: _Matches) -> None:
    """Keep the candidate pairs (ia[i], ib[i]) whose rows differ in at most k pixels (chunked)."""
    for start in range(0, len(ia), _CHUNK_PAIRS):
        pa, pb = ia[start:start + _CHUNK_PAIRS], ib[start:start + _CHUNK_PAIRS]
        close = np.count_nonzero(A[pa] != B[pb], axis=1) <= k
        if close.any():
            matches.add(pa[close], pb[close])


def _compare_all(A, B, ia, ib, k, matches: _Matches) -> None:
    """Compare every row ia of A with every row ib of B, at most _CHUNK_PAIRS pairs at a time."""
    step_b = min(len(ib), 256)
    for start_b in range(0, len(ib), step_b):
        ia = matches.still_open(ia)
        if not len(ia):
            return
        block_b = ib[start_b:start_b + step_b]
        step_a = max(1, _CHUNK_PAIRS // len(block_b))
        for start_a in range(0, len(ia), step_a):
            block_a = ia[start_a:start_a + step_a]
            close = np.count_nonzero(A[block_a][:, None, :] != B[block_b][None, :, :], axis=2) <= k
            rows, cols = np.nonzero(close)
            if len(rows):
                matches.add(block_a[rows], block_b[cols])


def _expand(ia, lo, counts, order_b):
    """Yield chunks of (ia, ib) pairs: row ia[i] against order_b[lo[i]:lo[i] + counts[i]]."""
    ends = np.cumsum(counts)
    start = 0
    while start < len(ia):
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - counts[start] + _CHUNK_PAIRS, "right")))
        c = counts[start:stop]
        offsets = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
        yield np.repeat(ia[start:stop], c), order_b[np.repeat(lo[start:stop], c) + offsets]
        start = stop


def _search(A, B, ia, ib, free, k, depth, matches: _Matches, bar=None) -> None:
    """Find the pairs of rows (ia of A, ib of B) within k differing pixels.

    Every such pair agrees exactly on one of k + 1 groups of the positions ``free``
    (pigeonhole), so rows are joined group by group on the group's hash.
    """
    ia = matches.still_open(ia)
    if not len(ia) or not len(ib):
        return
    if len(ia) * len(ib) <= _CHUNK_PAIRS or depth > _MAX_DEPTH or len(free) < 2 * (k + 1):
        _compare_all(A, B, ia, ib, k, matches)
        return
    free = np.random.default_rng(_SEED + depth).permutation(free)
    for group in range(k + 1):
        ia = matches.still_open(ia)
        if not len(ia):
            break
        columns = np.zeros(A.shape[1], bool)
        columns[free[group::k + 1]] = True
        keys_a, keys_b = _row_keys(A[ia], columns), _row_keys(B[ib], columns)
        order_b = np.argsort(keys_b, kind="stable")
        sorted_b = keys_b[order_b]
        lo = np.searchsorted(sorted_b, keys_a, "left")
        counts = np.searchsorted(sorted_b, keys_a, "right") - lo
        # Pairs per bucket = (rows of a with that key) x (rows of b with that key).
        _, bucket, a_per_bucket = np.unique(keys_a, return_inverse=True, return_counts=True)
        big = (a_per_bucket[bucket] * counts) > _REFINE_ABOVE
        small = np.flatnonzero((counts > 0) & ~big)
        for pairs_a, pairs_b in _expand(ia[small], lo[small], counts[small], ib[order_b]):
            _verify_pairs(A, B, pairs_a, pairs_b, k, matches)
        if big.any():                                   # split each big bucket on the other positions
            rest = np.setdiff1d(free, free[group::k + 1])
            for big_bucket in np.unique(bucket[big]):
                in_bucket = np.flatnonzero(bucket == big_bucket)
                first = in_bucket[0]
                _search(A, B, ia[in_bucket], ib[order_b[lo[first]:lo[first] + counts[first]]],
                        rest, k, depth + 1, matches)
        if bar is not None:
            bar.update(1)
    if bar is not None:                                 # every row matched early: the remaining groups are done
        bar.update(bar.total - bar.n)


def _near(a, b, k, keep_pairs, progress):
    """Shared work of near_duplicates / near_duplicate_pairs: (_Matches over distinct rows, inverse_a, inverse_b)."""
    pa, pb = _pair(a, b, k)
    first_a, inverse_a, _ = _unique_rows(pa) if len(pa) else (np.zeros(0, int),) * 3
    first_b, inverse_b, _ = _unique_rows(pb) if len(pb) else (np.zeros(0, int),) * 3
    A, B = pa[first_a], pb[first_b]
    matches = _Matches(len(A), keep_pairs)
    if len(A) and len(B):
        if k >= A.shape[1]:                             # every pair differs in at most D <= k pixels
            _compare_all(A, B, np.arange(len(A)), np.arange(len(B)), k, matches)
        else:
            with progress_bar(total=k + 1, desc="near duplicates", unit="group", show=progress) as bar:
                _search(A, B, np.arange(len(A)), np.arange(len(B)), np.arange(A.shape[1]), k, 0, matches, bar)
    return matches, inverse_a, inverse_b


def near_duplicates(a: np.ndarray, b: np.ndarray, *, max_different_pixels: int = 2,
                    progress: bool = False) -> np.ndarray:
    """Which images of ``a`` differ from some image of ``b`` in at most ``max_different_pixels`` pixels.

    Inputs:
    - a: array of shape (N_a, ...), e.g. (10000, 28, 28), uint8 or float
    - b: array of shape (N_b, ...), same image shape and dtype as ``a``
    - max_different_pixels: k >= 0; k = 0 means exact duplicates
    - progress: show a tqdm bar (one step per group of pixel positions)
    Returns a bool array of shape (N_a,); exact duplicates are included. The
    search is exact (no approximation): every True is verified on the pixels
    and no pair within k pixels is missed. When ``a is b`` every image is within
    0 pixels of itself, so the answer is all True; for pairs inside one array use
    ``ia, ib = near_duplicate_pairs(x, x)`` and keep ``ia < ib``.
    Time grows with the number of image pairs that agree on a whole group of
    positions: about a second for 10,000 x 200,000 real images, k = 2.
    """
    matches, inverse_a, _ = _near(a, b, max_different_pixels, False, progress)
    return matches.found[inverse_a]


def near_duplicate_pairs(a: np.ndarray, b: np.ndarray, *, max_different_pixels: int = 2,
                         progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) such that ``a[i]`` and ``b[j]`` differ in at most ``max_different_pixels`` pixels.

    Inputs as for ``near_duplicates``. Returns ``(ia, ib)``, two int64 arrays of
    shape (P,), sorted by ia then ib. Repeated images repeat their pairs: 1,000
    blank images in ``a`` and 1,000 in ``b`` give 1,000,000 pairs.
    """
    matches, inverse_a, inverse_b = _near(a, b, max_different_pixels, True, progress)
    if not matches.pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    n_b = int(inverse_b.max()) + 1
    code = np.unique(np.concatenate([ua.astype(np.int64) * n_b + ub for ua, ub in matches.pairs]))
    ua, ub = np.divmod(code, n_b)
    # Back from distinct rows to original indices: each distinct row stands for all its copies.
    rows_a, rows_b = np.argsort(inverse_a, kind="stable"), np.argsort(inverse_b, kind="stable")
    size_a, size_b = np.bincount(inverse_a), np.bincount(inverse_b)
    start_a, start_b = np.cumsum(size_a) - size_a, np.cumsum(size_b) - size_b
    per_pair = size_a[ua] * size_b[ub]
    pair = np.repeat(np.arange(len(ua)), per_pair)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    ia = rows_a[start_a[ua[pair]] + offset // size_b[ub[pair]]]
    ib = rows_b[start_b[ub[pair]] + offset % size_b[ub[pair]]]
    order = np.lexsort((ib, ia))
    return ia[order].astype(np.int64), ib[order].astype(np.int64)


# --------------------------------------------------------------------------- labels a model doubts

def out_of_fold_probabilities(images, labels, *, folds: int = 2, epochs: int = 10, classes: int = 10,
                              seed: int = 0) -> np.ndarray:
    """Each image's class probabilities from a softmax regression that never saw it (k-fold cross-prediction).

    Inputs:
    - images: array of shape (N, ...), normalised floats (e.g. (N, 28, 28) float32 in [-0.5, 0.5])
    - labels: int array of shape (N,), in 0..classes-1
    - folds: the images are split at random (seeded) into this many parts; each part's probabilities come
      from a model trained on the other parts
    - epochs: training epochs of each model (``course_lib.numpy_softmax``: minibatch SGD, batches of 256,
      learning rate 0.1 decaying by 0.8 an epoch, momentum 0.9)
    Returns float32 of shape (N, classes), each row summing to 1. Why out of fold: a model asked about the
    images it was trained on has learned their labels, the wrong ones too; one that never saw an image judges
    its label on what the other images taught it. About a second for 14,000 notMNIST images; NumPy only,
    deterministic for a given seed.
    """
    from course_lib import numpy_softmax

    rows = numpy_softmax.flatten(images)
    labels = np.asarray(labels)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 2:
        raise ValueError(f"folds must be an integer >= 2 (each image is judged by a model trained without it), "
                         f"got {folds!r}")
    if labels.shape != (len(rows),):
        raise ValueError(f"labels has shape {labels.shape}: expected ({len(rows)},), one label per image")
    if len(rows) < folds:
        raise ValueError(f"{len(rows)} images cannot be split into {folds} folds")
    order = np.random.default_rng(seed).permutation(len(rows))
    probabilities = np.zeros((len(rows), classes), np.float32)
    for fold in range(folds):
        held_out = np.sort(order[fold::folds])
        trained_on = np.setdiff1d(order, held_out)
        run = numpy_softmax.train(rows[trained_on], labels[trained_on], num_classes=classes, epochs=epochs,
                                  learning_rate=0.1, momentum=0.9, decay_rate=0.8, seed=seed + fold, progress=False)
        weights, biases = run.params
        for start in range(0, len(held_out), _CHUNK_ROWS):
            part = held_out[start:start + _CHUNK_ROWS]
            probabilities[part] = numpy_softmax.softmax(rows[part] @ weights + biases)
    return probabilities
