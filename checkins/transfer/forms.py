"""Forms of moving data in and out: watch files, an Aftermath export, the report's period."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.utils import timezone

from ..form_layout import CrispyForm
from ..forms import DateRangeForm
from .export import MAX_EXPORT_BYTES
from .watch_files import larger_than

MAX_EXPORT_UPLOAD_BYTES = MAX_EXPORT_BYTES
REPORT_DAYS = 90  # the report's period when none is chosen


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ActivityFileForm(CrispyForm, forms.Form):
    """One file from a watch or app: it pre-fills the check-in."""

    file = forms.FileField(
        label="One run from your watch (FIT, GPX or TCX)",
        widget=forms.ClearableFileInput(attrs={"accept": ".fit,.gpx,.tcx,.gz"}),
    )


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern): cleans to a list."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data] or super().clean(
                None, initial
            )
        return [super().clean(data, initial)]


class ActivityBatchForm(CrispyForm, forms.Form):
    """Many files, or a Strava export (.zip): runs are created without check-ins."""

    files = MultipleFileField(
        label="Many files, or a Strava export (.zip)",
        widget=MultipleFileInput(attrs={"accept": ".fit,.gpx,.tcx,.gz,.zip"}),
    )


class ExportUploadForm(CrispyForm, forms.Form):
    export = forms.FileField(
        label="An Aftermath export (.json)",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_export(self):
        """A first look at the file; the worker reads and checks it whole (export.read_export)."""
        upload = self.cleaned_data["export"]
        if upload.size > MAX_EXPORT_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"This file is {larger_than(MAX_EXPORT_UPLOAD_BYTES)}: it cannot be an Aftermath export."
            )
        # An export opens with "{".
        head = upload.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if not head.startswith(b"{"):
            raise forms.ValidationError(f"{upload.name} is not an Aftermath export (a .json file it made).")
        return upload


class PeriodForm(DateRangeForm):
    """The report's period; by default the last 90 days."""

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=REPORT_DAYS - 1)
        return start, end


SHARE_DAYS = ((1, "1 day"), (7, "7 days"), (30, "30 days"), (90, "90 days"))  # at most 90
SHARE_DEFAULT_DAYS = 30


class ShareLinkForm(PeriodForm):
    """A share link: the report's period (the one on screen, shown filled in) and how long
    the link works."""

    form_method = "post"

    # A double tap sends the same key twice: one link, whose token is the one shown last.
    idempotency_key = forms.UUIDField(
        label="This form",
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages=dict.fromkeys(("required", "invalid"), "This form is out of date: reload the page."),
    )
    days = forms.TypedChoiceField(
        label="The link works for",
        choices=SHARE_DAYS,
        coerce=int,
        initial=SHARE_DEFAULT_DAYS,
        widget=forms.RadioSelect,
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and not end and start > timezone.localdate():
            self.add_error("start", "“From” is after today: choose a day up to today, or fill in “To”.")
        return cleaned

    def link_fields(self, today: dt.date) -> dict:
        """What the new link is made of, from the valid form."""
        start, end = self.period(today)
        data = self.cleaned_data
        return {"start": start, "end": end, "days": data["days"], "request_key": data["idempotency_key"]}
