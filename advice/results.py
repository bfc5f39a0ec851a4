"""What `assess`, `scan_history`, `trigger_counts` and the tips pages' plans
return: immutable values that compare equal when their fields are equal.

They are NamedTuples. Read them by attribute; `._asdict()` gives a dict for JSON
(tests/advice/test_advice_pinned.py pins whole outputs that way), and a result
equals the plain tuple of its fields (the rule tests compare Metrics with one).
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

    @property
    def urgent(self) -> bool:
        """An urgent red flag was raised: its action leads and nothing else is shown beside it."""
        return any(flag.urgent for flag in self.red_flags)

    @property
    def urgent_flags(self) -> tuple[RedFlag, ...]:
        return tuple(flag for flag in self.red_flags if flag.urgent)


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


# --- the tips pages (plans.py) ------------------------------------------------------------


class Step(NamedTuple):
    """One step of the cool-down routine, with the time its timer counts down."""

    title: str  # 'Easy jog or walk', 'Calves'
    text: str  # how to do it, one short sentence
    seconds: int  # the whole step: every set on every side
    repeat_note: str  # 'each leg', 'each side' ... or ''


class Routine(NamedTuple):
    """A cool-down for the muscles that twitch most for this runner."""

    muscles: tuple[str, ...]  # muscle codes, most check-ins first
    counts: tuple[int, ...]  # twitching check-ins per muscle, same order
    steps: tuple[Step, ...]  # the easy jog or walk, then one stretch per muscle
    thin: bool  # under 3 twitching check-ins with muscles: the common running muscles instead
    note: str  # what the routine is based on, runner-facing
    caveat: str  # what a cool-down and stretching can and cannot do
    evidence: str  # grade: 'high', 'moderate' or 'limited'
    reference: str


class HydrationPlan(NamedTuple):
    """Drinking before, during and after a run, from the runner's own sweat rate."""

    sweat_rate_l_per_h: float | None  # mean over the weighed runs, 2 places
    sweat_runs: int  # runs behind that mean
    heat_index_c: float | None  # of the planned run's weather, 1 place
    heat_band: str | None  # 'caution' ... 'extreme_danger', None below caution
    duration_min: float | None  # the planned run; default the median of the runner's runs
    before_text: str
    during_text: str
    after_text: str
    dehydration_signs: tuple[str, ...]
    overdrinking_signs: tuple[str, ...]
    overdrinking_care: str  # what to do about those signs
    thin: bool  # no run with weights before and after
    thin_text: str  # what to log to tailor the plan; '' when nothing is missing
    evidence: str
    reference: str


class FuelPlan(NamedTuple):
    """Carbohydrate before and during one kind of run, and the meal before it."""

    run_type: str | None  # None: one plan for every run (no run type logged)
    label: str
    runs: int  # runs of this type in the log
    typical_min: int | None  # median duration of those runs, rounded
    before_text: str
    during_text: str
    meal_text: str
    thin: bool  # fewer than 3 runs of this type
    evidence: str
    reference: str
