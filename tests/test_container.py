"""The student's container, built and run for real: podman builds the Dockerfile, Chromium uses the result.

The image is built in the background from the start of the session (tests/container_build.py; these
tests run last and wait for it), from the Dockerfile unchanged, on the base the Dockerfile names
(made locally from Debian's archive when podman lacks it: admin/container/base-image.sh). Then, as a
student would:

- run it with a volume on the work folder and the port published on 127.0.0.1: it prints the URL with
  its token; tini is PID 1 and JupyterLab runs as jovyan;
- inside the running container, no file anywhere holds a solution, a hidden test or a source notebook;
- in Chromium (tests/test_browser.py's helpers): open the URL, open assignment 1's student notebook,
  the course style applies, type a correct `normalize`, its hook passes; Validate on the part of the
  notebook that holds it (not the whole notebook, which makes the notMNIST data first: see the test);
- stop it; a new container on the same volume still has the edit;
- the image built with PREFETCH_DATA=mnist from a data mirror on 127.0.0.1 (no other host reachable) holds
  the mirror's files, verified.

Without podman the tests skip and say why; `make test` installs it on Debian (admin/apt-packages-dev.txt).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import socket
import subprocess
import sysconfig
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests import container_build
from tests.conftest import REPO
from tests.container_build import IMAGE, PODMAN, PREFETCH_IMAGE
from tests.test_browser import (
    ASSIGNMENT,
    CHROMIUM,
    CHROMIUM_ARGS,
    NOTEBOOK,
    RIGHT_NORMALIZE,
    VIEWPORT,
    Console,
    _chromium_or_skip,
    cell_with,
    expected_heading_border,
    next_cell,
    output,
    replace_line,
    run_and_wait,
    screenshot,
    source,
    wait_idle,
)

pytestmark = pytest.mark.slow

WORK = "/home/jovyan/work"
STUDENT_VERSIONS = "/opt/student-versions"
READY_SECONDS = 180  # from `podman run` to JupyterLab answering, on a loaded machine
STEP_MS = 300_000  # the longest one browser step waits for the state it needs (a loaded CI machine)
# Validate runs the part of assignment 1 a student validates (VALIDATED_CELLS): the imports, normalize and
# load_letter with their hooks and graded cells (about a minute on a loaded machine, not the whole notebook).
VALIDATE_MS = 300_000
VALIDATED_NOTEBOOK = "part2.ipynb"
VALIDATED_CELLS = ("title", "imports", "load_intro", "normalize", "normalize_run", "normalize_tests",
                   "load_letter_intro", "load_letter", "load_letter_run", "load_letter_tests")
TIMINGS = container_build.LOGS / "timings.json"


def podman(*args, timeout: float = 300, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout, input=input)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])} ... failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def record_timing(name: str, seconds: float) -> None:
    """Figures for benchmarks/README.md, kept in build/container/timings.json (the last session's)."""
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {}
    timings[name] = round(seconds, 1)
    TIMINGS.write_text(json.dumps(timings, indent=2))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the image, the volume and the running containers ---------------------------------------------------------

@pytest.fixture(scope="module")
def build():
    reason = container_build.unavailable()
    if reason:
        pytest.skip(reason)
    build = container_build.current()
    assert build is not None, ("the background build did not start: tests/conftest.py starts it after collection "
                               "when tests/test_container.py is collected")
    return build


@pytest.fixture(scope="module")
def image(build) -> str:
    for name in ("base", "image"):
        step = build.wait(name)
        assert step.returncode == 0, f"the container build's step {name} failed:\n{step.tail()}"
    record_timing("build_seconds_in_session", build.steps["image"].seconds)
    return IMAGE


@dataclass
class Container:
    """A running student container: its name, the host port, the URL it printed, what it said."""

    name: str
    port: int
    url: str
    said: str
    ready_seconds: float

    def browser_url(self) -> str:
        """The printed URL, with the port published on the host instead of the container's 8888."""
        return re.sub(r"^http://127\.0\.0\.1:8888/", f"http://127.0.0.1:{self.port}/", self.url)

    @property
    def token(self) -> str:
        return self.url.split("token=")[1]

    def api(self, path: str, put: dict | None = None) -> dict:
        """Jupyter Server's REST API as the student's token allows: GET, or PUT ``put`` as JSON."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/{path}",
                                         data=None if put is None else json.dumps(put).encode(),
                                         method="GET" if put is None else "PUT",
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def logs(self) -> str:
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr

    def exec(self, *command: str, user: str | None = None, input: str | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
        options = ["--user", user] if user else []
        return podman("exec", *(["--interactive"] if input else []), *options, self.name, *command, input=input,
                      timeout=timeout)


def start_container(image: str, volume: str) -> Container:
    """`podman run -d -p 127.0.0.1:PORT:8888 -v VOLUME:/home/jovyan/work IMAGE`; wait for the URL and an answer."""
    port = free_port()
    name = f"course-kit-test-{secrets.token_hex(4)}"
    started = time.monotonic()
    podman("run", "--detach", "--name", name, "--publish", f"127.0.0.1:{port}:8888",
           "--volume", f"{volume}:{WORK}", image)
    deadline = started + READY_SECONDS
    url, said = None, ""
    while time.monotonic() < deadline:
        said = podman("logs", name, check=False).stdout
        match = re.search(r"JupyterLab is running on (\S+): (http://\S+)", said)
        state = podman("inspect", "--format", "{{.State.Running}}", name, check=False).stdout.strip()
        if state == "false":
            raise AssertionError(f"the container stopped at start:\n{said}\n{podman('logs', name).stderr[-3000:]}")
        if match:
            url = match[2]
            container = Container(name, port, url, said, 0.0)
            try:
                container.api("status")
                container.ready_seconds = time.monotonic() - started
                return container
            except OSError:
                pass
        time.sleep(0.5)
    raise AssertionError(f"no JupyterLab answered within {READY_SECONDS} s of `podman run`:\n{said}")


def stop_container(container: Container) -> subprocess.CompletedProcess:
    return podman("stop", "--time", "60", container.name, check=False, timeout=120)


@pytest.fixture(scope="module")
def volume(image):
    name = f"course-kit-test-work-{secrets.token_hex(4)}"
    podman("volume", "create", name)
    try:
        yield name
    finally:
        podman("volume", "rm", "--force", name, check=False)


@pytest.fixture(scope="module")
def containers():
    """Every container the tests started, removed at the end whatever happened."""
    started: list[Container] = []
    try:
        yield started
    finally:
        for container in started:
            podman("rm", "--force", "--time", "10", container.name, check=False, timeout=120)


@pytest.fixture(scope="module")
def student(image, volume, containers) -> Container:
    container = start_container(image, volume)
    containers.append(container)
    record_timing("run_to_ready_seconds_first_start", container.ready_seconds)
    return container


# --- the steps, in order ------------------------------------------------------------------------------------

def test_the_dockerfile_builds_unchanged_on_its_own_base(build, image):
    """`podman build` of the Dockerfile as it is; the base is the image its FROM names, made here if missing."""
    base = re.search(r"^FROM\s+(\S+)", (REPO / "Dockerfile").read_text(), re.M)[1]
    said = build.steps["base"].tail()
    assert f"base image {base}:" in said, said
    history = podman("image", "inspect", "--format", "{{.Config.User}} {{.Config.Entrypoint}} {{.Config.Cmd}}",
                     image).stdout
    assert history.startswith("1000 [tini -g --] [course lab --from /opt/student-versions"), history
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout)
    record_timing("image_megabytes", size / 1e6)


def test_the_container_prints_its_url_and_runs_jupyterlab_as_jovyan(student):
    """It says what it added, prints the URL with its token; tini is PID 1, JupyterLab runs as jovyan (uid 1000)."""
    said = student.said
    assert f"{ASSIGNMENT}: added to {WORK}" in said, said
    assert re.search(rf"JupyterLab is running on {WORK}: http://127\.0\.0\.1:8888/lab\?token=[0-9a-f]{{48}}$",
                     said, re.M), said
    processes = student.exec("python3", "-c", PROCESSES).stdout
    table = json.loads(processes)
    assert table["1"]["name"] == "tini", table
    servers = [p for p in table.values() if "jupyterlab" in p["command"] or "jupyter-lab" in p["command"]]
    assert servers, f"no JupyterLab process in the container: {table}"
    for process in servers:
        assert (process["uid"], process["user"]) == (1000, "jovyan"), process
    assert student.exec("id", "-un").stdout.strip() == "jovyan"


PROCESSES = """
import json, os, pwd
table = {}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        status = dict(line.split(':', 1) for line in open(f'/proc/{pid}/status') if ':' in line)
        command = open(f'/proc/{pid}/cmdline', 'rb').read().replace(b'\\0', b' ').decode()
    except OSError:
        continue
    uid = int(status['Uid'].split()[1])
    table[pid] = {'name': status['Name'].strip(), 'uid': uid, 'user': pwd.getpwuid(uid).pw_name, 'command': command}
print(json.dumps(table))
"""


@functools.lru_cache(maxsize=1)
def solution_lines() -> list[str]:
    """The reference solutions' and hidden tests' own lines: in a source notebook, and in nothing a student gets.

    Every line of length 30 or more inside a BEGIN SOLUTION or BEGIN HIDDEN TESTS block of a source notebook,
    less those that occur anywhere else in the repository's student-facing text (the notebooks outside their
    blocks, course_lib, problem_unittests) or in the Python code of the packages installed here (the image's
    pins: `layers.Dense(128, activation="relu"),` is in Keras' own examples too), which are no secret.
    """
    from course_lib.grading.student_version import HIDDEN, SOLUTION
    from tests.container_scan import lines_of

    inside, outside = set(), []
    for path in sorted((REPO / "notebooks").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            blocks = [match[0] for pattern in (SOLUTION, HIDDEN) for match in pattern.finditer(cell.source)]
            for block in blocks:
                inside |= {line.strip() for line in block.splitlines()[1:-1] if len(line.strip()) >= 30}
            rest = cell.source
            for block in blocks:
                rest = rest.replace(block, "")
            outside.append(rest)
    for folder in ("course_lib", "problem_unittests"):
        outside += [path.read_text(errors="replace") for path in (REPO / folder).rglob("*.py")]
    public = "\n".join(outside)
    installed = set()
    for path in Path(sysconfig.get_paths()["purelib"]).rglob("*.py"):
        installed |= lines_of(path.read_bytes())
    return sorted(line for line in inside if line not in public and line.encode() not in installed)


def scan(container: Container) -> dict:
    needles = solution_lines()
    assert len(needles) > 100, f"only {len(needles)} solution lines to look for: is the extraction broken?"
    script = (REPO / "tests" / "container_scan.py").read_text()
    result = container.exec("python3", "-c", script, json.dumps(needles), user="root", timeout=600)
    return json.loads(result.stdout)


def test_the_scan_finds_the_sources_where_they_are():
    """The scan can fail: on the repository's own notebooks it finds blocks, notebooks and solution lines."""
    from tests.container_scan import scan as scan_folder

    needles = solution_lines()
    report = scan_folder(str(REPO / "notebooks"), needles)
    found = {Path(hit["path"]).name for hit in report["markers"] if hit["block"] and hit["notebook"]}
    assert f"{NOTEBOOK}" in found, report["markers"]
    seen = {line for hit in report["needles"] for line in hit["lines"]}
    assert seen == set(needles), f"lines the scan cannot find where they are: {sorted(set(needles) - seen)[:5]}"


def test_no_solution_hidden_test_or_source_notebook_anywhere_in_the_container(student):
    """Every file of the running container (as root; not /proc, /sys, /dev): no solution, hidden test or source.

    The words BEGIN SOLUTION and BEGIN HIDDEN TESTS appear only in the Python code of installed packages
    (nbgrader and course_lib name them in order to find and remove them: their .py files and the bytecode of
    those), never in a notebook or any other file; nbgrader's own test suite and documentation, which hold
    example source notebooks, are left out of the image. No line of this course's solutions or hidden tests is
    anywhere.
    """
    report = scan(student)
    assert report["files"] > 10_000 and report["bytes"] > 1e9, f"the scan read too little: {report['files']} files"
    assert not report["needles"], f"solution or hidden-test lines found in the container: {report['needles'][:5]}"
    leaks = [hit for hit in report["markers"]
             if hit["notebook"] or not hit["packaged"] or not hit["path"].endswith((".py", ".pyc"))]
    assert not leaks, f"solution or hidden-test markers outside installed packages' code: {leaks}"
    notebooks = student.exec("find", "/", "-xdev", "-name", "*.ipynb", "-not", "-path", f"{STUDENT_VERSIONS}/*",
                             "-not", "-path", f"{WORK}/*", "-not", "-path", "/opt/venv/*", user="root").stdout.split()
    assert not notebooks, f"notebooks outside the student versions and the work folder: {notebooks}"


class Lab:
    """The browser page on the container's JupyterLab, in the shape tests/test_browser.py's helpers take."""

    def __init__(self, page):
        self.page = page

    def notebook(self):
        return self.page.locator(".jp-NotebookPanel:visible .jp-Notebook")


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def saved_source(container: Container) -> str:
    """Assignment 1's notebook as the container's JupyterLab serves it from the volume: every cell's source."""
    served = container.api(f"contents/{ASSIGNMENT}/{NOTEBOOK}")
    return "\n".join("".join(cell["source"]) for cell in served["content"]["cells"])


def save_part_to_validate(container: Container) -> str:
    """Assignment 1's cells VALIDATED_CELLS as the student saved them, unchanged (metadata included), saved by the
    container's server beside the notebook as VALIDATED_NOTEBOOK; its path in the work folder."""
    served = container.api(f"contents/{ASSIGNMENT}/{NOTEBOOK}")["content"]
    cells = {cell["metadata"].get("nbgrader", {}).get("grade_id"): cell for cell in served["cells"]}
    missing = [name for name in VALIDATED_CELLS if name not in cells]
    assert not missing, f"assignment 1's student version has no cells {missing}: update VALIDATED_CELLS"
    part = {**served, "cells": [cells[name] for name in VALIDATED_CELLS]}
    path = f"{ASSIGNMENT}/{VALIDATED_NOTEBOOK}"
    container.api(f"contents/{path}", put={"type": "notebook", "format": "json", "content": part})
    return path


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` every half second until it holds; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s")
        time.sleep(0.5)


PROMPT_QUEUED_OR_RUN = "cell => /\\[(\\*|\\d+)\\]/.test(cell.querySelector('.jp-InputPrompt')?.textContent || '')"


def run_first_cell(page, cell, what: str, tries: int = 3) -> None:
    """Shift+Enter in the notebook's first cell, and again if JupyterLab dropped it, as a student would.

    Until the notebook's session has its kernel, JupyterLab "runs" a cell by clearing its prompt and moving on
    (its ``hasNoKernel`` case), even after the toolbar's indicator says idle: seen with this container on a slow
    day, the prompt left at "[ ]" for good. A queued or running cell shows "[*]", a finished one "[1]".
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        cell.locator(".cm-content").click()
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(PROMPT_QUEUED_OR_RUN, arg=cell.element_handle(), timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    wait_ran(page, cell, what)


def wait_ran(page, cell, what: str) -> None:
    """Wait until ``cell`` has run (its prompt holds a number); fail with its output otherwise."""
    try:
        page.wait_for_function("cell => /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt')?.textContent || '')",
                               arg=cell.element_handle(), timeout=STEP_MS)
    except Exception as error:
        screenshot(page, "container-failed-run")
        raise AssertionError(f"{what} did not run within {STEP_MS / 1000:.0f} s; its output: {output(cell)!r}") \
            from error


def wait_styled(page) -> None:
    """Wait until the course style reaches the notebook's problem headings (looked up afresh each time: JupyterLab
    renders and replaces cells as the notebook scrolls)."""
    expected = expected_heading_border()
    query = ("() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
             ".jp-RenderedMarkdown h2')).map(node => getComputedStyle(node).borderBottom)")
    try:
        page.wait_for_function(f"expected => ({query})().includes(expected)", arg=expected, timeout=STEP_MS)
    except Exception as error:
        screenshot(page, "container-failed-style")
        raise AssertionError(f"the course style ({expected}) did not reach the headings: their borders are "
                             f"{page.evaluate(query)}") from error


def test_in_chromium_the_student_types_normalize_and_validates(student, browser):
    """The printed URL, assignment 1's notebook, the course style, a correct `normalize` and its hook; Validate.

    Every step waits for the state it needs (a cell's editor filled in, an output, the saved file), each up to
    STEP_MS: on a loaded machine the container's kernel takes long to start.

    Validate runs on the part of assignment 1 that holds normalize (VALIDATED_CELLS: its own cells, as the student
    saved them, in a notebook of their own), not on the whole notebook, which makes the notMNIST data first and
    would take the container 15 minutes of CI's time. What Validate does in the container is the same either way:
    the toolbar's button, nbgrader's server extension, its validator executing the notebook with the image's
    kernel, course_lib and hooks, the dialog naming the graded cells that fail; the whole notebook's cells are
    run with the same pinned packages by the notebook tests outside the container (pip check holds the image to
    those pins), and tests/test_browser.py validates the whole blank notebook in Chromium.
    """
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(STEP_MS)
    console = Console(page)
    lab = Lab(page)
    page.goto(student.browser_url())
    listing = page.locator(".jp-DirListing-content")
    listing.locator(".jp-DirListing-item", has_text=ASSIGNMENT).dblclick()
    listing.locator(".jp-DirListing-item", has_text=NOTEBOOK).dblclick()
    lab.notebook().locator(".jp-Cell").first.wait_for()
    wait_idle(page, STEP_MS)

    imports = cell_with(lab, "course_lib.setup_notebook()", STEP_MS)
    run_first_cell(page, imports, "the imports cell")
    wait_styled(page)

    solution = cell_with(lab, "def normalize(images)", STEP_MS)
    hook = next_cell(lab, solution)
    assert source(hook).strip() == "tests.test_normalize(normalize)", source(hook)
    replace_line(page, solution, "raise NotImplementedError()", RIGHT_NORMALIZE)
    assert RIGHT_NORMALIZE in source(solution), source(solution)
    run_and_wait(page, solution, "", STEP_MS)
    passed = run_and_wait(page, hook, "Public tests passed: normalize.", STEP_MS)
    assert "Public test failed" not in passed and "Error" not in passed, passed
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=STEP_MS)
    wait_until(lambda: RIGHT_NORMALIZE in saved_source(student), 60, "the edit was not saved to the volume")
    screenshot(page, "container-1-normalize-passed")

    part = save_part_to_validate(student)
    page.goto(student.browser_url().replace("/lab?", f"/lab/tree/{part}?"))
    lab.notebook().locator(".jp-Cell").first.wait_for()
    assert RIGHT_NORMALIZE in source(cell_with(lab, "def normalize(images)", STEP_MS))
    page.locator(".jp-NotebookPanel:visible .jp-Toolbar button[aria-label='Validate'], "
                 ".jp-NotebookPanel:visible .jp-Toolbar button:has-text('Validate')").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-Dialog-header", has_text="Validation").wait_for(timeout=VALIDATE_MS)
    text = dialog.text_content()
    screenshot(page, "container-2-validate")
    # load_letter is still blank: validation fails, naming its graded cell, and no longer names normalize's.
    assert "failed" in text.lower(), text[:2000]
    assert "normalize maps 0..255 to -0.5..0.5 as float32." not in text, text[:3000]
    assert "load_letter skips unreadable files" in text, text[:3000]
    dialog.locator("button", has_text="OK").first.click()
    dialog.wait_for(state="detached")
    console.check("the container's JupyterLab")
    page.close()


def test_a_new_container_on_the_same_volume_keeps_the_edit(image, volume, student, containers):
    """`podman stop` ends it cleanly; a new container on the same volume serves the notebook as the student left it."""
    if RIGHT_NORMALIZE not in saved_source(student):
        pytest.fail("no edit to look for after the restart: the browser step saved none (see its own failure)")
    stopped = stop_container(student)
    assert stopped.returncode == 0, stopped.stderr
    code = podman("inspect", "--format", "{{.State.ExitCode}}", student.name).stdout.strip()
    assert code == "0", f"the container exited with {code}:\n{student.logs()[-3000:]}"
    assert "stopping JupyterLab" in student.logs()

    again = start_container(image, volume)
    containers.append(again)
    record_timing("run_to_ready_seconds_on_a_used_volume", again.ready_seconds)
    assert f"{ASSIGNMENT}: already in {WORK}, left as it is" in again.said, again.said
    assert RIGHT_NORMALIZE in saved_source(again), "the student's normalize is gone"
    assert stop_container(again).returncode == 0


def test_prefetch_data_from_a_local_mirror(build):
    """PREFETCH_DATA=mnist, COURSE_DATA_MIRROR on 127.0.0.1, a network with nothing else: the files are baked in.

    Only MNIST (the dataset the mirror serves): PREFETCH_DATA=true is the same RUN line with every dataset, and
    generating notMNIST and SVHN takes about 20 minutes of both cores.
    """
    missing = container_build.mirror_missing()
    if missing:
        pytest.skip(missing)
    step = build.wait("prefetch")
    assert step.returncode == 0, ("the PREFETCH_DATA build failed (it has no network but the mirror: every "
                                  "layer before its download must come from the first build's cache, so a file "
                                  f"of the build context changed during the session breaks it):\n{step.tail()}")
    record_timing("prefetch_build_seconds_in_session", step.seconds)
    try:
        record = json.loads(build.mirror_log.read_text())
        assert [line.split(":")[1].strip() for line in record["interfaces"]] == ["lo"], record["interfaces"]
        assert not [route for route in record["routes"] if not route.startswith(("127.", "local"))], record["routes"]
        served = sorted(request["path"] for request in record["requests"] if request["status"] == 200)
        assert served == ["/mnist/t10k-images-idx3-ubyte.gz", "/mnist/t10k-labels-idx1-ubyte.gz"], record["requests"]

        env = podman("image", "inspect", "--format", "{{json .Config.Env}}", PREFETCH_IMAGE).stdout
        assert "COURSE_DATA_MIRROR" not in env, f"the mirror is for the build only, yet the image sets it: {env}"
        listing = podman("run", "--rm", "--network", "none", PREFETCH_IMAGE, "course", "data", "list",
                         timeout=600).stdout
        rows = {tuple(line.split()[:2]): line for line in listing.splitlines() if line.strip()}
        assert "cache: /opt/course-data/mnist" in rows[("mnist", "test")], listing
        assert "yes (" in rows[("mnist", "test")], listing
        baked = podman("run", "--rm", "--network", "none", PREFETCH_IMAGE, "ls", "/opt/course-data").stdout.split()
        assert baked == ["mnist"], f"PREFETCH_DATA=mnist baked in more (or less) than MNIST: {baked}"
    finally:
        podman("rmi", "--force", PREFETCH_IMAGE, check=False)
