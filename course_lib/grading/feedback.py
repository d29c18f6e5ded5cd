"""Feedback for students: results and hint messages, never the hidden tests' code, of bounded size."""

from __future__ import annotations

from pathlib import Path

from course_lib.grading import nbgrader_course

MAX_FEEDBACK_BYTES = 5 << 20  # a feedback page larger than this is replaced by a short notice


def feedback_config(config):
    """nbgrader's GenerateFeedback with hidden tests removed and outputs capped."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    from course_lib.grading.preprocessors import CapOutputSize, HideHiddenTests

    config.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CapOutputSize, CSSHTMLHeaderPreprocessor]
    return config


def generate(config, assignment: str, say=print) -> list[Path]:
    """Feedback HTML for every graded submission (failed ones have no notebook to show); return the pages."""
    config = feedback_config(config)
    course = nbgrader_course.course_folder(config)
    graded = sorted(p.parent.name for p in (course / "autograded").glob(f"*/{assignment}")
                    if any(p.glob("*.ipynb")))
    grader = nbgrader_course.api(config)
    pages = []
    for student in graded:
        nbgrader_course.checked(grader.generate_feedback(assignment, student, force=True),
                                f"generate_feedback {assignment} for {student}")
        for page in sorted((course / "feedback" / student / assignment).glob("*.html")):
            _cap(page)
            pages.append(page)
    say(f"{assignment}: feedback for {len(graded)} student(s) in {course / 'feedback'}")
    return pages


def release(config, assignment: str, say=print) -> list[str]:
    """Release feedback to the students whose submission came through the exchange; return them."""
    course = nbgrader_course.course_folder(config)
    students = sorted(p.parent.name for p in (course / "feedback").glob(f"*/{assignment}")
                      if (course / "submitted" / p.parent.name / assignment / "submission_secret.txt").is_file())
    skipped = sorted({p.parent.name for p in (course / "feedback").glob(f"*/{assignment}")} - set(students))
    grader = nbgrader_course.api(config)
    for student in students:
        nbgrader_course.checked(grader.release_feedback(assignment, student),
                                f"release_feedback {assignment} for {student}")
    if skipped:
        say(f"{assignment}: not released (not submitted through the exchange): {', '.join(skipped)}")
    say(f"{assignment}: feedback released to {len(students)} student(s)")
    return students


def _cap(page: Path) -> None:
    size = page.stat().st_size
    if size > MAX_FEEDBACK_BYTES:
        page.write_text(f"<html><body><p>This feedback page would be {size / 1e6:.0f} MB, too large to show: "
                        "your notebook printed or drew too much. Ask your instructor for your results.</p>"
                        "</body></html>")
