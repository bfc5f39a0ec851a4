"""The runner's time zone for every request, and the first-use notice before anything else."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from .runner import runner_profile


class RunnerTimezoneMiddleware:
    """Dates and times show in the runner's own zone, from their profile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = runner_profile(request)
        if profile is not None:
            timezone.activate(profile.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class MedicalNoticeMiddleware:
    """Until a runner has acknowledged that Aftermath is not a medical device, show that first."""

    # Offline first's service worker, offline page and outbox token show no advice; the
    # worker's script may not be redirected at all (the browser refuses it).
    EXEMPT_URL_NAMES = ("welcome", "logout", "service_worker", "offline_page", "outbox_token")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = runner_profile(request)
        if profile is not None and not profile.has_acknowledged_notice and not self._exempt(request):
            target = reverse("welcome")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        path = request.path_info
        exempt_prefixes = ["/" + settings.STATIC_URL.lstrip("/"), "/admin/", "/healthz"]
        if any(path.startswith(prefix) for prefix in exempt_prefixes):
            return True
        return path in {reverse(name) for name in self.EXEMPT_URL_NAMES}
