"""Red flags a runner has not read yet: home keeps showing them for two weeks, until the
runner taps "I've read this" on the run's page."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from advice import RedFlag, assess

from .models import CheckIn, Profile, Run

# Home keeps an unread red flag of a run this recent, even after later runs.
FLAGS_OPEN_DAYS = 14


class OpenFlags(NamedTuple):
    """The red flags of one recent run that the runner has not marked as read."""

    run: Run
    flags: tuple[RedFlag, ...]

    @property
    def urgent(self) -> bool:
        return any(flag.urgent for flag in self.flags)

    @property
    def urgent_flags(self) -> tuple[RedFlag, ...]:
        return tuple(flag for flag in self.flags if flag.urgent)


def open_flags(runner, profile: Profile, today: dt.date, *, exclude_pk: int | None = None) -> list[OpenFlags]:
    """Unread red flags of the runner's runs in the last FLAGS_OPEN_DAYS days: urgent first,
    then newest first (one query; each check-in is assessed on its own answers)."""
    checkins = (
        CheckIn.objects.filter(
            run__runner=runner,
            run__date__gte=today - dt.timedelta(days=FLAGS_OPEN_DAYS - 1),
            run__date__lte=today,
            flags_seen_at__isnull=True,
        )
        # Only check-ins that can raise a flag: twitching, cramps or a symptom.
        .filter(Q(twitching=True) | Q(cramps=True) | ~Q(symptoms=""))
        .exclude(run_id=exclude_pk)
        .select_related("run")
        .order_by("-run__started_at", "-run_id")
    )
    found = []
    for checkin in checkins:
        run = checkin.run
        flags = assess(run.answers(), units=profile.units, body_weight_kg=profile.body_weight_kg).red_flags
        if flags:
            found.append(OpenFlags(run, flags))
    found.sort(key=lambda group: not group.urgent)  # stable: newest first within each
    return found


def mark_flags_seen(run: Run) -> bool:
    """Note that the runner has read the run's red flags; True if this call noted it.

    An UPDATE through the log's queryset, so the runner's log revision moves on and
    the cached pages that showed the flags are rendered afresh.
    """
    return bool(
        CheckIn.objects.filter(run=run, flags_seen_at__isnull=True).update(flags_seen_at=timezone.now())
    )
