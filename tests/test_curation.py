"""course_lib.curation: exact and near duplicates between image sets, checked against naive references."""

import numpy as np
import pytest

from course_lib import curation

# --------------------------------------------------------------------------- naive references (not library code)

def naive_differing_pixels(a, b):
    """(len(a), len(b)) int: number of differing pixels of every pair, one row of a at a time."""
    rows_a, rows_b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return np.array([(rows_b != row).sum(axis=1) for row in rows_a]).reshape(len(a), len(b))


def naive_near(a, b, k):
    return (naive_differing_pixels(a, b) <= k).any(axis=1)


def naive_exact(a, b):
    in_b = {bytes(row) for row in b.reshape(len(b), -1)}
    return np.array([bytes(row) in in_b for row in a.reshape(len(a), -1)], dtype=bool)


# --------------------------------------------------------------------------- data

def glyphs(n, seed):
    """n sparse 28x28 uint8 'letters': a few bright strokes on a blank background (like notMNIST)."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), np.uint8)
    for image in images:
        for _ in range(rng.integers(2, 5)):
            r, c = rng.integers(2, 22, 2)
            h, w = rng.integers(1, 7, 2)
            image[r:r + h, c:c + w] = rng.integers(60, 256)
    return images


def with_changed_pixels(image, n_changed, rng):
    """A copy of ``image`` with exactly ``n_changed`` pixels changed by at least 40 levels."""
    copy = image.copy().reshape(-1)
    where = rng.choice(copy.size, n_changed, replace=False)
    copy[where] = np.where(copy[where] < 128, copy[where] + rng.integers(40, 128, n_changed),
                           copy[where] - rng.integers(40, 128, n_changed))
    return copy.reshape(image.shape)


def normalised(x):
    return ((x.astype(np.float32) - 127.5) / 255).astype(np.float32)


@pytest.fixture(scope="module")
def planted():
    """train (2000), test (300): test rows 0-19 copy train rows, 20-39 differ by 1 pixel, 40-59 by 2, 60-79 by 3."""
    rng = np.random.default_rng(0)
    train, test = glyphs(2000, seed=1), glyphs(300, seed=2)
    sources = rng.choice(len(train), 80, replace=False)
    for i, source in enumerate(sources):
        test[i] = with_changed_pixels(train[source], i // 20, rng)
    return train, test


# --------------------------------------------------------------------------- exact duplicates

@pytest.mark.parametrize("prepare", [lambda x: x, normalised], ids=["uint8", "float32-normalised"])
def test_exact_duplicates_finds_exactly_the_planted_copies(planted, prepare):
    """The mask is True for the 20 planted copies and nothing else, for uint8 and normalised floats."""
    train, test = planted
    expected = np.zeros(len(test), bool)
    expected[:20] = True
    assert np.array_equal(naive_exact(test, train), expected), "the fixture itself is wrong"
    got = curation.exact_duplicates(prepare(test), prepare(train))
    assert got.shape == (len(test),) and got.dtype == bool, f"expected (300,) bool, got {got.shape} {got.dtype}"
    assert np.array_equal(got, expected), f"found rows {np.flatnonzero(got)}, expected 0-19"


def test_exact_duplicates_with_itself_and_odd_layouts(planted):
    """a is b gives all True; channel axes and non-contiguous views work; inputs are not modified."""
    train, test = planted
    before = train.copy()
    assert curation.exact_duplicates(train, train).all()
    flipped = test[:, :, ::-1]                                   # a non-contiguous view
    assert np.array_equal(curation.exact_duplicates(flipped, train[:, :, ::-1]),
                          curation.exact_duplicates(test, train))
    assert curation.exact_duplicates(test[..., None], train[..., None]).sum() == 20
    assert np.array_equal(train, before), "the input was modified"


def test_empty_inputs():
    empty, images = np.zeros((0, 28, 28), np.uint8), glyphs(5, seed=3)
    assert curation.exact_duplicates(empty, images).shape == (0,)
    assert not curation.exact_duplicates(images, empty).any()
    assert curation.duplicates_within(empty).shape == (0,)
    assert not curation.near_duplicates(images, empty).any()
    assert curation.near_duplicates(empty, images).shape == (0,)
    assert all(len(side) == 0 for side in curation.near_duplicate_pairs(empty, images))


def test_duplicates_within_keeps_first_occurrences():
    base = glyphs(6, seed=4)
    x = base[[0, 1, 0, 2, 1, 1, 3, 0]]
    repeated = curation.duplicates_within(x)
    assert repeated.tolist() == [False, False, True, False, True, True, False, True]
    assert np.array_equal(x[~repeated], base[[0, 1, 2, 3]]), "de-duplicating should keep order and first copies"
    assert not curation.duplicates_within(normalised(base)).any()


@pytest.mark.parametrize("call", [curation.exact_duplicates, curation.near_duplicates])
def test_bad_inputs_are_refused_with_a_clear_message(call):
    x = glyphs(4, seed=5)
    with pytest.raises(ValueError, match="same shape"):
        call(x, np.zeros((4, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="byte for byte"):
        call(x, normalised(x))
    with pytest.raises(ValueError, match="numpy array"):
        call(x.tolist(), x)
    with pytest.raises(ValueError, match="batch of images"):
        call(x[0, 0], x)
    with pytest.raises(ValueError, match="numpy array"):
        curation.duplicates_within([1, 2])


@pytest.mark.parametrize("k", [-1, 1.5, True, "2"])
def test_bad_max_different_pixels(k):
    x = glyphs(3, seed=6)
    with pytest.raises(ValueError, match="max_different_pixels"):
        curation.near_duplicates(x, x, max_different_pixels=k)


# --------------------------------------------------------------------------- near duplicates

def test_near_duplicates_finds_one_and_two_changed_pixels_but_not_three(planted):
    train, test = planted
    found = curation.near_duplicates(test, train)
    assert found[:60].all(), f"missed planted rows {np.flatnonzero(~found[:60])} (0-19 exact, 20-59 1-2 pixels)"
    assert not found[60:80].any(), f"rows {60 + np.flatnonzero(found[60:80])} differ in 3 pixels: not within k=2"
    assert not found[80:].any(), f"unrelated rows flagged: {80 + np.flatnonzero(found[80:])}"
    assert curation.near_duplicates(test, train, max_different_pixels=3)[:80].all()
    assert np.array_equal(curation.near_duplicates(test, train, max_different_pixels=0),
                          curation.exact_duplicates(test, train))


def test_near_duplicates_on_normalised_floats(planted):
    train, test = planted
    assert np.array_equal(curation.near_duplicates(normalised(test), normalised(train)),
                          curation.near_duplicates(test, train))


@pytest.mark.parametrize("k", [1, 2, 4])
def test_near_duplicates_match_brute_force(planted, k):
    """Recall and precision 1.0 against the naive all-pairs count (300 x 2,000)."""
    train, test = planted
    expected = naive_near(test, train, k)
    got = curation.near_duplicates(test, train, max_different_pixels=k)
    missed, extra = np.flatnonzero(expected & ~got), np.flatnonzero(got & ~expected)
    assert not len(missed) and not len(extra), f"k={k}: missed rows {missed}, wrongly flagged rows {extra}"


def test_near_duplicate_pairs_match_brute_force(planted):
    train, test = planted
    train = np.concatenate([train, train[:50]])                  # repeated images repeat their pairs
    ia, ib = curation.near_duplicate_pairs(test, train)
    expected_a, expected_b = np.nonzero(naive_differing_pixels(test, train) <= 2)
    assert np.array_equal(ia, expected_a) and np.array_equal(ib, expected_b)
    assert ia.dtype == np.int64 and ib.dtype == np.int64


def test_many_blank_and_nearly_blank_images_do_not_blow_up(monkeypatch):
    """4,000 blank + 2,000 nearly blank images: exact answers, and far fewer comparisons than all pairs."""
    rng = np.random.default_rng(7)
    b = np.zeros((6000, 28, 28), np.uint8)
    a = np.zeros((300, 28, 28), np.uint8)
    for images, start in ((b, 4000), (a, 150)):                  # a few lit pixels each; the rest blank
        for image in images[start:]:
            image.reshape(-1)[rng.choice(784, rng.integers(1, 6), replace=False)] = rng.integers(40, 256)
    compared = []
    original = curation._verify_pairs, curation._compare_all
    monkeypatch.setattr(curation, "_verify_pairs", lambda A, B, ia, *rest: (compared.append(len(ia)),
                                                                            original[0](A, B, ia, *rest)))
    monkeypatch.setattr(curation, "_compare_all", lambda A, B, ia, ib, *rest: (compared.append(len(ia) * len(ib)),
                                                                               original[1](A, B, ia, ib, *rest)))
    got = curation.near_duplicates(a, b)
    assert got[:150].all(), "blank images have blank copies in b"
    assert np.array_equal(got, naive_near(a, b, 2))
    assert sum(compared) < len(a) * len(b) // 10, f"{sum(compared):,} pairs compared for {len(a) * len(b):,} in all"


def test_answers_stay_exact_when_every_hash_collides(planted, monkeypatch):
    """Hashes only propose candidates: with a hash that is always 0, answers must not change."""
    train, test = planted
    train, test = train[:400], test[:100]
    expected_exact, expected_near = naive_exact(test, train), naive_near(test, train, 2)
    expected_within = curation.duplicates_within(np.concatenate([test, test[:7]]))
    monkeypatch.setattr(curation, "_row_keys", lambda rows, columns=None: np.zeros(len(rows), np.uint64))
    assert np.array_equal(curation.exact_duplicates(test, train), expected_exact)
    assert np.array_equal(curation.duplicates_within(np.concatenate([test, test[:7]])), expected_within)
    assert np.array_equal(curation.near_duplicates(test, train), expected_near)


def test_near_duplicates_with_itself_and_huge_k(planted):
    train, test = planted
    assert curation.near_duplicates(test, test).all()
    assert curation.near_duplicates(test[:5], train[:7], max_different_pixels=784).all()
    ia, ib = curation.near_duplicate_pairs(test[:5], train[:7], max_different_pixels=10_000)
    assert len(ia) == 35


def test_hash_matches_are_confirmed_on_the_pixels(planted, monkeypatch):
    """With a hash blind to the last pixel, images differing only there must not count as exact copies."""
    train, _ = planted
    test = train[:30].copy()
    test[10:, -1, -1] = 200                                      # rows 10-29 differ from train in one pixel
    real_keys = curation._row_keys

    def blind_keys(rows, columns=None):
        mask = np.ones(rows.shape[1], bool) if columns is None else columns.copy()
        mask[-1] = False
        return real_keys(rows, mask)

    monkeypatch.setattr(curation, "_row_keys", blind_keys)
    assert curation.exact_duplicates(test, train).tolist() == [True] * 10 + [False] * 20
    assert not curation.duplicates_within(np.concatenate([train[10:15], test[10:15]])).any()
    assert curation.near_duplicates(test, train, max_different_pixels=0).tolist() == [True] * 10 + [False] * 20


# --------------------------------------------------------------------------- labels a model doubts

def test_out_of_fold_probabilities_are_held_out_and_find_a_swapped_label():
    """Each image is judged by a model trained without it: the three swapped labels get the lowest probabilities."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 0.5, (10, 28, 28)).astype(np.float32)
    labels = np.arange(400) % 10
    images = centres[labels] + rng.normal(0, 0.3, (400, 28, 28)).astype(np.float32)
    wrong = labels.copy()
    wrong[[3, 77, 250]] = (wrong[[3, 77, 250]] + 5) % 10
    probabilities = curation.out_of_fold_probabilities(images, wrong, folds=2)
    assert probabilities.shape == (400, 10) and probabilities.dtype == np.float32
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    own = probabilities[np.arange(400), wrong]
    assert set(np.argsort(own)[:3]) == {3, 77, 250}
    assert np.array_equal(probabilities, curation.out_of_fold_probabilities(images, wrong, folds=2))  # seeded


@pytest.mark.parametrize("call, message", [
    (lambda x, y: curation.out_of_fold_probabilities(x, y, folds=1), "folds must be an integer >= 2"),
    (lambda x, y: curation.out_of_fold_probabilities(x, y[:-1]), r"labels has shape \(19,\)"),
    (lambda x, y: curation.out_of_fold_probabilities(x[:1], y[:1]), "cannot be split into 2 folds"),
])
def test_out_of_fold_probabilities_refuse_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.zeros((20, 28, 28), np.float32), np.arange(20) % 10)
