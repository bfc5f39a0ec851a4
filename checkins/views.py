"""The runner's pages: home; the account (sign-up, the first-use notice, settings, deleting
it); the check-in and its live preview; a run's advice, its follow-up and deleting it; the
history. Moving data in and out has its own pages (checkins.transfer.views)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import login, logout
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

from .assessing import assess_answers, assess_run, general_tips_for, to_record_next_time
from .experiments.checkin import kept_answer, question_context
from .experiments.running import shown_experiments
from .flags import mark_flags_seen, open_flags
from .followups import followup_due, open_followup, part_of_day
from .forms import (
    CheckInForm,
    ConfirmSignupForm,
    DeleteAccountForm,
    FollowUpForm,
    HistoryFilter,
    NoticeForm,
    ProfileForm,
    SignupForm,
)
from .history import history_overview
from .models import Run
from .offline import PHONE_COPY_HEADER
from .pagecache import PAGE_SECONDS, cached_page, from_log, log_key, runner_page
from .reminders.views import reminder_context
from .runner import runner_profile
from .saving import save_checkin
from .signup import activate, confirmed_user, register
from .transfer.import_jobs import take_for_checkin


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


RECENT_RUNS = 10
SIGNUP_EMAIL_KEY = "signup_email"  # the address the "check your inbox" page names


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
    today = timezone.localdate()
    assessment = assess_run(latest, profile) if latest else None
    # Red flags of earlier recent runs the runner has not read yet (the latest run shows its own).
    earlier = open_flags(request.user, profile, today, exclude_pk=latest.pk) if latest else []
    latest_checkin = getattr(latest, "checkin", None)
    # The latest run's urgent flags lead home until read (its own page always leads with them).
    latest_urgent = bool(
        assessment and assessment.urgent and not (latest_checkin and latest_checkin.flags_seen_at)
    )
    urgent = latest_urgent or any(group.urgent for group in earlier)
    context = {
        "runs": [{"run": run, "summary": run.summary(units)} for run in runs],
        "latest": latest,
        "latest_summary": latest.summary(units) if latest else "",
        "latest_checkin": latest_checkin,
        "assessment": assessment,
        "to_record": to_record_next_time(latest.answers()) if latest else [],
        "general_tips": general_tips_for(latest.answers()) if latest else (),
        "earlier_flags": earlier,
        "latest_urgent": latest_urgent,
        "urgent": urgent,
        "flags_first": urgent or bool(earlier),
        "followup": open_followup(request.user, today),
    }
    return render(request, "checkins/home.html", context)


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest) -> HttpResponse:
    """The same answer for every address (checkins.signup): the rest goes by e-mail."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        register(request, form)
        request.session[SIGNUP_EMAIL_KEY] = form.cleaned_data["email"]
        return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def signup_done(request: HtmxHttpRequest) -> HttpResponse:
    email = request.session.get(SIGNUP_EMAIL_KEY, "")
    return render(request, "registration/signup_done.html", {"email": email})


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HtmxHttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the e-mail, and the password chosen at sign-up (a mail scanner that
    opens the link changes nothing), then the account is active and logged in."""
    user = confirmed_user(uidb64, token)
    if user is None:
        return render(request, "registration/signup_confirm.html", {"valid": False}, status=400)
    form = ConfirmSignupForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        activate(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop(SIGNUP_EMAIL_KEY, None)
        return redirect("welcome")
    context = {"valid": True, "email": user.email, "form": form}
    return render(request, "registration/signup_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request: HtmxHttpRequest) -> HttpResponse:
    """The first-use notice: Aftermath is not a medical device. Acknowledged once."""
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
    return render(request, "checkins/profile.html", {"form": form, **reminder_context(request)})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HtmxHttpRequest) -> HttpResponse:
    """Delete the runner and every row that was theirs, then end the session."""
    form = DeleteAccountForm(
        request.POST if request.method == "POST" else None, user=request.user, request=request
    )
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.forget()
        messages.success(request, "Your account and all your data are deleted.")
        return redirect("home")
    return render(request, "checkins/delete_account.html", {"form": form})


def _runner_run(request, pk: int) -> Run:
    """A run of the signed-in runner, or 404: nobody sees another runner's runs."""
    return get_object_or_404(Run.objects.with_checkin(), pk=pk, runner=request.user)


def _new_checkin_initial(request) -> tuple[dict, dict]:
    """A new check-in's initial values, and the previous run's answers to offer.

    The form starts empty but for a fresh idempotency key and the finish (now):
    nothing is stored that the runner did not give. A file from the runner's watch
    (the import page) fills in what it says, with its start. The previous run's
    answers are offered per section ("Same as last run"), not filled in.
    """
    initial: dict = {"idempotency_key": uuid.uuid4()}
    units = runner_profile(request).units
    prefill = take_for_checkin(request.session)
    if prefill is not None:
        initial.update(CheckInForm.initial_from_file(prefill, units=units))
    if "started_at" not in initial:
        initial["finished_at"] = timezone.localtime().replace(second=0, microsecond=0)
    return initial, _last_run_offers(request, skip=initial)


def _last_run_offers(request, *, skip=()) -> dict:
    """The runner's previous run's answers, per section, for the "Same as last run" buttons."""
    previous = Run.objects.for_runner(request.user).with_checkin().first()
    if previous is None:
        return {}
    return CheckInForm.same_as_last(previous, units=runner_profile(request).units, skip=skip)


def _checkin_page(request, *, run: Run | None) -> HttpResponse:
    """Create (run is None) or edit a check-in: one form, one template, htmx or not."""
    profile = runner_profile(request)
    if request.method == "POST":
        form = CheckInForm(request.POST, units=profile.units)
        if form.is_valid():
            started = form.cleaned_data.get("started_at")
            checkin_values = form.checkin_values()
            day = timezone.localtime(started, profile.zone).date() if started else None
            checkin_values["experiment_kept"] = kept_answer(request, day)  # during an experiment
            try:
                saved, _ = save_checkin(
                    runner=request.user,
                    profile=profile,
                    run_values=form.run_values(),
                    checkin_values=checkin_values,
                    key=run.idempotency_key if run else form.cleaned_data["idempotency_key"],
                    run=run,
                )
            except Run.DoesNotExist:
                raise Http404("This run was deleted while it was being edited.") from None
            target = reverse("run_detail", args=[saved.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
        if run is None:  # sent back to be looked at: the offers are still there
            form.offers = _last_run_offers(request)
        context = _advice_so_far(request, form, run)  # and the advice so far, beside Save
    elif run is None:
        context = {}
        initial, offers = _new_checkin_initial(request)
        form = CheckInForm(units=profile.units, initial=initial, offers=offers)
    else:
        # An edit shows the run's own stored answers: what the runner said.
        initial = CheckInForm.initial_from(run, units=profile.units)
        initial.update(idempotency_key=run.idempotency_key, started_at=timezone.localtime(run.started_at))
        form = CheckInForm(units=profile.units, initial=initial)
        context = {}
    template = "checkins/checkin_form.html"
    if request.htmx and request.method == "POST":
        template += "#checkin-form"
    draft_key = f"run-{run.pk}" if run else "new"
    context.update(form=form, run=run, draft_key=draft_key)
    context.update(question_context(request, run, request.POST if request.method == "POST" else None))
    response = render(request, template, context)
    if "started_at" in form.initial and run is None:
        # Filled in once from a watch file: never the copy the phone keeps for offline use
        # (the service worker reads this; every signed-in page is `no-store` for HTTP caches).
        response[PHONE_COPY_HEADER] = "never"
    return response


@transaction.non_atomic_requests  # checkins.saving.save_checkin opens its own, short, transaction
@login_required
@require_http_methods(["GET", "POST"])
def checkin_create(request: HtmxHttpRequest) -> HttpResponse:
    return _checkin_page(request, run=None)


@transaction.non_atomic_requests  # checkins.saving.save_checkin opens its own, short, transaction
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
    form = CheckInForm(request.POST, units=profile.units, require_answer=False)
    form.is_valid()  # the valid answers still give advice while others are fixed
    context = {"form": form, "oob_errors": True, **_advice_so_far(request, form, editing)}
    return render(request, "checkins/checkin_form.html#preview", context)


def _advice_so_far(request, form: CheckInForm, editing: Run | None) -> dict:
    """The advice for a form's valid answers (validated already)."""
    profile = runner_profile(request)
    started = form.cleaned_data.get("started_at") or timezone.now()
    day = timezone.localtime(started, profile.zone).date()
    assessment = assess_answers(
        form.answers(), runner=request.user, profile=profile, day=day, exclude_pk=editing and editing.pk
    )
    return {"assessment": assessment}


@runner_page
def run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = _runner_run(request, pk)
    profile = runner_profile(request)
    checkin = getattr(run, "checkin", None)
    context = {
        "run": run,
        "checkin": checkin,
        "summary": run.summary(profile.units),
        "assessment": assess_run(run, profile),
        "to_record": to_record_next_time(run.answers()),
        "general_tips": general_tips_for(run.answers()),
        "followup_due": followup_due(checkin, run.date, timezone.localdate()),
    }
    return render(request, "checkins/run_detail.html", context)


@login_required
@require_POST
def flags_seen(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The runner's "I've read this" on a run's red flags: home stops showing them. Idempotent."""
    run = _runner_run(request, pk)
    mark_flags_seen(run)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("run_detail", args=[run.pk])
    return redirect(next_url)


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
    """The follow-up in the days after a run: sleep, still twitching, weakness, daily life."""
    run = _runner_run(request, pk)
    checkin = getattr(run, "checkin", None)
    if checkin is None:
        return redirect("run_detail", pk=run.pk)
    when = part_of_day(timezone.localtime())  # in the runner's zone, active for the request
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(data, checkin=checkin, part_of_day=when)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("run_detail", pk=run.pk)
    return render(request, "checkins/followup.html", {"form": form, "run": run, "part_of_day": when})


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
    # The same for every filter of the runs within a period: worked out once per period.
    start, end = filters.period
    what = ("history overview", start, end)
    overview = from_log(
        request,
        profile,
        what,
        lambda: history_overview(request.user, start=start, end=end, units=units, today=timezone.localdate()),
    )
    context.update(overview)
    # The runner's experiments with their results: the same for every filter, worked out once.
    context["experiments"] = from_log(
        request, profile, ("experiments",), lambda: shown_experiments(request.user, timezone.localdate())
    )
    # Its rendering too (the calendar alone is a square a day): Django's fragment cache.
    context["overview_key"] = log_key(request, profile, (*what, "html"))
    context["overview_seconds"] = PAGE_SECONDS
    return render(request, "checkins/history.html", context)
