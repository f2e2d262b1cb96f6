from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "工会经费账 管理后台"
admin.site.site_title = "工会经费账"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("", include("ledger.urls")),
]
