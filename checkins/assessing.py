"""Assessing a run: the advice for a saved run, or for a form's answers so far, judged
against the runner's recent history and their profile (medicines, body weight, units);
and for a run whose answers point to no cause, the general tips and what to note next
time. The texts of tips come from the engine (advice.knowledge.TIPS); this module only
picks which ones, and says which answers were left out.

The advice engine takes plain mappings; this module gathers them for one runner
with a fixed number of queries, whatever the length of their log.
"""

from __future__ import annotations

import datetime as dt

from advice import TIPS, Assessment, Tip, assess

from .history import running_streaks
from .models import Profile, Run
from .plausible import is_plausible_day

# The overuse rules look back 30 days for the longest run (Frandsen/Nielsen 2025)
# and compare the last two weeks (Nielsen 2014); 35 days covers both.
HISTORY_DAYS = 35


def history_before(runner, day: dt.date, *, exclude_pk: int | None = None) -> list[dict]:
    """The runner's (a user or its pk) runs in the 35 days up to `day`, as answer mappings (one query).

    Nothing for a day off the plausible calendar (stored before checkins.plausible held the
    rule): the weeks before it may not be on the calendar at all.
    """
    if not is_plausible_day(day):
        return []
    rows = (
        Run.objects.filter(runner_id=getattr(runner, "pk", runner))
        .filter(date__gte=day - dt.timedelta(days=HISTORY_DAYS), date__lte=day)
        .exclude(pk=exclude_pk)
        .values("date", "distance_km", "duration_min")
    )
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def consecutive_running_days(day: dt.date, earlier: set[dt.date]) -> int:
    """Days in a row with a run, ending on `day` and counting it (1 = rested the day before)."""
    return running_streaks(earlier | {day})[day]


def assess_answers(answers: dict, *, runner, profile: Profile, day: dt.date, exclude_pk=None) -> Assessment:
    history = history_before(runner, day, exclude_pk=exclude_pk)
    answers = dict(answers)
    answers.setdefault("date", day)
    if "days_since_rest" not in answers:
        answers["days_since_rest"] = consecutive_running_days(day, {row["date"] for row in history})
    if "medications" not in answers and profile.medications:
        answers["medications"] = list(profile.medications)
    if "medication_changed" not in answers and profile.medication_changed:
        answers["medication_changed"] = True
    return assess(answers, history=history, units=profile.units, body_weight_kg=profile.body_weight_kg)


def assess_run(run: Run, profile: Profile) -> Assessment:
    """The advice for a saved run with its check-in."""
    return assess_answers(
        run.answers(), runner=run.runner_id, profile=profile, day=run.date, exclude_pk=run.pk
    )


# The article's general prevention, for a run whose answers point to no cause.
GENERAL_TIP_CODES = ("hydrate_before", "cooldown_walk", "carbs_before", "gradual_progression")
GENERAL_TIPS: tuple[Tip, ...] = tuple(TIPS[code] for code in GENERAL_TIP_CODES)


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
