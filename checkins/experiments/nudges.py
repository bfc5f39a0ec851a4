"""The hook a daily reminder calls during experiments: `due_nudges(day)`.

Nothing calls it yet. The reminders (another branch) are to call it once a day and send
each nudge their own way (a Web Push, say); it sends nothing and stores nothing itself.
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
        if experiment.runner_id in answered or profile is None:
            continue
        if red_flag_open(experiment.runner, profile, day):
            continue
        if phase_on(day, experiment.start_day, experiment.alternating):
            text = f"{CHANGES[experiment.change].title}: answer one question in today's check-in."
        else:
            text = "A week without the change: keep to your usual, and answer one question in your check-in."
        nudges.append(Nudge(experiment.runner_id, experiment.pk, text, reverse("checkin_create")))
    return nudges
