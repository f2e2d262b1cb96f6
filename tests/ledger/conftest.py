"""The ledger tests use the suite's fixtures (tests/conftest.py)."""

from tests.reports.conftest import report_cache  # noqa: E402,F401 - 导出 goes through the report cache
