from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
    path("", include("checkins.urls")),
    path("tips/", include("advice.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
