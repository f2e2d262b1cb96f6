"""Importing past books and exporting the year in the same template: /u/<slug>/<year>/import/..."""

from django.urls import path

from imports import views

app_name = "imports"

book = "u/<slug:slug>/<int:year>/"

urlpatterns = [
    path(book + "import/", views.start, name="start"),
    path(book + "import/template/<str:kind>.xlsx", views.template, name="template"),
    path(book + "import/<int:pk>/", views.preview, name="preview"),
    path(book + "import/<int:pk>/confirm/", views.confirm, name="confirm"),
    path(book + "import/<int:pk>/accounts/", views.add_accounts, name="accounts"),
    path(book + "import/<int:pk>/progress.json", views.progress, name="progress"),
    path(book + "export/vouchers.xlsx", views.export, name="export"),
]
