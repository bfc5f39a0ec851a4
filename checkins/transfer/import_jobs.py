"""Bringing runs in, on the task worker: one watch file that pre-fills a check-in, many
files or a Strava export, and an Aftermath export.

The web side (`start_job`) only stores what was sent and enqueues the job, in one short
transaction. The worker (`work_on`, run by the task in `tasks.py`) claims the job's lease,
splits each upload into items, and imports the items one at a time: each item's run, its
status and the renewed lease are one small transaction, so

* a worker killed mid-job loses nothing: the lease expires, `resume_stalled` enqueues the
  job again, and the next worker carries on from the first pending item;
* nothing is stored twice: an item's transaction commits only while its worker still
  holds the lease, and the run's idempotency key is made from the job and the item;
* nobody waits behind an import: a task works for at most SLICE_SECONDS, then enqueues
  its own continuation behind every other queued job, and no transaction holds SQLite's
  write lock for longer than one run takes to store.

Parsing and every safety check of untrusted files live in `watch_files` (no database).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import logging
import os
import time
import uuid
from collections.abc import Iterable
from contextlib import ExitStack

from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import get_random_string

from .. import plausible
from ..models import ImportItem, ImportJob, ImportUpload, Run, User
from . import export
from .watch_files import (
    DUPLICATE_WINDOW,
    MAX_FILE_BYTES,
    Activity,
    Archive,
    ImportRefused,
    is_duplicate,
    not_a_run,
    parse_activity,
    sport_of,
)

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)  # longer than any one item can take (MAX_PARSE_SECONDS, 75 s, and its read)
SLICE_SECONDS = 10.0  # then the job goes to the back of the queue: imports take turns
MAX_OPEN_JOBS = 3  # unfinished imports per runner
# A worker that dies on the same item this many times in a row: that item is refused.
# `attempts` counts claims since the job last made progress (1: the current claim only).
MAX_ATTEMPTS = 3
PREFILL_KEY = "checkin_prefill"  # in the session: what a watch file gave, for the next check-in form
RUN_KEYS = uuid.UUID("6f1d9a43-52b5-4c8e-9a0e-3f7f2d1c5b10")  # namespace of imported runs' keys

STOPPED = "it stopped the importer more than once, so it was left out"
GONE = "the uploaded file is no longer here; upload it again"
DUPLICATE = "already here: a run starting within 2 minutes"
UNREADABLE = "it could not be read; export it again from your watch's app and upload that"


def with_line(text: str, *lines: str) -> str:
    """`text` (lines of refusals) with these lines added."""
    return "\n".join(line for line in (text, *lines) if line)


class JobRefused(Exception):
    """The upload cannot start a job; the message is for the runner."""


def is_zip(name: str, head: bytes) -> bool:
    return name.lower().endswith(".zip") or head.startswith(b"PK\x03\x04")


def upload_storage():
    return storages["imports"]


# --- the web side -----------------------------------------------------------------


def open_jobs(runner) -> int:
    return ImportJob.objects.filter(runner=runner, finished_at__isnull=True).count()


def start_job(runner, kind: str, uploads: Iterable) -> ImportJob:
    """Store the uploaded files and enqueue their job, or raise JobRefused.

    The files are moved (or streamed) into the uploads folder first, outside any
    transaction; then the job, its uploads and its task are one short transaction.
    """
    uploads = list(uploads)
    if open_jobs(runner) >= MAX_OPEN_JOBS:
        raise JobRefused(
            f"You already have {MAX_OPEN_JOBS} imports under way. "
            "Wait for one of them to finish, then upload this again."
        )
    storage = upload_storage()
    folder = get_random_string(24)
    stored = [
        (upload.name[:255], storage.save(f"{folder}/{position}", upload), upload.size)
        for position, upload in enumerate(uploads)
    ]
    with transaction.atomic():
        job = ImportJob.objects.create(
            runner=runner, kind=kind, filename=", ".join(name for name, _, _ in stored)[:255]
        )
        ImportUpload.objects.bulk_create(
            ImportUpload(job=job, position=position, name=name, file=path, size=size)
            for position, (name, path, size) in enumerate(stored)
        )
        enqueue(job)
    return job


def enqueue(job: ImportJob) -> None:
    """Queue a task for the job (inside the caller's transaction, so both or neither)."""
    from .tasks import import_job

    result = import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


def keep_for_checkin(session, prefill: dict) -> None:
    """What the check-in form takes from a watch file, kept for the next new check-in."""
    session[PREFILL_KEY] = prefill


def take_for_checkin(session) -> dict | None:
    """What a watch file gave for this new check-in, once (see keep_for_checkin)."""
    prefill = session.pop(PREFILL_KEY, None)
    return prefill if isinstance(prefill, dict) else None


def prefill_from(activity: Activity) -> dict:
    """What the check-in form takes from a watch file (metric, JSON-safe)."""
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


# --- stalled jobs -------------------------------------------------------------------


def is_stalled(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Unfinished, nobody holding it, and no task of it waiting or running."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    if job.finished_at is not None or (job.lease_until is not None and job.lease_until > now):
        return False
    task = DBTaskResult.objects.filter(pk=job.task_id).values("status", "started_at").first() or {}
    if task.get("status") == "READY":
        return False
    # A task that started moments ago may not have claimed the job's lease yet.
    just_started = task.get("started_at") and task["started_at"] > now - LEASE
    return not (task.get("status") == "RUNNING" and job.lease_until is None and just_started)


def resume_stalled(jobs=None) -> int:
    """Enqueue again every job whose worker died (or whose task failed); returns how many."""
    now = timezone.now()
    candidates = ImportJob.objects.filter(finished_at__isnull=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    if jobs is not None:
        candidates = candidates.filter(pk__in=[job.pk for job in jobs])
    resumed = 0
    for job in candidates:
        if is_stalled(job, now):
            with transaction.atomic():
                enqueue(job)
            resumed += 1
            log.info("import job %s resumed", job.pk)
    return resumed


# --- the worker side ----------------------------------------------------------------


class LostLease(Exception):
    """Another worker took the job over (this one was too slow): stop without storing."""


class Slice:
    """One task's turn at a job: the lease it holds and until when it works."""

    def __init__(self, job: ImportJob, holder: str, seconds: float):
        self.job = job
        self.holder = holder
        self.deadline = time.monotonic() + seconds

    def over(self) -> bool:
        return time.monotonic() > self.deadline

    def renew(self, **changes) -> None:
        """Inside the caller's transaction: keep the lease (or raise LostLease), with changes."""
        held = ImportJob.objects.filter(pk=self.job.pk, lease_holder=self.holder, finished_at__isnull=True)
        if not held.update(**{"lease_until": timezone.now() + LEASE, **changes}):
            raise LostLease

    def refuse(self, line: str, **changes) -> None:
        """Add a refusal of the job's files as a whole (renewing the lease)."""
        self.job.refused = with_line(self.job.refused, line)
        self.renew(refused=self.job.refused, **changes)


def claim(job_id: int, holder: str) -> ImportJob | None:
    """Take the job's lease if nobody holds it (one UPDATE, so two workers never both win)."""
    now = timezone.now()
    taken = (
        ImportJob.objects.filter(pk=job_id, finished_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(
            lease_holder=holder,
            lease_until=now + LEASE,
            attempts=F("attempts") + 1,
            started_at=Coalesce("started_at", now),
        )
    )
    return ImportJob.objects.select_related("runner__profile").get(pk=job_id) if taken else None


def work_on(job_id: int, *, seconds: float = SLICE_SECONDS) -> bool:
    """The task's body: work on the job for a slice. True when the job is finished."""
    holder = get_random_string(32)
    job = claim(job_id, holder)
    if job is None:
        return False  # finished, or another worker holds it
    turn = Slice(job, holder, seconds)
    try:
        if job.attempts > MAX_ATTEMPTS:
            _give_up_on_front_item(turn)
        if job.kind != ImportJob.Kind.EXPORT:
            finished = _import_files(turn)
        else:
            finished = job.attempts > MAX_ATTEMPTS or _load_export(turn)
    except LostLease:
        log.warning("import job %s: lease lost, leaving it to its new worker", job_id)
        return False
    with transaction.atomic():
        try:
            if finished:
                turn.renew(finished_at=timezone.now(), lease_holder="", attempts=0)
            else:  # to the back of the queue
                turn.renew(lease_holder="", lease_until=None, attempts=0)
                enqueue(job)
        except LostLease:
            return False
    if finished:
        _remove_uploads(job)
    return finished


def _give_up_on_front_item(turn: Slice) -> None:
    """The job's workers died MAX_ATTEMPTS times in a row before finishing an item:
    refuse the item at the front (or, for an export, the file), so the job can go on."""
    job = turn.job
    with transaction.atomic():
        item = job.items.filter(status=ImportItem.Status.PENDING).first()
        if item is not None and job.kind != ImportJob.Kind.EXPORT:
            turn.renew(attempts=0)
            _finish(item, ImportItem.Status.REFUSED, STOPPED)
            return
        # The file itself (an export, or an archive that cannot even be listed).
        job.uploads.filter(split=False).update(split=True)
        turn.refuse(f"{job.filename}: {STOPPED}.", attempts=0)


# --- files ------------------------------------------------------------------------


def _import_files(turn: Slice) -> bool:
    job = turn.job
    for upload in job.uploads.filter(split=False):
        _split(turn, upload)  # cheap: an archive's list of members, not their bytes
    runner = job.runner
    starts = sorted(Run.objects.for_runner(runner).values_list("started_at", flat=True))
    with ExitStack() as open_files:
        archives: dict[int, Archive] = {}
        while True:
            batch = list(job.items.filter(status=ImportItem.Status.PENDING).select_related("upload")[:100])
            if not batch:
                return True
            for item in batch:
                _process(turn, item, starts, archives, open_files)
                if turn.over():
                    return False


def _split(turn: Slice, upload: ImportUpload) -> None:
    """An upload's items: the activity files of an archive, or the file itself."""
    job = turn.job
    items: list[ImportItem] = []
    refusal = ""
    storage = upload_storage()
    try:
        with storage.open(upload.file.name, "rb") as stream:
            head = stream.read(4)
            stream.seek(0)
            if job.kind == ImportJob.Kind.FILES and is_zip(upload.name, head):
                with Archive(upload.name, stream) as archive:
                    members = archive.members()
                for member in members:
                    items.append(
                        ImportItem(
                            name=member.name[:500],
                            upload=upload,
                            member=member.name[:500],
                            csv_name=(member.csv_name or "")[:255],
                            csv_type=(member.csv_type or "")[:64],
                            status=ImportItem.Status.REFUSED if member.refused else ImportItem.Status.PENDING,
                            reason=(member.refused or "")[:300],
                        )
                    )
            else:
                items.append(ImportItem(name=upload.name, upload=upload))
    except ImportRefused as error:
        refusal = f"{upload.name}: {error.reason}"
    except FileNotFoundError:
        refusal = f"{upload.name}: {GONE}"
    with transaction.atomic():
        if refusal:
            turn.refuse(refusal)
        else:
            turn.renew()
        offset = job.items.count()
        for position, item in enumerate(items, start=offset):
            item.job, item.position = job, position
        ImportItem.objects.bulk_create(items, batch_size=500)
        ImportUpload.objects.filter(pk=upload.pk).update(split=True)
    if refusal:
        _remove(upload)


def _read(item: ImportItem, archives: dict[int, Archive], open_files: ExitStack) -> bytes:
    """The item's bytes: its archive member, or its upload whole (raises ImportRefused)."""
    upload = item.upload
    if upload is None or upload.removed:
        raise ImportRefused(item.name, GONE)
    try:
        if not item.member:
            with upload_storage().open(upload.file.name, "rb") as stream:
                return stream.read(MAX_FILE_BYTES + 1)  # parse_activity refuses what is over
        if upload.pk not in archives:
            stream = open_files.enter_context(upload_storage().open(upload.file.name, "rb"))
            archives[upload.pk] = open_files.enter_context(Archive(upload.name, stream))
        return archives[upload.pk].read(item.member)
    except FileNotFoundError as error:
        raise ImportRefused(item.name, GONE) from error


def _process(turn: Slice, item: ImportItem, starts: list, archives, open_files) -> None:
    """One item, in one transaction: its run (or pre-fill) and its status."""
    job = turn.job
    runner = job.runner
    try:
        activity = parse_activity(item.name, _read(item, archives, open_files))
    except ImportRefused as error:
        _settle(turn, item, ImportItem.Status.REFUSED, error.reason)
        return
    except Exception:  # a surprise in one file must not stop the others
        log.exception("import job %s: item %s could not be read", job.pk, item.pk)
        _settle(turn, item, ImportItem.Status.REFUSED, UNREADABLE)
        return
    if job.kind == ImportJob.Kind.CHECKIN:
        problem = _implausible(activity)
        if problem:
            _settle(turn, item, ImportItem.Status.REFUSED, problem)
        else:
            _settle(turn, item, ImportItem.Status.IMPORTED, "", prefill=prefill_from(activity))
        return
    why_not = not_a_run(activity, item.csv_type, miles=runner.profile.distance_unit == "mi")
    if why_not:
        _settle(turn, item, ImportItem.Status.SKIPPED, f"not a run ({why_not})")
        return
    problem = _implausible(activity)
    if problem:
        _settle(turn, item, ImportItem.Status.REFUSED, problem)
        return
    if is_duplicate(activity.started_at, starts):
        _settle(turn, item, ImportItem.Status.SKIPPED, DUPLICATE)
        return
    run = Run(
        runner=runner,
        idempotency_key=uuid.uuid5(RUN_KEYS, f"{job.pk}:{item.position}"),
        started_at=activity.started_at,
        distance_km=activity.distance_km,
        duration_min=activity.duration_min,
        temperature_c=activity.avg_temperature_c,
        avg_heart_rate_bpm=activity.avg_heart_rate_bpm,
        run_type="trail" if sport_of(activity, item.csv_type) == "trail_running" else "",
        notes=(item.csv_name or "")[:2000],
    )
    run.date = run.local_date()
    _settle(turn, item, ImportItem.Status.IMPORTED, "", run=run)
    bisect.insort(starts, activity.started_at)


def _implausible(activity: Activity) -> str | None:
    """Why the file's figures cannot be a run's (checkins.plausible), in the runner's words."""
    values = {
        "started_at": activity.started_at,
        "distance_km": activity.distance_km,
        "duration_min": activity.duration_min,
        "temperature_c": activity.avg_temperature_c,
        "avg_heart_rate_bpm": activity.avg_heart_rate_bpm,
    }
    problems = plausible.run_problems({key: value for key, value in values.items() if value is not None})
    return "; ".join(problems) or None


def _settle(turn: Slice, item: ImportItem, status: str, reason: str, *, run=None, prefill=None) -> None:
    """Store the item's outcome (and its run) while still holding the job's lease."""
    with transaction.atomic():
        changes = {"prefill": prefill} if prefill is not None else {}
        turn.renew(attempts=1, **changes)
        if run is not None and _stored_meanwhile(run):
            status, reason, run = ImportItem.Status.SKIPPED, DUPLICATE, None
        if run is not None:
            run.save()
        _finish(item, status, reason, run=run)


def _stored_meanwhile(run: Run) -> bool:
    """A run this close stored since the slice read the runner's starts: the same file in
    another job (an upload sent twice), worked by another worker at the same time. The
    runner's row is locked first, so that on PostgreSQL two workers cannot both miss each
    other's run (SQLite's IMMEDIATE transactions already take turns)."""
    list(User.objects.select_for_update().filter(pk=run.runner_id).values_list("pk", flat=True))
    return Run.objects.filter(
        runner_id=run.runner_id,
        started_at__gte=run.started_at - DUPLICATE_WINDOW,
        started_at__lte=run.started_at + DUPLICATE_WINDOW,
    ).exists()


def _finish(item: ImportItem, status: str, reason: str, run: Run | None = None) -> None:
    item.status, item.reason, item.run = status, reason[:300], run
    item.save(update_fields=["status", "reason", "run"])


def _remove(upload: ImportUpload) -> None:
    """Delete an upload's bytes (its items keep their names and outcomes)."""
    if upload.file.name:
        storage = upload_storage()
        storage.delete(upload.file.name)
        folder = os.path.dirname(upload.file.name)
        with contextlib.suppress(NotImplementedError, OSError):  # not empty yet, or not a folder
            os.rmdir(storage.path(folder))
    ImportUpload.objects.filter(pk=upload.pk).update(removed=True)


def _remove_uploads(job: ImportJob) -> None:
    for upload in job.uploads.filter(removed=False):
        _remove(upload)


# --- an Aftermath export --------------------------------------------------------------


def _load_export(turn: Slice) -> bool:
    """An Aftermath export, read whole (capped), loaded in batches from where the last
    slice stopped; each batch's progress commits with its runs."""
    job = turn.job
    upload = job.uploads.first()
    if upload is None or upload.removed:
        return True
    try:
        with upload_storage().open(upload.file.name, "rb") as stream:
            data = export.read_export(stream)
    except export.ExportRefused as error:
        with transaction.atomic():
            turn.refuse(f"{upload.name}: {error}")
        return True
    except FileNotFoundError:
        with transaction.atomic():
            turn.refuse(f"{upload.name}: {GONE}.")
        return True
    before = {"imported": job.imported, "skipped": job.skipped, "refused": job.refused}

    def record(progress: export.LoadProgress) -> None:
        refusals = with_line(before["refused"], *progress.refusals)
        turn.renew(
            total=progress.total,
            done=progress.done,
            imported=before["imported"] + progress.imported,
            skipped=before["skipped"] + progress.skipped,
            refused=refusals,
            attempts=1,
        )

    for progress in export.load_batches(job.runner, data, start=job.done, on_batch=record):
        if turn.over() and not progress.finished:
            return False
    return True


# --- what the progress page shows ---------------------------------------------------


def job_summary(job: ImportJob) -> dict:
    """Counts for the progress bar and the final report (one query)."""
    job_refusals = [line for line in job.refused.splitlines() if line]
    if job.kind == ImportJob.Kind.EXPORT:
        return {
            "total": job.total,
            "done": job.done,
            "percent": round(100 * job.done / job.total) if job.total else (100 if job.finished_at else 0),
            "imported_count": job.imported,
            "skipped_count": job.skipped,
            "job_refusals": job_refusals,
            "refused_count": len(job_refusals),
        }
    if job.finished_at is None:  # polled every second: counts only
        counts = dict(job.items.values_list("status").annotate(n=Count("pk")).order_by())
        total = sum(counts.values())
        done = total - counts.get(ImportItem.Status.PENDING, 0)
        return {
            "total": total,
            "done": done,
            "percent": round(100 * done / total) if total else 0,
            "job_refusals": job_refusals,
        }
    rows = list(job.items.values_list("name", "status", "reason", "run_id"))
    by_status: dict[str, list] = {status: [] for status in ImportItem.Status.values}
    for name, status, reason, run_id in rows:
        by_status[status].append({"name": name, "reason": reason, "run_id": run_id})
    return {
        "total": len(rows),
        "done": len(rows),
        "percent": 100,
        "imported": by_status[ImportItem.Status.IMPORTED],
        "skipped": by_status[ImportItem.Status.SKIPPED],
        "refused": by_status[ImportItem.Status.REFUSED],
        "imported_count": len(by_status[ImportItem.Status.IMPORTED]),
        "skipped_count": len(by_status[ImportItem.Status.SKIPPED]),
        "job_refusals": job_refusals,
        "refused_count": len(by_status[ImportItem.Status.REFUSED]) + len(job_refusals),
    }
