"""Saving a check-in: a run and its check-in stored together, once per idempotency key."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .logrevision import one_log_change
from .models import CheckIn, Profile, Run
from .reminders.scheduling import followup_changed, settings_of


def save_checkin(
    *, runner, profile: Profile, run_values: dict, checkin_values: dict, key, run: Run | None = None
):
    """Store a run with its check-in; return (run, created).

    A new check-in is stored once per idempotency key: a double tap or a resent
    request returns the run the first one stored. An edit applies to the run as it
    is in the database when the edit is saved; if it was deleted meanwhile,
    Run.DoesNotExist. Medicines are copied from the profile, so the check-in keeps
    what was true on the day.
    """
    runner_pk = getattr(runner, "pk", runner)
    created = run is None
    # Read before the transaction, so that SQLite's write lock covers only the writes.
    reminder_prefs = settings_of(runner_pk)
    try:
        # A new key is simply inserted: the unique constraint catches a repeat (below).
        with transaction.atomic(), one_log_change(runner_pk):
            if created:
                run, checkin = Run(runner=runner, idempotency_key=key), None
            else:
                # Read again inside the transaction (and locked on PostgreSQL until it ends).
                run = Run.objects.select_for_update().get(pk=run.pk, runner_id=runner_pk)
                checkin = CheckIn.objects.filter(run=run).first()  # an imported run may have none
            for field, value in run_values.items():
                setattr(run, field, value)
            run.runner = runner
            # The day in the runner's zone (Run.save would look the profile up again).
            run.date = timezone.localtime(run.started_at, profile.zone).date() if run.started_at else None
            # Field validators hold the same ranges as the check constraints; the
            # database enforces those (and the unique key) on save, without the
            # one query per constraint that validating them here would cost.
            run.full_clean(exclude=["runner", "date"], validate_constraints=False)
            run.save()
            checkin = checkin or CheckIn(run=run)  # one INSERT or UPDATE
            for field, value in checkin_values.items():
                setattr(checkin, field, value)
            if created:
                checkin.medications = list(profile.medications)
                checkin.medication_changed = profile.medication_changed
            checkin.full_clean(exclude=["run"], validate_constraints=False)
            checkin.save()
            # Its next-morning reminder, if the runner asked for one: scheduled, moved or cancelled.
            followup_changed(run, checkin, profile, prefs=reminder_prefs)
    except IntegrityError:
        if not created:
            raise
        # The same key won a race with this request: that run is the one.
        existing = Run.objects.for_runner(runner).filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return run, created
