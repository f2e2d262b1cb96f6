from django.contrib import admin

from ledger.admin import ReadOnlyMixin
from reports.models import ReportText


@admin.register(ReportText)
class ReportTextAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only here: the treasurer edits the text on the report page, where every change is audited."""

    list_display = ["union", "year", "report_date", "updated_by", "updated_at"]
    list_filter = ["union", "year"]
    list_select_related = ["union", "updated_by"]
