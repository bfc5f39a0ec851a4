"""Sharing the report for a doctor: the runner's share links page (make one, see each, revoke
one), and the public page a link opens (the report, read-only, and nothing else)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Profile, ShareLink
from . import share
from .forms import PeriodForm, ShareLinkForm
from .report import doctor_report

ALREADY_SENT = (
    "This form made its link already: it is in your list below (its address was shown once, "
    "when it was made). To share the report again, make a new link here."
)


def _not_kept(response: HttpResponse) -> HttpResponse:
    """A page that holds a token (in its URL or its body): no copy kept by a browser or a
    proxy, no search engine, no token sent on in a Referer header."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest) -> HttpResponse:
    """Make a link (its period filled in from the report on screen), and every link made."""
    posted = request.method == "POST"
    form = ShareLinkForm(request.POST if posted else None, initial=_period_shown(request))
    created = None
    if posted and form.is_valid():
        try:
            link, raw = share.issue(
                runner=request.user, **form.link_fields(timezone.localdate()), request=request
            )
        except share.AlreadySent:
            form = _sent_again(request.POST)
        else:
            created = {"link": link, "url": request.build_absolute_uri(reverse("shared_report", args=[raw]))}
            form = ShareLinkForm(initial={"start": link.start.isoformat(), "end": link.end.isoformat()})
    now = timezone.now()
    links = [
        {"link": link, "state": link.state(now)} for link in ShareLink.objects.filter(runner=request.user)
    ]
    context = {"form": form, "created": created, "links": links}
    status = 400 if posted and created is None else 200
    response = render(request, "checkins/transfer/share_links.html", context, status=status)
    # The page may hold a new link: no copy kept. (Its Referer policy stays same-origin: with
    # no-referrer the browser would send its forms as from origin "null", refused as CSRF.)
    response["Cache-Control"] = "private, no-store"
    return response


def _sent_again(data) -> ShareLinkForm:
    """The form as sent, saying why it made nothing, with a key of its own: sent from here, it
    makes a new link."""
    data = data.copy()
    data["idempotency_key"] = str(uuid.uuid4())
    form = ShareLinkForm(data)
    form.is_valid()
    form.add_error(None, ALREADY_SENT)
    return form


def _period_shown(request) -> dict:
    """The period of the report the runner came from (?start=…&end=…), else the report's default."""
    shown = PeriodForm(request.GET or None)
    start, end = shown.period(timezone.localdate())
    return {"start": start.isoformat(), "end": end.isoformat()}  # as a date input shows a day


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(ShareLink, pk=pk, runner=request.user)
    if share.revoke(link, request):
        messages.success(
            request, f"The link to your report of {share.dates_words(link)} is revoked: it no longer opens."
        )
    return redirect("share_links")


@require_GET
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """The report a share link opens, to anyone who has the link, until it expires or is revoked.

    Refusals are answered, not raised: the guess they count must be committed."""
    wait = share.guessing_wait(request)
    if wait is not None:
        response = _refusal(request, "guessing", status=429)
        response["Retry-After"] = str(wait)
        return response
    link = share.find(token)
    if link is None:
        share.count_guess(request)
        return _refusal(request, "unknown", status=404)
    if link.state() != "active" or not link.runner.is_active:
        return _refusal(request, "ended", status=410)
    share.note_opened(link, request)
    try:
        profile = link.runner.profile  # loaded with the link (share.find)
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(runner=link.runner)
    with timezone.override(profile.zone):
        report = doctor_report(link.runner, profile, start=link.start, end=link.end)
        context = {"report": report, "link": link, "units": profile.units}
        return _not_kept(render(request, "checkins/transfer/shared_report.html", context))


def _refusal(request, reason: str, *, status: int) -> HttpResponse:
    return _not_kept(
        render(request, "checkins/transfer/shared_refused.html", {"reason": reason}, status=status)
    )
