"""The pages of two-factor log-in: its place in Settings, setting it up, turning it off,
new recovery codes, and the log-in's code step. Recovery codes are shown once, in the
answer to the POST that made them, and never again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from ..activity import record_event
from . import devices, login
from .forms import CodeForm, PasswordAndCodeForm, SetupForm


@login_required
@require_GET
def two_factor_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"on": devices.is_on(user), "codes_left": devices.recovery_codes_left(user)}
    return render(request, "checkins/twofactor/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """The QR code and the key of a new app device; the password and a code confirm it."""
    if devices.is_on(request.user):
        return redirect("two_factor")
    pending = devices.pending_app(request.user)
    posted = request.method == "POST"
    form = SetupForm(request.POST if posted else None, user=request.user, request=request, pending=pending)
    if posted and form.is_valid():
        codes = devices.turn_on(request.user, form.device)
        record_event(request.user, "two_factor_on", request)
        otp_login(request, form.device)  # this session passed: it stays logged in
        return render(request, "checkins/twofactor/recovery_codes.html", {"codes": codes, "new": True})
    context = {"form": form, "qr": devices.qr_svg(pending), "secret": devices.secret_text(pending)}
    return render(request, "checkins/twofactor/setup.html", context, status=400 if posted else 200)


def _confirmed(request: HttpRequest, action: str, done) -> HttpResponse:
    """A change to a runner's two-factor log-in that their password and a code confirm:
    `done()` answers once both are right; until then the form, with its messages."""
    if not devices.is_on(request.user):
        return redirect("two_factor")
    posted = request.method == "POST"
    form = PasswordAndCodeForm(request.POST if posted else None, user=request.user, request=request)
    if posted and form.is_valid():
        return done()
    context = {"form": form, "action": action}
    return render(request, "checkins/twofactor/confirm.html", context, status=400 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    def done():
        devices.turn_off(request.user)
        record_event(request.user, "two_factor_off", request)
        messages.success(request, "Two-factor log-in is off: your password alone logs you in.")
        return redirect("two_factor")

    return _confirmed(request, "off", done)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    def done():
        codes = devices.new_recovery_codes(request.user)
        record_event(request.user, "recovery_codes_new", request)
        return render(request, "checkins/twofactor/recovery_codes.html", {"codes": codes, "new": False})

    return _confirmed(request, "codes", done)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The log-in's second step, after the password (login.TwoStepLoginView)."""
    user = login.pending_user(request)
    if user is None:
        return redirect("login")
    posted = request.method == "POST"
    form = CodeForm(request.POST if posted else None, user=user)
    if posted:
        if form.is_valid():
            return login.finish(request, user, form.device)
        if login.wrong_code(request, user):
            messages.error(request, "Too many wrong codes. Log in again with your password.")
            return redirect("login")
    return render(request, "registration/login_code.html", {"form": form}, status=400 if posted else 200)
