"""Bank reconciliation and cash count: /u/<slug>/<year>/bank/..."""

from django.urls import path

from bank import views

app_name = "bank"

book = "u/<slug:slug>/<int:year>/bank/"

urlpatterns = [
    path(book, views.statements, name="statements"),
    path(book + "matching/", views.matching, name="matching"),
    path(book + "reconciliation/<int:month>/", views.reconciliation, name="reconciliation"),
    path(book + "cash/", views.cash_counts, name="cash_counts"),
    path(book + "cash/<int:pk>/pdf/", views.cash_count_pdf, name="cash_count_pdf"),
]
