# unionledger — 工会经费账.  `make run` to try it, `make test` to run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
DEV_ENV := DEBUG=1

.PHONY: install system-deps report-fonts run test test-postgres lint lock clean

install: system-deps $(STAMP) report-fonts

system-deps:
	@scripts/install-system-deps.sh

# Cut the report PDF's CJK faces out of the Noto collections once (about 30 s the first time, then a no-op).
report-fonts: system-deps $(STAMP)
	@SECRET_KEY="$${SECRET_KEY:-install-time-only}" $(BIN)/python manage.py prepare_report_fonts

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --require-hashes -r requirements.lock
	touch $@

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=unionledger.settings_test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite on a local PostgreSQL (the test runner creates and drops its own test database).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency after editing pyproject.toml.
lock:
	test -x $(BIN)/uv || $(BIN)/python -m pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
