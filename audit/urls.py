"""The audit trail of a union's books: /u/<slug>/<year>/audit/..."""

from django.urls import path

from audit import views

app_name = "audit"

book = "u/<slug:slug>/<int:year>/"

urlpatterns = [
    path(book + "audit/", views.trail, name="trail"),
    path(book + "audit/export/", views.export, name="export"),
]
