"""Pages of the foundation: home, sign-up, the first-use notice, the profile."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from config.transactions import read_only

from .forms import CARRIED_OVER, CheckInForm, FollowUpForm, NoticeForm, ProfileForm, SignupForm
from .guidance import assess_answers, assess_run, open_followup, save_checkin
from .history import HistoryFilter, history_fragments
from .middleware import runner_profile
from .models import Run
from .pagecache import cached_page, runner_page


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


RECENT_RUNS = 10
PREFILL_KEY = "checkin_prefill"  # what a watch file gave, for the next check-in form


@read_only
@require_GET
@cached_page
def home(request: HtmxHttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "checkins/landing.html")
    profile = runner_profile(request)
    units = profile.units
    runs = list(Run.objects.for_runner(request.user).with_checkin()[:RECENT_RUNS])
    latest = runs[0] if runs else None
    context = {
        "runs": [{"run": run, "summary": run.summary(units)} for run in runs],
        "latest": latest,
        "latest_summary": latest.summary(units) if latest else "",
        "assessment": assess_run(latest, profile) if latest else None,
        "followup": open_followup(request.user, timezone.localdate()),
    }
    return render(request, "checkins/home.html", context)


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("welcome")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request: HtmxHttpRequest) -> HttpResponse:
    """The first-use notice: Aftermath is no medical device. Acknowledged once."""
    profile = runner_profile(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = NoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        profile.acknowledge_notice()
        return redirect(next_url or "home")
    return render(
        request,
        "checkins/welcome.html",
        {"form": form, "next": next_url, "already": profile.has_acknowledged_notice},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HtmxHttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("profile")
    return render(request, "checkins/profile.html", {"form": form})


def _runner_run(request, pk: int) -> Run:
    """A run of the signed-in runner, or 404: nobody sees another runner's runs."""
    return get_object_or_404(Run.objects.with_checkin(), pk=pk, runner=request.user)


def _new_checkin_initial(request) -> dict:
    """Now, a fresh idempotency key, and what rarely changes from the previous run.

    A file from the runner's watch (the import page) overrides what it knows.
    """
    initial = {
        "idempotency_key": uuid.uuid4(),
        "started_at": timezone.localtime().replace(second=0, microsecond=0),
    }
    units = runner_profile(request).units
    previous = Run.objects.for_runner(request.user).with_checkin().first()
    if previous is not None:
        initial.update(CheckInForm.initial_from(previous, units=units, keys=CARRIED_OVER))
    prefill = request.session.pop(PREFILL_KEY, None)
    if isinstance(prefill, dict):
        initial.update(CheckInForm.initial_from_file(prefill, units=units))
    return initial


def _checkin_page(request, *, run: Run | None) -> HttpResponse:
    """Create (run is None) or edit a check-in: one form, one template, htmx or not."""
    profile = runner_profile(request)
    if request.method == "POST":
        form = CheckInForm(request.POST, units=profile.units)
        if form.is_valid():
            try:
                saved, _ = save_checkin(
                    runner=request.user,
                    profile=profile,
                    run_values=form.run_values(),
                    checkin_values=form.checkin_values(),
                    key=run.idempotency_key if run else form.cleaned_data["idempotency_key"],
                    run=run,
                )
            except Run.DoesNotExist:
                raise Http404("This run was deleted while it was being edited.") from None
            target = reverse("run_detail", args=[saved.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    elif run is None:
        form = CheckInForm(units=profile.units, initial=_new_checkin_initial(request))
    else:
        initial = CheckInForm.initial_from(run, units=profile.units)
        initial.update(idempotency_key=run.idempotency_key, started_at=timezone.localtime(run.started_at))
        form = CheckInForm(units=profile.units, initial=initial)
    template = "checkins/checkin_form.html"
    if request.htmx and request.method == "POST":
        template += "#checkin-form"
    draft_key = f"run-{run.pk}" if run else "new"
    return render(request, template, {"form": form, "run": run, "draft_key": draft_key})


@transaction.non_atomic_requests  # checkins.guidance.save_checkin opens its own, short, transaction
@login_required
@require_http_methods(["GET", "POST"])
def checkin_create(request: HtmxHttpRequest) -> HttpResponse:
    return _checkin_page(request, run=None)


@transaction.non_atomic_requests  # checkins.guidance.save_checkin opens its own, short, transaction
@login_required
@require_http_methods(["GET", "POST"])
def run_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _checkin_page(request, run=_runner_run(request, pk))


@transaction.non_atomic_requests  # stores nothing: no transaction, no write lock
@login_required
@require_POST
def checkin_preview(request: HtmxHttpRequest) -> HttpResponse:
    """The advice for what is typed so far, and each field's error; stores nothing."""
    profile = runner_profile(request)
    run_pk = request.GET.get("run", "")
    editing = _runner_run(request, int(run_pk)) if run_pk.isascii() and run_pk.isdigit() else None
    form = CheckInForm(request.POST, units=profile.units)
    form.is_valid()  # the valid answers still give advice while others are fixed
    started = form.cleaned_data.get("started_at") or timezone.now()
    day = timezone.localtime(started, profile.zone).date()
    assessment = assess_answers(
        form.answers(), runner=request.user, profile=profile, day=day, exclude_pk=editing and editing.pk
    )
    context = {"form": form, "assessment": assessment, "oob_errors": True}
    return render(request, "checkins/checkin_form.html#preview", context)


@runner_page
def run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = _runner_run(request, pk)
    profile = runner_profile(request)
    checkin = getattr(run, "checkin", None)
    context = {
        "run": run,
        "summary": run.summary(profile.units),
        "assessment": assess_run(run, profile),
        "followup_due": checkin is not None
        and checkin.twitching
        and checkin.followup_at is None
        and run.date < timezone.localdate(),
    }
    return render(request, "checkins/run_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def run_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = _runner_run(request, pk)
    if request.method == "POST":
        run.delete()
        messages.success(request, "The run is deleted.")
        return redirect("home")
    summary = run.summary(runner_profile(request).units)
    return render(request, "checkins/run_confirm_delete.html", {"run": run, "summary": summary})


@login_required
@require_http_methods(["GET", "POST"])
def followup(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The next-morning follow-up: sleep, still twitching, weakness, daily life."""
    run = _runner_run(request, pk)
    checkin = getattr(run, "checkin", None)
    if checkin is None:
        return redirect("run_detail", pk=run.pk)
    form = FollowUpForm(request.POST if request.method == "POST" else None, checkin=checkin)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("run_detail", pk=run.pk)
    return render(request, "checkins/followup.html", {"form": form, "run": run})


HISTORY_PAGE_SIZE = 20


@runner_page
def history_page(request: HtmxHttpRequest) -> HttpResponse:
    """Runs newest first with filters, the patterns only a history shows, trigger counts, charts."""
    profile = runner_profile(request)
    units = profile.units
    filters = HistoryFilter(request.GET)
    runs = filters.apply(Run.objects.for_runner(request.user).with_checkin())
    page = Paginator(runs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [{"run": run, "summary": run.summary(units)} for run in page],
        "query": filters.query_string(),
        "filters": filters,
    }
    if request.htmx and "page" in request.GET:
        return render(request, "checkins/history.html#rows", context)
    context.update(
        history_fragments(request, profile=profile, filters=filters, units=units, today=timezone.localdate())
    )
    return render(request, "checkins/history.html", context)
