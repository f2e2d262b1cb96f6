from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "导入和导出"

    def ready(self):
        from imports import jobs  # noqa: PLC0415

        jobs.register()  # 导出 is rendered by the report workers
