"""Predictions files (course_lib.predictions_file): written whole, read without pickle, scored in any order.

The last test scores the reference's own file (reference_outputs/04_cifar10_cnn/, made by a full-mode
run) against the real CIFAR-10 test set of ../shared, as listed by its class-folder tree and as another copy
would list it (another order, other JPEG pixels), the way an instructor's copy of the official batches does.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from course_lib import predictions_file
from course_lib.predictions_file import PredictionsFileError
from tests.conftest import REPO

REFERENCE_FILE = REPO / "reference_outputs" / "04_cifar10_cnn" / "cifar10_predictions.npz"


def _photos(count=300, seed=0):
    """uint8 (count, 32, 32, 3) smooth random images (neighbouring pixels alike, as in photos) and labels."""
    from scipy.ndimage import zoom

    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (count, 4, 4, 3)).astype(np.float32)
    images = zoom(coarse, (1, 8, 8, 1), order=1) + rng.normal(0, 4, (count, 32, 32, 3))
    return np.clip(images, 0, 255).astype(np.uint8), np.arange(count) % 10


def _jpeg(images, quality):
    def one(image):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, "JPEG", quality=quality)
        return np.asarray(Image.open(buffer))

    return np.stack([one(image) for image in images])


def test_fingerprints_are_block_means():
    images = np.zeros((1, 16, 8, 3), np.uint8)
    images[0, :8, :, 0] = 10
    images[0, 8:, :, 2] = 200
    assert predictions_file.fingerprints(images).tolist() == [[10, 0, 0, 0, 0, 200]]
    with pytest.raises(ValueError, match="multiples of 8"):
        predictions_file.fingerprints(np.zeros((1, 30, 30, 3)))


def test_save_writes_one_file_whole_and_read_gets_it_back(tmp_path):
    images, labels = _photos()
    path = predictions_file.save(tmp_path / "run" / "p.npz", labels[::-1], images, labels, training_minutes=24.5)
    assert [p.name for p in path.parent.iterdir()] == ["p.npz"]   # no temporary file left behind
    content = predictions_file.read(path)
    assert content["predictions"].dtype == np.int64 and np.array_equal(content["predictions"], labels[::-1])
    assert np.array_equal(content["labels"], labels) and content["fingerprints"].shape == (300, 48)
    assert float(content["training_minutes"]) == 24.5
    with np.load(path, allow_pickle=False) as stored:   # plain arrays: no pickle needed to read it
        assert sorted(stored.files) == ["fingerprints", "format", "labels", "predictions", "training_minutes"]
    with pytest.raises(ValueError, match="one prediction and one label per image"):
        predictions_file.save(tmp_path / "q.npz", labels[:5], images, labels)
    assert not (tmp_path / "q.npz").exists()


def test_the_same_photos_in_another_order_and_other_pixels_score_the_same(tmp_path):
    images, labels = _photos()
    predicted = np.where(np.arange(len(labels)) % 4 == 0, (labels + 3) % 10, labels)   # 75% right
    path = predictions_file.save(tmp_path / "p.npz", predicted, images, labels)
    assert predictions_file.accuracy(path, images, labels) == 0.75
    order = np.random.default_rng(2).permutation(len(labels))
    for copy in (images[order], _jpeg(images[order], 90), _jpeg(images[order], 75)):
        aligned = predictions_file.aligned_predictions(path, copy, labels[order])
        assert np.array_equal(aligned, predicted[order])
        assert predictions_file.accuracy(path, copy, labels[order]) == 0.75


def test_a_file_made_on_other_photos_or_not_a_predictions_file_is_refused(tmp_path, monkeypatch):
    images, labels = _photos()
    path = predictions_file.save(tmp_path / "p.npz", labels, images, labels)
    advice = "Run the notebook in full mode."

    def refused(target, match, test_images=images, test_labels=labels):
        with pytest.raises(PredictionsFileError, match=match) as error:
            predictions_file.accuracy(target, test_images, test_labels, advice)
        assert str(error.value).endswith(advice)

    refused(tmp_path / "none.npz", "there is no predictions file none.npz")
    other, _ = _photos(seed=7)
    refused(path, "made on another test set: 300 of its 300 images are not among these", other, labels)
    refused(path, "holds predictions for 300 images, but this test set has 100", images[:100], labels[:100])
    refused(path, "not of the same classes", images, (labels + 1) % 10 * (labels < 5))
    (tmp_path / "text.npz").write_text("predictions: 1, 2, 3")
    refused(tmp_path / "text.npz", "cannot be read as a predictions file")
    np.savez(tmp_path / "pickled.npz", format=np.array(predictions_file.FORMAT),
             predictions=np.array([{"class": 3}], dtype=object))
    refused(tmp_path / "pickled.npz", "cannot be read as a predictions file")   # allow_pickle=False
    np.savez(tmp_path / "foreign.npz", predictions=labels)
    refused(tmp_path / "foreign.npz", "not a predictions file of this course")
    np.savez(tmp_path / "floats.npz", format=np.array(predictions_file.FORMAT), predictions=labels * 1.0,
             labels=labels, fingerprints=predictions_file.fingerprints(images))
    refused(tmp_path / "floats.npz", "no predictions array of the right type")
    np.savez(tmp_path / "out_of_range.npz", format=np.array(predictions_file.FORMAT), predictions=labels + 10,
             labels=labels, fingerprints=predictions_file.fingerprints(images))
    refused(tmp_path / "out_of_range.npz", r"classes outside 0\.\.9")
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w") as archive:
        archive.writestr("predictions.npy", b"\0" * 4096)
    monkeypatch.setattr(predictions_file, "LARGEST_FILE", 100)
    refused(tmp_path / "bomb.npz", "far more than a predictions file holds")


@pytest.mark.slow
def test_the_reference_file_scores_on_the_real_test_set_in_either_order(assignment_data):
    """The committed reference file, made by a full run, against the real CIFAR-10 test set of ../shared."""
    from course_lib.data import registry
    from course_lib.data.formats.folders import read_split_folder

    assert REFERENCE_FILE.is_file(), "make it with benchmarks/cifar10_cnn.py (a full run of the reference)"
    if assignment_data is None:
        pytest.skip("../shared/data is absent: no real CIFAR-10 here")
    images, labels, _ = read_split_folder(registry.get("cifar10"), assignment_data / "cifar10" / "test")
    accuracy = predictions_file.accuracy(REFERENCE_FILE, images, labels)
    assert accuracy >= 0.85
    # Another copy: the images in another order (as the official batches list them) and re-encoded pixels.
    order = np.random.default_rng(0).permutation(len(labels))
    assert predictions_file.accuracy(REFERENCE_FILE, _jpeg(images[order], 90), labels[order]) == accuracy
    assert float(predictions_file.read(REFERENCE_FILE)["training_minutes"]) > 0   # its run's time goes with it
