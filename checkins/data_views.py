"""The runner's data: export (JSON, CSV), import of an export, a report for a doctor,
and deleting the account."""

from __future__ import annotations

import json

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.transactions import read_only

from .forms import ActivityBatchForm, ActivityFileForm
from .importing import MAX_FILE_BYTES, ImportRefused, parse_activity
from .imports import job_summary, prefill_from, process_step, read_upload, start_job
from .logrevision import one_log_change
from .middleware import runner_profile
from .models import ImportJob
from .portability import ExportRefused, export_csv, export_data, import_data
from .report import PeriodForm, doctor_report
from .views import PREFILL_KEY

MAX_EXPORT_UPLOAD_BYTES = 25 * 1024 * 1024


@read_only
@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/data.html")


@read_only
@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(export_data(request.user), indent=1, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"aftermath-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@read_only
@login_required
@require_GET
def export_spreadsheet(request: HttpRequest) -> HttpResponse:
    units = runner_profile(request).units
    # A byte-order mark so spreadsheet programs read the file as UTF-8 (°C, ·).
    response = HttpResponse(
        "\ufeff" + export_csv(request.user, units), content_type="text/csv; charset=utf-8"
    )
    name = f"aftermath-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class ExportUploadForm(forms.Form):
    export = forms.FileField(label="An Aftermath export (.json)")

    def clean_export(self):
        upload = self.cleaned_data["export"]
        if upload.size > MAX_EXPORT_UPLOAD_BYTES:
            raise forms.ValidationError("This file is larger than 25 MB: it cannot be an Aftermath export.")
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise forms.ValidationError(f"{upload.name} is not a JSON file.") from None


@login_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ExportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            imported, skipped, refusals = import_data(request.user, form.cleaned_data["export"])
        except ExportRefused as error:
            form.add_error("export", str(error))
        else:
            result = {"imported": imported, "skipped": skipped, "refusals": refusals}
    return render(request, "checkins/import_export.html", {"form": form, "result": result})


@read_only
@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    form = PeriodForm(request.GET or None)
    start, end = form.period(timezone.localdate())
    report = doctor_report(request.user, profile, start=start, end=end)
    return render(request, "checkins/report.html", {"form": form, "report": report})


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(
            attrs={
                "autocomplete": "current-password",
                "class": "form-control",
                "aria-describedby": "err-password",
            }
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


def forget_runner(user) -> None:
    """Delete the runner's rows, and the log-in records that name their address."""
    email = user.email
    with transaction.atomic(), one_log_change(user.pk):
        user.delete()  # cascades to the profile, runs, check-ins and imports
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete the runner and every row that was theirs, then end the session."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        forget_runner(user)
        messages.success(request, "Your account and all your data are deleted.")
        return redirect("home")
    return render(request, "checkins/delete_account.html", {"form": form})


# --- Runs from watches and apps ---------------------------------------------------


@login_required
@require_GET
def import_page(request: HttpRequest) -> HttpResponse:
    recent = ImportJob.objects.filter(runner=request.user)[:5]
    context = {"one": ActivityFileForm(), "many": ActivityBatchForm(), "jobs": recent}
    return render(request, "checkins/import_activities.html", context)


@login_required
@require_POST
def import_one(request: HttpRequest) -> HttpResponse:
    """One watch file: its figures pre-fill a new check-in."""
    form = ActivityFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            activity = parse_activity(upload.name, read_upload(upload, limit=MAX_FILE_BYTES))
        except ImportRefused as error:
            form.add_error("file", f"{upload.name}: {error.reason}.")
        else:
            request.session[PREFILL_KEY] = prefill_from(activity)
            messages.info(request, f"Filled in from {upload.name}. Add how your muscles feel, then save.")
            return redirect("checkin_create")
    context = {
        "one": form,
        "many": ActivityBatchForm(),
        "jobs": ImportJob.objects.filter(runner=request.user)[:5],
    }
    return render(request, "checkins/import_activities.html", context, status=400)


@login_required
@require_POST
def import_many(request: HttpRequest) -> HttpResponse:
    """Many files or a Strava export: a job whose progress page imports them."""
    form = ActivityBatchForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {
            "one": ActivityFileForm(),
            "many": form,
            "jobs": ImportJob.objects.filter(runner=request.user)[:5],
        }
        return render(request, "checkins/import_activities.html", context, status=400)
    job = start_job(request.user, form.cleaned_data["files"])
    return redirect("import_progress", pk=job.pk)


def _runner_job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, runner=request.user)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _runner_job(request, pk)
    return render(request, "checkins/import_progress.html", {"job": job, "summary": job_summary(job)})


@login_required
@require_POST
def import_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the next few files; htmx swaps the progress, a plain form comes back here."""
    job = _runner_job(request, pk)
    if job.finished_at is None:
        process_step(job)
    if not getattr(request, "htmx", False):
        return redirect("import_progress", pk=job.pk)
    context = {"job": job, "summary": job_summary(job)}
    return render(request, "checkins/import_progress.html#progress", context)
