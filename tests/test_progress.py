"""Progress bars: redrawn in a terminal, whole lines at most every few seconds in a log, silent when asked."""

import io

from course_lib import progress


def test_log_lines_turn_redraws_into_lines_and_drop_repeats():
    stream = io.StringIO()
    lines = progress.LogLines(stream)
    lines.write("\rwork:  10%|#         | 1/10")
    lines.write("\rwork:  10%|#         | 1/10")
    lines.write("\rwork: 100%|##########| 10/10\n")
    lines.write("\r          \r")
    assert stream.getvalue() == "work:  10%|#         | 1/10\nwork: 100%|##########| 10/10\n"


def test_a_bar_into_a_log_refreshes_rarely_and_keeps_its_final_line(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    stream = io.StringIO()  # not a terminal
    bar = progress.bar(total=1000, desc="work", file=stream)
    for _ in range(1000):
        bar.update(1)
    bar.close()
    text = stream.getvalue()
    assert "\r" not in text
    assert text.splitlines()[0].startswith("work:   0%") and "1000/1000" in text.splitlines()[-1]
    assert len(text.splitlines()) == 2  # a thousand updates within LOG_INTERVAL: the first and the last


def test_course_progress_zero_silences(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    stream = io.StringIO()
    with progress.bar(total=3, desc="work", file=stream) as bar:
        bar.update(3)
    assert stream.getvalue() == ""
