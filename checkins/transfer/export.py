"""The runner's data, theirs to take away: a complete JSON export that imports back,
and a spreadsheet-safe CSV in the runner's units.

The JSON uses the domain's keys (shared/domain.md), metric, so a doctor's software
or another app can read it without Aftermath.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from advice import COOLDOWN_LABELS, MEDICATION_LABELS, MUSCLE_LABELS, RUN_TYPE_LABELS, SYMPTOM_LABELS

from ..logrevision import one_log_change
from ..models import CHECKIN_ANSWER_KEYS, RUN_ANSWER_KEYS, CheckIn, Profile, Run
from ..plausible import local_time

FORMAT = "aftermath-export"
VERSION = 1
PROFILE_FIELDS = (
    "distance_unit",
    "temperature_unit",
    "volume_unit",
    "weight_unit",
    "time_zone",
    "body_weight_kg",
    "medications",
    "medication_changed",
)
RUN_EXTRA_FIELDS = ("avg_heart_rate_bpm", "notes")
FOLLOWUP_FIELDS = ("still_twitching",)


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def export_data(runner) -> dict:
    """Everything the runner stored: profile, runs, check-ins and follow-ups (two queries)."""
    profile = Profile.objects.get(runner=runner)
    runs = []
    for run in Run.objects.for_runner(runner).with_checkin().order_by("started_at"):
        item = {
            "idempotency_key": str(run.idempotency_key),
            "started_at": run.started_at.isoformat(),
            "date": run.date.isoformat(),
        }
        for key in (*RUN_ANSWER_KEYS, *RUN_EXTRA_FIELDS):
            item[key] = getattr(run, key)
        checkin = getattr(run, "checkin", None)
        if checkin is not None:
            answers = {key: getattr(checkin, key) for key in CHECKIN_ANSWER_KEYS}
            answers.update(
                followup_at=_iso(checkin.followup_at),
                still_twitching=checkin.still_twitching,
                flags_seen_at=_iso(checkin.flags_seen_at),
            )
            item["checkin"] = answers
        else:
            item["checkin"] = None
        runs.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {"email": runner.email, "date_joined": runner.date_joined.isoformat()},
        "profile": {
            **{field: getattr(profile, field) for field in PROFILE_FIELDS},
            "notice_acknowledged_at": _iso(profile.notice_acknowledged_at),
        },
        "runs": runs,
    }


class ExportRefused(Exception):
    """The file is not an Aftermath export this version can read."""


def import_data(runner, data: object) -> tuple[int, int, list[str]]:
    """Load an export into this runner's account: (imported, skipped, refusals).

    Runs already present (same idempotency key) are skipped, so importing the
    same file twice changes nothing. Each run is stored whole or not at all.
    The profile is taken over only when this account has no runs yet.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExportRefused("This is not an Aftermath export file.")
    if data.get("version") != VERSION:
        raise ExportRefused(
            f"This export is version {data.get('version')!r}; this Aftermath reads version {VERSION}."
        )
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise ExportRefused("The export has no list of runs.")
    profile = Profile.objects.get(runner=runner)
    fresh = not Run.objects.for_runner(runner).exists()
    if fresh and isinstance(data.get("profile"), dict):
        _load_profile(profile, data["profile"])
    existing = set(Run.objects.for_runner(runner).values_list("idempotency_key", flat=True))
    imported, skipped, refusals = 0, 0, []
    with one_log_change(runner.pk):  # one bump for the whole file, not two per run
        for number, item in enumerate(runs, start=1):
            try:
                key = uuid.UUID(str(item.get("idempotency_key")))
            except (AttributeError, ValueError):
                refusals.append(f"Run {number}: it has no valid key.")
                continue
            if key in existing:
                skipped += 1
                continue
            try:
                with transaction.atomic():
                    _load_run(runner, key, item)
            except (ValidationError, IntegrityError, TypeError, ValueError, AttributeError) as error:
                refusals.append(f"Run {number}: {_reason(error)}")
                continue
            existing.add(key)
            imported += 1
    return imported, skipped, refusals


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return "its values could not be read."


def _load_profile(profile: Profile, values: dict) -> None:
    for field in PROFILE_FIELDS:
        if field in values:
            setattr(profile, field, values[field])
    acknowledged = values.get("notice_acknowledged_at")
    if acknowledged and profile.notice_acknowledged_at is None:
        profile.notice_acknowledged_at = parse_datetime(acknowledged)
    profile.full_clean(exclude=["runner"], validate_constraints=False)
    profile.save()


def _load_run(runner, key: uuid.UUID, item: dict) -> None:
    started = parse_datetime(str(item.get("started_at")))
    if started is None:
        raise ValidationError({"started_at": ["missing or not a date and time."]})
    if timezone.is_naive(started):
        started = timezone.make_aware(started, dt.UTC)
    if not Run.is_plausible_start(started):
        raise ValidationError(Run.implausible_start(started) + ".")
    run = Run(runner=runner, idempotency_key=key, started_at=started)
    run.date = dt.date.fromisoformat(item["date"]) if item.get("date") else run.local_date()
    for field in (*RUN_ANSWER_KEYS, *RUN_EXTRA_FIELDS):
        value = item.get(field)
        if value is not None:
            setattr(run, field, value)
    run.full_clean(exclude=["runner"], validate_constraints=False)
    run.save()
    answers = item.get("checkin")
    if isinstance(answers, dict):
        checkin = CheckIn(run=run)
        for field in (*CHECKIN_ANSWER_KEYS, *FOLLOWUP_FIELDS):
            value = answers.get(field)
            if value is not None:
                setattr(checkin, field, value)
        checkin.followup_at = _moment(answers.get("followup_at"))
        checkin.flags_seen_at = _moment(answers.get("flags_seen_at"))
        checkin.full_clean(exclude=["run"], validate_constraints=False)
        checkin.save()


def _moment(value: object):
    """An exported time stamp back, or None when it is missing or not a time stamp."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


# --- CSV ------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _codes(codes, labels) -> str:
    return ", ".join(labels.get(code, code) for code in codes or ())


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def export_csv(runner, units) -> str:
    """One row a run with its check-in, in the runner's units."""
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(
        [
            "date",
            "start",
            f"distance ({units.distance_label})",
            "duration (min)",
            "effort (1-10)",
            "run type",
            f"temperature ({units.temperature_label})",
            "humidity (%)",
            f"drunk ({units.volume_label})",
            "electrolytes during",
            "carbohydrate before (g)",
            "carbohydrate minutes before",
            "hours since meal",
            "spicy meal",
            "cool-down",
            f"weight before ({units.weight_label})",
            f"weight after ({units.weight_label})",
            "days in a row",
            "average heart rate (bpm)",
            "twitching",
            "muscles",
            "intensity (0-10)",
            "visible",
            "cramps",
            "weakness",
            "sleep disrupted",
            "daily life disrupted",
            "symptoms",
            "urine colour (1-8)",
            "rehydrated",
            "medicines",
            "medicine changed",
            "notes",
        ]
    )

    def num(value, convert=None, digits=1):
        if value is None:
            return ""
        return f"{round(convert(value) if convert else value, digits):g}"

    for run in Run.objects.for_runner(runner).with_checkin().order_by("started_at"):
        checkin = getattr(run, "checkin", None)

        def get(name, checkin=checkin):
            return None if checkin is None else getattr(checkin, name)

        writer.writerow(
            [
                run.date.isoformat(),
                local_time(run.started_at).strftime("%H:%M"),
                num(run.distance_km, units.distance_from_km, 2),
                num(run.duration_min),
                num(run.effort, digits=0),
                RUN_TYPE_LABELS.get(run.run_type, ""),
                num(run.temperature_c, units.temperature_from_c),
                num(run.humidity_pct, digits=0),
                num(run.fluid_ml, units.volume_from_ml, 0),
                _yes_no(run.electrolytes_during),
                num(run.carbs_before_g, digits=0),
                num(run.carbs_before_min, digits=0),
                num(run.meal_before_h),
                _yes_no(run.spicy_meal),
                COOLDOWN_LABELS.get(run.cooldown, ""),
                num(run.weight_before_kg, units.weight_from_kg),
                num(run.weight_after_kg, units.weight_from_kg),
                num(run.days_since_rest, digits=0),
                num(run.avg_heart_rate_bpm, digits=0),
                _yes_no(get("twitching")),
                _codes(get("muscles"), MUSCLE_LABELS),
                num(get("intensity"), digits=0),
                _yes_no(get("visible")),
                _yes_no(get("cramps")),
                _yes_no(get("weakness")),
                _yes_no(get("sleep_disrupted")),
                _yes_no(get("daily_life_disrupted")),
                _codes(get("symptoms"), SYMPTOM_LABELS),
                num(get("urine_color"), digits=0),
                _yes_no(get("rehydrated")),
                _codes(get("medications"), MEDICATION_LABELS),
                _yes_no(get("medication_changed")),
                spreadsheet_safe(run.notes),
            ]
        )
    return rows.getvalue()
