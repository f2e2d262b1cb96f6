from django.contrib import admin

from plan.models import PlanSettings, SpendingRule


@admin.register(SpendingRule)
class SpendingRuleAdmin(admin.ModelAdmin):
    """Spending rules are data an administrator keeps current: each with its source and dates."""

    list_display = [
        "code",
        "province",
        "title",
        "kind",
        "limit",
        "valid_from",
        "valid_to",
        "source",
        "is_active",
    ]
    list_filter = ["province", "kind", "is_active"]
    search_fields = ["code", "title", "source"]


@admin.register(PlanSettings)
class PlanSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "union",
        "union__province",
        "levy_kept_percent",
        "dues_permille",
        "dues_rounding",
        "budget_adjustments",
    ]
