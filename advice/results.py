"""What `assess`, `scan_history` and `trigger_counts` return: immutable, comparable values.

They are NamedTuples: immutable like frozen dataclasses, but four times
quicker to build, which keeps `assess` within its time budget. Read them by
attribute; `._asdict()` gives a dict for JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .knowledge import Tip


class Cause(NamedTuple):
    """A cause this check-in points to, with the runner's own figures behind it."""

    code: str
    score: float  # 0..1, rounded to 2 places
    because: tuple[str, ...]
    title: str
    text: str
    evidence: str
    reference: str


class RedFlag(NamedTuple):
    code: str
    because: tuple[str, ...]
    urgent: bool
    title: str
    care: str
    reference: str


class Metrics(NamedTuple):
    """Figures worked out from the answers, metric; None when not computable."""

    heat_index_c: float | None = None
    heat_band: str | None = None  # 'caution', 'extreme_caution', 'danger', 'extreme_danger'
    body_mass_change_pct: float | None = None  # negative: weight lost
    sweat_rate_l_per_h: float | None = None
    replace_ml: int | None = None  # 1.5 l per kg lost; None with no deficit
    load: int | None = None  # effort x minutes (session RPE, Foster 2001)


class Plan(NamedTuple):
    """Tailored numbers for the pages; each text already uses the runner's units."""

    rehydrate_ml: int | None
    rehydrate_text: str
    prehydrate_ml: tuple[int, int] | None  # ACSM 2007: 5-7 ml/kg at least 4 h before
    drink_during_ml_per_h: int | None  # from the sweat rate, to stay under 2% loss
    drink_text: str
    carbs_before_g: tuple[int, int]
    carbs_before_min: tuple[int, int]
    fuel_text: str
    cooldown_muscles: tuple[str, ...]
    cooldown_steps: tuple[str, ...]


class Assessment(NamedTuple):
    causes: tuple[Cause, ...]
    tips: tuple[Tip, ...]
    red_flags: tuple[RedFlag, ...]
    metrics: Metrics
    plan: Plan
    twitching: bool | None  # as answered


class HistoryFlag(NamedTuple):
    code: str  # 'persistent', 'widespread' or 'sleep'
    because: tuple[str, ...]
    dates: tuple[dt.date, ...]  # the check-ins behind it, newest first
    title: str
    care: str
    urgent: bool = False


class TriggerCount(NamedTuple):
    """How often twitching followed runs with and without one trigger.

    Only runs where the trigger could be judged and twitching was answered
    count. `too_few` is True when either side has under MIN_RUNS_PER_SIDE (5)
    runs: too few for the page to compare the two.
    """

    code: str
    label: str
    with_runs: int
    with_twitch: int
    without_runs: int
    without_twitch: int
    too_few: bool
