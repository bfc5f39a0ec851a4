"""Experiments: the runner tries one change for two to four weeks, and the log says whether
twitching went with it less often.

Declared once, as data: the changes a runner may try (`CHANGES`), each with the tips and
the history triggers it relates to (advice.knowledge) and the one question the check-in
asks to know whether the runner kept to it that day. The logic is small functions: which
weeks are with the change (`phase_on`), and the result (`experiment_result`), which
compares twitching with and without the change by the same method as the history's
patterns (advice.stats.compare_rates: Fisher's exact test, with a minimum number of runs
on each side below which it says "not enough to tell").

No change touches a medicine or names a supplement dose: the list below is all there is,
and a test reads every text for the words. Plain Python: no Django import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .clean import clean_some
from .history import entries_of, fmt_date, twitched
from .knowledge import TIPS
from .stats import ALPHA, MIN_RUNS_PER_SIDE, RateComparison, compare_rates

# The periods a runner may choose, in weeks; alternating plans switch every week.
WEEKS_CHOICES = (2, 3, 4)
DAYS_IN_WEEK = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One change a runner may try. `doing` says what to do, `question` asks whether they
    did it that day, `usual_question` asks an alternating plan's week without it whether
    they kept to their usual."""

    code: str
    title: str
    doing: str
    question: str
    usual_question: str
    tips: tuple[str, ...]  # advice.knowledge.TIPS codes
    triggers: tuple[str, ...]  # advice.knowledge.TRIGGERS codes (the history's patterns)

    @property
    def tip_titles(self) -> tuple[str, ...]:
        return tuple(TIPS[code].title for code in self.tips)


CHANGES = MappingProxyType(
    {
        change.code: change
        for change in (
            Change(
                code="electrolytes_long_runs",
                title="Electrolytes on runs over an hour",
                doing="On every run over an hour, take an electrolyte drink or a salty snack along the way.",
                question="Did you keep to it this time: an electrolyte drink or a salty snack "
                "if the run was over an hour?",
                usual_question="Did you keep to your usual this time: no electrolyte drink or "
                "salty snack on the run?",
                tips=("electrolyte_drink",),
                triggers=("hot_humid", "little_fluid"),
            ),
            Change(
                code="cooldown_walk",
                title="A cool-down walk",
                doing="End every run with 5 to 10 minutes of easy walking or jogging instead of "
                "stopping dead.",
                question="Did you end this run with 5 to 10 minutes of easy walking or jogging?",
                usual_question="Did you keep to your usual this time: no cool-down walk?",
                tips=("cooldown_walk",),
                triggers=("no_cooldown",),
            ),
            Change(
                code="carbs_before",
                title="Some carbohydrate an hour before running",
                doing="About an hour before each run, eat food with 30 to 60 g of carbohydrate, "
                "for example a banana and a slice of toast.",
                question="Did you eat something with 30 to 60 g of carbohydrate (a banana and "
                "a slice of toast, say) about an hour before this run?",
                usual_question="Did you keep to your usual this time: no extra snack before the run?",
                tips=("carbs_before",),
                triggers=("no_carbs",),
            ),
            Change(
                code="rest_after_two_hard_days",
                title="A rest day after two hard days",
                doing="After two hard or long days of running in a row, take a full rest day.",
                question="Did you keep to the plan: no third hard day in a row without a rest day?",
                usual_question="Did you keep to your usual this time, without planning a rest day "
                "after two hard days?",
                tips=("rest_days",),
                triggers=("no_rest_day",),
            ),
        )
    }
)


def changes_for_trigger(trigger: str) -> tuple[Change, ...]:
    """The changes a history pattern (a TRIGGERS code) may be tested with."""
    return tuple(change for change in CHANGES.values() if trigger in change.triggers)


def changes_for_tips(tips: Iterable[str]) -> tuple[Change, ...]:
    """The changes that try out any of these tips (TIPS codes)."""
    wanted = set(tips)
    return tuple(change for change in CHANGES.values() if wanted & set(change.tips))


# --- The plan's days ----------------------------------------------------------------


def last_planned_day(start: dt.date, weeks: int) -> dt.date:
    return start + dt.timedelta(days=weeks * DAYS_IN_WEEK - 1)


def phase_on(day: dt.date, start: dt.date, alternating: bool) -> bool:
    """Whether `day` of a plan starting on `start` is with the change: every day, or in an
    alternating plan the first week and every other week after it."""
    if not alternating:
        return True
    return (day - start).days // DAYS_IN_WEEK % 2 == 0


def baseline_period(start: dt.date, weeks: int, not_before: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A plan without off weeks is compared with the same number of weeks just before it,
    from `not_before` at the earliest (the day after an earlier experiment's last day: runs
    made with another change are not "without")."""
    first = start - dt.timedelta(days=weeks * DAYS_IN_WEEK)
    if not_before is not None:
        first = max(first, not_before)
    return first, start - dt.timedelta(days=1)


# --- The result ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    """The runs on one side of the comparison: how many, how many followed by twitching, and
    how strong the twitching was (the mean of the strengths given, 0-10)."""

    runs: int
    twitching: int
    intensities: tuple[int, ...]

    @property
    def mean_intensity(self) -> float | None:
        if not self.intensities:
            return None
        return round(sum(self.intensities) / len(self.intensities), 1)

    @property
    def sentence(self) -> str:
        if not self.runs:
            return "no runs with the twitching question answered"
        text = f"twitching after {self.twitching} of {self.runs} run{'s' if self.runs != 1 else ''}"
        if self.mean_intensity is not None:
            text += f", {self.mean_intensity:g}/10 on average when it twitched"
        return text


@dataclass(frozen=True, slots=True)
class Result:
    """An experiment's comparison so far (or at its end)."""

    with_change: Side
    without_change: Side
    without_what: str  # which runs are "without", in plain words
    comparison: RateComparison
    kept: int  # runs on which the runner said they kept to the plan
    answered: int  # runs on which they answered the question
    runs_in_plan: int  # runs logged in the plan's days so far
    verdict: str  # "not_enough", "less", "more" or "no_clear_difference"
    headline: str
    method: str

    @property
    def adherence(self) -> str:
        if not self.runs_in_plan:
            return "No runs logged in the experiment yet."
        if not self.answered:
            runs = "run" if self.runs_in_plan == 1 else "runs"
            return (
                f"The question was not answered on any of the {self.runs_in_plan} {runs} so far, "
                "so how well you kept to the plan is not known."
            )
        runs = "run" if self.answered == 1 else "runs"
        text = f"You kept to the plan on {self.kept} of {self.answered} {runs} you answered the question for"
        unanswered = self.runs_in_plan - self.answered
        if unanswered:
            text += f" ({unanswered} run{'s' if unanswered != 1 else ''} without an answer)"
        return text + "."


METHOD = (
    "How this is worked out: the share of runs followed by twitching with the change is "
    "compared with the share without it by Fisher's exact test (two-sided), as the history's "
    f"patterns are. Below {MIN_RUNS_PER_SIDE} runs on either side the app does not compare. A "
    f"difference counts as clear when chance alone, with no effect of the change, would give one "
    f"this large at most {ALPHA:.0%} of the time. Every run in the plan's days counts on its "
    "side, whether or not you kept to the plan that day; how well you kept to it is shown "
    "beside. The strength is "
    "shown, not tested. One person's log can go with other things too: the weather, the "
    "training, the season."
)


def experiment_result(
    entries: object,
    *,
    start: dt.date,
    weeks: int,
    alternating: bool,
    last_day: dt.date,
    not_before: dt.date | None = None,
) -> Result:
    """Compare twitching with and without the change over the plan's days up to `last_day`
    (the plan's end, the day it was stopped, or today for a running view).

    `entries`: the runner's runs as answers mappings, with "date", "twitching",
    "intensity" and "experiment_kept" (True, False or missing: not answered). Runs
    without the twitching question answered are left out of both sides.
    "Without" is the off weeks of an alternating plan, else the runs of the same number
    of weeks before the start, after an earlier experiment's last day (`not_before`).
    """
    end = min(last_day, last_planned_day(start, weeks))
    base_start, base_end = baseline_period(start, weeks, not_before)
    on_runs, off_runs = [], []
    kept = answered = runs_in_plan = 0
    for entry in entries_of(entries):
        a = clean_some(entry, ("date", "twitching", "muscles", "intensity"))
        day = a.get("date")
        if day is None:
            continue
        in_plan = start <= day <= end
        if in_plan:
            runs_in_plan += 1
            said = entry.get("experiment_kept")
            if isinstance(said, bool):
                answered += 1
                kept += said
        if "twitching" not in a and not a.get("muscles"):
            continue
        if in_plan:
            (on_runs if phase_on(day, start, alternating) else off_runs).append(a)
        elif not alternating and base_start <= day <= base_end:
            off_runs.append(a)
    with_side, without_side = _side(on_runs), _side(off_runs)
    comparison = compare_rates(
        with_events=with_side.twitching,
        with_runs=with_side.runs,
        without_events=without_side.twitching,
        without_runs=without_side.runs,
    )
    if alternating:
        without_what = "Without: your runs in the weeks without the change."
    else:
        before = baseline_period(start, weeks)[0]
        if base_start > base_end:
            without_what = "Without: no days between your previous experiment and this one."
        elif base_start > before:
            without_what = (
                f"Without: your runs between your previous experiment and this one "
                f"({fmt_date(base_start)} to {fmt_date(base_end)})."
            )
        else:
            without_what = (
                f"Without: your runs in the {weeks} weeks before you started "
                f"({fmt_date(base_start)} to {fmt_date(base_end)})."
            )
    verdict = _verdict(comparison)
    return Result(
        with_change=with_side,
        without_change=without_side,
        without_what=without_what,
        comparison=comparison,
        kept=kept,
        answered=answered,
        runs_in_plan=runs_in_plan,
        verdict=verdict,
        headline=_headline(verdict, comparison),
        method=METHOD,
    )


def _side(runs: list[Mapping]) -> Side:
    twitches = [a for a in runs if twitched(a)]
    return Side(
        runs=len(runs),
        twitching=len(twitches),
        intensities=tuple(a["intensity"] for a in twitches if "intensity" in a),
    )


def _verdict(comparison: RateComparison) -> str:
    if not comparison.enough or comparison.p_value is None:
        return "not_enough"
    if comparison.p_value > ALPHA:
        return "no_clear_difference"
    return "less" if comparison.with_rate < comparison.without_rate else "more"


def _headline(verdict: str, comparison: RateComparison) -> str:
    if verdict == "not_enough":
        return (
            f"Not enough to tell yet: a comparison needs at least {MIN_RUNS_PER_SIDE} runs with "
            f"the change and {MIN_RUNS_PER_SIDE} without, each with the twitching question answered."
        )
    p = f"p = {comparison.p_value:.2g}"
    if verdict == "no_clear_difference":
        return (
            "No clear difference: what you saw could well be chance "
            f"(Fisher's exact test, {p}). That is not proof the change does nothing for you."
        )
    how = "less often" if verdict == "less" else "more often"
    return (
        f"Twitching came {how} with the change, more than chance alone would easily explain "
        f"(Fisher's exact test, {p}). It went with the change; other things may explain it too."
    )


def fmt_period(start: dt.date, end: dt.date) -> str:
    return f"{fmt_date(start)} to {fmt_date(end)}"
