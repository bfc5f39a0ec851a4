"""The check-in page during an experiment: one line about it, and its one question.

The question is optional. Its answer is stored on the check-in (CheckIn.experiment_kept)
only when the runner gave one and the run's day is one of an experiment's days; left
alone, nothing is stored. A new check-in asks it while an experiment is going and no red
flag is open; editing a run asks it again if the run's day is one of an experiment's.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..forms import as_yes_no
from ..runner import runner_profile
from .forms import ExperimentQuestionForm
from .running import current_experiment, experiment_on, kept_to_store, question_for, red_flag_open


def question_context(request, run, data=None) -> dict:
    """What the check-in template shows of an experiment: {} when there is none to ask about."""
    if run is None:
        today = timezone.localdate()
        experiment = current_experiment(request.user, today)
        if experiment is None or red_flag_open(request.user, runner_profile(request), today):
            return {}
        day, stored = today, None
    else:
        day = run.date
        experiment = experiment_on(request.user, day)
        stored = getattr(getattr(run, "checkin", None), "experiment_kept", None)
    question = question_for(experiment, day)
    if question is None:
        return {}
    form = ExperimentQuestionForm(
        data,
        question=question.question,
        initial={"experiment_kept": as_yes_no(stored), "experiment_day": day},
    )
    return {"experiment_question": question, "experiment_form": form}


def kept_answer(request, day: dt.date | None) -> bool | None:
    """What to store of the posted answer for a run on `day` (None: nothing)."""
    form = ExperimentQuestionForm(request.POST, question="")
    return kept_to_store(request.user, day, form.answer, asked_on=form.asked_on)
