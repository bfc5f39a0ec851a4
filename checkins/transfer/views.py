"""The pages of the runner's data: the overview, the exports (JSON, CSV), loading an
export, the report for a doctor, and runs from watch files."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.transactions import read_only

from ..activity import record_event
from ..models import ImportJob
from ..runner import runner_profile
from .export import export_csv, export_data
from .forms import ActivityBatchForm, ActivityFileForm, ExportUploadForm, PeriodForm
from .import_jobs import JobRefused, is_stalled, job_summary, keep_for_checkin, resume_stalled, start_job
from .report import doctor_report
from .uploads import too_large_message

RECENT_JOBS = 5


@read_only
@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/transfer/data.html")


def _download(request, body: str, *, content_type: str, suffix: str) -> HttpResponse:
    # Noted in the runner's activity after the read-only transaction (config.transactions):
    # a write inside it would need SQLite's write lock, which a read-only view never takes.
    transaction.on_commit(lambda: record_event(request.user, "export", request, detail=suffix.upper()))
    response = HttpResponse(body, content_type=content_type)
    name = f"aftermath-{timezone.localdate():%Y-%m-%d}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@read_only
@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(export_data(request.user), indent=1, ensure_ascii=False)
    return _download(request, body, content_type="application/json; charset=utf-8", suffix="json")


@read_only
@login_required
@require_GET
def export_spreadsheet(request: HttpRequest) -> HttpResponse:
    units = runner_profile(request).units
    # A byte-order mark so spreadsheet programs read the file as UTF-8 (°C, ·).
    body = "\ufeff" + export_csv(request.user, units)
    return _download(request, body, content_type="text/csv; charset=utf-8", suffix="csv")


@transaction.non_atomic_requests  # the file is stored outside any transaction (start_job)
@login_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest) -> HttpResponse:
    """An Aftermath export: stored here, loaded by the worker (the progress page follows it)."""
    posted = request.method == "POST"
    form = ExportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and _valid(request, form, "export"):
        job = _start(request, form, "export", ImportJob.Kind.EXPORT, [form.cleaned_data["export"]])
        if job is not None:
            return redirect("import_progress", pk=job.pk)
    return render(
        request, "checkins/transfer/import_export.html", {"form": form}, status=400 if posted else 200
    )


@read_only
@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    form = PeriodForm(request.GET or None)
    start, end = form.period(timezone.localdate())
    report = doctor_report(request.user, profile, start=start, end=end)
    return render(request, "checkins/transfer/report.html", {"form": form, "report": report})


# --- Runs from watches and apps ---------------------------------------------------


def _import_page(request, *, one=None, many=None, status: int = 200) -> HttpResponse:
    """The import page: both forms (one of them sent back with its error) and recent imports."""
    context = {
        "one": one or ActivityFileForm(),
        "many": many or ActivityBatchForm(),
        "jobs": ImportJob.objects.filter(runner=request.user)[:RECENT_JOBS],
    }
    return render(request, "checkins/transfer/import_activities.html", context, status=status)


@login_required
@require_GET
def import_page(request: HttpRequest) -> HttpResponse:
    return _import_page(request)


def _valid(request, form, field: str) -> bool:
    """The form is valid and none of its files was dropped for size (uploads.py)."""
    message = too_large_message(request)
    if message:
        form.is_valid()  # bind, so the other fields keep their errors
        form.add_error(field, message)
        return False
    return form.is_valid()


def _start(request, form, field: str, kind: str, files) -> ImportJob | None:
    try:
        return start_job(request.user, kind, files)
    except JobRefused as error:
        form.add_error(field, str(error))
        return None


@transaction.non_atomic_requests  # the file is stored outside any transaction (start_job)
@login_required
@require_POST
def import_one(request: HttpRequest) -> HttpResponse:
    """One watch file: the worker reads it, and its figures pre-fill a new check-in."""
    form = ActivityFileForm(request.POST, request.FILES)
    if _valid(request, form, "file"):
        job = _start(request, form, "file", ImportJob.Kind.CHECKIN, [form.cleaned_data["file"]])
        if job is not None:
            return redirect("import_progress", pk=job.pk)
    return _import_page(request, one=form, status=400)


@transaction.non_atomic_requests  # the files are stored outside any transaction (start_job)
@login_required
@require_POST
def import_many(request: HttpRequest) -> HttpResponse:
    """Many files or a Strava export: a job the worker imports; its page shows the progress."""
    form = ActivityBatchForm(request.POST, request.FILES)
    if _valid(request, form, "files"):
        job = _start(request, form, "files", ImportJob.Kind.FILES, form.cleaned_data["files"])
        if job is not None:
            return redirect("import_progress", pk=job.pk)
    return _import_page(request, many=form, status=400)


# Polled every second while a job runs: its reads need no transaction (on SQLite a request's
# transaction would take the write lock each time); resuming a stalled job is its own.
@transaction.non_atomic_requests
@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the job stands, whether or not this page was open while it ran; htmx polls it."""
    job = get_object_or_404(ImportJob, pk=pk, runner=request.user)
    if is_stalled(job):
        resume_stalled([job])
    if job.kind == ImportJob.Kind.CHECKIN and job.finished_at and job.prefill:
        return _to_checkin(request, job)
    summary = job_summary(job)
    context = {"job": job, "summary": summary, "retry": _retry_form(job, summary)}
    template = "checkins/transfer/import_progress.html"
    if getattr(request, "htmx", False):
        template += "#progress"
    return render(request, template, context)


def _retry_form(job: ImportJob, summary: dict):
    """A file refused whole (one for a check-in, or an export): its form again, the
    refusal at its field, ready for another file. None otherwise."""
    if not job.finished_at or job.kind == ImportJob.Kind.FILES:
        return None
    if job.kind == ImportJob.Kind.CHECKIN:
        form, field = ActivityFileForm(data={}, files={}), "file"
        reasons = [f"{item['name']}: {item['reason']}." for item in summary["refused"]]
    elif not job.total and summary["job_refusals"]:
        form, field, reasons = ExportUploadForm(data={}, files={}), "export", []
    else:
        return None
    form.is_valid()  # bound and empty: its only error is the file's refusal
    form.errors[field] = form.error_class(reasons + summary["job_refusals"], renderer=form.renderer)
    return form


def _to_checkin(request, job: ImportJob) -> HttpResponse:
    """The file's figures go to the next new check-in, once."""
    keep_for_checkin(request.session, job.prefill)
    ImportJob.objects.filter(pk=job.pk).update(prefill=None)
    messages.info(request, f"Filled in from {job.filename}. Add how your muscles feel, then save.")
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("checkin_create")})
    return redirect("checkin_create")
