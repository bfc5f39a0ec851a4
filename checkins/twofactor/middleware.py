"""A session logged in without the code step, for a runner who has two-factor log-in on,
is logged out: a session from before it was turned on, or one logged in some other way.
The log-in itself never logs such a session in half-way (login.py); this is the guard
behind it, for every URL. The flag is on the profile every request loads: no query for a
runner without two-factor log-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from ..runner import runner_profile


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = runner_profile(request)
        if profile is not None and profile.two_factor and not request.user.is_verified():
            logout(request)
            target = reverse("login")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)
