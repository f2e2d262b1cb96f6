"""The bank tests use the suite's fixtures (tests/conftest.py), the prepared report fonts for PDFs and a report
cache of their own per test."""

from tests.reports.conftest import prepared_fonts, report_cache  # noqa: F401
