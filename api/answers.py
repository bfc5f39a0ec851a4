"""The API's answers handed to the check-in form, and the form's refusals handed back.

The API takes the domain's keys in metric (`distance_km`); the form takes what a runner
types in their units (`distance`). With metric units the form's measures are the domain's
keys under the form's names, so the form checks the API's values as it checks typed ones:
the same ranges, plausible dates, at least one answer, and the same words when refused.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from advice import METRIC
from checkins.forms import CheckInForm
from checkins.measures import MEASURES
from checkins.models import CheckIn, Run

from .schemas import Answers

FORM_NAMES = {measure.key: name for name, measure in MEASURES.items()}  # distance_km -> distance
API_KEYS = {name: key for key, name in FORM_NAMES.items()}
# The answers the form asks (the API's keys), without the times.
ANSWER_KEYS = tuple(key for key in Answers.model_fields if key not in ("started_at", "finished_at"))
RUN_KEYS = tuple(key for key in ANSWER_KEYS if key not in CheckIn.asked_after_run)
BOTH_TIMES = "Give started_at or finished_at, not both."


class Refused(Exception):
    """Answers the API refuses, each key with its messages (answered 422)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def form_data(values: dict) -> dict:
    """The form's bound data for the API's values: names in the form's words, yes/no for booleans."""
    data: dict = {}
    for key, value in values.items():
        if value is None or value == [] or value == "":
            continue  # not answered
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = [str(item) for item in value]
        elif isinstance(value, int | float | uuid.UUID):
            value = str(value)
        data[FORM_NAMES.get(key, key)] = value  # datetimes go as they are: the field takes them
    return data


def refusals(form) -> dict[str, list[str]]:
    return {API_KEYS.get(name, name): [str(m) for m in messages] for name, messages in form.errors.items()}


def valid_form(values: dict, *, key: uuid.UUID) -> CheckInForm:
    """The check-in form bound to these answers, valid; or Refused with the form's errors."""
    if values.get("started_at") is not None and values.get("finished_at") is not None:
        raise Refused({"finished_at": [BOTH_TIMES]})
    if values.get("started_at") is None and values.get("finished_at") is None:
        values = {**values, "finished_at": timezone.now()}
    form = CheckInForm({**form_data(values), "idempotency_key": str(key)}, units=METRIC)
    if not form.is_valid():
        raise Refused(refusals(form))
    return form


def stored_answers(run: Run) -> dict:
    """A saved run's answers to the form's questions, as the API has them (its start included)."""
    values = {key: getattr(run, key) for key in RUN_KEYS}
    checkin = getattr(run, "checkin", None)
    if checkin is not None:
        values.update({key: getattr(checkin, key) for key in CheckIn.asked_after_run})
    values["started_at"] = timezone.localtime(run.started_at)
    return values


def edited(run: Run, changes: dict) -> dict:
    """A run's answers with `changes` (the keys given, null clearing one); a new finish moves the start."""
    if changes.get("started_at") is not None and changes.get("finished_at") is not None:
        raise Refused({"finished_at": [BOTH_TIMES]})
    values = stored_answers(run)
    if changes.get("finished_at") is not None:
        values.pop("started_at")
    values.update(changes)
    if values.get("started_at") is None and values.get("finished_at") is None:
        raise Refused({"started_at": ["Enter when the run started."]})
    return values
