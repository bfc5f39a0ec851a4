"""The runner's data: export (JSON, CSV), import of an export, a report for a doctor,
and deleting the account."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .middleware import runner_profile
from .portability import ExportRefused, export_csv, export_data, import_data
from .report import PeriodForm, doctor_report

MAX_EXPORT_UPLOAD_BYTES = 25 * 1024 * 1024


@login_required
@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "checkins/data.html")


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(export_data(request.user), indent=1, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"aftermath-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


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


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete the runner and every row that was theirs, then end the session."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, "Your account and all your data are deleted.")
        return redirect("home")
    return render(request, "checkins/delete_account.html", {"form": form})
