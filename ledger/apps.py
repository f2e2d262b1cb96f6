from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "账务"

    def ready(self):
        from ledger import signals  # noqa: F401  (audit-trail receivers for sign-ins and user changes)
