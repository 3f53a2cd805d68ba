# Two commands on a fresh machine: `make demo` and `make test`.
#
# Both install from the committed locks in requirements/ (exact versions, hashes checked),
# so a fresh clone gets exactly what the suite last passed with.  `make lock` refreshes
# the locks; `make test-latest` tries the newest releases the package's ranges allow.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --quiet
LATEST := .venv-latest
# The dependencies of the wheel test's clean install, fetched once from the package index
# so that the test itself needs no network.
WHEELHOUSE := $(VENV)/wheelhouse

.PHONY: demo test test-latest lint format lock bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
	  || { echo "claude-policy needs Python >= 3.10 (found: $$($(PYTHON) -V 2>&1))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The lock first (hashes required), then the package itself without touching its
# dependencies and without an isolated build (the locked setuptools builds it).
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/demo.lock
	$(PIP) install --require-hashes --no-deps -r requirements/demo.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml requirements/test.lock
	$(PIP) install --require-hashes --no-deps -r requirements/test.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

$(WHEELHOUSE)/.complete: $(VENV)/.installed-test requirements/demo.lock
	$(PIP) download --require-hashes --no-deps -r requirements/demo.lock -d $(WHEELHOUSE)
	@touch $@

demo: $(VENV)/.installed
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh

test: $(VENV)/.installed-test $(WHEELHOUSE)/.complete lint
	$(BIN)/python -m pytest -q -m "not bench"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check reconciler tests benchmarks
	$(BIN)/ruff format --check reconciler tests benchmarks
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix reconciler tests benchmarks
	$(BIN)/ruff format reconciler tests benchmarks

# Refresh both locks: newest releases within pyproject.toml's ranges and pins, resolved
# for every Python >= 3.10 and platform.  Commit the result with the change that needs it.
UV_COMPILE := $(BIN)/uv pip compile --quiet --universal --generate-hashes \
	--python-version 3.10 --custom-compile-command "make lock"
lock: $(VENV)/.installed-test
	$(UV_COMPILE) --upgrade pyproject.toml requirements/tools.in --extra test \
	  -o requirements/test.lock
	$(UV_COMPILE) pyproject.toml requirements/build.in -c requirements/test.lock \
	  -o requirements/demo.lock

# Early warning: a fresh venv with the newest releases the ranges allow (the test tools
# stay pinned), then the whole suite.  Run it weekly and before `make lock`.
test-latest:
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --disable-pip-version-check --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --disable-pip-version-check --quiet --upgrade \
	  -e '.[test]' build setuptools wheel
	$(LATEST)/bin/python -m pip download --disable-pip-version-check --quiet \
	  -d $(LATEST)/wheelhouse setuptools wheel .
	@touch $(LATEST)/wheelhouse/.complete
	@echo "Newest releases installed (compare with requirements/test.lock):"
	@$(LATEST)/bin/python -m pip list --disable-pip-version-check --format=freeze \
	  | grep -v -i '^claude-policy' | sed 's/^/  /'
	$(LATEST)/bin/mypy
	$(LATEST)/bin/python -m pytest -q -m "not bench" -p no:cacheprovider

bench: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m bench -s benchmarks tests

clean:
	rm -rf $(VENV) $(LATEST) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
