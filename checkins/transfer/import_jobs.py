"""Bringing runs in from watch files (Django side): the one-file pre-fill of a new
check-in, and jobs for many files or a Strava export, processed a few items per request.

Parsing and every safety check of untrusted files live in `watch_files` (no database).
"""

from __future__ import annotations

import bisect
import time
import uuid
import zipfile

from django.db import transaction
from django.utils import timezone

from ..models import ImportItem, ImportJob, Run
from .watch_files import (
    MAX_FILE_BYTES,
    MAX_ZIP_BYTES,
    Activity,
    ImportRefused,
    is_duplicate,
    larger_than,
    not_a_run,
    parse_activity,
    read_members,
    sport_of,
)

STEP_SECONDS = 0.8  # work per progress request: the bar moves about once a second
STEP_ITEMS = 50
PREFILL_KEY = "checkin_prefill"  # in the session: what a watch file gave, for the next check-in form


def is_zip(name: str, head: bytes) -> bool:
    return name.lower().endswith(".zip") or head.startswith(b"PK\x03\x04")


def read_upload(upload, *, limit: int) -> bytes:
    """The upload's bytes, refusing anything over `limit` before reading it."""
    if upload.size > limit:
        raise ImportRefused(upload.name, larger_than(limit))
    return upload.read()


def keep_for_checkin(session, activity: Activity) -> None:
    """What the check-in form takes from a watch file, kept for the next new check-in."""
    session[PREFILL_KEY] = prefill_from(activity)


def take_for_checkin(session) -> dict | None:
    """What a watch file gave for this new check-in, once (see keep_for_checkin)."""
    prefill = session.pop(PREFILL_KEY, None)
    return prefill if isinstance(prefill, dict) else None


def prefill_from(activity: Activity) -> dict:
    """What the check-in form takes from a watch file (metric, JSON-safe for the session)."""
    values = {"started_at": activity.started_at.isoformat()}
    for key, value in (
        ("distance_km", activity.distance_km),
        ("duration_min", activity.duration_min),
        ("temperature_c", activity.avg_temperature_c),
        ("avg_heart_rate_bpm", activity.avg_heart_rate_bpm),
    ):
        if value is not None:
            values[key] = value
    values["source"] = activity.filename
    return values


def start_job(runner, uploads) -> ImportJob:
    """Split the uploads into items; an unsafe or oversized archive is refused whole."""
    job = ImportJob.objects.create(runner=runner, filename=", ".join(u.name for u in uploads)[:255])
    items: list[ImportItem] = []
    refusals: list[str] = []
    for upload in uploads:
        head = upload.read(4)
        upload.seek(0)
        try:
            if is_zip(upload.name, head):
                data = read_upload(upload, limit=MAX_ZIP_BYTES)
                for member in read_members(upload.name, data):
                    items.append(
                        ImportItem(
                            job=job,
                            position=len(items),
                            name=member.name[:500],
                            data=member.data or b"",
                            csv_name=(member.csv_name or "")[:255],
                            csv_type=(member.csv_type or "")[:64],
                            status=ImportItem.Status.REFUSED if member.refused else ImportItem.Status.PENDING,
                            reason=(member.refused or "")[:300],
                        )
                    )
            else:
                data = read_upload(upload, limit=MAX_FILE_BYTES)
                items.append(ImportItem(job=job, position=len(items), name=upload.name[:500], data=data))
        except (ImportRefused, zipfile.BadZipFile) as error:
            reason = getattr(error, "reason", "not a readable zip archive")
            refusals.append(f"{upload.name}: {reason}")
    ImportItem.objects.bulk_create(items, batch_size=100)
    job.refused = "\n".join(refusals)
    if not items:
        job.finished_at = timezone.now()
    job.save()
    return job


def process_step(job: ImportJob, *, seconds: float | None = None, limit: int | None = None) -> None:
    """Import the next pending items; each run is stored whole or not at all."""
    seconds = STEP_SECONDS if seconds is None else seconds
    limit = STEP_ITEMS if limit is None else limit
    runner = job.runner
    starts = sorted(Run.objects.for_runner(runner).values_list("started_at", flat=True))
    deadline = time.monotonic() + seconds
    for item in job.items.filter(status=ImportItem.Status.PENDING)[:limit]:
        _process(item, runner, starts)
        if time.monotonic() > deadline:
            break
    if not job.items.filter(status=ImportItem.Status.PENDING).exists():
        job.finished_at = timezone.now()
        job.save(update_fields=["finished_at"])


def _process(item: ImportItem, runner, starts: list) -> None:
    try:
        activity = parse_activity(item.name, bytes(item.data))
    except ImportRefused as error:
        _finish(item, ImportItem.Status.REFUSED, error.reason)
        return
    why_not = not_a_run(activity, item.csv_type, miles=runner.profile.distance_unit == "mi")
    if why_not:
        _finish(item, ImportItem.Status.SKIPPED, f"not a run ({why_not})")
        return
    if not Run.is_plausible_start(activity.started_at):
        _finish(item, ImportItem.Status.REFUSED, Run.implausible_start(activity.started_at))
        return
    if is_duplicate(activity.started_at, starts):
        _finish(item, ImportItem.Status.SKIPPED, "already here: a run starting within 2 minutes")
        return
    run = Run(
        runner=runner,
        idempotency_key=uuid.uuid4(),
        started_at=activity.started_at,
        distance_km=activity.distance_km,
        duration_min=activity.duration_min,
        temperature_c=activity.avg_temperature_c,
        avg_heart_rate_bpm=activity.avg_heart_rate_bpm,
        run_type="trail" if sport_of(activity, item.csv_type) == "trail_running" else "",
        notes=(item.csv_name or "")[:2000],
    )
    run.date = run.local_date()
    try:
        run.full_clean(exclude=["runner"], validate_constraints=False)
    except Exception as error:
        fields = ", ".join(getattr(error, "message_dict", {}) or ["values"])
        _finish(item, ImportItem.Status.REFUSED, f"its {fields} are outside what a run can be")
        return
    with transaction.atomic():
        run.save()
        _finish(item, ImportItem.Status.IMPORTED, "", run=run)
    bisect.insort(starts, activity.started_at)


def _finish(item: ImportItem, status: str, reason: str, run: Run | None = None) -> None:
    item.status, item.reason, item.run, item.data = status, reason[:300], run, b""
    item.save(update_fields=["status", "reason", "run", "data"])


def job_summary(job: ImportJob) -> dict:
    """Counts for the progress bar and the final report (one query)."""
    rows = list(job.items.values_list("name", "status", "reason", "run_id"))
    by_status: dict[str, list] = {status: [] for status in ImportItem.Status.values}
    for name, status, reason, run_id in rows:
        by_status[status].append({"name": name, "reason": reason, "run_id": run_id})
    total = len(rows)
    done = total - len(by_status[ImportItem.Status.PENDING])
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "imported": by_status[ImportItem.Status.IMPORTED],
        "skipped": by_status[ImportItem.Status.SKIPPED],
        "refused": by_status[ImportItem.Status.REFUSED],
        "job_refusals": (job_refusals := [line for line in job.refused.splitlines() if line]),
        "refused_count": len(by_status[ImportItem.Status.REFUSED]) + len(job_refusals),
    }
