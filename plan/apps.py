from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "plan"
    verbose_name = "预算、会费与经费使用规定"

    def ready(self):
        from plan import hooks  # noqa: F401 — registers the payment extension and the year-end checks
