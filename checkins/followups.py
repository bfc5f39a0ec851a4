"""The follow-up in the days after a run with twitching: when it is open, and the words
for the time of day it is answered in."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import CheckIn

# A check-in with twitching gets a follow-up from the day after the run, and it stays
# open until it is answered, for this many days after the run.
FOLLOWUP_DAYS = 3


def followup_open_on(today: dt.date) -> Q:
    """A filter of check-ins whose follow-up is open on `today`.

    Open: twitching after the run, not answered yet, and `today` is one to
    FOLLOWUP_DAYS days after the run's day. The one rule behind the home page's
    prompt and the run page's link (followup_due is the same rule in Python).
    """
    return Q(
        twitching=True,
        followup_at__isnull=True,
        run__date__lt=today,
        run__date__gte=today - dt.timedelta(days=FOLLOWUP_DAYS),
    )


def followup_due(checkin: CheckIn | None, run_date: dt.date, today: dt.date) -> bool:
    """The same rule as followup_open_on, for a check-in already loaded (no query)."""
    return (
        checkin is not None
        and checkin.twitching is True
        and checkin.followup_at is None
        and today - dt.timedelta(days=FOLLOWUP_DAYS) <= run_date < today
    )


def open_followup(runner, today: dt.date) -> CheckIn | None:
    """The newest check-in with twitching from the last days still awaiting its follow-up."""
    return (
        CheckIn.objects.filter(followup_open_on(today), run__runner=runner)
        .select_related("run")
        .order_by("-run__started_at")
        .first()
    )


def part_of_day(now: dt.datetime) -> str:
    """ "this morning", "this afternoon", "this evening" or "tonight", for a local time.

    Pass the time in the runner's zone (timezone.localtime() while their zone is active).
    """
    hour = now.hour
    if 5 <= hour < 12:
        return "this morning"
    if 12 <= hour < 18:
        return "this afternoon"
    if 18 <= hour < 22:
        return "this evening"
    return "tonight"
