# One way to install, run, lint, test and measure Veche, for people and CI alike.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo serve test test-sqlite test-sqlcipher test-postgres test-fast check fmt bench bench-quick messages lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock requirements-nodeps.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: install
	$(BIN)/veche demo

# The whole suite on SQLite (with the browser tests), then again on PostgreSQL
# (VECHE_TEST_POSTGRES_URL, default postgres://veche:veche@127.0.0.1/postgres; the
# browser tests only drive pages the client tests already cover there). Without a
# PostgreSQL server that pass is skipped with the reason; in CI (CI set) it fails.
# The PostgreSQL pass runs even when the SQLite pass failed; both must pass.
test: install
	@status=0; $(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; exit $$status

test-sqlite: install
	VECHE_TEST_DATABASE=sqlite $(BIN)/python -m pytest

# The suite (but the browser tests) on the encrypted embedded database: a drop-in check.
test-sqlcipher: install
	VECHE_TEST_DATABASE=sqlcipher $(BIN)/python -m pytest -m "not browser"

test-postgres: install
	VECHE_TEST_DATABASE=postgres $(BIN)/python -m pytest -m "not browser"

test-fast: install
	$(BIN)/python -m pytest -m "not browser and not slow"

check: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: install
	$(BIN)/python bench/run.py

bench-quick: install
	$(BIN)/python bench/run.py --quick

messages: install
	cd src/veche && ../../$(BIN)/django-admin makemessages -l be -l ru --no-obsolete --ignore '*/vendor/*' && ../../$(BIN)/django-admin compilemessages

lock:
	$(BIN)/python -m pip freeze --all --exclude-editable --exclude veche --exclude pip --exclude pabutools --exclude gurobipy > requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
