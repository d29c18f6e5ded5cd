"""Files of a reference's full-mode run (reference_outputs/<assignment>/): graded with the reference, never released.

Assignment 4 grades a file its full-mode run makes. Here the small example course stands in: one of its
graded cells needs a file that only the reference's outputs supply. `course demo` must give the reference
full marks (the file reached the reference submission and the grading sandbox), the blank copy 0, and the
student version must not hold the file; a copy of it left in the source folder must stop the student build
and the grading, since it would reach every student and replace every student's own file.
"""

from __future__ import annotations

import nbformat
import pytest

from course_lib.errors import CourseError
from course_lib.grading import reference_outputs
from tests.conftest import run_course

pytestmark = pytest.mark.slow

MADE = "made_by_a_full_run.txt"


@pytest.fixture
def course_with_outputs(example_course):
    """The example course whose graded cell `correct_sum_of_squares` reads MADE when autograded (as assignment 4
    reads its predictions file), the reference's copy kept in reference_outputs/."""
    path = example_course / "notebooks" / "example" / "example.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if c.metadata["nbgrader"]["grade_id"] == "correct_sum_of_squares")
    cell.source = cell.source.replace("assert sum_of_squares(3) == 14",
                                      f"assert sum_of_squares(3) == 14\nimport os\n"
                                      f"if os.environ.get('NBGRADER_EXECUTION'):  # as assignment 4: graded only\n"
                                      f"    assert open({MADE!r}).read() == 'full run'")
    nbformat.write(notebook, path)
    outputs = example_course / reference_outputs.FOLDER / "example"
    outputs.mkdir(parents=True)
    (outputs / MADE).write_text("full run")
    return example_course


def test_the_reference_submission_carries_the_outputs_and_the_student_version_does_not(course_with_outputs):
    result = run_course("demo", cwd=course_with_outputs)
    row = next(line for line in result.stdout.splitlines() if line.startswith("example"))
    assert result.returncode == 0 and "3 / 3" in row and "0 / 3" in row, result.stdout + result.stderr
    demo = course_with_outputs / "build" / "demo"
    assert (demo / "submitted" / "reference" / "example" / MADE).read_text() == "full run"
    assert not (demo / "submitted" / "blank" / "example" / MADE).exists()
    assert sorted(p.name for p in (demo / "release" / "example").iterdir()) == ["example.ipynb"]


def test_without_the_outputs_the_reference_loses_the_cell(course_with_outputs):
    (course_with_outputs / reference_outputs.FOLDER / "example" / MADE).unlink()
    result = run_course("demo", cwd=course_with_outputs)
    row = next(line for line in result.stdout.splitlines() if line.startswith("example"))
    assert result.returncode == 1 and "2 / 3" in row, result.stdout
    assert "cell 'correct_sum_of_squares': FileNotFoundError" in result.stdout


def test_a_copy_left_in_the_source_folder_stops_the_student_build_and_the_grading(course_with_outputs, tmp_path):
    from course_lib.grading.autograde import autograde
    from course_lib.grading.student_version import build_into

    (course_with_outputs / "notebooks" / "example" / MADE).write_text("a full run of the source notebook")
    with pytest.raises(CourseError, match=f"example/{MADE} is a file only a full-mode run makes"):
        build_into(tmp_path / "student")
    (course_with_outputs / "submitted" / "someone" / "example").mkdir(parents=True)
    with pytest.raises(CourseError, match=f"not graded: .*example/{MADE} is a file only a full-mode run makes"):
        autograde("example", repository=course_with_outputs, canary=False, say=lambda line: None)


def test_the_canary_grades_the_reference_with_its_outputs_and_each_student_with_their_own(course_with_outputs):
    import json

    from course_lib.grading import nbgrader_course
    from course_lib.grading.sandbox import bubblewrap_works
    from tests.hostile_submissions import answered

    works, why = bubblewrap_works()
    if not works:
        pytest.skip(f"the sandbox is needed for this test: {why}")
    config = nbgrader_course.load_config(course_with_outputs)
    (released,) = nbgrader_course.generate_assignment(config, "example")
    for student, made in {"made_it": "full run", "made_another": "a run of mine", "made_none": None}.items():
        folder = course_with_outputs / "submitted" / student / "example"
        folder.mkdir(parents=True)
        nbformat.write(answered(nbformat.read(released, as_version=4)), folder / "example.ipynb")
        if made is not None:
            (folder / MADE).write_text(made)
    env = {"COURSE_ROOT": str(course_with_outputs), "COURSE_CACHE_DIR": str(course_with_outputs / "cache")}
    result = run_course("autograde", "example", "--workers", "2", env=env, cwd=course_with_outputs, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "canary: the reference got every autograded point" in result.stdout + result.stderr
    scores = {s: json.loads((course_with_outputs / "grading-reports" / "example" / f"{s}.json").read_text())["score"]
              for s in ("made_it", "made_another", "made_none")}
    assert scores == {"made_it": 3, "made_another": 2, "made_none": 2}   # their own file, never the reference's
