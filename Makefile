# The two commands of the README, plus lint. Only Python 3.11 and make are needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test lint migrate demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable

# The demo runs in development mode: DEBUG is off unless set (seed_demo refuses to run without it).
run demo: export DEBUG = 1
# Links in the demo's emails (intake links) point at the address served: make run HOST=0.0.0.0:8080.
run: export SITE_URL ?= http://$(HOST)
# ... and without the second sign-in step, so the printed demo logins work as they are.
run demo: export TWO_FACTOR_REQUIRED = 0

demo: migrate
	$(BIN)/python manage.py seed_demo

## make run: install, migrate, load the demo clinic, print its logins, serve on http://$(HOST)
## with a background worker beside the web server (the emails); Ctrl-C stops both.
run: demo
	@echo "Serving on http://$(HOST) with a background worker  (Ctrl-C stops both)"
	@$(BIN)/python manage.py send_outbox; \
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

## make test: install the test dependencies and run the whole suite (in parallel, one worker per core;
## the tests marked serial, which share the Redis test database, then alone)
test: $(VENV)/.dev
	$(BIN)/python -m pytest -n auto -m "not serial" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: none selected

## make bench: build (once) a large clinic in a benchmark database of its own, time the key pages
## against a bare page, print the table, write bench-results/<size>.json, fail naming each miss.
## BENCH_SIZE=1k,1m prints the growth too; BENCH_DATABASE_URL=sqlite:///bench.sqlite3 for SQLite
## (20k by default there). Never touches the database of DATABASE_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinic_bench
BENCH_SIZE ?=
bench: export DEBUG = 1
bench: export BENCH_DATABASE_URL := $(BENCH_DATABASE_URL)
bench: $(VENV)/.runtime
	$(BIN)/python manage.py bench $(if $(BENCH_SIZE),--size $(BENCH_SIZE)) $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache test-artifacts
