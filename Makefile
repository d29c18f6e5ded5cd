# Two commands on a fresh machine:
#   make demo   the main job: the whole course end to end, offline, with a summary
#   make test   the whole test suite
# Both create .venv (Python 3.11) if missing and install the course into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install system-packages solutions lint clean

demo: install system-packages
	$(BIN)/course demo

test: install system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

solutions: install system-packages
	$(BIN)/course solutions run

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "course-kit needs Python 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q course_lib problem_unittests  # editable installs are not byte-compiled
	touch $@

system-packages:
	@bash admin/system-packages.sh

lint: install
	$(BIN)/hadolint Dockerfile

clean:
	rm -rf build .pytest_cache
