# Aftermath: `make run` serves the app with a demo runner; `make test` passes the tests.
# Needs Python 3.12+ (as `python3`, or say PYTHON=python3.12) and make.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help setup run demo test test-fast lint format check lock clean bench soak css

help:
	@echo "make run    set up, migrate SQLite, load the demo runner, serve on http://$(HOST):$(PORT) with the task worker"
	@echo "make test   set up, lint (ruff) and run the whole test suite"
	@echo "make test-fast  the inner loop: the tests not marked slow (no soak, fuzz, browser), no lint"
	@echo "make bench  print server times, gunicorn + wrk throughput, page weight and LCP in Chromium (first and repeat visit), engine timings, imports"
	@echo "make soak   load and fault tests: 50 clients, 32 SQLite writers, a killed worker, a PostgreSQL restart"
	@echo "make lock   refresh uv.lock and the exported requirements files"
	@echo "make css    rebuild static/vendor/bootstrap-5.3.9/bootstrap.trimmed.css with PurgeCSS (needs npx)"

# The environment, rebuilt whenever the locked requirements change. uv is used
# when it can be installed (fast); plain pip installs the same locked files.
$(BIN)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Aftermath needs Python 3.12 or newer; run make with PYTHON=python3.12")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv \
	  && $(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-dev.txt \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

demo: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo --url http://$(HOST):$(PORT)

# The web server and the task worker (imports) together; Ctrl-C stops both.
run: demo
	DJANGO_DEBUG=1 $(BIN)/python tools/serve.py $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: setup
	AFTERMATH_TESTING=1 $(BIN)/python manage.py check
	AFTERMATH_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: lint check
	AFTERMATH_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the soak, SQLite concurrency, fuzz and browser tests
# (marked slow). `make test`, which CI runs, still runs them all.
test-fast: setup
	AFTERMATH_TESTING=1 $(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python loadtest/bench_http.py
	$(BIN)/python bench/bench_offline.py
	$(BIN)/python bench/bench_import.py

soak: setup
	$(BIN)/python loadtest/soak.py
	AFTERMATH_TESTING=1 AFTERMATH_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -p no:warnings -q tests/test_security.py -k fuzz

lock:
	$(BIN)/uv lock
	$(BIN)/uv export --quiet --frozen --no-emit-project --all-groups -o requirements-dev.txt
	$(BIN)/uv export --quiet --frozen --no-emit-project --no-dev -o requirements.txt

# The trimmed Bootstrap is committed; rebuild it after using a new Bootstrap class in markup.
css: setup
	$(BIN)/python tools/build_css.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
