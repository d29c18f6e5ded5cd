"""course_lib.notmnist.planted_defects: the generator's manifest over the stored rows, curations scored against it."""

from __future__ import annotations

import shutil

import matplotlib
import numpy as np
import pytest

from course_lib import curation
from course_lib.errors import CourseError
from course_lib.notmnist import planted_defects

matplotlib.use("Agg")

SEED, SMALL, LARGE = 3, 100, 300


@pytest.fixture(scope="module")
def sample():
    """Archives of 100 + 300 files generated afresh, as a CurationSet (a few seconds)."""
    return planted_defects.generated_sample(SEED, SMALL, LARGE)


def within(data, k):
    ia, ib = curation.near_duplicate_pairs(data.images, data.images, max_different_pixels=k)
    return np.stack([ia, ib], axis=1)[ia < ib]


def test_the_manifest_lands_on_the_rows_it_names(sample):
    assert sample.has_truth and len(sample.members) == len(sample.images) == len(sample.pixels)
    assert sample.small.sum() == len([m for m in sample.members if m.startswith("notMNIST_small/")])
    assert all(member.split("/")[1] == "ABCDEFGHIJ"[label] for member, label in zip(sample.members, sample.labels))
    assert np.allclose(sample.images, (sample.pixels.astype(np.float32) - 127.5) / 255)
    for kind, pairs in sample.copies.items():
        assert len(pairs) and (pairs[:, 0] < pairs[:, 1]).all()
        differ = planted_defects.differing_pixels(sample.images, pairs)
        assert (differ == 0).all() if kind in planted_defects.EXACT_KINDS else ((1 <= differ) & (differ <= 2)).all()
    wrong = sample.planted_wrong_labels()
    assert len(wrong) == len(sample.shows) > 0 and set(sample.shows) == set(wrong.tolist())


def test_each_call_gets_its_own_copy(sample):
    first = planted_defects.generated_sample(SEED, SMALL, LARGE)
    first.images[:] = 0
    first.labels[:] = 0
    again = planted_defects.generated_sample(SEED, SMALL, LARGE)
    assert np.array_equal(again.images, sample.images) and np.array_equal(again.labels, sample.labels)


def test_copies_are_scored_on_the_pixels_and_against_the_manifest(sample):
    exact = planted_defects.score_copies(within(sample, 0), sample, max_different_pixels=0)
    assert exact.precision == 1.0 and exact.invalid == 0
    assert all(exact.found[kind] == exact.planted[kind] for kind in planted_defects.EXACT_KINDS)
    assert exact.found["near_duplicates"] == 0 < exact.planted["near_duplicates"]
    assert np.array_equal(exact.missed_pairs(), np.concatenate([sample.copies["near_duplicates"],
                                                                sample.copies["near_duplicates_from_large"]]))
    near = within(sample, 2)
    score = planted_defects.score_copies(near, sample, max_different_pixels=2)
    assert score.recall == score.precision == 1.0 and len(score.missed_pairs()) == 0
    assert score.accidental == len(near) - sum(score.planted.values())
    assert "recall    1.000" in score.summary()
    # Each pair counts once, whichever way round and however often; (i, i) and pairs that are not copies count
    # against precision; a missing planted pair against recall.
    planted = sample.copies["duplicates"][0]
    kept = near[~(near == planted).all(axis=1)]
    messy = np.concatenate([kept, kept[:, ::-1], [[0, 0]], [[0, len(sample.images) - 1]]])
    score = planted_defects.score_copies(messy, sample, max_different_pixels=2)
    assert score.returned == len(near) + 1 and score.invalid == 1 and score.copies == len(near) - 1
    assert score.precision == (len(near) - 1) / (len(near) + 1) and score.recall < 1.0


@pytest.mark.parametrize("pairs", [np.arange(6), np.zeros((3, 3), np.int64), np.zeros((2, 2))])
def test_pairs_of_the_wrong_shape_or_type_are_refused(sample, pairs):
    with pytest.raises(CourseError, match=r"integer array of shape \(P, 2\)"):
        planted_defects.score_copies(pairs, sample, max_different_pixels=2)


def test_labels_are_scored_against_the_planted_wrong_labels(sample):
    wrong = sample.planted_wrong_labels()
    perfect = planted_defects.score_labels(wrong, sample)
    assert perfect.precision == perfect.recall == 1.0 and len(perfect.missed) == len(perfect.false_alarms) == 0
    right = np.setdiff1d(np.arange(len(sample.images)), wrong)[:len(wrong)]
    half = planted_defects.score_labels(np.concatenate([wrong[::2], right[:len(wrong[::2])]]), sample)
    assert half.precision == 0.5 and half.recall == len(wrong[::2]) / len(wrong)
    assert np.array_equal(half.missed, wrong[1::2]) and np.array_equal(half.false_alarms, right[:len(wrong[::2])])
    nothing = planted_defects.score_labels(np.zeros(0, np.int64), sample)
    assert nothing.recall == 0.0 and np.isnan(nothing.precision)
    with pytest.raises(CourseError, match="must be in 0.."):
        planted_defects.score_labels([len(sample.images)], sample)
    with pytest.raises(CourseError, match="1-D integer array"):
        planted_defects.score_labels(np.zeros(len(sample.images), bool), sample)


def test_without_a_manifest_only_counts_are_reported(sample):
    large = {letter: sample.images[(sample.labels == i) & ~sample.small] for i, letter in enumerate("ABCDEFGHIJ")}
    small = {letter: sample.images[(sample.labels == i) & sample.small] for i, letter in enumerate("ABCDEFGHIJ")}
    data = planted_defects.curation_set(large, small, "notMNIST_large", "notMNIST_small", None)
    assert not data.has_truth and planted_defects.NO_MANIFEST in data.describe()
    copies = planted_defects.score_copies(within(data, 2), data, max_different_pixels=2)
    labels = planted_defects.score_labels(np.arange(5), data)
    for score in (copies, labels):
        assert np.isnan(score.recall) and planted_defects.NO_MANIFEST in score.summary()
    assert np.isnan(labels.precision) and copies.copies == copies.returned > 0


def test_arrays_out_of_file_order_are_refused_with_the_reason(sample, tmp_path):
    from course_lib.archives import extract
    from course_lib.class_arrays import read_image_folder
    from course_lib.notmnist import generate, read_manifest

    manifest = read_manifest(generate(tmp_path, small=SMALL, large=LARGE, seed=SEED, progress=False))
    roots = [extract(tmp_path / f"{top}.tar.gz", tmp_path, expected_folders="ABCDEFGHIJ", progress=False)
             for top in ("notMNIST_large", "notMNIST_small")]
    arrays = [{letter: (read_image_folder(root / letter, progress=False)[0] - 127.5) / 255 for letter in "ABCDEFGHIJ"}
              for root in roots]
    data = planted_defects.curation_set(*arrays, *roots, manifest)
    assert data.members == sample.members
    reversed_b = dict(arrays[0], B=arrays[0]["B"][::-1])
    with pytest.raises(CourseError, match="order of their sorted names"):
        planted_defects.curation_set(reversed_b, arrays[1], *roots, manifest)
    one_short = dict(arrays[0], C=arrays[0]["C"][1:])
    with pytest.raises(CourseError, match="readable images but"):
        planted_defects.curation_set(one_short, arrays[1], *roots, manifest)
    shutil.rmtree(roots[1] / "D")
    with pytest.raises(FileNotFoundError):
        planted_defects.curation_set(*arrays, *roots, manifest)


def test_the_figures(sample):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    score = planted_defects.score_labels(sample.planted_wrong_labels()[:3], sample)
    figures = [planted_defects.show_pairs(sample, within(sample, 2), "pairs", limit=4),
               planted_defects.show_pairs(sample, np.zeros((0, 2), np.int64), "no pairs"),
               planted_defects.show_rows(sample, score.missed, "missed"),
               planted_defects.plot_threshold([0.01, 0.1], [score, score], chosen=0.05)]
    assert all(isinstance(figure, Figure) for figure in figures)
    assert len([ax for ax in figures[0].axes if ax.images]) == 8
    titles = [ax.get_title() for ax in figures[2].axes if ax.images]
    assert len(titles) == min(20, len(score.missed)) and all(title.startswith("under ") for title in titles)
    assert all("\n" in title for title in titles)  # each says what the image really shows
    plt.close("all")
