"""A folder of submissions of the example assignment, honest and hostile, with their exact expected scores.

The example assignment (tests/fixtures/course) has two graded parts:
``correct_squares`` (2 points, tests ``squares``) and
``correct_sum_of_squares`` (1 point, tests ``sum_of_squares``).
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import nbformat

SQUARES = '''def squares(n):
    """The squares of 1..n, as a list."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return [i ** 2 for i in range(1, n + 1)]'''
SUM = '''def sum_of_squares(n):
    """1 + 4 + ... + n**2."""
    return sum(squares(n))'''
WRONG_SUM = '''def sum_of_squares(n):
    return sum(squares(n)) + 1'''
WRONG_SQUARES = '''def squares(n):
    return [i * 2 for i in range(1, n + 1)]'''


@dataclass(frozen=True)
class Expected:
    """Exact expected outcome: per-part scores, or a failure (score 0) whose reason contains ``failure``."""

    squares: float
    sum: float
    failure: str = ""
    repaired: str = ""

    @property
    def total(self) -> float:
        return self.squares + self.sum


EXPECTED = {
    "correct": Expected(2, 1),
    "blank": Expected(0, 0),
    "partly_correct": Expected(2, 0),
    "test_cell_deleted": Expected(2, 1, repaired="'correct_sum_of_squares' was missing"),
    "answer_cell_deleted": Expected(2, 0, repaired="'sum_of_squares' was missing"),
    "answer_cell_duplicated": Expected(2, 1, repaired="'squares' occurred 2 times: kept the last"),
    "test_cell_duplicated": Expected(2, 1, repaired="'correct_squares' occurred 2 times: kept the first"),
    "test_cell_edited_to_pass": Expected(2, 0),
    "cell_type_changed": Expected(2, 1, repaired="changed from code to markdown: changed back"),
    "infinite_loop": Expected(2, 0),
    "os_exit": Expected(0, 0, failure="ended its own kernel"),
    "huge_output": Expected(2, 1),
    "input_call": Expected(2, 0),
    "hides_tracebacks": Expected(2, 0),
    "reads_hidden_tests": Expected(2, 1),
    "writes_gradebook_and_others": Expected(2, 1),
    "opens_network": Expected(2, 1),
    "corrupted_file": Expected(0, 0, failure="not a readable notebook"),
}


def _cell(notebook, grade_id):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _index(notebook, grade_id) -> int:
    return next(i for i, c in enumerate(notebook.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(student_version, squares=SQUARES, sum_=SUM):
    """A copy of the student version with these answers (None leaves a cell as the student got it)."""
    notebook = copy.deepcopy(student_version)
    if squares is not None:
        _cell(notebook, "squares").source = squares
    if sum_ is not None:
        _cell(notebook, "sum_of_squares").source = sum_
    return notebook


def submit_three(root: Path, released: Path) -> None:
    """Three submissions of the released example into ``root/submitted``: correct, sum wrong, blank (3, 2, 0)."""
    base = nbformat.read(released, as_version=4)
    for student, notebook in {"correct": answered(base), "wrong_sum": answered(base, sum_=WRONG_SUM),
                              "blank": base}.items():
        folder = root / "submitted" / student / "example"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "example.ipynb")


def plant_secret(source_notebook: Path) -> str:
    """Put a fresh random token into a hidden test of the source notebook; return the token.

    The token then exists only in the source notebook, the gradebook (nbgrader keeps the test cells'
    source) and the notebooks nbgrader writes while grading: a hostile submission that finds it has
    read a hidden test, wherever the course and this checkout happen to live.
    """
    token = f"hidden-{secrets.token_hex(16)}"
    notebook = nbformat.read(source_notebook, as_version=4)
    cell = _cell(notebook, "correct_squares")
    cell.source = cell.source.replace("### END HIDDEN TESTS", f'_secret = "{token}"\n### END HIDDEN TESTS')
    nbformat.write(notebook, source_notebook)
    return token


def build(student_version_path: Path, destination: Path, *, course: Path, secret: str, exchange: Path,
          other_student: str = "correct", port: int = 9) -> dict[str, Path]:
    """Write every submission to ``destination/<student>/example/example.ipynb``; return {student: folder}.

    course: the course folder whose secrets the hostile ones go after; secret: the token planted in the
    hidden tests (``plant_secret``; the submissions carry only its sha256, so that they do not find
    themselves); exchange: the exchange folder; other_student: whose files they try to overwrite;
    port: a TCP port on 127.0.0.1 they try to reach.
    """
    base = nbformat.read(student_version_path, as_version=4)
    gradebook = course / "gradebook.db"
    source = course / "notebooks" / "example" / "example.ipynb"
    victims = [course / "submitted" / other_student / "example" / "example.ipynb",
               course / "autograded" / other_student / "example" / "example.ipynb"]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    notebooks = {}

    notebooks["correct"] = answered(base)
    notebooks["blank"] = copy.deepcopy(base)
    notebooks["partly_correct"] = answered(base, sum_=WRONG_SUM)

    deleted = answered(base)
    del deleted.cells[_index(deleted, "correct_sum_of_squares")]
    notebooks["test_cell_deleted"] = deleted

    answer_deleted = answered(base)
    del answer_deleted.cells[_index(answer_deleted, "sum_of_squares")]
    notebooks["answer_cell_deleted"] = answer_deleted

    duplicated = answered(base, squares=WRONG_SQUARES)
    copy_cell = copy.deepcopy(_cell(duplicated, "squares"))
    copy_cell.source, copy_cell["id"] = SQUARES, "dup-squares"
    duplicated.cells.insert(_index(duplicated, "squares") + 1, copy_cell)
    notebooks["answer_cell_duplicated"] = duplicated

    test_duplicated = answered(base)
    twin = copy.deepcopy(_cell(test_duplicated, "correct_squares"))
    twin["id"] = "dup-tests"
    test_duplicated.cells.insert(_index(test_duplicated, "correct_squares") + 1, twin)
    notebooks["test_cell_duplicated"] = test_duplicated

    edited = answered(base, sum_=WRONG_SUM)
    _cell(edited, "correct_sum_of_squares").source = "pass"
    notebooks["test_cell_edited_to_pass"] = edited

    retyped = answered(base)
    cell = _cell(retyped, "sum_of_squares")
    retyped.cells[_index(retyped, "sum_of_squares")] = nbformat.v4.new_markdown_cell(
        cell.source, metadata=cell.metadata, id=cell.get("id"))
    notebooks["cell_type_changed"] = retyped

    notebooks["infinite_loop"] = answered(base, sum_="while True:\n    pass\n" + SUM)
    notebooks["os_exit"] = answered(base, sum_="import os\nos._exit(0)\n" + SUM)
    notebooks["huge_output"] = answered(
        base, squares=SQUARES + '\n\nfor _ in range(100):\n    print("x" * 1_000_000)  # 100 MB in all')
    notebooks["input_call"] = answered(base, sum_='name = input("Your name? ")\n' + SUM)
    notebooks["hides_tracebacks"] = answered(
        base, sum_="get_ipython().showtraceback = lambda *args, **kwargs: None\n" + WRONG_SUM)

    places = [source, gradebook, course, exchange, destination]  # the course, the exchange, every submission
    notebooks["reads_hidden_tests"] = answered(base, squares=SQUARES + f'''


import hashlib
import itertools
import pathlib
import re
found = []
places = [pathlib.Path(p) for p in {[str(p) for p in places]!r}]
places += [p for p in pathlib.Path.cwd().parents if p != pathlib.Path("/")]
places += [pathlib.Path("/tmp"), pathlib.Path.home()]
for place in places:
    try:
        files = [place] if place.is_file() else list(itertools.islice(place.rglob("*"), 3000))
    except OSError:
        continue
    for path in files:
        try:
            if path.is_file() and path.stat().st_size < 5_000_000:
                for token in re.findall(rb"hidden-[0-9a-f]{{32}}", path.read_bytes()):
                    if hashlib.sha256(token).hexdigest() == {digest!r}:
                        found.append(str(path))
        except OSError:
            pass
print("LEAKED hidden tests from:", found) if found else print("no hidden tests found")''')

    notebooks["writes_gradebook_and_others"] = answered(base, squares=SQUARES + f'''


import pathlib
for target in [pathlib.Path({str(gradebook)!r})] + [pathlib.Path(p) for p in {[str(v) for v in victims]!r}]:
    try:
        with open(target, "ab") as stream:
            stream.write(b"OVERWRITTEN")
        print("WROTE", target)
    except OSError as error:
        print("could not write", target, type(error).__name__)''')

    notebooks["opens_network"] = answered(base, squares=SQUARES + f'''


import socket
for address in [("127.0.0.1", {port}), ("pypi.org", 443)]:
    try:
        socket.create_connection(address, timeout=3).close()
        print("CONNECTED to", address)
    except OSError as error:
        print("no connection to", address, type(error).__name__)''')

    folders = {}
    for student, notebook in notebooks.items():
        folder = destination / student / "example"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / "example.ipynb")
        folders[student] = folder
    broken = destination / "corrupted_file" / "example"
    broken.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(notebooks["correct"])
    (broken / "example.ipynb").write_text(text[: len(text) // 2])  # cut off mid-way, like a failed upload
    folders["corrupted_file"] = broken
    assert set(folders) == set(EXPECTED)
    return folders
