"""The student's path in a real browser: `course lab`, JupyterLab, the hooks, nbgrader's Validate and Assignments.

Debian's Chromium, driven by Playwright with the system browser. JupyterLab is started by the real
`course lab` command (a token, a free port on 127.0.0.1, a temporary work folder holding assignment 1's
student version), and the tests are the steps of one session, run in file order as a student works:

- open assignment 1's student notebook from the file browser; the course style applies;
- run all cells of the blank notebook: the first exercise stops it with NotImplementedError;
- nbgrader's Validate button: the blank notebook fails, and the dialog names the failing cells;
- type a wrong, then a correct `normalize` into the editor: the hook's hint, then its pass;
- write Part 1's plotting function through the editor: the letter grid renders;
- nbgrader's Assignments tab: fetch a released assignment, submit both; `course collect` finds them;
- as the instructor (`course lab --instructor`), the formgrader shows the assignment and its submission.

A step whose earlier step failed skips and says which. Each step saves a screenshot under
build/browser/ (named by the issue's step numbers). Every console error, uncaught exception and failed
request to nbgrader's handlers fails the step that caused it. Without Chromium (or Playwright) the
tests skip and say why.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import FIXTURE_COURSE, REPO, run_course

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_notmnist"
NOTEBOOK = "notmnist.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking switches Chromium dials out at start; on a closed network those
# connections are refused and slow everything down.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOTS = REPO / "build" / "browser"
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 120_000  # the longest a single step may wait (a loaded CI machine)

WRONG_NORMALIZE = "return np.asarray(images, dtype=np.float32) / 255"
RIGHT_NORMALIZE = "return (np.asarray(images, dtype=np.float32) - 127.5) / 255"
# Part 1, typed line by line as a student would: after Enter the editor indents as Python needs
# (deeper after a colon); each "\b" starting a line is a Backspace, one indentation level back.
LETTER_GRID = [
    "rng = np.random.default_rng(seed)",
    "images, titles = [], []",
    "for letter in LETTERS:",
    'for path in rng.choice(sorted((Path(root) / letter).glob("*.png")), per_letter, replace=False):',
    'images.append(np.asarray(Image.open(path).convert("L").resize((28, 28))))',
    "titles.append(letter)",
    "\b\breturn plotting.show_images(images, titles)",
]


def _chromium_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (the dev extra: `make install`)")
    if not CHROMIUM.is_file():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}: `make test` installs it as root "
                    "(admin/apt-packages-dev.txt); as another user, `apt-get install chromium chromium-driver`")
    return sync_playwright


# --- the two JupyterLab servers, started by the real `course lab` -----------------------------------------------

class CourseLab:
    """`course lab ...` running in the background: its JupyterLab URL (with token), its output, a clean stop."""

    def __init__(self, args, env, log: Path):
        self.log = log
        self.output = open(log, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([sys.executable, "-m", "course_lib", "lab", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=self.output, text=True, cwd=env["HOME"])
        self.lines = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"course lab stopped before JupyterLab ran:\n{''.join(self.lines)}"
                                     f"\n{log.read_text()[-3000:]}")
            self.lines.append(line)
            match = re.search(r"JupyterLab is running on (\S+): (http://\S+)", line)
            if match:
                self.root, self.url = Path(match[1]), match[2]
                return
        raise AssertionError("course lab printed no URL within 300 s")

    def at(self, path: str) -> str:
        base, token = self.url.split("?")
        return f"{base.rsplit('/lab', 1)[0]}/{path.lstrip('/')}?{token}"

    def stop(self) -> int:
        """SIGTERM, as `docker stop` sends: course lab shuts JupyterLab down and exits. Returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.output.close()
        return self.process.returncode


def _environment(home: Path, cache: Path) -> dict:
    """A student's environment, isolated: own HOME, Jupyter folders, settings and dataset cache; offline."""
    config = home / ".jupyter"
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # JupyterLab asks whether to fetch Jupyter's news: not on a closed network, and not over the notebook.
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(config), JUPYTER_DATA_DIR=str(home / "data"),
               COURSE_CACHE_DIR=str(cache), COURSE_OFFLINE="1", COURSE_PROGRESS="0",
               TF_CPP_MIN_LOG_LEVEL="2")
    for name in ("COURSE_ROOT", "COURSE_WORKDIR", "COURSE_EXCHANGE", "COURSE_FAST_MODE", "NBGRADER_EXECUTION",
                 "JUPYTER_TOKEN", "JUPYTER_CONFIG_PATH"):
        env.pop(name, None)
    return env


def _release(course: Path, exchange: Path, env: dict) -> None:
    """The instructor releases assignment 1 and the example to the exchange (`course release`)."""
    for name in (ASSIGNMENT, "example"):
        released = run_course("release", name, "--exchange", str(exchange), env=env, cwd=course)
        assert released.returncode == 0, released.stderr


def _prepare_data(cache: Path) -> None:
    """The notMNIST archives the notebook's fast mode reads (what `course autograde` prepares too)."""
    code = f"from course_lib.project import prepare_for_grading; prepare_for_grading({ASSIGNMENT!r})"
    env = dict(os.environ, COURSE_CACHE_DIR=str(cache), COURSE_OFFLINE="1", COURSE_PROGRESS="0")
    result = subprocess.run([sys.executable, "-c", code], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """An instructor's course (assignment 1 and the small example, both released) and a student's `course lab`.

    The data and the release are made in the background while JupyterLab starts; the steps that need
    them wait for them (``Classroom.ready``).
    """
    sync_playwright = _chromium_or_skip()
    scratch = tmp_path_factory.mktemp("browser")
    cache, exchange = scratch / "cache", scratch / "exchange"
    course = scratch / "course"
    shutil.copytree(REPO / "admin", course / "admin")
    shutil.copytree(REPO / "notebooks" / ASSIGNMENT, course / "notebooks" / ASSIGNMENT)
    shutil.copytree(FIXTURE_COURSE / "notebooks" / "example", course / "notebooks" / "example")
    instructor_env = {"COURSE_ROOT": str(course), "COURSE_CACHE_DIR": str(cache)}
    background = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    work = {"data": background.submit(_prepare_data, cache),
            "release": background.submit(_release, course, exchange, instructor_env)}

    student_home = scratch / "student"
    student_home.mkdir()
    env = _environment(student_home, cache)  # no COURSE_ROOT: `course lab` finds the course as on a fresh clone
    workdir = student_home / "course-kit-work"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    student = CourseLab([ASSIGNMENT, "--workdir", str(workdir), "--exchange", str(exchange), "--fast",
                         "--no-browser"], env, scratch / "student-lab.log")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        room = Classroom(course, exchange, workdir, student, instructor_env, browser, scratch, work)
        try:
            yield room
        finally:
            browser.close()
            student.stop()
            background.shutdown(wait=True)


class Classroom:
    """What the steps share: the student's browser page, the servers, the folders, the background work."""

    def __init__(self, course, exchange, workdir, student, instructor_env, browser, scratch, work):
        self.course, self.exchange, self.workdir = course, exchange, workdir
        self.student, self.instructor_env, self.browser, self.scratch = student, instructor_env, browser, scratch
        self.work = work
        self.page = browser.new_page(viewport=VIEWPORT)
        self.page.set_default_timeout(TIMEOUT_MS)
        self.console = Console(self.page)
        self.done: set[str] = set()

    def needs(self, *steps: str) -> None:
        """Skip, saying why, when an earlier step this one builds on did not pass (the steps run in file order)."""
        missing = [step for step in steps if step not in self.done]
        if missing:
            pytest.skip(f"needs the earlier step(s) {', '.join(missing)}, which did not pass: run the whole file")

    def ready(self, name: str) -> None:
        """Wait for the background work ``name`` ("data", "release"); its failure fails the step."""
        self.work[name].result(timeout=600)

    def notebook(self):
        return self.page.locator(".jp-NotebookPanel:visible .jp-Notebook")


class Console:
    """Console errors and uncaught exceptions of a page, for the step that caused them."""

    def __init__(self, page):
        self.errors = []
        page.on("console", lambda message: self.errors.append(
            f"console.error: {message.text} ({message.location.get('url', '')})") if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("response", lambda response: self.errors.append(
            f"HTTP {response.status} {response.request.method} {response.url.split('?')[0]}")
            if response.status >= 500 or (response.status >= 400 and _ours(response.url)) else None)

    def check(self, step: str) -> None:
        errors, self.errors[:] = list(self.errors), []
        assert not errors, f"{step}: the browser reported errors:\n" + "\n".join(errors)


def _ours(url: str) -> bool:
    """Requests served by nbgrader's extensions (the course's own server side)."""
    path = url.split("?")[0]
    return any(part in path for part in ("/assignments", "/validate", "/formgrader", "/nbgrader", "/courses"))


def assignment(listing, name: str):
    """An assignment's row in one of the Assignments tab's lists (not the rows of its notebooks)."""
    return listing.locator(".list_item:not(.nested_list_item)", has_text=name)


def screenshot(page, name: str) -> Path:
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- helpers that act as a student does: menus, the editor, Shift+Enter --------------------------------------

def menu(page, top: str, item: str) -> None:
    page.locator(f".lm-MenuBar-itemLabel:text-is('{top}')").click()
    page.locator(f".lm-Menu-itemLabel:text-is('{item}')").click()


def code_cells(room):
    return room.notebook().locator(".jp-CodeCell")


def cell_with(room, text: str, timeout: float = TIMEOUT_MS):
    """The code cell whose source contains ``text`` (exactly one), waiting for it: JupyterLab fills the cells'
    editors in after the notebook panel appears, the ones further down last."""
    from playwright.sync_api import expect

    cells = code_cells(room).filter(has=room.page.locator(".jp-InputArea-editor", has_text=text))
    expect(cells, f"expected one code cell holding {text!r}").to_have_count(1, timeout=timeout)
    return cells.first


def next_cell(room, cell):
    index = _index(room, cell)
    return code_cells(room).nth(index + 1)


def _index(room, cell) -> int:
    handle = cell.element_handle()
    return code_cells(room).evaluate_all("(cells, target) => cells.indexOf(target)", handle)


def source(cell) -> str:
    return cell.locator(".cm-content").evaluate("node => Array.from(node.querySelectorAll('.cm-line'))"
                                                ".map(line => line.textContent).join('\\n')")


def output(cell) -> str:
    return cell.locator(".jp-OutputArea").text_content() or ""


def replace_line(page, cell, old: str, lines) -> None:
    """Select the line reading ``old`` in the cell's editor and type ``lines`` in its place, key by key."""
    cell.locator(".cm-line", has_text=old).first.click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")  # to the start of the line's text: the indentation stays
    for number, line in enumerate([lines] if isinstance(lines, str) else lines):
        if number:
            page.keyboard.press("Enter")
        while line.startswith("\b"):
            page.keyboard.press("Backspace")
            line = line[1:]
        page.keyboard.type(line)


def run_and_wait(page, cell, expected: str, timeout: float = TIMEOUT_MS) -> str:
    """Shift+Enter in ``cell`` (which runs it and moves on); wait until its output contains ``expected``."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("([cell, text]) => (cell.querySelector('.jp-OutputArea')?.textContent || '')"
                           ".includes(text)", arg=[cell.element_handle(), expected], timeout=timeout)
    return output(cell)


def wait_idle(page, timeout: float = TIMEOUT_MS) -> None:
    """Until the visible notebook has its kernel and the kernel is idle.

    A cell run before the notebook has a kernel is not run at all: JupyterLab clears its prompt and moves on
    (its ``hasNoKernel`` case, the toolbar still saying "No Kernel"), as a container's test once met.
    """
    from playwright.sync_api import expect

    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout)
    expect(page.locator(".jp-NotebookPanel:visible .jp-KernelName")).not_to_have_text(
        re.compile(r"^\s*(No Kernel)?\s*$"), timeout=timeout)


def expected_heading_border() -> str:
    """``border-bottom`` of problem headings, from admin/custom.css, as the browser computes it."""
    css = (REPO / "admin" / "custom.css").read_text()
    block = re.search(r"\.jp-RenderedMarkdown h2\s*\{([^}]*)\}", css)[1]
    width, style, colour = re.search(r"border-bottom:\s*(\S+)\s+(\S+)\s+#([0-9a-fA-F]{6})", block).groups()
    red, green, blue = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"{width} {style} rgb({red}, {green}, {blue})"


# --- the steps, in order ----------------------------------------------------------------------------------------

def test_course_lab_started_jupyterlab_on_a_student_work_folder(classroom):
    """`course lab` said what it added, listens on 127.0.0.1 with a token, and its folder has no solutions."""
    from course_lib.lab import secrets_in

    said = "".join(classroom.student.lines)
    assert f"{ASSIGNMENT}: added to {classroom.workdir}" in said, said
    assert classroom.student.url.startswith("http://127.0.0.1:") and "token=" in classroom.student.url
    assert classroom.student.root == classroom.workdir
    assert not secrets_in(classroom.workdir)


def test_student_opens_the_notebook_and_the_course_style_applies(classroom):
    """From the file browser, as a student: the folder, then the notebook; the course style applies once run."""
    page = classroom.page
    page.goto(classroom.student.url)
    listing = page.locator(".jp-DirListing-content")
    listing.locator(".jp-DirListing-item", has_text=ASSIGNMENT).dblclick()
    listing.locator(".jp-DirListing-item", has_text=NOTEBOOK).dblclick()
    classroom.notebook().locator(".jp-Cell").first.wait_for()
    wait_idle(page)
    names = [item.text_content().strip() for item in listing.locator(".jp-DirListing-itemName").all()]
    assert names == [NOTEBOOK], f"the student's assignment folder should hold the notebook only, shows {names}"

    heading = classroom.notebook().locator(".jp-RenderedMarkdown h2").first
    border = "node => getComputedStyle(node).borderBottom"
    assert heading.evaluate(border) != expected_heading_border(), "the course style applied before any cell ran"
    imports = cell_with(classroom, "course_lib.setup_notebook()")
    imports.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("([node, expected]) => getComputedStyle(node).borderBottom === expected",
                           arg=[heading.element_handle(), expected_heading_border()], timeout=TIMEOUT_MS)
    screenshot(page, "1-student-notebook")
    classroom.console.check("opening the notebook")
    classroom.done.add("opened")


def test_run_all_stops_at_the_first_exercise(classroom):
    """Run > Run All Cells: every cell before the first exercise runs cleanly; that one shows NotImplementedError."""
    classroom.needs("opened")
    page = classroom.page
    classroom.ready("data")
    menu(page, "Run", "Run All Cells")
    first_error = classroom.notebook().locator(
        ".jp-CodeCell:has(.jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'])").first
    first_error.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    first_error.scroll_into_view_if_needed()
    index = _index(classroom, first_error)
    cells = code_cells(classroom)
    exercise = next(i for i in range(cells.count()) if "raise NotImplementedError()" in source(cells.nth(i)))
    assert index == exercise + 1, (f"the first failing cell is code cell {index}, expected {exercise + 1} (the one "
                                   f"calling the first exercise):\n{source(first_error)}\n{output(first_error)}")
    assert "NotImplementedError" in output(first_error), output(first_error)
    for i in range(index):
        prompt = cells.nth(i).locator(".jp-InputPrompt").text_content().strip()
        assert re.fullmatch(r"\[\d+\]:", prompt), f"code cell {i} did not run ({prompt}):\n{source(cells.nth(i))}"
    screenshot(page, "2-run-all-blank")
    classroom.console.check("running all cells")
    classroom.done.add("ran")


def test_validate_button_fails_the_blank_notebook_naming_its_cells(classroom):
    """nbgrader's Validate button: the blank notebook fails, and the dialog names each failing graded cell."""
    classroom.needs("opened")
    page = classroom.page
    page.locator(".jp-NotebookPanel:visible .jp-Toolbar button[aria-label='Validate'], "
                 ".jp-NotebookPanel:visible .jp-Toolbar button:has-text('Validate')").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-Dialog-header", has_text="Validation").wait_for(timeout=TIMEOUT_MS)
    text = dialog.text_content()
    student = nbformat.read(classroom.workdir / ASSIGNMENT / NOTEBOOK, as_version=4)
    graded = [cell.source.splitlines()[0].strip('"') for cell in student.cells
              if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")]
    assert "failed" in text.lower(), text[:2000]
    missing = [docstring for docstring in graded if docstring not in text]
    assert not missing, f"the validation dialog does not name these failing cells: {missing}\n{text[:2000]}"
    screenshot(page, "4-validate-blank")
    dialog.locator("button", has_text="OK").first.click()
    dialog.wait_for(state="detached")
    classroom.console.check("validating")
    classroom.done.add("validated")


def test_hook_hints_then_passes_as_the_student_types(classroom):
    """Type a wrong `normalize`: the hook names the mistake. Type the right one: "Public tests passed"."""
    classroom.needs("opened")
    page = classroom.page
    solution = cell_with(classroom, "def normalize(images)")
    hook = next_cell(classroom, solution)
    assert source(hook).strip() == "tests.test_normalize(normalize)", source(hook)

    replace_line(page, solution, "raise NotImplementedError()", WRONG_NORMALIZE)
    assert WRONG_NORMALIZE in source(solution), source(solution)
    run_and_wait(page, solution, "")
    hint = run_and_wait(page, hook, "0 should become -0.5")
    assert "subtract half the pixel depth" in hint, hint
    # the hint alone, as the student should read it: no traceback through the hook's own code
    assert "Public test failed for normalize" in hint, hint
    assert "problem_unittests" not in hint and "Traceback" not in hint and "checks.py" not in hint, hint
    screenshot(page, "3-hook-hint")

    replace_line(page, solution, WRONG_NORMALIZE, RIGHT_NORMALIZE)
    assert RIGHT_NORMALIZE in source(solution) and WRONG_NORMALIZE not in source(solution), source(solution)
    run_and_wait(page, solution, "")
    passed = run_and_wait(page, hook, "Public tests passed: normalize.")
    assert "Error" not in passed, passed
    solution.scroll_into_view_if_needed()
    screenshot(page, "3-hook-passed")
    classroom.console.check("typing normalize")
    classroom.done.add("normalize")


def test_a_plot_cell_renders_the_letter_grid(classroom):
    """Part 1 written through the editor: its cell draws the grid of letters, and its hook passes."""
    classroom.needs("ran")
    page = classroom.page
    solution = cell_with(classroom, "def show_letter_samples(")
    replace_line(page, solution, "raise NotImplementedError()", LETTER_GRID)
    typed = source(solution)
    assert "        titles.append(letter)\n    return plotting.show_images(images, titles)" in typed, typed
    run_and_wait(page, solution, "")
    plot = next_cell(classroom, solution)
    text = run_and_wait(page, plot, "Public tests passed: show_letter_samples.")
    assert "Error" not in text, text
    image = plot.locator(".jp-OutputArea-output[data-mime-type='image/png'] img").first
    image.wait_for()
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width > 300 and height > 300, f"the letter grid is {width}x{height} pixels"
    image.scroll_into_view_if_needed()
    path = screenshot(page, "plot-letter-grid")
    assert path.stat().st_size > 20_000
    page.keyboard.press("Control+s")  # save: the submission below is this notebook
    page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
                           ".jp-mod-dirty, .lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=TIMEOUT_MS)
    classroom.console.check("the letter grid")
    classroom.done.add("plotted")


def test_assignments_tab_fetches_and_submits(classroom):
    """Nbgrader > Assignment List: fetch the released example, submit both; `course collect` finds them."""
    classroom.needs("normalize", "plotted")
    page = classroom.page
    classroom.ready("release")
    menu(page, "Nbgrader", "Assignment List")
    released, fetched, submitted = (page.locator(f"#{kind}_assignments_list")
                                    for kind in ("released", "fetched", "submitted"))
    assignment(released, "example").wait_for()
    assert assignment(fetched, ASSIGNMENT).count() == 1, fetched.text_content()
    assignment(released, "example").locator("button", has_text="Fetch").click()
    assignment(fetched, "example").wait_for()
    assert (classroom.workdir / "example" / "example.ipynb").is_file()
    for name in (ASSIGNMENT, "example"):
        assignment(fetched, name).locator("button", has_text="Submit").click()
        assignment(submitted, name).first.wait_for()
    screenshot(page, "5-assignments-tab")
    classroom.console.check("the Assignments tab")

    for name in (ASSIGNMENT, "example"):
        collected = run_course("collect", name, "--exchange", str(classroom.exchange), env=classroom.instructor_env,
                               cwd=classroom.course)
        assert collected.returncode == 0, collected.stderr
        assert f"{name}: 1 submission(s)" in collected.stdout + collected.stderr, collected.stdout + collected.stderr
    submitted = list((classroom.course / "submitted").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))
    assert len(submitted) == 1, submitted
    assert RIGHT_NORMALIZE in submitted[0].read_text(), "the collected notebook is not the one the student typed in"
    classroom.done.add("submitted")


def test_formgrader_shows_the_assignment_to_the_instructor(classroom):
    """`course lab --instructor`: Nbgrader > Formgrader lists assignment 1 with its one submission."""
    classroom.needs("submitted")
    home = classroom.scratch / "instructor"
    home.mkdir()
    env = _environment(home, Path(classroom.instructor_env["COURSE_CACHE_DIR"]))
    env["COURSE_ROOT"] = str(classroom.course)
    instructor = CourseLab(["--instructor", "--exchange", str(classroom.exchange), "--no-browser"], env,
                           classroom.scratch / "instructor-lab.log")
    try:
        page = classroom.browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(TIMEOUT_MS)
        console = Console(page)
        page.goto(instructor.url)
        page.locator(".jp-DirListing-item").first.wait_for()
        menu(page, "Nbgrader", "Formgrader")
        frame = page.frame_locator("iframe[src*='formgrader']")
        row = frame.locator("tr", has_text=ASSIGNMENT).first
        row.wait_for()
        cells = [text.strip() for text in row.locator("td").all_text_contents()]
        assert cells[0] == ASSIGNMENT and "released" in cells, cells
        assert "1" in cells, f"the formgrader should count one submission of {ASSIGNMENT}: {cells}"
        screenshot(page, "6-formgrader")
        console.check("the formgrader")
        page.close()
    finally:
        assert instructor.stop() == 0, instructor.log.read_text()[-2000:]


def test_course_lab_stops_cleanly(classroom):
    """The student's course lab, sent SIGTERM (as `docker stop` does), stops JupyterLab and exits 0."""
    code = classroom.student.stop()
    assert code == 0, classroom.student.log.read_text()[-2000:]
    said = classroom.student.process.stdout.read()
    assert "stopping JupyterLab" in said, said
