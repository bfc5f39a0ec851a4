"""The experiments' pages: the list (with the one going on), starting one, a result, stopping.

Thin views: parse, call checkins.experiments.running, render. While a red flag is open
(checkins.flags) the pages send the runner to a doctor first and offer no experiment.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from advice.experiments import CHANGES

from ..flags import open_flags
from ..models import Experiment
from ..pagecache import runner_page
from ..runner import runner_profile
from .forms import StartExperimentForm
from .running import (
    ONE_AT_A_TIME,
    SEE_DOCTOR_FIRST,
    URGENT_CARE_FIRST,
    Refused,
    current_experiment,
    shown_experiments,
    start_experiment,
    stop_experiment,
)


def _flags_context(request, today) -> dict:
    groups = open_flags(request.user, runner_profile(request), today)  # urgent first
    urgent = bool(groups) and groups[0].urgent
    return {
        "open_flags": groups,
        "urgent_open": urgent,
        "see_doctor_first": URGENT_CARE_FIRST if urgent else SEE_DOCTOR_FIRST if groups else "",
    }


@runner_page
def experiments_page(request: HttpRequest) -> HttpResponse:
    """The experiment going on with its result so far, the past ones, and the changes to try."""
    today = timezone.localdate()
    shown = shown_experiments(request.user, today)
    going = next((item for item in shown if item.state in ("running", "waiting")), None)
    context = {
        "going": going,
        "past": [item for item in shown if item is not going],
        "changes": CHANGES.values(),
        **_flags_context(request, today),
    }
    return render(request, "experiments/experiments.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def experiment_start(request: HttpRequest) -> HttpResponse:
    """Choose the change, the weeks and whether to alternate; start. A change offered by the
    page that links here (?change=) is ticked, visibly; nothing is stored until Start."""
    if request.method == "POST":  # the same form again (a double tap): the experiment it started
        started = Experiment.objects.filter(runner=request.user, idempotency_key=_key(request.POST)).first()
        if started is not None:
            return redirect("experiment_detail", pk=started.pk)
    today = timezone.localdate()
    profile = runner_profile(request)
    flags = _flags_context(request, today)
    going = current_experiment(request.user, today)
    if flags["open_flags"] or going is not None:
        # No form: a doctor first, or the experiment going on.
        return render(
            request, "experiments/start.html", {**flags, "going": going, "one_at_a_time": ONE_AT_A_TIME}
        )
    if request.method == "POST":
        form = StartExperimentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                experiment, _ = start_experiment(
                    request.user,
                    profile,
                    change=data["change"],
                    weeks=data["weeks"],
                    alternating=data["alternating"],
                    key=data["idempotency_key"],
                    today=today,
                )
            except Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("experiment_detail", pk=experiment.pk)
    else:
        offered = request.GET.get("change", "")
        initial = {"idempotency_key": uuid.uuid4(), "alternating": "no"}  # shown, changed with a tap
        if offered in CHANGES:
            initial["change"] = offered
        form = StartExperimentForm(initial=initial)
    return render(request, "experiments/start.html", {"form": form, "changes": CHANGES.values(), **flags})


def _key(data) -> uuid.UUID | None:
    try:
        return uuid.UUID(data.get("idempotency_key", ""))
    except ValueError:
        return None


@runner_page
def experiment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One experiment's result: at its end, or so far."""
    experiment = get_object_or_404(Experiment, pk=pk, runner=request.user)
    today = timezone.localdate()
    (item,) = shown_experiments(request.user, today, [experiment])
    return render(request, "experiments/detail.html", {"item": item, **_flags_context(request, today)})


@login_required
@require_POST
def experiment_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop an experiment early: today is its last day. A second tap changes nothing."""
    experiment = get_object_or_404(Experiment, pk=pk, runner=request.user)
    if stop_experiment(experiment, timezone.localdate()):
        messages.success(
            request, "The experiment is stopped. Its result so far stays here and in your history."
        )
    return redirect("experiment_detail", pk=experiment.pk)
