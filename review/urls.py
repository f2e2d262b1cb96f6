"""The auditor's seat: /u/<slug>/<year>/review/..."""

from django.urls import path

from review import views

app_name = "review"

book = "u/<slug:slug>/<int:year>/review/"

urlpatterns = [
    path(book, views.remark_list, name="list"),
    path(book + "report/", views.audit_report, name="audit_report"),
    path(book + "report/text/", views.audit_text, name="audit_text"),
    path(book + "vouchers/<int:pk>/query/", views.raise_query, name="raise"),
    path(book + "vouchers/<int:pk>/checked/", views.mark_checked, name="checked"),
    path(book + "<int:pk>/answer/", views.answer, name="answer"),
    path(book + "<int:pk>/close/", views.decide, {"decision": "close"}, name="close"),
    path(book + "<int:pk>/keep/", views.decide, {"decision": "keep"}, name="keep"),
]
