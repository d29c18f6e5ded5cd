# Two commands on a fresh machine:
#   make demo   the main job: the whole course end to end, offline, with a summary
#   make test   the whole test suite (as root it also installs Chromium for the browser tests)
# Both create .venv (Python 3.11) if missing and install the course into it.
#   make lab    a student's JupyterLab: the student version of every assignment in ~/course-kit-work
#               (`make lab LAB_ARGS="--workdir DIR --fast"` passes options to `course lab`)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lab install system-packages dev-packages solutions lint clean

demo: install system-packages
	$(BIN)/course demo

test: install system-packages dev-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: install system-packages
	$(BIN)/course lab $(LAB_ARGS)

solutions: install system-packages
	$(BIN)/course solutions run

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "course-kit needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	@# setuptools' 'Editable installation.' box is information only (its own category says so): not shown
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q course_lib problem_unittests  # editable installs are not byte-compiled
	touch $@

system-packages:
	@bash admin/system-packages.sh

# What only the tests need (Chromium for tests/test_browser.py, PostgreSQL for the gradebook tests): never in
# the student's image.
dev-packages:
	@bash admin/system-packages.sh admin/apt-packages-dev.txt "the browser and PostgreSQL tests skip"

lint: install
	$(BIN)/hadolint Dockerfile

clean:
	rm -rf build .pytest_cache
