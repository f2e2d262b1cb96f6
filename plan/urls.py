"""The plan's pages of a union-year: /u/<slug>/<year>/plan/..."""

from django.urls import path

from plan import views

app_name = "plan"

book = "u/<slug:slug>/<int:year>/plan/"

urlpatterns = [
    path(book + "settings/", views.settings_page, name="settings"),
    path(book + "levy/", views.levy, name="levy"),
    path(book + "remit/", views.remit, name="remit"),
    path(book + "budget/", views.budget, name="budget"),
    path(book + "budget/import/", views.budget_import, name="budget_import"),
    path(book + "budget/draft-next/", views.budget_draft, name="budget_draft"),
    path(book + "members/", views.members, name="members"),
    path(book + "members/import/", views.members_import, name="members_import"),
    path(book + "members/<int:pk>/", views.member_edit, name="member_edit"),
    path(book + "dues/", views.dues, name="dues"),
    path(book + "dues/xlsx/", views.dues_download, name="dues_xlsx"),
    path(book + "compliance/", views.compliance, name="compliance"),
]
