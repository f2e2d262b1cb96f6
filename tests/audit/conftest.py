from tests.reports.conftest import report_cache  # noqa: F401 - the export goes through the report cache
