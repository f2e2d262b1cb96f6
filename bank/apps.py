from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "bank"
    verbose_name = "银行对账与现金盘点"

    def ready(self):
        from bank import queries  # noqa: PLC0415
        from ledger.queries import summary  # noqa: PLC0415

        summary.register_check(queries.year_end_checks)
