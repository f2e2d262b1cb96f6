from django.urls import path

from reports import views

app_name = "reports"

report = "<slug:slug>/<int:year>/"

urlpatterns = [
    path(report, views.annual, name="annual"),
    path(report + "pdf/", views.annual_pdf, name="annual_pdf"),
    path(report + "xlsx/", views.annual_xlsx, name="annual_xlsx"),
    path(report + "text/", views.edit_text, name="edit_text"),
    path(report + "renders/<uuid:job>/", views.render_status, name="render_status"),
    path(report + "statements/", views.statements, name="statements"),
    path(report + "statements/pdf/", views.statements_pdf, name="statements_pdf"),
    path(report + "statements/xlsx/", views.statements_xlsx, name="statements_xlsx"),
    path(report + "consolidated/", views.consolidated, name="consolidated"),
    path(report + "consolidated/pdf/", views.consolidated_pdf, name="consolidated_pdf"),
    path(report + "consolidated/statements/", views.consolidated_statements, name="consolidated_statements"),
    path(
        report + "consolidated/statements/pdf/",
        views.consolidated_statements_pdf,
        name="consolidated_statements_pdf",
    ),
    path(
        report + "consolidated/statements/xlsx/",
        views.consolidated_statements_xlsx,
        name="consolidated_statements_xlsx",
    ),
    path(report + "transition/", views.transition, name="transition"),
    path(report + "transition/xlsx/", views.transition_xlsx, name="transition_xlsx"),
]
