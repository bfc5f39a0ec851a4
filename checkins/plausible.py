"""What Aftermath stores: one rule of plausibility for a run's dates and values.

Every way a run comes in asks this module: the check-in form, a watch file and an
Aftermath export. So nothing implausible is stored, and each refusal is the same
sentence whichever way the run came: "its start time (0001-01-01) is not plausible",
"the average heart rate (300 bpm) is outside what a run can have (20–250 bpm)". A
sentence names what the runner knows (the distance, the urine colour), never a
field's code name.

The ranges are the model fields' validators (checkins.models, built from the
domain's RANGES): this module reads them and keeps no copy. Its only figures of its
own are the dates: runs from 1995 (EARLIEST_START) up to a day from now.

A value stored before this rule, or written around it, must still never break a
page: `local_time` shows a time at the calendar's ends in UTC instead of
overflowing, and `is_plausible_day` lets the history leave such a day out of its
date arithmetic.

This module imports no model at import time (checkins.models delegates to it).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# The earliest start a run may have, whichever way it comes in. GPS sports watches date
# from the late 1990s, and a damaged FIT file shows FIT's epoch (31 Dec 1989); a start
# typed before it is a typo. It also keeps date arithmetic (a period, the weeks before
# a run) on the calendar.
EARLIEST_START = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)
# A watch's clock may run ahead: a start up to a day from now is taken.
CLOCK_AHEAD = dt.timedelta(days=1)
# A run's day is its start's day in the runner's zone: up to a day either side of UTC's.
ZONE_DAY = dt.timedelta(days=1)

# What the runner calls each stored value, and its unit (metric, as stored).
WORDS: dict[str, tuple[str, str]] = {
    # Run
    "started_at": ("start time", ""),
    "date": ("day", ""),
    "distance_km": ("distance", "km"),
    "duration_min": ("time", "min"),
    "effort": ("effort", ""),
    "run_type": ("type of run", ""),
    "temperature_c": ("temperature", "°C"),
    "humidity_pct": ("humidity", "%"),
    "fluid_ml": ("amount drunk during the run", "ml"),
    "electrolytes_during": ("electrolytes during the run", ""),
    "carbs_before_g": ("carbohydrate before the run", "g"),
    "carbs_before_min": ("time from the carbohydrate to the start", "min"),
    "meal_before_h": ("time since the last proper meal", "h"),
    "spicy_meal": ("spicy food before the run", ""),
    "cooldown": ("way of stopping", ""),
    "weight_before_kg": ("weight before the run", "kg"),
    "weight_after_kg": ("weight after the run", "kg"),
    "days_since_rest": ("number of running days in a row", "days"),
    "avg_heart_rate_bpm": ("average heart rate", "bpm"),
    "notes": ("notes", ""),
    # CheckIn
    "twitching": ("twitching", ""),
    "muscles": ("muscles that twitched", ""),
    "intensity": ("strength of the twitching", ""),
    "visible": ("visible twitching", ""),
    "cramps": ("cramps", ""),
    "weakness": ("muscle weakness", ""),
    "sleep_disrupted": ("disturbed sleep", ""),
    "daily_life_disrupted": ("disrupted daily life", ""),
    "symptoms": ("other symptoms", ""),
    "urine_color": ("urine colour", ""),
    "rehydrated": ("drinking to rehydrate after the run", ""),
    "medications": ("medicines", ""),
    "medication_changed": ("a new or changed medicine", ""),
    "followup_at": ("follow-up time", ""),
    "still_twitching": ("still twitching the next day", ""),
    "flags_seen_at": ("time the warnings were read", ""),
    "experiment_kept": ("keeping to the experiment that day", ""),
    # Profile
    "distance_unit": ("unit of distance", ""),
    "temperature_unit": ("unit of temperature", ""),
    "volume_unit": ("unit of volume", ""),
    "weight_unit": ("unit of weight", ""),
    "time_zone": ("time zone", ""),
    "body_weight_kg": ("body weight", "kg"),
    "notice_acknowledged_at": ("time the first-use notice was accepted", ""),
}
# Where a value out of range is: a run's own figures, a scale, or the profile.
OUTSIDE = {"Run": "what a run can have", "CheckIn": "its scale", "Profile": "what Aftermath takes"}


# --- Dates -------------------------------------------------------------------------


def latest_start(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + CLOCK_AHEAD


def _aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _moment_problem(value: object, label: str) -> str | None:
    if not isinstance(value, dt.datetime):
        return f"its {label} ({shown(value)}) is not a date and time"
    if EARLIEST_START <= _aware(value) <= latest_start():
        return None
    return _not_plausible(label, value)


def _not_plausible(label: str, value: dt.datetime) -> str:
    return f"its {label} ({value.date().isoformat()}) is not plausible"


def start_problem(started: dt.datetime) -> str | None:
    """Why a run cannot start then, as a sentence (None when it can): from EARLIEST_START
    up to a day from now. A naive time is read as UTC."""
    return _moment_problem(started, WORDS["started_at"][0])


def is_plausible_start(started: dt.datetime) -> bool:
    return start_problem(started) is None


def implausible_start(started: dt.datetime) -> str:
    """The words for a start refused (start_problem's, for a start known to be a time)."""
    return _not_plausible(WORDS["started_at"][0], started)


def day_range() -> tuple[dt.date, dt.date]:
    """The days a run may be on: its start's day in any zone."""
    return (EARLIEST_START - ZONE_DAY).date(), (latest_start() + ZONE_DAY).date()


def is_plausible_day(day: dt.date) -> bool:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return False
    first, last = day_range()
    return first <= day <= last


def day_problem(day: object) -> str | None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return f"its day ({shown(day)}) is not a date"
    return None if is_plausible_day(day) else f"its day ({day.isoformat()}) is not plausible"


def local_time(value: dt.datetime, zone=None) -> dt.datetime:
    """The time in `zone` (the current zone by default). A time at the calendar's ends
    that has no local time there (year 1 behind UTC, 9999 ahead) stays as it is:
    shown a few hours off rather than breaking the page."""
    if timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value, zone)
    except OverflowError:
        return value


# --- Values --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """What one stored value may be, read from its model field."""

    key: str
    kind: str  # number, whole, yes_no, choice, codes, text, moment, day
    label: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: frozenset = frozenset()
    max_length: int | None = None
    outside: str = ""


def _rule(model, field) -> Rule:
    label, unit = WORDS[field.name]
    common = {"key": field.name, "label": label, "unit": unit, "outside": OUTSIDE.get(model.__name__, "")}
    if isinstance(field, models.DateTimeField):
        return Rule(kind="moment", **common)
    if isinstance(field, models.DateField):
        return Rule(kind="day", **common)
    if isinstance(field, models.BooleanField):
        return Rule(kind="yes_no", **common)
    if isinstance(field, models.IntegerField | models.FloatField):
        lows = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
        whole = isinstance(field, models.IntegerField)
        return Rule(
            kind="whole" if whole else "number",
            low=max(lows, default=None),
            high=min(highs, default=None),
            **common,
        )
    allowed = getattr(field, "allowed", None)  # a CodeListField
    if allowed is not None:
        return Rule(kind="codes", choices=allowed, **common)
    if field.choices:
        codes = frozenset(code for code, _ in field.flatchoices)
        return Rule(kind="choice", choices=codes | ({""} if field.blank else set()), **common)
    lengths = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    return Rule(kind="text", max_length=field.max_length or min(lengths, default=None), **common)


@functools.cache
def rules(model_name: str) -> dict[str, Rule]:
    """The rules of a model's stored values ("Run", "CheckIn" or "Profile"), by field name."""
    from . import models as stored

    model = getattr(stored, model_name)
    return {f.name: _rule(model, f) for f in model._meta.concrete_fields if f.name in WORDS}


def rule(key: str) -> Rule | None:
    """The rule of a run's or a check-in's value (their names do not overlap)."""
    return rules("Run").get(key) or rules("CheckIn").get(key)


def limits(key: str, model_name: str = "Run") -> tuple[float | None, float | None]:
    """The lowest and highest value the model takes for `key` (from its validators)."""
    found = rules(model_name)[key]
    return found.low, found.high


def check(found: Rule, value: object) -> str | None:
    """Why `value` cannot be stored under `found`, as a sentence; None when it can (or is
    not answered)."""
    if value is None:
        return None
    label, value_text = found.label, shown(value)
    match found.kind:
        case "moment":
            return _moment_problem(value, label)
        case "day":
            return day_problem(value)
        case "yes_no":
            if isinstance(value, bool):
                return None
            return f"the answer about {label} ({value_text}) is not yes or no"
        case "choice":
            if isinstance(value, str) and value in found.choices:
                return None
            return f"the {label} ({value_text}) is not one Aftermath knows"
        case "codes":
            if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
                return f"the {label} ({value_text}) are not a list of names"
            unknown = [code for code in value if code not in found.choices]
            if unknown:
                names = ", ".join(shown(code) for code in unknown[:3])
                return f"the {label} include {names}, which Aftermath does not know"
            return None
        case "text":
            if not isinstance(value, str):
                return f"the {label} ({value_text}) are not text"
            if found.max_length is not None and len(value) > found.max_length:
                return f"the {label} are longer than {found.max_length} characters"
            return None
    return _number_problem(found, value)


def _number_problem(found: Rule, value: object) -> str | None:
    label, unit = found.label, f" {found.unit}" if found.unit else ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"the {label} ({shown(value)}) is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"the {label} is not a finite number"
    amount = _number(value)
    amount += unit if amount[0] in "-0123456789" else ""  # "300 bpm", not "a huge number bpm"
    if found.kind == "whole" and isinstance(value, float) and not value.is_integer():
        return f"the {label} ({amount}) is not a whole number"
    if (found.low is not None and value < found.low) or (found.high is not None and value > found.high):
        return f"the {label} ({amount}) is outside {found.outside} ({_span(found)}{unit})"
    return None


def value_problem(key: str, value: object) -> str | None:
    """Why a run's or check-in's value cannot be stored under `key`; None when it can, is
    not answered (None), or is not a stored value."""
    found = rule(key)
    return None if found is None else check(found, value)


def run_problems(values: dict) -> list[str]:
    """Why a run (with its check-in's values, if any) cannot be stored: one sentence per
    problem, none when it can. Keys are the models' (metric, shared/domain.md); keys that
    are not stored values are left to the caller. A watch file's run, an export's."""
    problems = [problem for key, value in values.items() if (problem := value_problem(key, value))]
    started, day = values.get("started_at"), values.get("date")
    if (
        not problems
        and isinstance(started, dt.datetime)
        and isinstance(day, dt.date)
        and abs(day - _aware(started).astimezone(dt.UTC).date()) > ZONE_DAY
    ):
        problems.append(
            f"its day ({day.isoformat()}) is not the day of its start time ({started.date().isoformat()})"
        )
    return problems


def profile_problems(values: dict) -> list[str]:
    """Why profile values (units, time zone, body weight, medicines) cannot be stored."""
    found = rules("Profile")
    return [
        problem for key, value in values.items() if key in found and (problem := check(found[key], value))
    ]


# --- Words ---------------------------------------------------------------------------


def _number(value: float) -> str:
    """12.0 -> "12", 0.005 -> "0.005", 1e300 -> "1e+300": as a person would read it."""
    try:
        if float(value).is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4g}"
    except OverflowError:  # an integer too large for a float
        return "a huge number"


def _span(found: Rule) -> str:
    if found.low is None:
        return f"up to {_number(found.high)}"
    if found.high is None:
        return f"from {_number(found.low)}"
    return f"{_number(found.low)}–{_number(found.high)}"


def shown(value: object) -> str:
    """A value in a sentence: numbers as numbers, text quoted and cut short, others named."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return "not a number"
        if isinstance(value, float) and math.isinf(value):
            return "infinite"
        return _number(value)
    if isinstance(value, str):
        return f"“{value[:30]}…”" if len(value) > 30 else f"“{value}”"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a group of values"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return "a value of another kind"
