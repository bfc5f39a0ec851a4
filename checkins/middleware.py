"""The runner's time zone for every request, the first-use notice before anything else, and
the cache headers of a signed-in runner's pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
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
        # A share link's report (checkins.transfer.share) is for a doctor, whoever is logged in.
        exempt_prefixes = ["/" + settings.STATIC_URL.lstrip("/"), "/admin/", "/healthz", "/shared/"]
        if any(path.startswith(prefix) for prefix in exempt_prefixes):
            return True
        return path in {reverse(name) for name in self.EXEMPT_URL_NAMES}


class PrivatePagesMiddleware:
    """Every answer to a signed-in runner is theirs alone: `Cache-Control: private, no-store`,
    so that neither a proxy nor the browser's disk keeps a copy of their health data (the
    back button may still show the page from memory). Their pages are served fast from
    the app's own cache instead (checkins.pagecache), which this does not touch.

    And every HTML page says `Vary: HX-Request`: several pages answer an htmx request with
    a part of themselves (the history's next page, the check-in's preview and errors), so a
    cache must never hand the part for the page or the page for the part. Saying it on
    every page is simpler than keeping a list, and costs nothing that is not cached anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["HX-Request"])
        return response
