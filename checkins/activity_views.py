"""The runner's account activity page (linked from Settings): the last 90 days, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from config.transactions import read_only

from .activity import KEEP_DAYS, KINDS, recent_events

SHOWN = 200  # the newest events; older ones within the 90 days are kept but not listed


@read_only
@login_required
@require_GET
def account_activity(request: HttpRequest) -> HttpResponse:
    events = [
        {"event": event, "what": KINDS.get(event.kind, event.kind)}
        for event in recent_events(request.user)[:SHOWN]
    ]
    response = render(request, "checkins/account_activity.html", {"events": events, "keep_days": KEEP_DAYS})
    response["Cache-Control"] = "private, no-store"
    return response
