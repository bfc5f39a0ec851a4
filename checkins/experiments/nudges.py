"""An experiment's daily nudge: whether a day wants one, and its words.

`why_no_nudge(experiment, profile, day)` is the one predicate: the reminders' experiment
kind (checkins.reminders.kinds.ExperimentNudge) asks it for each nudge at send time, and
`due_nudges(day)` asks it for every experiment going on that day. Nothing here sends or
stores anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from advice.experiments import CHANGES, phase_on

from ..models import CheckIn, Experiment, Profile
from .running import red_flag_open


@dataclass(frozen=True, slots=True)
class Nudge:
    runner_id: int
    experiment_id: int
    text: str  # one line for a notification
    url: str  # where a tap leads: the check-in, with the experiment's question


def nudge_words(experiment: Experiment, day: dt.date) -> tuple[str, str]:
    """A nudge's title and body for `day`: short, plain, no claim about health."""
    change = CHANGES[experiment.change].title.lower()
    if phase_on(day, experiment.start_day, experiment.alternating):
        return (
            f"Your experiment: {change}",
            "Did you keep to it today? If you ran, one tap in today's check-in says so.",
        )
    return (
        "A week without the change",
        f"Your experiment: {change}. Did you keep to your usual today? "
        "If you ran, one tap in today's check-in says so.",
    )


def answered_on(runner_id: int, day: dt.date) -> bool:
    """Has the runner answered the experiment's question for a run of `day`?"""
    return CheckIn.objects.filter(
        run__runner_id=runner_id, run__date=day, experiment_kept__isnull=False
    ).exists()


def why_no_nudge(
    experiment: Experiment, profile: Profile, day: dt.date, *, answered: bool | None = None
) -> str:
    """Why the runner gets no nudge about `experiment` on `day`, or "" for a nudge.

    None once it is stopped (its stop day included) or over, once that day's question is
    answered, and while a red flag of theirs is open (a doctor comes first). `answered`:
    already looked up for many runners at once (due_nudges), else one query.
    """
    if not experiment.active or experiment.stopped_on is not None:
        return "the experiment was stopped"
    if not experiment.covers(day):
        return "the day is not one of the experiment's"
    if answered if answered is not None else answered_on(experiment.runner_id, day):
        return "the day's question is answered already"
    if red_flag_open(experiment.runner, profile, day):
        return "a red flag is open: a doctor first"
    return ""


def due_nudges(day: dt.date) -> list[Nudge]:
    """A nudge for each runner with an experiment on `day` who has not answered its question
    for a run of that day: none while a red flag of theirs is open (a doctor comes first)."""
    going = [
        experiment
        for experiment in Experiment.objects.filter(active=True, start_day__lte=day)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=day))
        .select_related("runner")
        if experiment.covers(day)
    ]
    answered = set(
        CheckIn.objects.filter(
            run__runner_id__in=[e.runner_id for e in going], run__date=day, experiment_kept__isnull=False
        ).values_list("run__runner_id", flat=True)
    )
    profiles = {p.runner_id: p for p in Profile.objects.filter(runner_id__in=[e.runner_id for e in going])}
    nudges = []
    for experiment in going:
        profile = profiles.get(experiment.runner_id)
        if profile is None or why_no_nudge(
            experiment, profile, day, answered=experiment.runner_id in answered
        ):
            continue
        title, body = nudge_words(experiment, day)
        nudges.append(
            Nudge(experiment.runner_id, experiment.pk, f"{title}. {body}", reverse("checkin_create"))
        )
    return nudges
