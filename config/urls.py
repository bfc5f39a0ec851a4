from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from checkins.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetPasswordForm
from checkins.passwords import ThrottledPasswordChangeView
from checkins.twofactor.login import TwoStepLoginView
from checkins.twofactor.views import login_code

from .health import healthz

# Django's account pages with the app's forms, rendered like every other form; the
# pages without a form come from django.contrib.auth.urls below.
accounts = [
    path("login/", TwoStepLoginView.as_view(authentication_form=LoginForm), name="login"),
    path("login/code/", login_code, name="login_code"),
    path(
        "password_change/",
        ThrottledPasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetPasswordForm),
        name="password_reset",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm),
        name="password_reset_confirm",
    ),
]

urlpatterns = [
    path("", include("checkins.urls")),
    path("tips/", include("advice.urls")),
    path("api/", include("api.urls")),
    path("accounts/", include(accounts)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
