# The two commands: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test serve install install-dev clean

demo: install ## Create the venv, migrate, load the demo café and serve it
	$(FLASK) db upgrade
	$(FLASK) cafe demo
	$(BIN)/python wsgi.py

test: install-dev ## Install what the tests need and run the whole suite
	$(BIN)/python -m pytest

serve: install ## Serve without loading the demo
	$(FLASK) db upgrade
	$(BIN)/python wsgi.py

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

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
