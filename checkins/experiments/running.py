"""Starting, stopping and reading a runner's experiments (advice.experiments has the plans'
rules and the result; this module is the database side).

One experiment at a time: at most one row per runner is `active` (a partial unique
constraint holds it under races too). An experiment stays active until it is stopped or a
new one starts after its end; "over" is worked out from the day, never written on a read.
Nothing starts, and no question is asked, while a red flag is open (checkins.flags): the
runner is sent to a doctor first. Starting schedules the first daily nudge for a runner who
asked for them, stopping cancels the pending one (checkins.reminders).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from advice.experiments import CHANGES, Change, Result, baseline_period, experiment_result, phase_on

from ..flags import open_flags
from ..logrevision import note_log_change
from ..models import CheckIn, Experiment, Profile, Reminder
from ..reminders.scheduling import cancel, experiment_changed, settings_of

# What an open red flag means for experiments, in the runner's words.
SEE_DOCTOR_FIRST = (
    "A red flag from one of your recent runs is still open. See a doctor first: an experiment "
    "is no way to look into it. Once you have marked the flag as read, you can start or go "
    "on with one."
)
URGENT_CARE_FIRST = (
    "An urgent warning from one of your recent runs is still open: get the care it names first, "
    "then see a doctor. An experiment is no way to look into it."
)
ONE_AT_A_TIME = "You have an experiment going already: stop it first, or let it finish."


class Refused(Exception):
    """An experiment cannot start; str() says why, for the runner."""


def red_flag_open(runner, profile: Profile, today: dt.date) -> bool:
    """A check-in of the last 14 days with a red flag the runner has not marked as read."""
    return bool(open_flags(runner, profile, today))


def current_experiment(runner, today: dt.date) -> Experiment | None:
    """The runner's experiment that is not over yet (it may start tomorrow), or None."""
    experiment = Experiment.objects.filter(runner=runner, active=True).first()
    if experiment is None or experiment.is_over(today):
        return None
    return experiment


def start_experiment(
    runner, profile: Profile, *, change: str, weeks: int, alternating: bool, key, today: dt.date
) -> tuple[Experiment, bool]:
    """Start an experiment today (or the day after the last one's end); (experiment, created).

    The same key again (a double tap, a resent form) returns the experiment it started.
    Refused while a red flag is open or another experiment is going.
    """
    existing = Experiment.objects.filter(runner=runner, idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if change not in CHANGES:
        raise Refused("Choose one of the changes on the list.")
    if red_flag_open(runner, profile, today):
        raise Refused(SEE_DOCTOR_FIRST)
    reminder_prefs = settings_of(runner.pk)  # read before SQLite's write lock
    try:
        with transaction.atomic():
            # Finished ones stop being active here, in the transaction that starts the next.
            for done in Experiment.objects.select_for_update().filter(runner=runner, active=True):
                if not done.is_over(today):
                    raise Refused(ONE_AT_A_TIME)
                done.active = False
                done.save(update_fields=["active"])
            latest = Experiment.objects.filter(runner=runner).order_by("-start_day", "-id").first()
            start = today
            if latest is not None and latest.last_day >= today:  # stopped today: its day is its own
                start = latest.last_day + dt.timedelta(days=1)
            experiment = Experiment.objects.create(
                runner=runner,
                idempotency_key=key,
                change=change,
                weeks=weeks,
                alternating=alternating,
                start_day=start,
            )
            note_log_change([runner.pk])
            # Its first daily nudge, if the runner asked for them (checkins.reminders).
            experiment_changed(experiment, profile=profile, prefs=reminder_prefs)
    except IntegrityError:
        # The same key, or another start, won a race with this request.
        existing = Experiment.objects.filter(runner=runner, idempotency_key=key).first()
        if existing is None:
            raise Refused(ONE_AT_A_TIME) from None
        return existing, False
    return experiment, True


def stop_experiment(experiment: Experiment, today: dt.date) -> bool:
    """Stop an experiment early: today is its last day. Idempotent: True if this call stopped it."""
    if today > experiment.planned_last_day:
        return False  # over already: nothing to stop
    with transaction.atomic():
        stopped = Experiment.objects.filter(pk=experiment.pk, stopped_on__isnull=True)
        done = bool(stopped.update(stopped_on=today, active=False))
        if done:
            note_log_change([experiment.runner_id])
            nudges = Reminder.objects.filter(kind=Reminder.Kind.EXPERIMENT, experiment=experiment)
            cancel(nudges, "the experiment was stopped")
    return done


# --- Reading the log for experiments -------------------------------------------------

# The answers an experiment's result reads, and the check-in's fields they come from.
ENTRY_FIELDS = {
    "date": "run__date",
    "twitching": "twitching",
    "muscles": "muscles",
    "intensity": "intensity",
    "experiment_kept": "experiment_kept",
}


def entries_between(runner, start: dt.date, end: dt.date) -> list[dict]:
    """The runner's runs from start to end as answers, with what they said about keeping to
    an experiment (one query)."""
    rows = (
        CheckIn.objects.filter(run__runner=runner, run__date__gte=start, run__date__lte=end)
        .order_by("run__date")
        .values_list(*ENTRY_FIELDS.values())
    )
    return [
        {key: value for key, value in zip(ENTRY_FIELDS, row, strict=True) if value not in (None, "", [])}
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Shown:
    """An experiment as the pages show it: its change, its days, its state and its result."""

    experiment: Experiment
    change: Change
    last_day: dt.date
    state: str  # "waiting" (starts tomorrow), "running", "finished", "stopped", "called_off"
    result: Result

    @property
    def state_words(self) -> str:
        return {
            "waiting": "Starts tomorrow",
            "running": "Going on",
            "finished": "Finished",
            "stopped": "Stopped early",
            "called_off": "Called off before it began",
        }[self.state]


def _state(experiment: Experiment, today: dt.date) -> str:
    if experiment.stopped_on is not None:
        return "called_off" if experiment.stopped_on < experiment.start_day else "stopped"
    if today > experiment.planned_last_day:
        return "finished"
    return "waiting" if today < experiment.start_day else "running"


def shown_experiments(runner, today: dt.date, experiments=None) -> list[Shown]:
    """The runner's experiments (or these), newest first, each with its result so far: two
    queries whatever their number (the experiments, and the runs of all their days). Of the
    runner's, one called off before its first day is left out: it has no days."""
    if experiments is None:
        experiments = [e for e in Experiment.objects.filter(runner=runner) if e.last_day >= e.start_day]
    experiments = list(experiments)
    if not experiments:
        return []
    first = min(baseline_period(e.start_day, e.weeks)[0] for e in experiments)
    last = max(e.last_day for e in experiments)
    entries = entries_between(runner, first, min(last, today))  # oldest first
    days = [entry["date"] for entry in entries]
    shown = []
    for experiment in experiments:
        last_day = min(experiment.last_day, today)
        # The runs of an earlier experiment's days were made with its change: not "without".
        earlier = [e.last_day for e in experiments if e.start_day < experiment.start_day]
        not_before = max(earlier) + dt.timedelta(days=1) if earlier else None
        # Only the runs of its days and of the weeks before it: one slice of the log each.
        since = baseline_period(experiment.start_day, experiment.weeks)[0]
        own = entries[bisect_left(days, since) : bisect_right(days, last_day)]
        result = experiment_result(
            own,
            start=experiment.start_day,
            weeks=experiment.weeks,
            alternating=experiment.alternating,
            last_day=last_day,
            not_before=not_before,
        )
        shown.append(
            Shown(
                experiment, CHANGES[experiment.change], experiment.last_day, _state(experiment, today), result
            )
        )
    return shown


# --- The check-in's question ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Question:
    """What the check-in shows of an experiment for a day: one line and one question."""

    experiment: Experiment
    line: str
    question: str


def question_for(experiment: Experiment | None, day: dt.date) -> Question | None:
    """The experiment's line and question for a run on `day`, if the day is one of its days."""
    if experiment is None or not experiment.covers(day):
        return None
    change = CHANGES[experiment.change]
    week = (day - experiment.start_day).days // 7 + 1
    on = phase_on(day, experiment.start_day, experiment.alternating)
    line = f"Your experiment: {change.title.lower()}, week {week} of {experiment.weeks}"
    if experiment.alternating:
        line += ", a week with the change" if on else ", a week without the change (keep to your usual)"
    return Question(experiment, line + ".", change.question if on else change.usual_question)


def experiment_on(runner, day: dt.date) -> Experiment | None:
    """The runner's experiment whose days hold `day` (their days never overlap)."""
    for experiment in Experiment.objects.filter(runner=runner, start_day__lte=day):
        if experiment.covers(day):
            return experiment
    return None


def kept_to_store(
    runner, day: dt.date | None, answer: bool | None, *, asked_on: dt.date | None = None
) -> bool | None:
    """What a check-in stores of the runner's answer: the answer, if the run's day is one of an
    experiment's days and (when the form says the day it asked for) the question asked is the
    one that day asks; otherwise nothing. A run logged in another week of an alternating plan
    than the question's would turn "yes, I kept to my usual" into "yes, I made the change"."""
    if answer is None or day is None:
        return None
    question = question_for(experiment_on(runner, day), day)
    if question is None:
        return None
    if asked_on is not None and asked_on != day:
        asked = question_for(experiment_on(runner, asked_on), asked_on)
        if (
            asked is None
            or asked.experiment.pk != question.experiment.pk
            or asked.question != question.question
        ):
            return None
    return answer


# --- The doctor's report ------------------------------------------------------------------


def report_rows(runner, *, start: dt.date, end: dt.date, today: dt.date, words=str) -> list[dict]:
    """The experiments whose days overlap the report's period, oldest first, as the report
    lists them; `words` rewrites a sentence for its reader (the report's third person)."""
    experiments = Experiment.objects.filter(runner=runner, start_day__lte=end)
    rows = []
    for item in reversed(shown_experiments(runner, today, experiments)):
        if item.last_day < start or item.last_day < item.experiment.start_day:
            continue
        result = item.result
        rows.append(
            {
                "change": item.experiment.change,
                "title": item.change.title,
                "start": item.experiment.start_day,
                "end": item.last_day,
                "weeks": item.experiment.weeks,
                "alternating": item.experiment.alternating,
                "state": item.state_words,
                "with": result.with_change.sentence,
                "without": result.without_change.sentence,
                "without_what": words(result.without_what),
                "headline": words(result.headline),
                "adherence": words(result.adherence),
            }
        )
    return rows
