# unionledger — 工会经费账.  `make run` to try it, `make test` to run every test, `make install-prod` on a server.
# PYTHON picks the Python (3.11 or newer), e.g. `make test PYTHON=python3.13`; VENV where its virtualenv lives.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=1

.PHONY: install install-prod system-deps venv report-fonts run worker test test-fast test-postgres lint lock clean

install: system-deps venv report-fonts

# The system's fonts, libraries and browser (scripts/install-system-deps.sh says what it checks).
system-deps:
	@PYTHON="$(PYTHON)" scripts/install-system-deps.sh

# .venv with requirements.lock (the app and its test tools); remade, with the reason, when it does not fit.
venv:
	@scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)" requirements.lock

# Cut the report PDF's CJK faces out of the Noto collections once (about 30 s the first time, then a no-op).
report-fonts: system-deps venv
	@SECRET_KEY="$${SECRET_KEY:-install-time-only}" $(BIN)/python manage.py prepare_report_fonts

# A server: only what the app needs to run (requirements-prod.lock: no pytest, Playwright or browser), then
# static files, the database and Django's deploy checks. Run it with the production environment set
# (README, "Running in production"); run it again after every upgrade.
install-prod:
	@PYTHON="$(PYTHON)" scripts/install-system-deps.sh --runtime
	@scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)" requirements-prod.lock
	$(BIN)/python manage.py prepare_report_fonts
	$(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# The site and one background worker beside it (report files are rendered by the worker); Ctrl+C stops both.
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# One background worker (run as many as the cores allow, each with this command; README, "Workers").
worker:
	$(BIN)/python manage.py db_worker --no-reload

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=unionledger.settings_test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser tests (CI runs these on the newest Python too).
test-fast: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=unionledger.settings_test
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

# The suite on a local PostgreSQL (the test runner creates and drops its own test database).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-pin every dependency after editing pyproject.toml: one lock for Python 3.11 to 3.13 and any platform
# (--universal) with the test tools, and the runtime-only lock for servers, held to the same versions.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 -q
lock: venv
	test -x $(BIN)/uv || $(BIN)/python -m pip install -q uv
	$(UV_COMPILE) --extra dev -o requirements.lock
	$(UV_COMPILE) -c requirements.lock -o requirements-prod.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
