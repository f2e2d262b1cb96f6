from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit.auth import LoginView
from ledger import views as ledger_views

admin.site.site_header = "工会经费账 管理后台"
admin.site.site_title = "工会经费账"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", ledger_views.home, name="home"),
    path("reports/", include("reports.urls")),
    path("", include("audit.urls")),
    path("", include("imports.urls")),
    path("", include("review.urls")),
    path("", include("bank.urls")),
    path("", include("plan.urls")),
    path("", include("federation.urls")),
    path("", include("ledger.urls")),
]
