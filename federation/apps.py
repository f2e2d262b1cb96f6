from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = "总工会汇总"

    def ready(self):
        from federation import jobs  # noqa: PLC0415

        jobs.register()  # the table's workbook is rendered by the report workers
