from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "操作记录"

    def ready(self):
        from audit import signals  # noqa: F401  (receivers for sign-ins and user changes)
