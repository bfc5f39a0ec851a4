"""Pages of the foundation: home, sign-up, the first-use notice, the profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.middleware import HtmxDetails

from .forms import NoticeForm, ProfileForm, SignupForm
from .middleware import runner_profile
from .models import Run


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


RECENT_RUNS = 10


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "checkins/landing.html")
    runs = list(Run.objects.for_runner(request.user).with_checkin()[:RECENT_RUNS])
    return render(request, "checkins/home.html", {"runs": runs})


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("welcome")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request: HtmxHttpRequest) -> HttpResponse:
    """The first-use notice: Aftermath is no medical device. Acknowledged once."""
    profile = runner_profile(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = NoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        profile.acknowledge_notice()
        return redirect(next_url or "home")
    return render(
        request,
        "checkins/welcome.html",
        {"form": form, "next": next_url, "already": profile.has_acknowledged_notice},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HtmxHttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("profile")
    return render(request, "checkins/profile.html", {"form": form})
