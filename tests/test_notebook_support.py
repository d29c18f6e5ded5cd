"""Library pieces the notMNIST notebook calls: unpacking, per-class arrays, plots, softmax regression."""

import io
import tarfile

import matplotlib
import numpy as np
import pytest

from course_lib import class_arrays, linear, plotting
from course_lib.archives import extract
from course_lib.errors import DataIntegrityError
from tests.datafiles import write_class_tree

matplotlib.use("Agg")


def _tar_of(folder, archive):
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return archive


def test_extract_once_into_place_and_checks_folders(tmp_path):
    source = tmp_path / "src" / "letters"
    write_class_tree(source, list("ABC"), per_class=2, size=(28, 28), mode="L")
    archive = _tar_of(source, tmp_path / "letters.tar.gz")
    out = extract(archive, tmp_path / "out", expected_folders="ABC", progress=False)
    assert out == tmp_path / "out" / "letters" and sorted(p.name for p in out.iterdir()) == ["A", "B", "C"]
    marker = out / "A" / "kept.txt"
    marker.write_text("extract skips a complete folder")
    assert extract(archive, tmp_path / "out", expected_folders="ABC", progress=False) == out and marker.exists()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no scratch left
    with pytest.raises(DataIntegrityError, match="without the folders D"):
        extract(archive, tmp_path / "other", expected_folders="ABCD", progress=False)
    assert not (tmp_path / "other" / "letters").exists()


def test_extract_refuses_members_outside_the_destination(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"owned"
        info = tarfile.TarInfo("top/../../escaped.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(DataIntegrityError, match="cannot be unpacked"):
        extract(archive, tmp_path / "out", progress=False)
    assert not (tmp_path / "escaped.txt").exists()


def test_class_arrays_round_trip_without_pickles(tmp_path):
    arrays = {"A": np.ones((3, 28, 28), np.float32), "B": np.zeros((2, 28, 28), np.float32)}
    written = class_arrays.save_class_arrays(tmp_path, arrays)
    assert [p.name for p in written] == ["A.npy", "B.npy"]
    loaded = class_arrays.load_class_arrays(tmp_path, "AB")
    assert loaded["A"].shape == (3, 28, 28) and loaded["B"].dtype == np.float32
    with pytest.raises(FileNotFoundError, match="no stored arrays for C"):
        class_arrays.load_class_arrays(tmp_path, "ABC")
    np.save(tmp_path / "C.npy", np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):
        class_arrays.load_class_arrays(tmp_path, "C")


def test_read_image_folder_reports_skipped(tmp_path):
    write_class_tree(tmp_path, ["A"], per_class=3, size=(28, 28), mode="L")
    (tmp_path / "A" / "bad.png").write_bytes(b"not a png")
    images, skipped = class_arrays.read_image_folder(tmp_path / "A", progress=False)
    assert images.shape == (3, 28, 28) and images.dtype == np.uint8
    assert [p.split("/")[-1] for p, _ in skipped] == ["bad.png"]


def test_show_predictions_marks_the_wrong_ones():
    images = np.zeros((4, 28, 28))
    figure = plotting.show_predictions(images, [0, 1, 2, 3], [0, 2, 2, 1], "ABCD")
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["A", "predicted C,\nwas B", "C", "predicted B,\nwas D"]
    colors = [ax.title.get_color() for ax in figure.axes]
    assert colors == ["black", "red", "black", "red"]
    assert figure._suptitle.get_text() == "2 of 4 wrong (in red)"


def test_bar_counts_returns_axes():
    ax = plotting.bar_counts({"A": 10, "B": 12})
    assert [p.get_height() for p in ax.patches] == [10, 12]


@pytest.mark.slow
def test_softmax_regression_learns_separable_classes():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (3, 8, 8)).astype(np.float32)
    labels = np.arange(600) % 3
    images = centres[labels] + rng.normal(0, 0.3, (600, 8, 8)).astype(np.float32)
    model = linear.softmax_regression(images[:500], labels[:500], classes=3, epochs=20, batch_size=32)
    predictions = linear.predict_classes(model, images[500:])
    assert predictions.shape == (100,) and (predictions == labels[500:]).mean() > 0.95
