"""When reminders are due, and their tasks on the worker.

A reminder's due time is worked out in UTC from the runner's chosen local time and zone
when it is scheduled, and worked out again whenever what it depends on changes: the run
(edited or deleted), the experiment (started or stopped), the runner's zone, or their
reminder settings. An experiment has one pending nudge at a time: the next day's is
scheduled when one is sent or skipped (its kind's `then`). Each (re)scheduling
queues a task for the due time (django-tasks-db's `run_after`); a task that finds its
reminder moved later does nothing, so moving never needs the old task found. The
worker's safety net (`requeue_lost`) queues again a pending reminder whose task is gone
(a database restored from a backup, a worker killed before it claimed the reminder).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Exists, OuterRef
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advice.experiments import WEEKS_CHOICES

from .kinds import KINDS
from .models import Reminder, ReminderSettings

log = logging.getLogger("checkins.reminders")

# A reminder claimed this long ago and never finished: its worker stopped while sending.
# It is not sent again (at most once: see sending.py); it is marked failed.
STUCK_AFTER = dt.timedelta(minutes=10)

# Statuses a reminder can be moved out of. Once claimed (SENDING) or SENT, never again.
MOVABLE = (Reminder.Status.PENDING, Reminder.Status.SKIPPED, Reminder.Status.CANCELLED)


def settings_of(runner_id: int) -> ReminderSettings | None:
    return ReminderSettings.objects.filter(runner_id=runner_id).first()


def enqueue(reminder: Reminder) -> None:
    """Queue the reminder's task for its due time and remember the task (one INSERT, one UPDATE)."""
    from .tasks import send_reminder

    result = send_reminder.using(run_after=max(reminder.due_at, timezone.now())).enqueue(reminder.pk)
    previous = reminder.task_id
    reminder.task_id = result.id
    Reminder.objects.filter(pk=reminder.pk).update(task_id=result.id)
    if previous:  # tidy: the earlier task would find nothing to do anyway
        DBTaskResult.objects.filter(pk=previous, status=TaskResultStatus.READY).delete()


def put(reminder: Reminder, *, due_at: dt.datetime, channel: str) -> Reminder:
    """Make the reminder pending at `due_at` by `channel`, unless it was claimed or sent."""
    if reminder.pk and reminder.status not in MOVABLE:
        return reminder
    unchanged = (
        reminder.pk
        and reminder.status == Reminder.Status.PENDING
        and reminder.due_at == due_at
        and reminder.channel == channel
        and reminder.task_id
    )
    if unchanged:
        return reminder
    reminder.due_at, reminder.channel = due_at, channel
    reminder.status, reminder.note = Reminder.Status.PENDING, ""
    reminder.save()
    enqueue(reminder)
    return reminder


def cancel(reminders, note: str) -> int:
    """Cancel pending reminders (their tasks then find nothing to do)."""
    return reminders.filter(status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED, note=note[:200], updated_at=timezone.now()
    )


UNREAD = object()


def followup_changed(
    run, checkin, profile, *, prefs: ReminderSettings | object | None = UNREAD
) -> Reminder | None:
    """A check-in was saved (new or edited): schedule, move or cancel its follow-up reminder.

    Called inside the transaction that saves it (checkins.saving), so the reminder and
    its task are stored with the check-in or not at all. `prefs` are the runner's settings
    (None: they have none) when read beforehand, outside the write lock; else one query.
    """
    kind = KINDS[Reminder.Kind.FOLLOWUP]
    prefs = settings_of(run.runner_id) if prefs is UNREAD else prefs
    existing = Reminder.objects.filter(kind=kind.kind, run=run).first() if prefs else None
    if prefs is None or not prefs.followup or not kind.wanted_for(checkin):
        if existing is not None:
            cancel(Reminder.objects.filter(pk=existing.pk), "not wanted any more")
        return None
    due = kind.due_at(run, prefs.local_time, profile.zone)
    if due <= timezone.now():  # logged or moved after its morning: no reminder for the past
        if existing is not None:
            cancel(Reminder.objects.filter(pk=existing.pk), "its time has passed")
        return None
    reminder = existing or Reminder(runner_id=run.runner_id, kind=kind.kind, run=run)
    return put(reminder, due_at=due, channel=prefs.channel)


def experiment_changed(
    experiment,
    *,
    profile=None,
    prefs: ReminderSettings | object | None = UNREAD,
    now: dt.datetime | None = None,
) -> Reminder | None:
    """An experiment started, stopped, or one of its nudges was sent or skipped: make its
    next nudge pending (the first of its days whose evening is still ahead), and cancel any
    other pending one. Stopped, over, or the runner not opted in: its pending nudges are
    cancelled. Returns the pending nudge, if any."""
    kind = KINDS[Reminder.Kind.EXPERIMENT]
    prefs = settings_of(experiment.runner_id) if prefs is UNREAD else prefs
    nudges = Reminder.objects.filter(kind=kind.kind, experiment=experiment)
    if prefs is None or not prefs.wants(kind.kind):
        cancel(nudges, "not wanted any more")
        return None
    if profile is None:
        from ..models import Profile

        profile = Profile.objects.get(runner_id=experiment.runner_id)
    now = now or timezone.now()
    # A day whose nudge was sent, tried, or skipped is done (a new zone never brings it back).
    done = (Reminder.Status.PENDING, Reminder.Status.CANCELLED)
    taken = set(nudges.exclude(status__in=done).values_list("day", flat=True))
    day = kind.next_day(experiment, now, profile.zone, taken=taken)
    others = nudges.exclude(day=day) if day is not None else nudges
    cancel(others, "the experiment was stopped or is over" if day is None else "moved to another day")
    if day is None:
        return None
    reminder = nudges.filter(day=day).first() or Reminder(
        runner_id=experiment.runner_id, kind=kind.kind, experiment=experiment, day=day
    )
    return put(reminder, due_at=kind.due_at(day, profile.zone), channel=prefs.channel)


def runner_changed(runner_id: int, profile) -> None:
    """The runner's zone or reminder settings changed: move every pending reminder to the
    new local time, cancel them if they opted out, and schedule open follow-ups (and the
    nudge of an experiment going on) if they just opted in."""
    prefs = settings_of(runner_id)
    _experiment_nudges_changed(runner_id, profile, prefs)
    kind = KINDS[Reminder.Kind.FOLLOWUP]
    if prefs is None or not prefs.followup:
        cancel(Reminder.objects.filter(runner_id=runner_id, kind=kind.kind), "reminders turned off")
        return
    today = timezone.localtime(timezone.now(), profile.zone).date()
    for run in kind.open_subjects(runner_id, today):
        followup_changed(run, run.checkin, profile, prefs=prefs)


def _experiment_nudges_changed(runner_id: int, profile, prefs: ReminderSettings | None) -> None:
    from ..models import Experiment

    kind = Reminder.Kind.EXPERIMENT
    if prefs is None or not prefs.wants(kind):
        cancel(Reminder.objects.filter(runner_id=runner_id, kind=kind), "reminders turned off")
        return
    for experiment in Experiment.objects.filter(runner_id=runner_id, active=True):
        experiment_changed(experiment, profile=profile, prefs=prefs)


def requeue_lost(now: dt.datetime | None = None) -> int:
    """The worker's safety net, every 30 s: queue again each pending reminder whose task is
    not waiting in the queue, and mark failed those claimed long ago and never finished.

    A duplicate task is harmless: only one task can claim a reminder (sending.claim).
    """
    now = now or timezone.now()
    stuck = Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    stuck_nudges = list(stuck.filter(kind=Reminder.Kind.EXPERIMENT).values_list("pk", flat=True))
    failed = stuck.update(
        status=Reminder.Status.FAILED,
        note="the worker stopped while sending; not sent again",
        updated_at=now,
    )
    if failed:
        log.warning("%d reminder(s) stopped while being sent: marked failed, not sent again", failed)
    waiting = DBTaskResult.objects.filter(pk=OuterRef("task_id"), status=TaskResultStatus.READY)
    lost = list(Reminder.objects.filter(status=Reminder.Status.PENDING).exclude(Exists(waiting)))
    for reminder in lost:
        enqueue(reminder)
    if lost:
        log.info("queued %d reminder(s) again whose task was gone", len(lost))
    for reminder in Reminder.objects.filter(pk__in=stuck_nudges).select_related("experiment"):
        KINDS[reminder.kind].then(reminder)  # the next day's nudge, as after any other end
    resume_nudges(now)
    return len(lost)


def resume_nudges(now: dt.datetime) -> int:
    """Give a nudge back to each experiment going on (its runner opted in) that has none
    pending: a worker stopped between sending one and scheduling the next. One query; more
    only for such an experiment, and none once its last evening has passed."""
    from ..models import Experiment

    kind = KINDS[Reminder.Kind.EXPERIMENT]
    pending = Reminder.objects.filter(
        experiment=OuterRef("pk"), kind=Reminder.Kind.EXPERIMENT, status=Reminder.Status.PENDING
    )
    today = now.date()  # UTC: a day either side of any runner's
    candidates = Experiment.objects.filter(
        active=True,
        stopped_on__isnull=True,
        start_day__lte=today + dt.timedelta(days=1),
        start_day__gte=today - dt.timedelta(days=7 * max(WEEKS_CHOICES) + 1),
        runner__reminder_settings__experiment=True,
    ).exclude(Exists(pending))
    resumed = 0
    for experiment in candidates.select_related("runner__profile", "runner__reminder_settings"):
        runner = experiment.runner
        if kind.due_at(experiment.planned_last_day, runner.profile.zone) <= now:
            continue  # its last nudge's time has passed: nothing left to resume
        nudge = experiment_changed(
            experiment, profile=runner.profile, prefs=runner.reminder_settings, now=now
        )
        resumed += nudge is not None
    return resumed
