"""Version 1 of the API (/api/v1/): log a check-in, read runs and their advice, edit and
delete them, answer a follow-up, read the history's patterns and red flags, export.

Each operation is a thin view: the check-in form validates (api.answers), checkins.saving
stores, checkins.assessing and the engine advise, api.assessment orders the advice as
the run's page does. A runner's ids are looked up with the runner in the query: another
runner's run is answered 404, exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import Field

from advice import DISCLAIMER, Units, scan_history, trigger_counts
from checkins.followups import followup_due
from checkins.forms import DateRangeForm, FollowUpForm, HistoryFilter
from checkins.history import FLAG_WINDOW_DAYS, history_entries, in_period
from checkins.models import Run
from checkins.saving import save_checkin
from checkins.transfer.export import export_data

from .answers import Refused, edited, form_data, refusals, valid_form
from .assessment import run_advice
from .auth import RateLimited, read_token, runner_profile, write_token
from .schemas import (
    CheckInIn,
    CheckInOut,
    FieldProblem,
    FollowUpIn,
    HistoryOut,
    Muscle,
    Problem,
    RunOut,
    RunPage,
    RunPatch,
    RunWithAdvice,
)

DESCRIPTION = """
Log a check-in from a phone shortcut and read the advice back, from any client.

**Authentication.** Every operation needs a personal access token, created on the app's
Settings page (Access tokens): `Authorization: Bearer aft_…`. A read-only token reads;
one with read and write access also logs, edits and deletes. A logged-in browser session
does not authenticate the API.

**Keys and units.** The keys are the app's vocabulary, metric, as in the JSON export
(`distance_km`, `temperature_c`, `fluid_ml`, …). In a request a missing key or `null`
means "not answered". Numbers are JSON numbers, yes or no is `true` or `false`.

**Errors.** 400 unreadable JSON; 401 no token, or one that is unknown, expired or
revoked; 403 a read-only token writing; 404 a run that is not yours (or does not exist);
409 a follow-up for a run without a check-in; 413 a body over 64 KB; 422 refused values,
with `errors` naming each key (types and codes are checked first, then the check-in
form's ranges and rules, in its words); 429 past the token's rate limit, with
`Retry-After` in seconds.

Aftermath is not a medical device: the advice is general information, never a diagnosis.
"""

READ_ERRORS: dict[int, Any] = {401: Problem, 429: Problem}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: Problem, 403: Problem, 413: Problem, 422: FieldProblem}
REFUSED = "Some values were refused: see errors."
PAGE_SIZE = 20  # as the history page
MAX_PAGE_SIZE = 100


class StrictJsonParser(Parser):
    """JSON as the standard has it: NaN and Infinity are refused (400), not read as numbers."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_refuse_constant)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class Docs(Swagger):
    """Swagger UI from ninja's own static files (no CDN), in a page of ours (templates/api/docs.html)."""

    template = "api/docs.html"


class AftermathAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """The view's name ("checkin_create"), which is also its URL's name."""
        return operation.view_func.__name__


api = AftermathAPI(
    title="Aftermath API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api-v1",
    auth=read_token,
    parser=StrictJsonParser(),
    docs=Docs(settings={"defaultModelsExpandDepth": 0}),
)


# --- Errors ---------------------------------------------------------------------------


def field_of(loc: tuple) -> str:
    """The key a pydantic error is about: ("body", "payload", "muscles", 0) -> "muscles"."""
    source, *rest = loc or ("body",)
    if source == "body":
        rest = rest[1:]  # the operation's parameter name
    return next((str(part) for part in rest if isinstance(part, str)), str(source))


def problem(request, status: int, detail: str, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(ValidationError)
def refused_by_schema(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = "Not a key of this request." if error.get("type") == "extra_forbidden" else error["msg"]
        errors.setdefault(field_of(tuple(error.get("loc", ()))), []).append(message)
    return problem(request, 422, REFUSED, errors=errors)


@api.exception_handler(Refused)
def refused_by_form(request, exc: Refused):
    return problem(request, 422, REFUSED, errors=exc.errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    response = problem(request, 401, exc.message)
    given = request.headers.get("Authorization", "").lower().startswith("bearer ")
    response["WWW-Authenticate"] = 'Bearer realm="aftermath"' + (', error="invalid_token"' if given else "")
    return response


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = problem(request, 429, f"Too many requests for this token: try again in {exc.retry_after} s.")
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return problem(request, 404, "Not found.")


# --- Runs as the API gives them ---------------------------------------------------------

RUN_FIELDS = tuple(name for name in RunOut.model_fields if name not in ("checkin", "summary", "followup_due"))
CHECKIN_FIELDS = tuple(CheckInOut.model_fields)


def run_out(run: Run, *, units: Units, today: dt.date) -> dict:
    checkin = getattr(run, "checkin", None)  # RelatedObjectDoesNotExist is an AttributeError
    return {
        **{name: getattr(run, name) for name in RUN_FIELDS},
        "checkin": {name: getattr(checkin, name) for name in CHECKIN_FIELDS} if checkin else None,
        "summary": run.summary(units),
        "followup_due": followup_due(checkin, run.date, today),
    }


def with_advice(request, run: Run) -> dict:
    profile = runner_profile(request.auth)
    return {
        "run": run_out(run, units=profile.units, today=timezone.localdate()),
        "assessment": run_advice(run, profile),
    }


def owned_run(request, run_id: int) -> Run:
    """The token's runner's run, or 404: nobody learns whether another runner's id exists."""
    return get_object_or_404(Run.objects.with_checkin(), pk=run_id, runner_id=request.auth.runner_id)


# --- Check-ins and runs ---------------------------------------------------------------


@api.post(
    "/checkins",
    auth=write_token,
    response={201: RunWithAdvice, 200: RunWithAdvice, **WRITE_ERRORS},
    url_name="checkin_create",
    tags=["Runs"],
    summary="Log a check-in",
    description="The check-in form's questions, checked as the form checks them. Answered 201 with the "
    "stored run and its advice; the same idempotency_key again is answered 200 with the run stored "
    "the first time, and nothing is stored twice.",
)
def checkin_create(request, payload: CheckInIn):
    token = request.auth
    key = payload.idempotency_key or uuid.uuid4()
    form = valid_form(payload.model_dump(exclude={"idempotency_key"}), key=key)
    run, created = save_checkin(
        runner=token.runner,
        profile=runner_profile(token),
        run_values=form.run_values(),
        checkin_values=form.checkin_values(),
        key=key,
    )
    if not created:  # the run this key stored first, as it is now
        run = Run.objects.with_checkin().get(pk=run.pk)
    return Status(201 if created else 200, with_advice(request, run))


class RunFilters(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    twitching: bool = Field(False, description="true: only runs with twitching.")
    muscle: Muscle | None = Field(None, description="Only runs where this muscle twitched.")
    start: dt.date | None = Field(None, description="From this day (the run's day).")
    end: dt.date | None = Field(None, description="Up to this day, not before start.")


def period_data(filters) -> dict:
    return {name: day.isoformat() for name in ("start", "end") if (day := getattr(filters, name))}


@api.get(
    "/runs",
    response={200: RunPage, 422: FieldProblem, **READ_ERRORS},
    url_name="run_list",
    tags=["Runs"],
    summary="List runs",
    description="Newest first, with the history page's filters, a page at a time.",
)
def run_list(request, filters: Query[RunFilters]):
    history = HistoryFilter(
        {
            "twitching": "on" if filters.twitching else "",
            "muscle": filters.muscle or "",
            **period_data(filters),
        }
    )
    if not history.is_valid():
        raise Refused(refusals(history))
    runs = history.apply(Run.objects.filter(runner_id=request.auth.runner_id).with_checkin())
    paginator = Paginator(runs, filters.page_size)
    items = list(paginator.page(filters.page)) if filters.page <= paginator.num_pages else []
    units, today = runner_profile(request.auth).units, timezone.localdate()
    return {
        "count": paginator.count,
        "page": filters.page,
        "pages": paginator.num_pages,
        "page_size": filters.page_size,
        "items": [run_out(run, units=units, today=today) for run in items],
    }


@api.get(
    "/runs/{run_id}",
    response={200: RunWithAdvice, 404: Problem, **READ_ERRORS},
    url_name="run_read",
    tags=["Runs"],
    summary="Read a run and its advice",
)
def run_read(request, run_id: int):
    return with_advice(request, owned_run(request, run_id))


@api.patch(
    "/runs/{run_id}",
    auth=write_token,
    response={200: RunWithAdvice, 404: Problem, **WRITE_ERRORS},
    url_name="run_edit",
    tags=["Runs"],
    summary="Edit a run",
    description="Change some answers: the keys given replace the stored ones (null clears one), "
    "the others stay. The whole run is checked again, as the form checks an edit.",
)
def run_edit(request, run_id: int, payload: RunPatch):
    token = request.auth
    run = owned_run(request, run_id)
    form = valid_form(edited(run, payload.model_dump(exclude_unset=True)), key=run.idempotency_key)
    try:
        saved, _ = save_checkin(
            runner=token.runner,
            profile=runner_profile(token),
            run_values=form.run_values(),
            checkin_values=form.checkin_values(),
            key=run.idempotency_key,
            run=run,
        )
    except Run.DoesNotExist:
        raise Http404 from None  # deleted while it was being edited
    return with_advice(request, saved)


@api.delete(
    "/runs/{run_id}",
    auth=write_token,
    response={204: None, 404: Problem, **READ_ERRORS, 403: Problem},
    url_name="run_delete",
    tags=["Runs"],
    summary="Delete a run",
    description="The run and its check-in, for good.",
)
def run_delete(request, run_id: int):
    run = owned_run(request, run_id)
    with transaction.atomic():
        run.delete()
    return Status(204, None)


@api.post(
    "/runs/{run_id}/followup",
    auth=write_token,
    response={200: RunWithAdvice, 404: Problem, 409: Problem, **WRITE_ERRORS},
    url_name="followup_answer",
    tags=["Runs"],
    summary="Answer a run's follow-up",
    description="Sleep, still twitching, weakness, daily life: at least one answer. A run without a "
    "check-in has no follow-up (409).",
)
def followup_answer(request, run_id: int, payload: FollowUpIn):
    run = owned_run(request, run_id)
    checkin = getattr(run, "checkin", None)
    if checkin is None:
        raise HttpError(409, "This run has no check-in to follow up: add its answers first.")
    form = FollowUpForm(form_data(payload.model_dump()), checkin=checkin)
    if not form.is_valid():
        raise Refused(refusals(form))
    with transaction.atomic():
        form.save()
    return with_advice(request, run)


# --- The history and the export ---------------------------------------------------------


class Period(Schema):
    start: dt.date | None = Field(None, description="Patterns from this day.")
    end: dt.date | None = Field(None, description="Patterns up to this day.")


@api.get(
    "/history",
    response={200: HistoryOut, 422: FieldProblem, **READ_ERRORS},
    url_name="history_read",
    tags=["History and export"],
    summary="The history's patterns and red flags",
    description="Red flags that only a history shows (twitching that persists, spreads or disturbs "
    "sleep) over the last four weeks, and how often twitching followed each trigger in the period "
    "(all runs by default), as the history page shows them.",
)
def history_read(request, period: Query[Period]):
    dates = DateRangeForm(period_data(period))
    if not dates.is_valid():
        raise Refused(refusals(dates))
    profile = runner_profile(request.auth)
    today = timezone.localdate()
    everything = history_entries(request.auth.runner_id)
    recent = in_period(everything, today - dt.timedelta(days=FLAG_WINDOW_DAYS), None)
    flags = []
    for flag in scan_history(recent, today=today, units=profile.units):
        days = set(flag.dates)
        runs = [{"id": e["pk"], "date": e["date"]} for e in reversed(recent) if e["date"] in days]
        flags.append({**flag._asdict(), "runs": runs})
    patterns = trigger_counts(in_period(everything, dates.cleaned_data["start"], dates.cleaned_data["end"]))
    return {
        "red_flags": flags,
        "patterns": [count._asdict() for count in patterns],
        "notice": DISCLAIMER,
    }


@api.get(
    "/export",
    response={200: dict[str, Any], **READ_ERRORS},
    url_name="export_read",
    tags=["History and export"],
    summary="Everything you logged",
    description="The JSON export, as Your data → Download everything gives it: profile, runs, "
    "check-ins and follow-ups, with a format and version of its own. It loads back into Aftermath.",
)
def export_read(request):
    return export_data(request.auth.runner)
