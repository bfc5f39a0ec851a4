"""The pages of the runner's data: the overview, the exports (JSON, CSV), loading an
export, the report for a doctor, and runs from watch files."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.transactions import read_only

from ..models import ImportJob
from ..runner import runner_profile
from .export import ExportRefused, export_csv, export_data, import_data
from .forms import ActivityBatchForm, ActivityFileForm, ExportUploadForm, PeriodForm
from .import_jobs import job_summary, keep_for_checkin, process_step, read_upload, start_job
from .report import doctor_report
from .watch_files import MAX_FILE_BYTES, ImportRefused, parse_activity

RECENT_JOBS = 5


@read_only
@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/transfer/data.html")


def _download(body: str, *, content_type: str, suffix: str) -> HttpResponse:
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
    return _download(body, content_type="application/json; charset=utf-8", suffix="json")


@read_only
@login_required
@require_GET
def export_spreadsheet(request: HttpRequest) -> HttpResponse:
    units = runner_profile(request).units
    # A byte-order mark so spreadsheet programs read the file as UTF-8 (°C, ·).
    body = "\ufeff" + export_csv(request.user, units)
    return _download(body, content_type="text/csv; charset=utf-8", suffix="csv")


@login_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = ExportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        try:
            imported, skipped, refusals = import_data(request.user, form.cleaned_data["export"])
        except ExportRefused as error:
            form.add_error("export", str(error))
        else:
            result = {"imported": imported, "skipped": skipped, "refusals": refusals}
    return render(request, "checkins/transfer/import_export.html", {"form": form, "result": result})


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
            keep_for_checkin(request.session, activity)
            messages.info(request, f"Filled in from {upload.name}. Add how your muscles feel, then save.")
            return redirect("checkin_create")
    return _import_page(request, one=form, status=400)


@login_required
@require_POST
def import_many(request: HttpRequest) -> HttpResponse:
    """Many files or a Strava export: a job whose progress page imports them."""
    form = ActivityBatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, many=form, status=400)
    job = start_job(request.user, form.cleaned_data["files"])
    return redirect("import_progress", pk=job.pk)


def _runner_job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, runner=request.user)


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _runner_job(request, pk)
    context = {"job": job, "summary": job_summary(job)}
    return render(request, "checkins/transfer/import_progress.html", context)


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
    return render(request, "checkins/transfer/import_progress.html#progress", context)
