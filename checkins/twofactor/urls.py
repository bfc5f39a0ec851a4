from django.urls import path

from . import views

urlpatterns = [
    path("profile/two-factor/", views.two_factor_page, name="two_factor"),
    path("profile/two-factor/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("profile/two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path("profile/two-factor/recovery-codes/", views.recovery_codes_renew, name="recovery_codes"),
]
