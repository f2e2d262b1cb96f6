from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "bank"
    verbose_name = "银行对账与现金盘点"

    def ready(self):
        from audit import readable  # noqa: PLC0415
        from bank import jobs, queries  # noqa: PLC0415
        from ledger import hooks  # noqa: PLC0415

        hooks.register_check(queries.year_end_checks)
        jobs.register()  # the 调节表 and the 现金盘点表 are rendered by the report workers
        readable.register_object("Statement", "对账单", queries.statement_names)
        readable.register_object("CashCount", "现金盘点", queries.cash_count_names)
        readable.register_fields(
            {"rows": "笔数", "period_end": "截止日期", "proposed": "自动匹配笔数", "confirmed": "确认笔数"}
        )
