"""Admin for site administrators. Posted vouchers are read-only here as everywhere: the services write."""

from django import forms
from django.contrib import admin

from ledger import lifecycle, services
from ledger.errors import LedgerError
from ledger.models import Account, AccountingYear, Attachment, AuditEvent, Chart, Union, Voucher, VoucherLine


class ReadOnlyMixin:
    """Rows the services write (or the app only ever appends): visible to administrators, never added,
    changed or deleted here. For model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Union)
class UnionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "province", "review_required", "cashier_sign_required"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(Chart)
class ChartAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "effective_from"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "chart", "union", "is_active"]
    list_filter = ["chart", "type", "union"]
    search_fields = ["code", "name"]
    list_select_related = ["chart", "union"]

    def get_readonly_fields(self, request, obj=None):
        # An account in use keeps its code, type and place in the tree: the books refer to them.
        if obj is not None:
            return ["chart", "union", "parent", "code", "type"]
        return []

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.lines.exists()


class AccountingYearForm(forms.ModelForm):
    """A year added here is 建账 like any other: refused once a later year of the union is closed."""

    class Meta:
        model = AccountingYear
        fields = ["union", "year", "chart"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("union") and isinstance(data.get("year"), int):
            try:
                lifecycle.check_open(union=data["union"], year=data["year"])
            except LedgerError as error:
                raise forms.ValidationError(error.message) from None
        return data


@admin.register(AccountingYear)
class AccountingYearAdmin(admin.ModelAdmin):
    form = AccountingYearForm
    list_display = ["union", "year", "chart", "is_closed", "closed_at", "closed_by"]
    list_filter = ["is_closed", "union"]
    readonly_fields = ["is_closed", "closed_at", "closed_by", "next_number"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["union", "year", "chart", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new year is opened as the books' page opens one: by the service, which records it.
        opened = services.open_year(union=obj.union, year=obj.year, chart=obj.chart, user=request.user)
        obj.pk, obj._state = opened.pk, opened._state  # the admin's "added" message and log name this row

    def has_delete_permission(self, request, obj=None):
        return False


class VoucherLineInline(ReadOnlyMixin, admin.TabularInline):
    model = VoucherLine
    extra = 0
    fields = ["position", "account", "debit", "credit", "memo"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Vouchers are written by the services (记账 pages), never edited here; the admin only reads them."""

    list_display = [
        "voucher_no",
        "date",
        "summary",
        "year",
        "kind",
        "state",
        "prepared_by",
        "reviewed_by",
        "posted_by",
    ]
    list_filter = ["state", "kind", "year__union", "year__year"]
    search_fields = ["summary", "counterparty"]
    date_hierarchy = "date"
    list_select_related = ["year__union", "prepared_by", "reviewed_by", "posted_by"]
    inlines = [VoucherLineInline]

    @admin.display(description="凭证号", ordering="number")
    def voucher_no(self, obj):
        return obj.full_no


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["original_name", "voucher", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["voucher__year__union", "uploaded_by"]
    search_fields = ["original_name", "sha256"]
    exclude = ["file"]  # served only through the permission-checking view, never by a public link


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "username", "action", "union", "summary", "ip_address"]
    list_filter = ["action", "union"]
    search_fields = ["username", "summary"]
    date_hierarchy = "at"
    list_select_related = ["union"]
