"""No solution reaches a student, reasoned from the Dockerfile and its build context, without building it.

Every file a stage copies from the context (.dockerignore applied as Docker applies it) is scanned (a
source notebook, a solution or hidden-test block, a model answer marks the stage as holding secrets); a
stage built on one that holds secrets holds them too; the final stage may take from such a stage only the
folder that `course lab --no-start` builds there (that command builds the student versions and refuses one
that leaks). Fast, and needs no container engine: it catches a leaking change to the Dockerfile on any
machine. The built image itself is checked by tests/test_container.py (podman builds it, and every file of
the running container is scanned), which also proves what this file used to replay by hand: the build
stage's `course lab --no-start` and the container's start.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

from course_lib.lab.secrets import file_secrets
from tests.conftest import REPO
from tests.test_environment import dockerfile_instructions

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


# ---------------------------------------------------------------------------
# The build context, as Docker computes it from .dockerignore
# ---------------------------------------------------------------------------

def _pattern_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go's filepath.Match plus `**`) as a regular expression on a relative path."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                out += "(?:.*/)?"
            else:
                out += ".*"
            continue
        char = pattern[i]
        out += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char))
        i += 1
    return re.compile(out + r"\Z")


def parse_dockerignore(text: str) -> list[tuple[bool, re.Pattern]]:
    """(is an exception `!`, pattern) per line, in order; paths cleaned as Docker cleans them."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = os.path.normpath(line[1:] if negated else line).lstrip("/")
        rules.append((negated, _pattern_regex(line)))
    return rules


def is_ignored(path: str, rules) -> bool:
    """Docker's rule: the last pattern matching the path, or one of its parent folders, decides."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for negated, regex in rules:
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


@functools.lru_cache(maxsize=8)
def context_files(root: Path, dockerignore: str) -> tuple[str, ...]:
    """Every file of the build context, as paths relative to ``root`` (the same answer for the same inputs)."""
    rules = parse_dockerignore(dockerignore)
    may_reinclude = any(negated for negated, _ in rules)
    files = []
    for folder, subfolders, names in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if not may_reinclude:
            subfolders[:] = [name for name in subfolders if not is_ignored(prefix + name, rules)]
        files += [prefix + name for name in names if not is_ignored(prefix + name, rules)]
    return tuple(sorted(files))


# ---------------------------------------------------------------------------
# The Dockerfile's stages
# ---------------------------------------------------------------------------

@dataclass
class Stage:
    key: str  # its name (`AS name`), else its index
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def runs(self) -> list[str]:
        return [arguments for keyword, arguments in self.instructions if keyword == "RUN"]

    def env(self) -> dict[str, str]:
        values = {}
        for keyword, arguments in self.instructions:
            if keyword == "ENV":
                values.update(dict(re.findall(r"(\w+)=(\S+)", arguments)))
        return values


def parse_stages(text: str) -> list[Stage]:
    stages = []
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "FROM":
            words = [word for word in arguments.split() if not word.startswith("--")]
            key = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(key, words[0]))
        elif stages:
            stages[-1].instructions.append((keyword, arguments))
    return stages


def copy_parts(arguments: str) -> tuple[dict[str, str], list[str], str]:
    """COPY/ADD arguments -> (flags, sources, destination); both the shell and the JSON forms."""
    words = shlex.split(arguments)
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0).partition("=")
        flags[name] = value
    if words and words[0].startswith("["):
        words = json.loads(" ".join(words))
    return flags, words[:-1], words[-1]


def context_sources(sources: list[str], files) -> tuple[list[str], list[str]]:
    """(context files that ``sources`` copy, sources that match nothing)."""
    chosen, unmatched = set(), []
    for source in sources:
        source = os.path.normpath(source).lstrip("/")
        if source == ".":
            hits = set(files)
        else:
            hits = {f for f in files if fnmatch.fnmatchcase(f, source) or f.startswith(source.rstrip("/") + "/")
                    or any(fnmatch.fnmatchcase(str(parent), source) for parent in PurePosixPath(f).parents)}
        if not hits:
            unmatched.append(source)
        chosen |= hits
    return sorted(chosen), unmatched


def context_secrets(files: list[str], root: Path) -> list[str]:
    """Why each of these context files must not reach a student (empty: none must not)."""
    problems = []
    for file in files:
        if file.startswith("notebooks/") and file.endswith(".ipynb"):
            problems.append(f"{file}: a source notebook")
        else:
            problems += [f"{file}: {problem}" for problem in file_secrets(root / file)]
    return problems


def shell_commands(run: str) -> list[list[str]]:
    """A RUN line's simple commands, as words: split at `&&`, `||`, `;`, `|` and redirections, quotes respected."""
    lexer = shlex.shlex(run, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, words = [], []
    for token in lexer:
        if token and set(token) <= set("&|;<>()"):
            commands.append(words)
            words = []
        else:
            words.append(token)
    return [command for command in [*commands, words] if command]


def course_lab_command(run: str) -> list[str] | None:
    """The arguments of the `course lab ...` command in a RUN line (None when it has none)."""
    for words in shell_commands(run):
        if words[:2] == ["course", "lab"]:
            return words[2:]
    return None


def parse_course_lab(arguments: list[str]):
    from course_lib.cli import build_parser

    return build_parser().parse_args(["lab", *arguments])


def student_version_folders(stage: Stage) -> list[str]:
    """Folders of this stage written by `course lab --no-start` (checked student versions, nothing else)."""
    folders = []
    for run in stage.runs():
        arguments = course_lab_command(run)
        if arguments is not None:
            args = parse_course_lab(arguments)
            if args.no_start and args.workdir:
                folders.append(str(args.workdir))
    return folders


def final_stage_problems(dockerfile: str, dockerignore: str, root: Path) -> list[str]:
    """Why the final stage would hold a source notebook, a solution or a hidden test (empty: it holds none)."""
    files = context_files(root, dockerignore)
    stages = parse_stages(dockerfile)
    if not stages:
        return ["no FROM"]
    secrets: dict[str, list[str]] = {}
    problems_of: dict[str, list[str]] = {}
    for stage in stages:
        held = list(secrets.get(stage.base, []))
        problems = list(problems_of.get(stage.base, []))
        for keyword, arguments in stage.instructions:
            if keyword not in ("COPY", "ADD"):
                continue
            flags, sources, destination = copy_parts(arguments)
            origin = flags.get("--from")
            if origin is not None:
                if origin not in secrets:
                    problems.append(f"{keyword} --from={origin}: an image this file cannot look into")
                elif secrets[origin]:
                    allowed = student_version_folders(next(s for s in stages if s.key == origin))
                    for source in sources:
                        if os.path.normpath(source) in allowed:
                            continue
                        held.append(f"{source} from stage {origin}, which holds {secrets[origin][0]}")
                continue
            if any(re.match(r"\w+://", source) for source in sources):
                problems.append(f"{keyword} {arguments}: a download this file cannot look into")
                continue
            chosen, unmatched = context_sources(sources, files)
            problems += [f"{keyword} {source}: matches nothing in the build context" for source in unmatched]
            held += context_secrets(chosen, root)
        secrets[stage.key], problems_of[stage.key] = held, problems
    final = stages[-1].key
    return problems_of[final] + [f"the final stage holds {secret}" for secret in secrets[final]]


# ---------------------------------------------------------------------------
# The checks, on this repository's Dockerfile
# ---------------------------------------------------------------------------

def test_final_stage_holds_no_source_notebook_solution_or_hidden_test():
    """From the Dockerfile and .dockerignore: nothing secret reaches the final stage."""
    problems = final_stage_problems(DOCKERFILE.read_text(), DOCKERIGNORE.read_text(), REPO)
    assert not problems, "the student's image would hold:\n" + "\n".join(problems)


def test_the_build_stage_does_hold_the_sources():
    """The check has something to find: the build stage copies the source notebooks (and so holds secrets)."""
    stages = parse_stages(DOCKERFILE.read_text())
    build = next(stage for stage in stages if student_version_folders(stage))
    copied = [copy_parts(arguments)[1] for keyword, arguments in build.instructions if keyword == "COPY"]
    files, _ = context_sources([source for sources in copied for source in sources],
                               context_files(REPO, DOCKERIGNORE.read_text()))
    assert context_secrets(files, REPO), "the build stage copies no source notebook: what does it build from?"


FINAL_COPY_ALL = '\nCOPY --chown="${NB_UID}:${NB_GID}" . /opt/course\n'


@pytest.mark.parametrize("change, dockerignore_change, expected", [
    (lambda text: text + FINAL_COPY_ALL, None, "notebooks/01_notmnist/notmnist.ipynb: a source notebook"),
    (lambda text: text + '\nCOPY --from=build --chown="${NB_UID}:${NB_GID}" /opt/course /opt/course\n', None,
     "/opt/course from stage build"),
    (lambda text: re.sub(r"^FROM runtime\s*$", "FROM build", text, flags=re.M), None,
     "a source notebook"),
    (lambda text: text + '\nCOPY --chown="${NB_UID}:${NB_GID}" tests /opt/tests\n',
     lambda ignore: ignore.replace("\ntests\n", "\n"), "tests/fixtures/course/notebooks/example/example.ipynb"),
    (lambda text: text + '\nCOPY --chown="${NB_UID}:${NB_GID}" tests /opt/tests\n', None, "matches nothing"),
    (lambda text: text.replace("course lab --no-start --workdir /tmp/student-versions",
                               "cp -r /opt/course/notebooks /tmp/student-versions"), None,
     "/tmp/student-versions from stage build"),
    (lambda text: text + "\nADD https://example.org/answers.tar.gz /opt/\n", None, "a download"),
], ids=["copy-everything", "copy-sources-from-build", "final-on-build", "tests-not-ignored", "missing-source",
        "unchecked-build", "download"])
def test_the_check_catches_a_leak(change, dockerignore_change, expected, tmp_path):
    """Each way of letting a solution into the image is reported, naming what would leak."""
    text, ignore = DOCKERFILE.read_text(), DOCKERIGNORE.read_text()
    changed = change(text)
    assert changed != text, "the change did not apply: update this test's edits to the Dockerfile"
    if dockerignore_change:
        ignore = dockerignore_change(ignore)
    problems = final_stage_problems(changed, ignore, REPO)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize("patterns, path, ignored", [
    ("build", "build/x.png", True),
    ("build", "course_lib/build.py", False),
    ("**/__pycache__", "course_lib/data/__pycache__/a.pyc", True),
    ("**/__pycache__", "__pycache__/a.pyc", True),
    ("*.egg-info", "course_kit.egg-info/PKG-INFO", True),
    ("notebooks\n!notebooks/README.md", "notebooks/README.md", False),
    ("notebooks\n!notebooks/README.md", "notebooks/01_notmnist/notmnist.ipynb", True),
    ("/tests", "tests/test_lab.py", True),
    ("docs/*.md", "docs/images/a.png", False),
])
def test_dockerignore_rules_as_docker_reads_them(patterns, path, ignored):
    assert is_ignored(path, parse_dockerignore(patterns)) is ignored


def test_run_lines_split_into_commands_as_the_shell_does():
    """Quotes are respected: a `;` inside `python3 -c '...'` does not end the command."""
    run = ("python3 -c 'import sys; print(1)' < in.toml > out.txt && course lab --no-start --workdir /tmp/x "
           "|| true")
    assert shell_commands(run) == [["python3", "-c", "import sys; print(1)"], ["in.toml"], ["out.txt"],
                                   ["course", "lab", "--no-start", "--workdir", "/tmp/x"], ["true"]]
    assert course_lab_command(run) == ["--no-start", "--workdir", "/tmp/x"]
