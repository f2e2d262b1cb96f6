from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from reports import checks  # noqa: F401 — registers the font checks
