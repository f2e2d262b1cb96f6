from django.contrib import admin

from reports.models import ReportText


@admin.register(ReportText)
class ReportTextAdmin(admin.ModelAdmin):
    """Read-only here: the treasurer edits the text on the report page, where every change is audited."""

    list_display = ["union", "year", "report_date", "updated_by", "updated_at"]
    list_filter = ["union", "year"]
    list_select_related = ["union", "updated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
