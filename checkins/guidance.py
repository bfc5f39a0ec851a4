"""From stored runs to advice: the history a run is judged against, and saving a check-in.

The advice engine takes plain mappings; this module gathers them for one runner
with a fixed number of queries, whatever the length of their log.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from advice import Assessment, assess

from .history import running_streaks
from .logrevision import one_log_change
from .models import CheckIn, Profile, Run

# The overuse rules look back 30 days for the longest run (Frandsen/Nielsen 2025)
# and compare the last two weeks (Nielsen 2014); 35 days covers both.
HISTORY_DAYS = 35
# A check-in with twitching gets a follow-up from the day after the run, and it stays
# open until it is answered, for this many days after the run.
FOLLOWUP_DAYS = 3


def history_before(runner, day: dt.date, *, exclude_pk: int | None = None) -> list[dict]:
    """The runner's (a user or its pk) runs in the 35 days up to `day`, as answer mappings (one query)."""
    rows = (
        Run.objects.filter(runner_id=getattr(runner, "pk", runner))
        .filter(date__gte=day - dt.timedelta(days=HISTORY_DAYS), date__lte=day)
        .exclude(pk=exclude_pk)
        .values("date", "distance_km", "duration_min")
    )
    return [{k: v for k, v in row.items() if v is not None} for row in rows]


def consecutive_running_days(day: dt.date, earlier: set[dt.date]) -> int:
    """Days in a row with a run, ending on `day` and counting it (1 = rested the day before)."""
    return running_streaks(earlier | {day})[day]


def assess_answers(answers: dict, *, runner, profile: Profile, day: dt.date, exclude_pk=None) -> Assessment:
    history = history_before(runner, day, exclude_pk=exclude_pk)
    answers = dict(answers)
    answers.setdefault("date", day)
    if "days_since_rest" not in answers:
        answers["days_since_rest"] = consecutive_running_days(day, {row["date"] for row in history})
    if "medications" not in answers and profile.medications:
        answers["medications"] = list(profile.medications)
    if "medication_changed" not in answers and profile.medication_changed:
        answers["medication_changed"] = True
    return assess(answers, history=history, units=profile.units, body_weight_kg=profile.body_weight_kg)


def assess_run(run: Run, profile: Profile) -> Assessment:
    """The advice for a saved run with its check-in."""
    return assess_answers(
        run.answers(), runner=run.runner_id, profile=profile, day=run.date, exclude_pk=run.pk
    )


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
    except IntegrityError:
        if not created:
            raise
        # The same key won a race with this request: that run is the one.
        existing = Run.objects.for_runner(runner).filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return run, created


def followup_open_on(today: dt.date) -> Q:
    """A filter of check-ins whose follow-up is open on `today`.

    Open: twitching after the run, not answered yet, and `today` is one to
    FOLLOWUP_DAYS days after the run's day. The one rule behind the home page's
    prompt and the run page's link (followup_due is the same rule in Python).
    """
    return Q(
        twitching=True,
        followup_at__isnull=True,
        run__date__lt=today,
        run__date__gte=today - dt.timedelta(days=FOLLOWUP_DAYS),
    )


def followup_due(checkin: CheckIn | None, run_date: dt.date, today: dt.date) -> bool:
    """The same rule as followup_open_on, for a check-in already loaded (no query)."""
    return (
        checkin is not None
        and checkin.twitching is True
        and checkin.followup_at is None
        and today - dt.timedelta(days=FOLLOWUP_DAYS) <= run_date < today
    )


def open_followup(runner, today: dt.date) -> CheckIn | None:
    """The newest check-in with twitching from the last days still awaiting its follow-up."""
    return (
        CheckIn.objects.filter(followup_open_on(today), run__runner=runner)
        .select_related("run")
        .order_by("-run__started_at")
        .first()
    )


def advice_summary(assessment: Assessment | None) -> str:
    """The live preview's one line beside Save: an urgent flag first, else what the advice holds."""
    if assessment is None:
        return "Advice so far: it appears here as you answer"
    if assessment.urgent:
        return f"Urgent: {assessment.urgent_flags[0].title}. See what to do"
    parts = []
    for items, one, many in (
        (assessment.red_flags, "reason to see a doctor", "reasons to see a doctor"),
        (assessment.causes, "possible cause", "possible causes"),
        (assessment.tips, "tip", "tips"),
    ):
        if items:
            parts.append(f"{len(items)} {one if len(items) == 1 else many}")
    return "Advice so far: " + (" · ".join(parts) if parts else "nothing to show yet")


def part_of_day(now: dt.datetime) -> str:
    """ "this morning", "this afternoon", "this evening" or "tonight", for a local time.

    Pass the time in the runner's zone (timezone.localtime() while their zone is active).
    """
    hour = now.hour
    if 5 <= hour < 12:
        return "this morning"
    if 12 <= hour < 18:
        return "this afternoon"
    if 18 <= hour < 22:
        return "this evening"
    return "tonight"
