"""Fixtures of the report tests: the report cache and the prepared fonts (users and books: tests/conftest.py)."""

import pytest

from reports import fonts


@pytest.fixture(autouse=True)
def report_cache(settings, tmp_path):
    """Each test renders into its own cache directory."""
    settings.REPORT_CACHE_DIR = tmp_path / "report-cache"


@pytest.fixture(scope="session")
def prepared_fonts():
    """The report fonts as ``make install`` prepares them (a no-op when they are already prepared)."""
    fonts.prepare()
    assert fonts.status().fully_prepared, fonts.status().problems
