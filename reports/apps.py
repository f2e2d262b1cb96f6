from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from audit import readable  # noqa: PLC0415
        from ledger import hooks  # noqa: PLC0415
        from reports import (  # noqa: PLC0415
            book_files,
            cache,
            checks,  # noqa: F401, PLC0415 — registers the font checks
            views,
        )
        from reports.models import ReportText  # noqa: PLC0415

        # The hash of the report code this process loads now, so a worker knows later if the disk moved on.
        cache.renderer_fingerprint()
        # The books' workbooks are rendered by the report workers; the ledger's views reach them by this hook.
        book_files.register()
        hooks.register_download(views.file_or_wait)

        # The audit trail names the report's words by their field names (the trail never imports reports).
        readable.register_fields(
            {key: str(ReportText._meta.get_field(key).verbose_name) for key in ReportText.TEXT_FIELDS}
        )
        readable.register_object(
            "ReportText",
            "财务工作报告文字",
            lambda ids: {
                str(pk): f"{year}年度财务工作报告文字"
                for pk, year in ReportText.objects.filter(
                    pk__in=[int(i) for i in ids if i.isdigit()]
                ).values_list("pk", "year")
            },
        )
