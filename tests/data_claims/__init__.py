"""Every number the text states about the data is printed by the notebook, or true for every source.

``data.load`` may read the full dataset (downloaded, or its files in the data folder), the real test files
beside an embedded sample, or the embedded sample or generator alone. A sentence such as "4,500 training
images" is true for one of them only. One module per assignment (beside this one) names:

- ``NOTEBOOK`` and ``DATA_CELLS``: the cells that load the data and print what was loaded;
- ``SOURCES``: ``{name: environment}`` for each source these machines can give ``load`` (an environment maps
  variables to values; ``"{shared}"`` in a value is replaced by ../shared/data, and a source that needs it is
  skipped without it);
- ``TRUE_FOR_EVERY_SOURCE``: ``{a piece of the sentence: why it holds whatever the source}`` (a fact of the
  published dataset, a figure measured for each source and stated for each, a trial's own setting).

``tests/test_data_claims.py`` finds every number the student reads next to a word for data, sizes or time
(``claims``), runs the data cells for each source (``printed_numbers``), and requires each claim to be printed
under every source, or listed with its reason.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

NUMBER = r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])"
NOUNS = (r"images?|digits?|letters?|sequences?|numbers?|photos?|crops?|examples?|samples?|fonts?|files?|"
         r"pictures?|minutes?|hours?|seconds?|s per epoch|MB|GB|KB")
CLAIM = re.compile(NUMBER + r"(?:[ \t\n]+(?:[\w'-]+[ \t\n]+){0,3}?)?[ \t\n]*(?=(?:" + NOUNS + r")\b)", re.I)
CODE = re.compile(r"`[^`]*`|\$[^$]*\$|<[^>]+>")


@dataclass(frozen=True)
class Claim:
    grade_id: str
    value: float
    sentence: str

    def __str__(self) -> str:
        return f"{self.grade_id}: {self.sentence!r}"


def student_text(notebook: Path) -> list[tuple[str, str]]:
    """(grade id, text) of every markdown cell a student reads: all but the written answers' model answers."""
    cells = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("solution"):
            cells.append((meta.get("grade_id", ""), cell.source))
    return cells


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start), text.rfind("|", 0, start)) + 1
    stops = [i for i in (text.find(". ", end), text.find("\n\n", end), text.find("|", end)) if i >= 0]
    return " ".join(text[left:min(stops) if stops else len(text)].split())


def claims(notebook: Path) -> list[Claim]:
    """Every number from 10 up followed (within three words) by a word for data, sizes or time, outside code."""
    found = []
    for grade_id, text in student_text(notebook):
        text = CODE.sub(lambda m: " " * len(m.group()), text)
        for match in CLAIM.finditer(text):
            value = float(match.group(1).replace(",", ""))
            if value >= 10:  # smaller numbers are the text's own (3 channels, 1 to 5 digits), not counts of data
                found.append(Claim(grade_id, value, _sentence(text, match.start(), match.end())))
    return found


def numbers_in(text: str) -> set[float]:
    """Every number written in ``text`` (4,500, 4500 and (4500, 28, 28) all give 4500)."""
    return {float(match.replace(",", "")) for match in re.findall(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?", text)}


def printed_numbers(notebook: Path, cells, environment: dict) -> set[float]:
    """The numbers the cells ``cells`` print when run in-process with ``environment`` set (restored after)."""
    from tests.notebook_reference import reference_namespace

    before = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            namespace = reference_namespace(notebook, cells)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    import matplotlib.pyplot as plt

    plt.close("all")
    del namespace
    return numbers_in(output.getvalue())
