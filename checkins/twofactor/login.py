"""Log-in in two steps for a runner with two-factor log-in on.

The password step is Django's LoginView (with django-axes counting failures). When the
password is right and the runner has a confirmed app, the session is NOT logged in: it
holds only who passed the password, when, and where to go next. The code step then logs
the session in, verified (django_otp.login). So a half-way session is anonymous: it
reaches no private page, whatever the URL.

Guessing codes: each wrong code counts on the session; after MAX_WRONG_CODES the half-way
state ends, and counts as one failed log-in for django-axes (which locks the account after
AXES_FAILURE_LIMIT of them). django-otp's own throttle on each device doubles the wait
after every wrong code (1 s, 2 s, 4 s, …), across sessions. With the app accepting 3 codes
at a time (a 30-second step, one step either side), one guess succeeds with p = 3/10^6:
5 guesses per password log-in, 5 log-ins per cool-off (15 minutes), and the doubling wait,
leave a guesser about 16 tries in the first day (the waits before try n add up to 2^(n-1) s) and fewer
after; the expected 10^6/3 tries are out of reach.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from ..activity import record_event
from . import devices

PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60  # the code step must follow the password within five minutes
MAX_WRONG_CODES = 5


class TwoStepLoginView(LoginView):
    """Django's log-in; a runner with two-factor log-in on goes on to the code step."""

    def form_valid(self, form):
        user = form.get_user()
        self.request.session.pop(PENDING_KEY, None)  # a half-way log-in left before this one
        if not devices.is_on(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
            "wrong": 0,
        }
        return HttpResponseRedirect(reverse("login_code"))


def pending_user(request):
    """The runner who passed the password step in this session, if still in time."""
    state = request.session.get(PENDING_KEY)
    if not state or time.time() - state.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return get_user_model().objects.filter(pk=state["user"], is_active=True).first()


def finish(request, user, device):
    """The code was right: log the session in, verified by `device`; where to go next."""
    state = request.session.pop(PENDING_KEY)
    auth_login(request, user, backend=state["backend"])  # noted as a log-in (checkins.activity)
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        record_event(user, "recovery_code_used", request)
    return redirect(state["next"])


def wrong_code(request, user) -> bool:
    """Count a wrong code; True when that was the last allowed (the half-way state ends and
    django-axes counts a failed log-in for the account)."""
    state = request.session[PENDING_KEY]
    state["wrong"] += 1
    request.session[PENDING_KEY] = state
    if state["wrong"] < MAX_WRONG_CODES:
        return False
    del request.session[PENDING_KEY]
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return True
