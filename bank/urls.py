"""Bank reconciliation (/u/<slug>/<year>/reconcile/...) and cash count (/u/<slug>/<year>/cash-count/...)."""

from django.urls import path

from bank import views

app_name = "bank"

book = "u/<slug:slug>/<int:year>/"

urlpatterns = [
    path(book + "reconcile/", views.statements, name="statements"),
    path(book + "reconcile/matching/", views.matching, name="matching"),
    path(book + "reconcile/<int:month>/", views.reconciliation, name="reconciliation"),
    path(book + "cash-count/", views.cash_counts, name="cash_counts"),
    path(book + "cash-count/<int:pk>/pdf/", views.cash_count_pdf, name="cash_count_pdf"),
]
