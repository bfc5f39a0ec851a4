"""What the pages of a run add around the engine's advice: red flags still open on home,
the "I've read this" marker, and what a run without a cause can still offer.

The texts of tips come from the engine (advice.knowledge.TIPS); this module only
picks which ones, and says which answers were left out.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from advice import TIPS, RedFlag, Tip, assess

from .models import CheckIn, Profile, Run

# Home keeps an unread red flag of a run this recent, even after later runs.
FLAGS_OPEN_DAYS = 14

# The article's general prevention, for a run whose answers point to no cause.
GENERAL_TIP_CODES = ("hydrate_before", "cooldown_walk", "carbs_before", "gradual_progression")
GENERAL_TIPS: tuple[Tip, ...] = tuple(TIPS[code] for code in GENERAL_TIP_CODES)


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


# What to note next time, when the answers point to no cause: (keys, words), in form order.
_TO_RECORD = (
    (("duration_min",), "how long the run took"),
    (("effort",), "how hard it felt (effort 1 to 10)"),
    (("temperature_c", "humidity_pct"), "the temperature and humidity"),
    (("temperature_c",), "the temperature"),
    (("humidity_pct",), "the humidity"),
    (("fluid_ml",), "what you drank on the run"),
    (("carbs_before_g",), "the carbohydrate you ate before it, and when"),
    (("cooldown",), "how you stopped: walked, stretched or stopped dead"),
)


def general_tips_for(answers: dict) -> tuple[Tip, ...]:
    """The general tips, less those this run shows the runner follows already."""
    done = set()
    if answers.get("cooldown") in ("walk", "walk_stretch"):
        done.add("cooldown_walk")
    if answers.get("carbs_before_g", 0) >= 30:
        done.add("carbs_before")
    return tuple(tip for tip in GENERAL_TIPS if tip.code not in done)


def to_record_next_time(answers: dict) -> list[str]:
    """The answers the causes are judged by that this run left out, as words for the runner."""
    missing = {key for keys, _ in _TO_RECORD for key in keys if answers.get(key) is None}
    out = []
    for keys, words in _TO_RECORD:
        if missing.issuperset(keys):
            out.append(words)
            missing.difference_update(keys)
    return out
