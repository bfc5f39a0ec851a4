"""What each kind of reminder is about: when it is due, whether it is still wanted, its words.

A kind is one object registered in KINDS under its Reminder.Kind value: when it is due
(`due_at`), why it is not to be sent now (`why_not`), its words (`message`, and the e-mail's
`email_template`), and what to schedule once one is done (`then`). The next-morning
follow-up is the first; an experiment's daily nudge the second (its own key on Reminder,
its own day, its own words).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..followups import FOLLOWUP_DAYS, part_of_day
from .models import Reminder

# At least this long between the end of a run and its follow-up reminder, so that a night
# lies between them (the follow-up asks about sleep). A run ending at 23:30 with reminders
# at 05:00 is reminded the morning after next, not five and a half hours later.
MIN_GAP = dt.timedelta(hours=6)
# A reminder more than this late (the worker was down) is not sent: "this morning" would
# be wrong by then, and the follow-up prompt on home is still there.
MAX_LATE = dt.timedelta(hours=4)


@dataclass(frozen=True)
class Message:
    title: str  # the notification's title, the e-mail's subject
    body: str  # one or two short sentences, in the project's own words
    path: str  # the page it opens (tapping the notification, the e-mail's link)


def local_datetime(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The moment the runner's clock shows `at` on `day`, in UTC.

    Daylight saving: a time that happens twice (clocks going back) is its first
    occurrence (fold=0); a time that does not happen (clocks going forward) comes out as
    the same distance after the jump, e.g. 02:30 on the night New York springs forward
    is 03:30 EDT. zoneinfo does both (PEP 495).
    """
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


class FollowUpReminder:
    """The next morning after a run with twitching or cramps: "How are your muscles?"."""

    kind = Reminder.Kind.FOLLOWUP
    email_template = "reminders/reminder_email.txt"

    @staticmethod
    def wanted_for(checkin) -> bool:
        return checkin is not None and (checkin.twitching or checkin.cramps) and checkin.followup_at is None

    def due_at(self, run, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        """The chosen time on the day after the run's day (its day as the runner lived it),
        or the day after that if the run ended less than MIN_GAP before."""
        ended = run.started_at + dt.timedelta(minutes=run.duration_min or 0)
        due = local_datetime(run.date + dt.timedelta(days=1), at, zone)
        if due - ended < MIN_GAP:
            due = local_datetime(run.date + dt.timedelta(days=2), at, zone)
        return due

    def open_subjects(self, runner_id: int, today: dt.date):
        """Runs whose follow-up could still be reminded of (when a runner opts in)."""
        from ..models import Run

        return Run.objects.filter(
            Q(checkin__twitching=True) | Q(checkin__cramps=True),
            runner_id=runner_id,
            checkin__followup_at__isnull=True,
            date__gte=today - dt.timedelta(days=FOLLOWUP_DAYS - 1),
        ).select_related("checkin")

    def why_not(self, reminder: Reminder, now: dt.datetime) -> str:
        """Why this reminder is not to be sent now, or "" to send it."""
        checkin = getattr(reminder.run, "checkin", None) if reminder.run_id else None
        if checkin is None:
            return "the run or its check-in is gone"
        if checkin.followup_at is not None:
            return "the follow-up is already answered"
        if not (checkin.twitching or checkin.cramps):
            return "no twitching or cramps any more"
        if now - reminder.due_at > MAX_LATE:
            return "too late to send"
        return ""

    def message(self, reminder: Reminder, zone: zoneinfo.ZoneInfo) -> Message:
        when = part_of_day(timezone.localtime(timezone.now(), zone))
        return Message(
            title=f"How are your muscles {when}?",
            body="Two taps to note it.",
            path=reverse("followup", args=[reminder.run_id]),
        )

    def then(self, reminder: Reminder) -> None:
        """One follow-up per run: nothing comes after it."""


# An experiment's nudge asks about the day ("did you keep to it today?"), so it comes in the
# evening, after most runs of the day (before work, at lunch, after work) and before bed,
# whatever time the runner chose for the next-morning follow-up: at 08:00 nothing of the
# day could be answered yet. A fixed time, said beside the checkbox.
NUDGE_TIME = dt.time(20, 0)


class ExperimentNudge:
    """Each day of an experiment, in the evening: "Did you keep to it today?". One pending
    nudge per experiment at a time: the next day's is scheduled once one is sent or skipped."""

    kind = Reminder.Kind.EXPERIMENT
    email_template = "reminders/experiment_email.txt"

    def due_at(self, day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        return local_datetime(day, NUDGE_TIME, zone)

    def next_day(self, experiment, now: dt.datetime, zone: zoneinfo.ZoneInfo, *, taken=()) -> dt.date | None:
        """The first of the experiment's days whose nudge time is still ahead and that has
        no nudge sent or being sent (`taken`), or None once there is none left."""
        if not experiment.active or experiment.stopped_on is not None:
            return None
        day = max(experiment.start_day, timezone.localtime(now, zone).date())
        while day <= experiment.last_day:
            if day not in taken and self.due_at(day, zone) > now:
                return day
            day += dt.timedelta(days=1)
        return None

    def why_not(self, reminder: Reminder, now: dt.datetime) -> str:
        """Why this nudge is not to be sent now, or "" to send it (the experiments' own
        predicate, checkins.experiments.nudges.why_no_nudge, decides what is wanted)."""
        from ..experiments.nudges import why_no_nudge

        if reminder.experiment is None:
            return "the experiment is gone"
        if now - reminder.due_at > MAX_LATE:
            return "too late to send"
        return why_no_nudge(reminder.experiment, reminder.runner.profile, reminder.day)

    def message(self, reminder: Reminder, zone: zoneinfo.ZoneInfo) -> Message:
        """Opens the check-in; if the runner logged a run that day and left the question,
        that run's page to edit, where it is asked again (no second run logged)."""
        from ..experiments.nudges import nudge_words
        from ..models import Run

        title, body = nudge_words(reminder.experiment, reminder.day)
        unanswered = (
            Run.objects.filter(runner_id=reminder.runner_id, date=reminder.day, checkin__isnull=False)
            .filter(checkin__experiment_kept__isnull=True)
            .order_by("-started_at")
            .values_list("pk", flat=True)
            .first()
        )
        path = reverse("run_edit", args=[unanswered]) if unanswered else reverse("checkin_create")
        return Message(title=title, body=body, path=path)

    def then(self, reminder: Reminder) -> None:
        """The next day's nudge (none after the experiment's last day)."""
        from .scheduling import experiment_changed

        if reminder.experiment is not None:
            experiment_changed(reminder.experiment)


KINDS = {Reminder.Kind.FOLLOWUP: FollowUpReminder(), Reminder.Kind.EXPERIMENT: ExperimentNudge()}
