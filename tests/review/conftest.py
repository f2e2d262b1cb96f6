"""The review tests use the suite's fixtures (tests/conftest.py) and the prepared report fonts for PDFs."""

from tests.reports.conftest import prepared_fonts, report_cache  # noqa: F401
