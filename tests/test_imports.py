"""How the library's parts depend on each other: one direction, and nothing heavy on import."""

import ast
import subprocess
import sys

from tests.conftest import REPO

DATA = REPO / "course_lib" / "data"


def _imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_data_layer_never_imports_its_generated_stand_ins():
    """Stand-ins (course_lib.notmnist, ...) import the data layer; the registry names them as plug-ins."""
    for path in sorted(DATA.rglob("*.py")):
        imported = _imported_modules(path)
        outside = sorted(name for name in imported
                         if name.startswith("course_lib.") and not name.startswith(("course_lib.data",
                                                                                    "course_lib.errors",
                                                                                    "course_lib.progress",
                                                                                    "course_lib.parallel")))
        assert not outside, f"{path.relative_to(REPO)} imports {outside}"


def test_importing_the_library_loads_no_framework():
    code = ("import sys, course_lib, course_lib.data, course_lib.notmnist, course_lib.evaluation, "
            "course_lib.plotting; heavy = [m for m in ('tensorflow', 'keras', 'torch') if m in sys.modules]; "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
