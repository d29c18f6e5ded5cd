"""course_lib.house_numbers: the synthetic SVHN (crops, whole numbers), its files, the stand-in, the photos."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from PIL import Image

from course_lib import data
from course_lib.data import registry, verify
from course_lib.errors import CourseError, DataNotFoundError
from course_lib.house_numbers import artefacts, cache, crops, digit_struct, fonts, numbers, photos, render
from tests.conftest import REPO
from tests.datafiles import write_svhn_mat

PHOTOS = REPO / "notebooks" / "06_house_numbers" / "my_photos"


def matplotlib_fonts() -> list[Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [folder / name for name in ("DejaVuSans.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf",
                                       "STIXGeneral.ttf")]


@pytest.fixture
def few_fonts(monkeypatch):
    """digit_fonts() is a few of matplotlib's fonts: the survey of every font on the machine takes a minute."""
    chosen = matplotlib_fonts()
    monkeypatch.setattr(fonts, "digit_fonts", lambda: list(chosen))
    return chosen


@pytest.fixture
def tiny_sets(monkeypatch, few_fonts):
    """Fast-mode sets of a few dozen images, and fast mode on."""
    monkeypatch.setattr(cache, "FAST_CROPS", {"train": 60, "test": 30})
    monkeypatch.setattr(cache, "FAST_NUMBERS", {"train": 24, "test": 12})
    monkeypatch.setenv("COURSE_FAST_MODE", "1")


# --- fonts --------------------------------------------------------------------------------------

def test_fonts_whose_digits_are_not_digits_are_left_out():
    ttf = matplotlib_fonts()[0].parent
    assert fonts.digit_rejection(ttf / "DejaVuSans.ttf") is None
    assert fonts.digit_rejection(ttf / "cmr10.ttf") is None
    assert "other glyphs" in fonts.digit_rejection(ttf / "cmsy10.ttf")  # 0 -> prime, 1 -> infinity ...
    assert fonts.digit_rejection(ttf / "LICENSE_DEJAVU").startswith("cannot be opened")


def test_font_verdicts_are_kept_and_reused(tmp_path, monkeypatch):
    paths = matplotlib_fonts()[:2]
    calls = []
    original = fonts._check_many

    def counting(chunk):
        calls.append(len(chunk))
        return original(chunk)

    monkeypatch.setattr(fonts, "_check_many", counting)
    verdicts = fonts.survey(paths, cache_file=tmp_path / "verdicts.json")
    assert verdicts == {path: None for path in paths} and calls == [2]
    assert fonts.survey(paths, cache_file=tmp_path / "verdicts.json") == verdicts and calls == [2]
    kept = json.loads((tmp_path / "verdicts.json").read_text())
    assert set(kept) == {str(p) for p in paths}


def test_glyphs_share_a_baseline():
    path = str(matplotlib_fonts()[0])
    one, top_one, _ = fonts.glyph(path, 1, 48)
    seven, top_seven, _ = fonts.glyph(path, 7, 48)
    assert one.dtype == np.float32 and 0.9 < one.max() <= 1.0
    assert abs((top_one + one.shape[0]) - (top_seven + seven.shape[0])) <= 1  # both sit on the baseline


# --- rendering ----------------------------------------------------------------------------------

def test_homographies_agree_and_map_corners():
    quad = np.array([(3, 4), (50, 2), (55, 40), (1, 38)], float)
    general = render.homography([(0, 0), (32, 0), (32, 16), (0, 16)], quad)
    closed = render.square_to_quad(quad, 32, 16)
    np.testing.assert_allclose(closed / closed[2, 2], general / general[2, 2], atol=1e-9)
    np.testing.assert_allclose(render.project([(0, 0), (32, 16)], closed), [(3, 4), (55, 40)], atol=1e-9)
    boxes = render.project_boxes([[0, 0, 32, 16]], closed)
    np.testing.assert_allclose(boxes, [[1, 2, 54, 38]], atol=1e-9)


def test_a_drawn_number_has_a_box_around_each_digit(few_fonts):
    scene = render.draw_number([4, 0, 7], np.random.default_rng(3), few_fonts, glyph_size=48)
    assert scene.image.dtype == np.float32 and scene.image.ndim == 3 and scene.boxes.shape == (3, 4)
    lefts = scene.boxes[:, 0]
    assert (np.diff(lefts) > 0).all()  # left to right
    rows, columns = scene.image.shape[:2]
    assert (scene.boxes[:, :2] >= 0).all() and ((scene.boxes[:, 0] + scene.boxes[:, 2]) <= columns).all()
    with pytest.raises(ValueError, match="0..9"):
        render.draw_number([12], np.random.default_rng(0), few_fonts)


def test_jpeg_like_artefacts_resemble_jpeg():
    rng = np.random.default_rng(0)
    smooth = np.kron(rng.uniform(40, 220, (4, 4, 3)), np.ones((8, 8, 1))).astype(np.float32)
    image = np.clip(smooth + rng.normal(0, 12, smooth.shape), 0, 255).astype(np.float32)
    losses = []
    for quality in (15, 30, 60, 90):
        ours = artefacts.jpeg_like(image[None], np.array([float(quality)]))[0]
        buffer = io.BytesIO()
        Image.fromarray(image.astype(np.uint8)).save(buffer, format="JPEG", quality=quality)
        real = np.asarray(Image.open(buffer), np.float32)
        ours_lost, real_lost = np.abs(ours - image).mean(), np.abs(real - image).mean()
        assert 0.7 * real_lost < ours_lost < 1.2 * real_lost, quality  # loses about what libjpeg loses
        assert np.abs(ours - real).mean() < 0.6 * real_lost  # and much the same
        losses.append(ours_lost)
    assert losses == sorted(losses, reverse=True)  # less at higher quality


def test_blur_is_a_gaussian_per_image():
    from scipy import ndimage

    images = np.random.default_rng(1).uniform(0, 255, (3, 20, 24, 3)).astype(np.float32)
    out = artefacts.blurred(images, [0.0, 0.8, 1.3])
    np.testing.assert_array_equal(out[0], images[0])
    for index, sigma in ((1, 0.8), (2, 1.3)):
        expected = ndimage.gaussian_filter(images[index], (sigma, sigma, 0), mode="nearest", truncate=4 / sigma)
        np.testing.assert_allclose(out[index], expected, atol=1e-3)


# --- cropped digits -----------------------------------------------------------------------------

def test_crops_are_svhn_shaped_and_the_same_seed_gives_the_same_crops(few_fonts):
    images, labels = crops.generate_crops(40, seed=5, workers=1, progress=False)
    assert images.shape == (40, 32, 32, 3) and images.dtype == np.uint8
    assert labels.shape == (40,) and labels.dtype == np.int64 and 0 <= labels.min() and labels.max() <= 9
    again, again_labels = crops.generate_crops(40, seed=5, workers=1, progress=False)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, again_labels)
    other, _ = crops.generate_crops(40, seed=5, split="test", workers=1, progress=False)
    assert not np.array_equal(images, other)
    assert images.std() > 20  # not blank


def test_crops_do_not_depend_on_how_the_work_is_shared(few_fonts, monkeypatch):
    monkeypatch.setattr(crops, "CHUNK", 4)
    monkeypatch.setattr(crops, "PARALLEL_FROM", 0)
    monkeypatch.setattr(crops, "SHARED_INKS_FROM", 0)  # the workers read the digits from write_inks's file
    serial = crops.generate_crops(30, seed=2, workers=1, progress=False)
    parallel = crops.generate_crops(30, seed=2, workers=2, progress=False)
    np.testing.assert_array_equal(serial[0], parallel[0])
    np.testing.assert_array_equal(serial[1], parallel[1])


def test_inks_written_for_the_workers_are_the_inks_drawn(few_fonts, tmp_path, monkeypatch):
    drawn = {(str(font), digit, 32): fonts.digit_ink(str(font), digit, 32) for font in few_fonts for digit in range(10)}
    monkeypatch.setattr(fonts, "_INKS", {})
    path = fonts.write_inks(tmp_path / "inks.npz", few_fonts, 32, workers=2)
    assert [file.name for file in tmp_path.iterdir()] == ["inks.npz"]  # no temporary file left behind
    with np.load(path, allow_pickle=False) as saved:  # plain arrays: nothing to unpickle
        assert saved["pixels"].dtype == np.uint8
    fonts.read_inks(path)
    assert fonts._INKS.keys() == drawn.keys()
    for key, (mask, top) in drawn.items():
        assert fonts._INKS[key][1] == top, key
        np.testing.assert_array_equal(fonts._INKS[key][0], mask)


def test_labels_follow_house_numbers():
    labels = crops.plan_labels(50_000, 0, "train")
    frequencies = np.bincount(labels, minlength=10) / len(labels)
    assert frequencies.argmax() == 1 and frequencies[1] > 0.15  # numbers start with 1 most often
    assert frequencies[0] < 0.08 and frequencies[9] < 0.09  # 0 never leads a number
    numbers_ = crops.plan_numbers(1_000, 0, "train")
    assert sum(len(n) for n in numbers_) == 1_000 and all(n[0] != 0 for n in numbers_[:-1])


def test_mat_file_has_the_official_layout_and_fixed_bytes():
    images = np.random.default_rng(0).integers(0, 256, (7, 32, 32, 3), dtype=np.uint8)
    labels = np.array([0, 1, 2, 3, 9, 0, 5])
    raw = crops.mat_bytes(images, labels)
    assert raw == crops.mat_bytes(images, labels)
    assert raw.startswith(b"MATLAB 5.0 MAT-file") and b"SYNTHETIC" in raw[:116]
    content = scipy.io.loadmat(io.BytesIO(raw))
    assert content["X"].shape == (32, 32, 3, 7) and content["X"].dtype == np.uint8
    assert content["y"].shape == (7, 1) and content["y"].ravel().tolist() == [10, 1, 2, 3, 9, 10, 5]
    np.testing.assert_array_equal(np.transpose(content["X"], (3, 0, 1, 2)), images)
    with pytest.raises(ValueError, match="uint8"):
        crops.mat_bytes(images.astype(np.float32), labels)
    with pytest.raises(ValueError, match="0..9"):
        crops.mat_bytes(images, labels + 1)


def _as_official(monkeypatch, folder: Path) -> None:
    """Make the registry expect the .mat files in ``folder``, as if they were the published ones."""
    dataset = registry.DATASETS["svhn"]
    files = tuple(dataclasses.replace(f, size=(folder / f.name).stat().st_size, md5=verify.md5_of(folder / f.name))
                  for f in dataset.files)
    monkeypatch.setitem(registry.DATASETS, "svhn", dataclasses.replace(dataset, files=files))


def test_real_format_mat_loads_with_ten_meaning_zero(data_env, monkeypatch):
    data_dir, _ = data_env
    folder = data_dir / "svhn"
    folder.mkdir()
    train = write_svhn_mat(folder / "train_32x32.mat", count=50, seed=3)
    test = write_svhn_mat(folder / "test_32x32.mat", count=20, seed=4)
    _as_official(monkeypatch, folder)
    ((x_train, y_train), (x_test, y_test)), info = data.load("svhn", with_info=True)
    assert info.real and info.splits["train"].origin == "COURSE_DATA_DIR"
    np.testing.assert_array_equal(x_train, train[0])
    np.testing.assert_array_equal(y_train, train[1])
    np.testing.assert_array_equal(y_test, test[1])
    assert 10 not in y_train and (y_train == 0).any()


def test_synthetic_mat_files_load_through_the_same_reader_as_the_real_ones(data_env, monkeypatch, few_fonts):
    data_dir, _ = data_env
    folder = data_dir / "svhn"
    images, labels = crops.generate_crops(30, seed=1, workers=1, progress=False)
    crops.write_mat(folder / "train_32x32.mat", images, labels)
    crops.write_mat(folder / "test_32x32.mat", images[:10], labels[:10])
    _as_official(monkeypatch, folder)
    (x_train, y_train), (x_test, y_test) = data.load("svhn")
    np.testing.assert_array_equal(x_train, images)
    np.testing.assert_array_equal(y_train, labels)
    assert (labels == 0).any() and (y_train == 0).any()


def test_load_svhn_offline_is_the_synthetic_stand_in_and_says_so(data_env, tiny_sets):
    ((x_train, y_train), (x_test, y_test)), info = data.load("svhn", with_info=True)
    assert x_train.shape == (60, 32, 32, 3) and x_test.shape == (30, 32, 32, 3) and y_train.dtype == np.int64
    assert not info.real and "NOT the real data" in str(info)
    assert all("SYNTHETIC" in source.note for source in info.splits.values())
    assert all(source.origin == "embedded" and not source.real for source in info.splits.values())
    listed = data.locate("svhn")
    assert all("SYNTHETIC" in source.note for source in listed.values())
    folder = cache.folder_for("crops", {"train": 60, "test": 30})
    manifest = cache.read_manifest(folder)
    assert manifest["sizes"] == {"train": 60, "test": 30} and "SYNTHETIC" in manifest["note"]
    stamp = (folder / "train_32x32.mat").stat().st_mtime_ns
    (x_again, _), _ = data.load("svhn")
    np.testing.assert_array_equal(x_again, x_train)
    assert (folder / "train_32x32.mat").stat().st_mtime_ns == stamp  # read from the cache, not made again


def test_stand_in_never_replaces_one_split_of_the_real_data(few_fonts):
    with pytest.raises(DataNotFoundError, match="test_32x32.mat"):
        cache.standin(registry.get("svhn"), ["test"], ["train"])


def test_a_damaged_synthetic_file_is_made_again(data_env, tiny_sets):
    folder = cache.ensure_crops()
    (folder / "test_32x32.mat").write_bytes(b"MATLAB 5.0 MAT-file, damaged")
    assert not cache.is_current(folder, {"kind": "crops"})
    cache.ensure_crops()
    assert cache.is_current(folder, {"kind": "crops", "sizes": {"train": 60, "test": 30}})


def test_a_cache_where_nothing_can_be_written_says_what_to_run(data_env, tiny_sets, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("not a folder")  # as in the grading sandbox, the sets cannot be made here
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(CourseError, match="prepare_fast_mode"):
        cache.ensure_crops()


def test_prepare_fast_mode_builds_what_the_notebook_reads(data_env, tiny_sets):
    folder = cache.prepare_fast_mode()
    assert (folder / "train_32x32.mat").is_file()
    train, test = cache.synthetic_numbers(fast=True)
    assert len(train) == 24 and len(test) == 12 and train.synthetic and "SYNTHETIC" in train.source


# --- whole numbers ------------------------------------------------------------------------------

def test_whole_numbers_have_digit_struct_boxes_inside_the_picture(few_fonts):
    made = numbers.generate_numbers(20, seed=4, workers=1, progress=False)
    assert len(made) == 20 and made.synthetic and "SYNTHETIC" in repr(made)
    for image, boxes, labels in zip(made.images, made.boxes, made.labels):
        rows, columns, channels = image.shape
        assert image.dtype == np.uint8 and channels == 3
        assert boxes.shape == (len(labels), 4) and 1 <= len(labels) <= 5
        assert (boxes[:, :2] >= 0).all() and (boxes[:, 0] + boxes[:, 2] <= columns + 1e-6).all()
        assert (boxes[:, 1] + boxes[:, 3] <= rows + 1e-6).all() and (boxes[:, 2:] > 2).all()
        assert ((labels >= 1) & (labels <= 10)).all() and labels[0] != 10  # 10 is 0, never first
    entry = made[0]
    assert entry["name"] == "1.png" and set(entry["bbox"]) == {"height", "label", "left", "top", "width"}
    again = numbers.generate_numbers(20, seed=4, workers=1, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(made.images, again.images))


def test_number_sets_round_trip_through_their_file(tmp_path, few_fonts):
    made = numbers.generate_numbers(6, seed=1, workers=1, progress=False)
    path = numbers.save_numbers(tmp_path / "n.npz", made)
    back = numbers.load_numbers_file(path)
    assert back.numbers() == made.numbers() and back.names == made.names and back.synthetic
    assert all(np.array_equal(a, b) for a, b in zip(back.images, made.images))
    assert all(np.array_equal(a, b) for a, b in zip(back.boxes, made.boxes))
    part = back[2:4]
    assert len(part) == 2 and part.numbers() == made.numbers()[2:4]
    with np.load(path, allow_pickle=False) as content:  # no pickles inside
        assert "pixels" in content.files


def test_digit_struct_in_the_official_layout_round_trips(tmp_path):
    boxes = [np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])]
    path = digit_struct.write_digit_struct(tmp_path / "digitStruct.mat", ["1.png", "2.png"], boxes, [[10], [1, 2]])
    entries = digit_struct.read_digit_struct(path)
    assert entries[0] == {"name": "1.png", "bbox": {"height": [4.0], "label": [10.0], "left": [1.0], "top": [2.0],
                                                    "width": [3.0]}}
    assert entries[1]["bbox"]["label"] == [1.0, 2.0] and entries[1]["bbox"]["width"] == [7.0, 11.0]
    with pytest.raises(NotImplementedError, match="HDF"):  # a MATLAB 7.3 file, as the real one
        scipy.io.loadmat(path)


def test_real_format_one_folders_are_used_when_present(data_env, few_fonts):
    data_dir, _ = data_env
    made = numbers.generate_numbers(5, seed=2, workers=1, progress=False)
    for split in ("train", "test"):
        folder = data_dir / "svhn" / split
        folder.mkdir(parents=True)
        for name, image in zip(made.names, made.images):
            Image.fromarray(image).save(folder / name)
        digit_struct.write_digit_struct(folder / "digitStruct.mat", made.names, made.boxes, made.labels)
    from course_lib.house_numbers import load_numbers

    train, test = load_numbers(fast=False, progress=False)
    assert not train.synthetic and "real SVHN" in train.source and train.numbers() == made.numbers()
    assert all(np.array_equal(a, b) for a, b in zip(train.images, made.images))
    assert len(load_numbers(fast=True, progress=False)[0]) == 5


# --- photos -------------------------------------------------------------------------------------

def test_example_photos_are_made_again_the_same(tmp_path):
    boxes_file = photos.write_example_photos(tmp_path)
    assert boxes_file.read_text() == (PHOTOS / "boxes.csv").read_text()
    for example in photos.EXAMPLES:
        made = photos.upright(tmp_path / example.file)
        shipped = photos.upright(PHOTOS / example.file)
        assert made.shape == shipped.shape
        assert np.abs(made.astype(int) - shipped.astype(int)).mean() < 2  # JPEG encoders may differ a little


def test_reading_the_shipped_photo_folder():
    read = photos.read_photo_folder(PHOTOS)
    assert [photo.path.name for photo in read] == [example.file for example in photos.EXAMPLES]
    for photo, example in zip(read, photos.EXAMPLES):
        columns, rows = example.size
        assert photo.image.shape == (rows, columns, 3) and photo.number == example.number
        left, top, right, bottom = photo.box
        assert 0 <= left < right <= columns and 0 <= top < bottom <= rows
    with Image.open(PHOTOS / "02_coffee_table.jpg") as stored:  # stored on its side, as phones do
        assert stored.size == (640, 480) and stored.getexif()[photos.EXIF_ORIENTATION] == photos.ROTATED


def test_boxes_file_errors_say_what_is_wrong(tmp_path):
    assert photos.read_boxes(tmp_path / "boxes.csv") == {}
    (tmp_path / "boxes.csv").write_text("file,left,top\na.jpg,1,2\n")
    with pytest.raises(ValueError, match="right, bottom"):
        photos.read_boxes(tmp_path / "boxes.csv")
    (tmp_path / "boxes.csv").write_text("file,left,top,right,bottom\na.jpg,10,2,5,9\n")
    with pytest.raises(ValueError, match="line 2"):
        photos.read_boxes(tmp_path / "boxes.csv")
    with pytest.raises(FileNotFoundError, match="not a folder"):
        photos.photo_files(tmp_path / "nowhere")


def test_course_data_list_says_svhn_is_synthetic(data_env):
    from tests.conftest import run_course

    result = run_course("data", "list")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("svhn")]
    assert len(rows) == 2 and all("SYNTHETIC house-number crops" in row and "not the real SVHN" in row for row in rows)
