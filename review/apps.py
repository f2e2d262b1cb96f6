from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "经费审查"

    def ready(self):
        from ledger import hooks  # noqa: PLC0415
        from review import jobs, queries  # noqa: PLC0415

        hooks.register_check(queries.open_queries_check)
        jobs.register()  # the 经费审查报告's PDF and workbook are rendered by the report workers
