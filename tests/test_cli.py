"""The `course` command as a user runs it: a real subprocess."""

import pytest

from tests.conftest import run_course

DATASETS = ("notmnist", "mnist", "fashion_mnist", "cifar10", "svhn")


def test_help_for_every_subcommand():
    for args in ([], ["data"], ["data", "list"], ["data", "fetch"], ["data", "path"], ["solutions", "run"],
                 ["demo"], ["student-build"]):
        result = run_course(*args, "--help")
        assert result.returncode == 0, result.stderr
        assert "usage: course" in result.stdout
    assert "fast mode unless --full" in run_course("solutions", "run", "--help").stdout


def test_data_list_shows_all_five(data_env):
    data_dir, cache_dir = data_env
    result = run_course("data", "list")
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines()[2:]]
    assert sorted(set(rows)) == sorted(DATASETS) and len(rows) == 10
    assert "embedded: the 5,000 real MNIST training digits" in result.stdout
    cifar = [line for line in result.stdout.splitlines() if line.startswith("cifar10")]
    assert all("missing" in line for line in cifar)


def test_data_list_reports_a_corrupted_file_without_failing(data_env):
    data_dir, _ = data_env
    (data_dir / "svhn").mkdir()
    (data_dir / "svhn" / "test_32x32.mat").write_bytes(b"MATLAB 5.0 MAT-file, truncated")
    result = run_course("data", "list")
    assert result.returncode == 0, result.stderr
    svhn_test = next(line for line in result.stdout.splitlines() if line.startswith("svhn") and " test " in line)
    assert "CORRUPT" in svhn_test and "FAILED" in svhn_test


def test_missing_dataset_is_one_clear_message_and_exit_1(data_env):
    result = run_course("data", "path", "cifar10")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("course: cifar10 is not on this machine")
    assert "course data fetch cifar10" in result.stderr


def test_data_path_of_a_found_dataset(data_env, shared_data):
    result = run_course("data", "path", "mnist", env={"COURSE_DATA_DIR": str(shared_data)})
    # The training files are not in ../shared/data: the embedded sample has no folder.
    assert result.returncode == 1 and "embedded" in result.stderr
    result = run_course("data", "path", "fashion_mnist")
    if "/usr/share/datasets/fashion-mnist" in result.stdout:
        assert result.returncode == 0


def test_unknown_dataset_and_unknown_command():
    result = run_course("data", "fetch", "imagenet")
    assert result.returncode == 1 and "the course knows: notmnist, mnist" in result.stderr
    result = run_course("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.slow
def test_student_build_writes_checked_student_versions(example_course, tmp_path):
    result = run_course("student-build", str(tmp_path / "out"), cwd=example_course)
    assert result.returncode == 0, result.stderr
    student = (tmp_path / "out" / "example" / "example.ipynb").read_text()
    assert "raise NotImplementedError" in student
    assert "BEGIN SOLUTION" not in student and "squares(12)" not in student
