"""The synthetic sequence builder (course_lib.digit_sequences.sequences): labels, placement, options, speed, leaks.

The leak test is the one that matters most: a sequence is built from the
digits of one split only, so no digit image appears in two splits. It is
proven on the real digits (the embedded MNIST sample, and the real MNIST test
set from ../shared when it is there), image by image, by cutting every pasted
digit back out of the sequence images.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from course_lib.digit_sequences import sequences
from course_lib.digit_sequences.sequences import BLANK, GlyphPool, SequenceStyle, build_sequences

# Glyph placement exactly as in the pool: no scaling, no overlap, so each digit can be cut back out.
EXACT = SequenceStyle(scale=(1.0, 1.0), spacing=(1, 4), jitter=2)


def _glyphs(count: int = 60, seed: int = 0) -> GlyphPool:
    """Small fake digits: a random blob of ink in a 20x20 box inside 28x28, each distinct, labels 0-9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    for index in range(count):
        height, width = rng.integers(12, 21), rng.integers(4, 21)
        top, left = rng.integers(4, 25 - height), rng.integers(4, 25 - width)
        images[index, top:top + height, left:left + width] = rng.integers(1, 256, (height, width))
        images[index, top, left] = 255
        images[index, top + height - 1, left + width - 1] = 255  # the ink box is exactly (height, width)
    return GlyphPool(images, np.arange(count) % 10, "fake digits")


def _ink_crop(image: np.ndarray) -> np.ndarray:
    rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return image[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]


def _cut_out(dataset) -> list[list[bytes]]:
    """The ink of every glyph pasted in each sequence (by its box), as bytes, left to right."""
    found = []
    for image, boxes, labels in zip(dataset.images, dataset.boxes, dataset.labels):
        row = []
        for (top, left, bottom, right), label in zip(boxes, labels):
            if label == BLANK:
                break
            row.append(np.ascontiguousarray(image[top:bottom, left:right]).tobytes())
        found.append(row)
    return found


# --- labels ------------------------------------------------------------------------------------------------------

def test_labels_have_blanks_after_the_last_glyph_and_match_the_pasted_glyphs():
    pool = _glyphs()
    dataset = build_sequences(pool, 400, seed=3, progress=False)
    assert dataset.images.shape == (400, 32, 128) and dataset.images.dtype == np.uint8
    assert dataset.labels.shape == (400, 5) and dataset.labels.dtype == np.int64
    lengths = dataset.lengths
    assert set(lengths.tolist()) == {1, 2, 3, 4, 5}
    positions = np.arange(5)[None, :]
    assert np.array_equal(dataset.labels == BLANK, positions >= lengths[:, None])
    used = dataset.sources >= 0
    assert np.array_equal(used, dataset.labels != BLANK)
    assert np.array_equal(pool.labels[dataset.sources[used]], dataset.labels[used])
    assert (dataset.boxes[~used] == -1).all() and (dataset.boxes[used] >= 0).all()


def test_sequence_labels_of_and_label_text():
    labels = sequences.sequence_labels_of([[7, 2], [0], [1, 2, 3, 4, 5]])
    assert labels.tolist() == [[7, 2, 10, 10, 10], [0, 10, 10, 10, 10], [1, 2, 3, 4, 5]]
    assert [sequences.label_text(row) for row in labels] == ["72", "0", "12345"]
    assert sequences.label_text([1, 10, 3, 10, 10]) == "1_3"
    assert sequences.label_text([0, 1, 10], alphabet="ABCDEFGHIJ") == "AB"
    with pytest.raises(ValueError, match="at most 5"):
        sequences.sequence_labels_of([[1, 2, 3, 4, 5, 6]])
    with pytest.raises(ValueError, match="0-9"):
        sequences.sequence_labels_of([[1, 10]])


def test_same_seed_same_sequences_other_seed_others():
    pool = _glyphs()
    first = build_sequences(pool, 300, seed=5, progress=False)
    again = build_sequences(pool, 300, seed=5, progress=False)
    other = build_sequences(pool, 300, seed=6, progress=False)
    assert np.array_equal(first.images, again.images) and np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.labels, other.labels)


def test_each_glyph_is_pasted_whole_where_its_box_says():
    pool = _glyphs()
    dataset = build_sequences(pool, 200, EXACT, seed=1, progress=False)
    ink = [_ink_crop(image).tobytes() for image in pool.images]
    for row, pasted in enumerate(_cut_out(dataset)):
        for position, glyph in enumerate(pasted):
            assert glyph == ink[dataset.sources[row, position]], (row, position)


def test_sequences_slice_and_read_as_text():
    dataset = build_sequences(_glyphs(), 20, seed=2, progress=False)
    part = dataset[5:8]
    assert len(part) == 3 and np.array_equal(part.images, dataset.images[5:8])
    assert len(dataset[-1]) == 1 and np.array_equal(dataset[-1].labels, dataset.labels[-1:])
    assert dataset.texts()[0] == sequences.label_text(dataset.labels[0])


# --- no leaks between splits -------------------------------------------------------------------------------------

def _assert_no_glyph_in_two_splits(pools, count=3_000):
    fingerprints = [{_ink_crop(image).tobytes() for image in pool.images} for pool in pools]
    assert not fingerprints[0] & fingerprints[1]
    assert not fingerprints[0] & fingerprints[2]
    assert not fingerprints[1] & fingerprints[2]
    for split, pool in enumerate(pools):
        dataset = build_sequences(pool, count, EXACT, seed=split, progress=False)
        pasted = {glyph for row in _cut_out(dataset) for glyph in row}
        assert pasted <= fingerprints[split], f"a glyph of split {split} is not from its own pool"
        others = set().union(*(fingerprints[other] for other in range(3) if other != split))
        assert not pasted & others, f"split {split} holds a glyph of another split"
        assert len(pasted) > 0.5 * min(len(pool), count)  # the check looked at many different digits


def test_no_digit_image_appears_in_two_splits_embedded_mnist(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    pools = sequences.mnist_pools(validation=500)
    assert (len(pools.train), len(pools.valid), len(pools.test)) == (3_500, 500, 1_000)
    _assert_no_glyph_in_two_splits(pools)
    # distorted copies of the training digits are made from the training digits only
    _assert_no_glyph_in_two_splits(sequences.Pools(sequences.distorted(pools.train, 1), pools.valid, pools.test))


def test_no_digit_image_appears_in_two_splits_real_mnist_test(assignment_data, monkeypatch):
    if assignment_data is None:
        pytest.skip("../shared/data is absent: no real MNIST test set here")
    monkeypatch.setenv("COURSE_DATA_DIR", str(assignment_data))
    pools = sequences.mnist_pools(validation=500)
    assert (len(pools.train), len(pools.valid), len(pools.test)) == (4_500, 500, 10_000)
    assert "10,000" in pools.info
    _assert_no_glyph_in_two_splits(pools, count=6_000)


def test_split_pool_is_stratified_and_disjoint():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (1_000, 28, 28), dtype=np.uint8)
    labels = np.repeat(np.arange(10), 100)
    train, valid = sequences.split_pool(images, labels, 150, seed=4)
    assert len(valid) == 150 and len(train) == 850
    assert np.bincount(valid.labels, minlength=10).min() >= 15
    assert not {i.tobytes() for i in train.images} & {i.tobytes() for i in valid.images}
    with pytest.raises(ValueError, match="validation"):
        sequences.split_pool(images, labels, 1_000)


def test_distorted_pool_adds_turned_and_slanted_copies_of_its_own_glyphs():
    pool = _glyphs(40)
    bigger = sequences.distorted(pool, 3, seed=1)
    assert len(bigger) == 160 and bigger.labels.tolist() == pool.labels.tolist() * 4
    np.testing.assert_array_equal(bigger.images[:40], pool.images)  # the originals first, untouched
    copies = bigger.images[40:]
    assert not any(np.array_equal(copy, pool.images[index % 40]) for index, copy in enumerate(copies))
    np.testing.assert_array_equal(sequences.distorted(pool, 3, seed=1).images, bigger.images)  # same seed, same
    assert not np.array_equal(sequences.distorted(pool, 3, seed=2).images, bigger.images)
    # turned and slanted about the centre, not moved off the image: each copy keeps about its glyph's ink
    ink = pool.images.astype(float).sum(axis=(1, 2))
    kept = copies.astype(float).sum(axis=(1, 2)) / np.tile(ink, 3)
    assert 0.85 < kept.min() and kept.max() < 1.15, (kept.min(), kept.max())
    unchanged = sequences.distorted(pool, 2, rotation=0, shear=0)
    np.testing.assert_array_equal(unchanged.images[40:], np.concatenate([pool.images, pool.images]))
    assert len(sequences.distorted(pool, 0)) == 40
    with pytest.raises(ValueError, match="copies"):
        sequences.distorted(pool, -1)


# --- the options -------------------------------------------------------------------------------------------------

def test_negative_spacing_makes_neighbours_overlap_positive_keeps_them_apart():
    pool = _glyphs()
    long = SequenceStyle(lengths=(3, 5), scale=(1.0, 1.0))
    apart = build_sequences(pool, 300, long.but(spacing=(2, 3)), seed=0, progress=False)
    overlapping = build_sequences(pool, 300, long.but(spacing=(-5, -3)), seed=0, progress=False)

    def gaps(dataset):
        used = dataset.labels[:, 1] != BLANK
        return dataset.boxes[used, 1, 1] - dataset.boxes[used, 0, 3]  # left of the 2nd minus right of the 1st

    assert (gaps(apart) >= 2).mean() > 0.95  # only sequences squeezed into the canvas get closer
    assert (gaps(overlapping) <= -3).all()


def test_placement_left_centred_anywhere():
    pool = _glyphs()
    left = build_sequences(pool, 200, SequenceStyle(placement="left"), seed=0, progress=False)
    centred = build_sequences(pool, 200, SequenceStyle(placement="centred", jitter=0), seed=0, progress=False)
    anywhere = build_sequences(pool, 200, SequenceStyle(placement="anywhere"), seed=0, progress=False)
    assert (left.boxes[:, 0, 1] == 0).all()
    rights = np.where(centred.labels != BLANK, centred.boxes[:, :, 3], -1).max(axis=1)
    margins = centred.boxes[:, 0, 1], 128 - rights
    assert (np.abs(margins[0] - margins[1]) <= 1).all()
    assert len(set(anywhere.boxes[:, 0, 1].tolist())) > 30
    assert len(set(anywhere.boxes[:, 0, 0].tolist())) > 3  # vertical place varies too


def test_jitter_and_scale_vary_the_glyphs():
    pool = _glyphs()
    still = build_sequences(pool, 100, SequenceStyle(jitter=0, scale=(1.0, 1.0), placement="centred"), seed=0,
                            progress=False)
    centres = (still.boxes[:, :, 0] + still.boxes[:, :, 2])[still.labels != BLANK]
    assert np.ptp(centres) <= 1  # every glyph centred on the same line
    moving = build_sequences(pool, 100, SequenceStyle(jitter=3, scale=(1.0, 1.0), placement="centred"), seed=0,
                             progress=False)
    assert np.ptp((moving.boxes[:, :, 0] + moving.boxes[:, :, 2])[moving.labels != BLANK]) >= 8
    scaled = build_sequences(pool, 300, SequenceStyle(scale=(0.6, 1.2), scale_levels=4), seed=0, progress=False)
    heights = (scaled.boxes[:, :, 2] - scaled.boxes[:, :, 0])[scaled.labels != BLANK]
    natural = (still.boxes[:, :, 2] - still.boxes[:, :, 0])[still.labels != BLANK]
    assert heights.min() < natural.min() and heights.max() > natural.max()


def test_long_sequences_are_squeezed_into_the_canvas():
    pool = _glyphs()
    style = SequenceStyle(canvas=(32, 64), lengths=(5, 5), spacing=(6, 8), scale=(1.0, 1.15))
    dataset = build_sequences(pool, 200, style, seed=0, progress=False)
    assert (dataset.boxes[:, :, 1] >= 0).all() and (dataset.boxes[:, :, 3] <= 64).all()
    assert (dataset.boxes[:, 4, 3] - dataset.boxes[:, 4, 1] > 0).all()  # the last glyph is still there


def test_style_refuses_what_cannot_work():
    with pytest.raises(ValueError, match="lengths"):
        SequenceStyle(lengths=(0, 5))
    with pytest.raises(ValueError, match="lengths"):
        SequenceStyle(lengths=(3, 2))
    with pytest.raises(ValueError, match="lengths"):
        SequenceStyle(lengths=(1, 6))
    with pytest.raises(ValueError, match="spacing"):
        SequenceStyle(spacing=(4, -2))
    with pytest.raises(ValueError, match="placement"):
        SequenceStyle(placement="middle")
    with pytest.raises(ValueError, match="does not fit"):
        SequenceStyle(canvas=(24, 128), scale=(1.0, 1.2), jitter=2)
    assert SequenceStyle(lengths=(1, 6), max_digits=6).max_digits == 6
    assert SequenceStyle().but(jitter=0).jitter == 0


def test_pool_refuses_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        GlyphPool(np.zeros((3, 28, 28), np.float32), [0, 1, 2])
    with pytest.raises(ValueError, match="labels"):
        GlyphPool(np.zeros((3, 28, 28), np.uint8), [0, 1])
    with pytest.raises(ValueError, match="0-9"):
        GlyphPool(np.zeros((2, 28, 28), np.uint8), [0, 10])


def test_more_positions_than_five():
    style = SequenceStyle(canvas=(32, 192), lengths=(6, 7), max_digits=7)
    dataset = build_sequences(_glyphs(), 50, style, seed=0, progress=False)
    assert dataset.labels.shape == (50, 7) and set(dataset.lengths.tolist()) <= {6, 7}


# --- speed and progress ------------------------------------------------------------------------------------------

def test_twenty_thousand_sequences_take_seconds():
    """100,000 take a few seconds (benchmarks/digit_sequences.py measures it); here a loose bound for CI."""
    pool = _glyphs(500)
    build_sequences(pool, 10, seed=0, progress=False)  # prepares the pool
    start = time.perf_counter()
    dataset = build_sequences(pool, 20_000, seed=0, progress=False)
    assert time.perf_counter() - start < 15
    assert len(dataset) == 20_000


def test_progress_bar_only_when_it_takes_a_while(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    pool = _glyphs()
    build_sequences(pool, 100, seed=0)
    assert "building sequences" not in capsys.readouterr().err
    monkeypatch.setattr(sequences, "BAR_DELAY", 0.0)
    build_sequences(pool, 100, seed=0)
    assert "building sequences" in capsys.readouterr().err
    build_sequences(pool, 100, seed=0, progress=False)
    assert "building sequences" not in capsys.readouterr().err


# --- letters -----------------------------------------------------------------------------------------------------

def test_letter_pools_split_by_font_and_build_letter_sequences():
    pools = sequences.letter_pools(per_letter=3, seed=0)
    assert pools.train.images.shape[1:] == (20, 20) and 100 <= len(pools.train) <= 120
    assert 20 <= len(pools.valid) <= 30 and 20 <= len(pools.test) <= 30
    fingerprints = [{image.tobytes() for image in pool.images} for pool in pools]
    assert not (fingerprints[0] & fingerprints[1] or fingerprints[0] & fingerprints[2]
                or fingerprints[1] & fingerprints[2])
    assert "fonts" in pools.train.name and "split by font" in pools.info
    dataset = build_sequences(pools.test, 20, seed=0, progress=False)
    texts = dataset.texts("ABCDEFGHIJ")
    assert all(set(text) <= set("ABCDEFGHIJ") and 1 <= len(text) <= 5 for text in texts)
