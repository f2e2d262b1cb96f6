from django.urls import path

from federation import views

app_name = "federation"

urlpatterns = [
    path("u/<slug:slug>/<int:year>/federation/", views.table, name="table"),
    path("u/<slug:slug>/<int:year>/federation/xlsx/", views.table_xlsx, name="table_xlsx"),
]
