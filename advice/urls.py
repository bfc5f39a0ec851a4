from django.urls import path

from . import views

urlpatterns = [
    path("", views.tips_index, name="tips"),
    path("cooldown/", views.tips_cooldown, name="tips_cooldown"),
    path("hydration/", views.tips_hydration, name="tips_hydration"),
    path("fuelling/", views.tips_fuelling, name="tips_fuelling"),
]
