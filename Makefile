# ODSK Command Centre: developer entry points (GNU make, Debian 12).
#   make demo    install, then run the whole product locally (odsk demo)
#   make test    install, make sure Chromium is there, run the test suite
#   make bench   install, then run every bench/*.py
# Variables: PYTHON=/path/to/python3.11  PYTEST_ARGS='-k wall -x'  ARGS='…' (for odsk demo)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON         ?=
VENV           ?= .venv
PY             := $(VENV)/bin/python
STAMP          := $(VENV)/.odsk-installed
ARTIFACTS      ?= test-artifacts
PYTEST_ARGS    ?=
PYTEST_TIMEOUT ?= 300
ARGS           ?=
CHROMIUM       := /usr/bin/chromium
CHROMEDRIVER   := /usr/bin/chromedriver

TOOLS          := tools
TOOLS_STAMP    := $(TOOLS)/node_modules/.odsk-installed
TOOLS_DEV_STAMP := $(TOOLS)/node_modules/.odsk-installed-dev

.PHONY: help venv install demo test lint style typecheck imports browser-deps service-deps deploy-deps node-deps tools tools-dev bench clean distclean

help:
	@echo "make demo       create $(VENV), install, run 'odsk demo' (simulator, scheduler, web)"
	@echo "make test       install with test extras, check Chromium, run pytest (artefacts in $(ARTIFACTS)/)"
	@echo "make bench      run every bench/*.py"
	@echo "make lint       the guards make test runs first: style, typecheck, imports"
	@echo "make style      ruff format --check and ruff check"
	@echo "make typecheck  mypy over dashboard/ and collectors/ (config in pyproject.toml)"
	@echo "make imports    lint-imports: the layer and boundary contracts in pyproject.toml"
	@echo "make venv       create $(VENV) and 'pip install -e .[test]' (again only when pyproject.toml changes)"
	@echo "make tools      npm ci in tools/ (axe-core for the tests; tools-dev adds Lighthouse for make bench)"
	@echo "make clean      remove caches and test artefacts"
	@echo "make distclean  clean, and remove $(VENV) and var/ (the demo's data)"

# --- virtualenv -------------------------------------------------------------------

# Python 3.11 if there is one, else python3 when it is 3.11 or newer (PYTHON=… overrides).
$(PY):
	@py=""; \
	for cand in $(PYTHON) python3.11 python3; do \
	  if command -v "$$cand" >/dev/null 2>&1 && \
	     "$$cand" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then \
	    py="$$cand"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "error: no Python 3.11-3.13 found (tried: $(PYTHON) python3.11 python3). On Debian 12: apt-get install python3" >&2; \
	  exit 1; \
	fi; \
	if ! "$$py" -c 'import ensurepip' 2>/dev/null; then \
	  pkg="python$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "$$py cannot create virtualenvs (no ensurepip): apt-get install -y $$pkg"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y "$$pkg"; \
	  else \
	    echo "error: $$py cannot create virtualenvs (no ensurepip). Install it: sudo apt-get install $$pkg (python3-venv)" >&2; \
	    exit 1; \
	  fi; \
	fi; \
	echo "creating $(VENV) with $$py ($$("$$py" -V 2>&1))"; \
	existed=""; [ ! -e "$(VENV)" ] || existed=yes; \
	if ! "$$py" -m venv "$(VENV)"; then \
	  [ -n "$$existed" ] || rm -rf "$(VENV)"; \
	  echo "error: '$$py -m venv $(VENV)' failed" >&2; exit 1; \
	fi

$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: $(VENV) has $$($(PY) -V 2>&1); the project needs 3.11+. Run 'make distclean' and retry." >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --disable-pip-version-check -e '.[test]'
	@touch $@

venv install: $(STAMP)

# --- the product ------------------------------------------------------------------

demo: $(STAMP)
	exec $(VENV)/bin/odsk demo $(ARGS)

# --- tests ------------------------------------------------------------------------

# Installs the Debian packages named in $$missing when we are root and have apt-get;
# otherwise runs the target's CANNOT_INSTALL (stop with a message, or only say so).
APT_INSTALL_MISSING = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (apt-get)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    $(CANNOT_INSTALL); \
	  fi; \
	fi

# Debian's chromium + chromium-driver (the pair dash[testing] drives). Installed with
# apt when missing and we are root; otherwise we stop and say what to install.
browser-deps: CANNOT_INSTALL = echo "error: missing$$missing ($(CHROMIUM), $(CHROMEDRIVER)). Install:  sudo apt-get install -y$$missing" >&2; exit 1
browser-deps:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	[ -x $(CHROMEDRIVER) ] || missing="$$missing chromium-driver"; \
	$(APT_INSTALL_MISSING)

# The PostgreSQL and Redis server binaries, for private test instances when no server
# answers locally. Installed with apt when missing and we are root.
service-deps: CANNOT_INSTALL = echo "note: missing$$missing; tests will use ODSK_TEST_DATABASE_URL / ODSK_TEST_REDIS_URL or local servers"
service-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	$(APT_INSTALL_MISSING)

# nginx, for the deploy layout the tests (tests/test_deploy_layout.py) and bench/load.py start
# privately (deploy/local_layout.py: its own config, ports and directory; the system's nginx
# service is never used). Installed with apt when missing and we are root.
deploy-deps: CANNOT_INSTALL = echo "error: missing$$missing (nginx for the deploy layout test). Install:  sudo apt-get install -y$$missing" >&2; exit 1
deploy-deps:
	@missing=""; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$$missing nginx"; \
	$(APT_INSTALL_MISSING)

# Node.js and npm, for the test and bench tools in tools/ (axe-core, Lighthouse); never used
# by a page at run time. Installed with apt when missing and we are root.
node-deps: CANNOT_INSTALL = echo "error: missing$$missing (node, npm for tools/). Install:  sudo apt-get install -y$$missing" >&2; exit 1
node-deps:
	@missing=""; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	$(APT_INSTALL_MISSING)

# axe-core (the accessibility checks of the browser tests), from the committed lock.
$(TOOLS_STAMP): $(TOOLS)/package-lock.json | node-deps
	cd $(TOOLS) && npm ci --omit=dev --no-audit --no-fund
	@rm -f $(TOOLS_DEV_STAMP)
	@touch $@

# + Lighthouse (bench/lighthouse.py).
$(TOOLS_DEV_STAMP): $(TOOLS)/package-lock.json | node-deps
	cd $(TOOLS) && npm ci --no-audit --no-fund
	@touch $(TOOLS_STAMP) $@

tools: $(TOOLS_STAMP)
tools-dev: $(TOOLS_DEV_STAMP)

# PostgreSQL and Redis are found or started by tests/services.py (see tests/conftest.py);
# the preflight only says which, and stops here, naming what is missing, if neither works.
# pytest exit 5 ("no tests collected", e.g. a PYTEST_ARGS filter matching nothing) is not a failure.
# Guards that run before the suite (any failing one stops make test before pytest):
# formatting and lint (ruff), types (mypy), layers and boundaries (import-linter).
lint: style typecheck imports

style: $(STAMP)
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/ruff check --quiet .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

imports: $(STAMP)
	$(VENV)/bin/lint-imports

test: $(STAMP) lint browser-deps service-deps deploy-deps tools
	@$(PY) tests/services.py preflight
	@mkdir -p $(ARTIFACTS)
	@rc=0; \
	DASH_TEST_CHROMEPATH=$(CHROMIUM) ODSK_TEST_ARTIFACTS="$(abspath $(ARTIFACTS))" \
	  $(PY) -m pytest --headless --timeout=$(PYTEST_TIMEOUT) \
	    --junitxml="$(ARTIFACTS)/junit.xml" $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5): nothing to fail"; rc=0; fi; \
	exit $$rc

# --- benchmarks -------------------------------------------------------------------

bench: $(STAMP) browser-deps service-deps deploy-deps tools-dev
	@shopt -s nullglob; scripts=(bench/*.py); failed=(); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "make bench: no bench/*.py yet"; exit 0; fi; \
	for script in "$${scripts[@]}"; do \
	  echo "== $$script"; \
	  $(PY) "$$script" || failed+=("$$script"); \
	done; \
	if [ $${#failed[@]} -gt 0 ]; then echo "make bench: failed: $${failed[*]}" >&2; exit 1; fi

# --- housekeeping -----------------------------------------------------------------

clean:
	rm -rf $(ARTIFACTS) .pytest_cache .hypothesis .mypy_cache .ruff_cache .grimp_cache .import_linter_cache build dist *.egg-info /tmp/dash_artifacts
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) var $(TOOLS)/node_modules
