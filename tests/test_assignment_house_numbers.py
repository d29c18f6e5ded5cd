"""Assignment 6 specifics, read from the session's `course demo` (the generic checks: test_assignments.py)."""

import nbformat
import numpy as np
import pytest

from course_lib.results import figures_in
from tests.conftest import REPO

pytestmark = pytest.mark.slow

NAME = "06_house_numbers"
SOURCE = REPO / "notebooks" / NAME / "house_numbers.ipynb"
FUNCTIONS = ("scale_images", "split_validation", "build_digit_cnn", "number_box", "crop_number", "crop_windows",
             "number_labels", "find_photos", "load_photo", "read_boxes", "read_number")


def _outputs(path) -> str:
    notebook = nbformat.read(path, as_version=4)
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", "") + str(output.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def test_student_version_asks_for_every_function_and_every_answer(demo_run):
    (student,) = demo_run.released(NAME)
    notebook = nbformat.read(student, as_version=4)
    text = student.read_text()
    assert text.count("raise NotImplementedError()") == len(FUNCTIONS)
    assert text.count("YOUR ANSWER HERE") == 3  # the written answers
    assert "(pixel - 128) / 128" in text and "np.random.default_rng(seed).permutation" not in text
    assert all(f"def {name}(" in text for name in FUNCTIONS)
    assert any("my_photos" in cell.source for cell in notebook.cells)


def test_demo_row_reference_blank_and_manual_points(demo_run):
    row = demo_run.row(NAME)
    assert "13 / 13 (+4 manual)" in row and "0 / 13 (+4 manual)" in row, row
    assert "crops_test_accuracy=" in row and "whole_number_accuracy=" in row
    grades = demo_run.grades(NAME, "blank")
    assert len(grades) == 14 and set(grades.values()) == {0}  # 11 autograded cells and 3 written answers


def test_the_executed_reference_says_its_data_is_synthetic(demo_run):
    (executed,) = demo_run.executed(NAME)
    outputs = _outputs(executed)
    assert "These crops are SYNTHETIC" in outputs
    assert "SYNTHETIC (generated here, not SVHN)" in outputs  # the whole numbers
    assert "read right:" in outputs
    assert "whole-number accuracy: argmax" in outputs and "coverage at 98% accuracy: argmax" in outputs
    assert "Part 1 runs with:" in outputs and "Part 2 runs with:" in outputs  # the settings, with yours
    names = [figure["name"] for figure in figures_in(nbformat.read(executed, as_version=4))]
    assert names == ["crops_test_accuracy", "whole_number_accuracy", "per_digit_accuracy", "coverage_at_98",
                     "length_decoder_whole_number_accuracy", "length_decoder_coverage_at_98", "example_photos_read"]


def test_without_assignment_5_the_transfer_comparison_says_it_is_skipped(demo_run):
    (executed,) = demo_run.executed(NAME)
    outputs = _outputs(executed)
    if "05_digit_sequences" in demo_run.names:
        pytest.skip("assignment 5 ran in this demo: its model may be there")
    assert "run assignment 5 first to compare with transfer learning. Skipped." in outputs


def test_with_assignment_5_its_trunk_is_copied_into_the_house_number_model(demo_run):
    """Assignment 5's saved model (grey sequences, 32x128) starts the colour house-number model: its
    convolutions are copied whatever the input size, batch normalisation or not."""
    if "05_digit_sequences" not in demo_run.names:
        pytest.skip("assignment 5 did not run in this demo")
    outputs = _outputs(demo_run.executed(NAME)[0])
    assert "copied: trunk_conv_1_1, trunk_conv_2_1, trunk_conv_3_1" in outputs


def test_the_graded_copy_reads_its_data_from_the_prepared_cache(demo_run):
    report = demo_run.report(NAME, "reference")
    assert report["ok"], report["reason"]
    assert not any("cannot be generated" in str(value) for value in report.values())


# --- SVHN's own layouts, and the settings cell -----------------------------------------------------------------

DATA_CELLS = ("imports", "parameters", "sizes", "my_settings", "settings", "load_crops", "load_numbers", "number_box",
              "crop_number", "crop_number_run", "crop_windows", "number_labels", "number_labels_run")


def _svhn_layouts(data_dir):
    """SVHN as a user lays it out: crops as class folders (train_32x32/<digit>/*.png) and the format-1 folders
    (train/ and test/: PNG pictures and digitStruct.mat), filled with synthetic pictures; one training number
    has six digits, as a few of SVHN's do."""
    from PIL import Image

    from course_lib.data.formats.svhn import read_mat
    from course_lib.house_numbers import cache, digit_struct, load_numbers_file

    crops = cache.ensure_crops(fast=True, progress=False)
    for split, count in (("train", 300), ("test", 120)):
        images, labels = read_mat(crops / cache.MAT_NAMES[split])
        for index, (image, label) in enumerate(zip(images[:count], labels[:count])):
            folder = data_dir / "svhn" / f"{split}_32x32" / str(label)
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{index}.png")
    numbers = cache.ensure_numbers(fast=True, progress=False)
    for split, count in (("train", 40), ("test", 20)):
        source = load_numbers_file(numbers / f"{split}.npz")
        folder = data_dir / "svhn" / split
        folder.mkdir(parents=True)
        names, boxes, labels = [], [], []
        for index in range(count):
            box, label = np.asarray(source.boxes[index]), np.asarray(source.labels[index])
            if split == "train" and index == 7:  # six digits: the first digit's box, repeated to its right
                box = box[0] + np.outer(np.arange(6), [box[0, 2], 0, 0, 0])
                label = np.resize(label, 6)
            names.append(f"{index + 1}.png")
            Image.fromarray(source.images[index]).save(folder / names[-1])
            boxes.append(box)
            labels.append(label)
        digit_struct.write_digit_struct(folder / "digitStruct.mat", names, boxes, labels)


def test_the_data_cells_read_svhns_own_layouts_and_leave_out_numbers_of_six_digits(tmp_path, monkeypatch, capsys):
    """The real SVHN is on none of these machines: its layouts, filled with synthetic pictures, stand in for it."""
    from tests.notebook_reference import reference_namespace

    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    _svhn_layouts(tmp_path / "data")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_FAST_MODE", "1")
    namespace = reference_namespace(SOURCE, DATA_CELLS)
    printed = capsys.readouterr().out
    assert namespace["svhn_info"].real and "SYNTHETIC" not in printed, printed
    assert "train: (300, 32, 32, 3) uint8  test: (120, 32, 32, 3)" in printed
    assert "the real SVHN (format 1)" in printed
    assert "left out 1 of 40 pictures: more than 5 digits" in printed
    assert "64x64 crops: train (39, 64, 64, 3) test (20, 64, 64, 3)" in printed
    assert namespace["y_numbers_train"].shape == (39, 5)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_your_settings_change_the_run_and_the_autograder_sets_them_aside(monkeypatch, capsys):
    from tests.notebook_reference import reference_namespace

    cells = ("imports", "parameters", "sizes", "my_settings")
    namespace = reference_namespace(SOURCE, cells)
    namespace.update(MY_CROPS=dict(dropout=0.0), MY_NUMBERS=dict(epochs=1, random_windows=False))
    reference_namespace(SOURCE, ("settings",), namespace)
    assert namespace["CROPS"]["dropout"] == 0.0 and namespace["NUMBERS"]["epochs"] == 1
    assert not namespace["NUMBERS"]["random_windows"]
    namespace["MY_CROPS"] = dict(drop_out=0.0)
    with pytest.raises(ValueError, match=r"MY_CROPS names settings this notebook does not have: \['drop_out'\]"):
        reference_namespace(SOURCE, ("settings",), namespace)

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    graded = reference_namespace(SOURCE, cells)
    defaults = dict(graded["CROPS"]), dict(graded["NUMBERS"])
    graded.update(MY_CROPS=dict(drop_out=0.0, epochs=50), MY_NUMBERS=dict(epochs=50))
    capsys.readouterr()
    reference_namespace(SOURCE, ("settings",), graded)
    assert (graded["CROPS"], graded["NUMBERS"]) == defaults
    assert "autograding: MY_CROPS is set aside, the defaults run" in capsys.readouterr().out
