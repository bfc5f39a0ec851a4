"""An experiment's daily nudge, the reminders' second kind: opted into on the Settings page,
due at 20:00 on the runner's clock each day of the experiment (daylight saving included),
sent once by e-mail or Web Push, skipped once the day's question is answered or while a red
flag is open, and ended by stopping the experiment. The clock is frozen with time-machine."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from checkins.experiments.nudges import due_nudges
from checkins.models import Experiment, Reminder, ReminderSettings, Run
from checkins.reminders import scheduling, sending
from checkins.reminders.kinds import NUDGE_TIME
from checkins.reminders.unsubscribing import unsubscribe_path
from tests.factories import CheckInFactory, RunFactory
from tests.helpers import Browser, checkin_post, main_of, run_worker, verify_vapid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("server_keys")]

UTC = dt.UTC
BERLIN = "Europe/Berlin"
SITE = "https://aftermath.example.org"
# Thursday 22 October 2026, 12:00 in Berlin (CEST, UTC+2). The clocks go back in the night
# of Saturday 24 to Sunday 25 October: from then on Berlin is CET, UTC+1.
THURSDAY_NOON = dt.datetime(2026, 10, 22, 10, 0, tzinfo=UTC)


def opt_in(runner, *, zone=BERLIN, channel="email", experiment=True, followup=False) -> ReminderSettings:
    runner.profile.time_zone = zone
    runner.profile.save()
    prefs, _ = ReminderSettings.objects.update_or_create(
        runner=runner, defaults={"followup": followup, "experiment": experiment, "channel": channel}
    )
    return prefs


def start(client, change="cooldown_walk", weeks="2", alternating="no") -> Experiment:
    """Start an experiment through its page, as the runner does."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "change": change,
        "weeks": weeks,
        "alternating": alternating,
    }
    response = client.post(reverse("experiment_start"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Experiment.objects.get(idempotency_key=data["idempotency_key"])


def pending(experiment) -> list[Reminder]:
    return list(Reminder.objects.filter(experiment=experiment, status=Reminder.Status.PENDING))


def nudge_on(experiment, day: dt.date) -> Reminder:
    return Reminder.objects.get(kind=Reminder.Kind.EXPERIMENT, experiment=experiment, day=day)


def at(when: dt.datetime):
    return time_machine.travel(when, tick=False)


# --- Opting in ------------------------------------------------------------------------------


def test_the_box_is_off_by_default_and_only_a_tick_stores_it(runner_client, runner):
    page = main_of(runner_client.get(reverse("profile")))
    box = page.find("input", name="experiment")
    assert box.attrs["type"] == "checkbox" and "checked" not in box.attrs
    assert "Nudge me during an experiment" in page.find(id="reminders").parent.text
    assert "at 20:00 on your clock" in page.find(id="help-experiment").text  # its time, said beside it
    url = reverse("reminder_settings")
    with at(THURSDAY_NOON):
        runner_client.post(url, {"followup": "on", "local_time": "08:00", "channel": "email"})
        assert ReminderSettings.objects.get(runner=runner).experiment is False
        experiment = start(runner_client)
        assert not Reminder.objects.filter(kind=Reminder.Kind.EXPERIMENT).exists()  # not asked for
        runner_client.post(url, {"experiment": "on", "local_time": "08:00", "channel": "email"})
        assert ReminderSettings.objects.get(runner=runner).experiment is True
        (nudge,) = pending(experiment)  # ticked during an experiment: tonight's nudge
        assert nudge.day == dt.date(2026, 10, 22)
        runner_client.post(url, {"local_time": "08:00", "channel": "email"})  # unticked
    assert ReminderSettings.objects.get(runner=runner).experiment is False
    assert pending(experiment) == [] and nudge_on(experiment, nudge.day).status == Reminder.Status.CANCELLED


def test_the_experiment_page_says_where_to_ask_for_nudges(runner_client, runner):
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        page = main_of(runner_client.get(reverse("experiment_detail", args=[experiment.pk])))
    link = page.find(cls="experiment-nudge").find("a")
    assert link.attrs["href"] == reverse("profile") + "#reminders"


# --- When: each day at 20:00 on the runner's clock --------------------------------------------


def test_a_nudge_each_evening_at_eight_across_the_clocks_going_back(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    assert experiment.start_day == dt.date(2026, 10, 22)
    # 20:00 CEST is 18:00 UTC until Saturday; 20:00 CET is 19:00 UTC from Sunday.
    expected = {
        dt.date(2026, 10, 22): dt.datetime(2026, 10, 22, 18, 0, tzinfo=UTC),
        dt.date(2026, 10, 23): dt.datetime(2026, 10, 23, 18, 0, tzinfo=UTC),
        dt.date(2026, 10, 24): dt.datetime(2026, 10, 24, 18, 0, tzinfo=UTC),
        dt.date(2026, 10, 25): dt.datetime(2026, 10, 25, 19, 0, tzinfo=UTC),
        dt.date(2026, 10, 26): dt.datetime(2026, 10, 26, 19, 0, tzinfo=UTC),
    }
    for sent, (day, due) in enumerate(expected.items()):
        (nudge,) = pending(experiment)  # one at a time: the next one is tonight's
        assert (nudge.day, nudge.due_at) == (day, due)
        assert nudge.due_at.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M") == "20:00"
        with at(due - dt.timedelta(minutes=1)):
            run_worker()
        assert len(mail.outbox) == sent  # not a minute early
        with at(due + dt.timedelta(seconds=5)):
            run_worker()
            run_worker()
        assert len(mail.outbox) == sent + 1  # once
        assert nudge_on(experiment, day).status == Reminder.Status.SENT
    (tuesday,) = pending(experiment)
    assert tuesday.day == dt.date(2026, 10, 27)

    message = mail.outbox[0]
    assert message.to == [runner.email]
    assert message.subject == "Your experiment: a cool-down walk"
    assert "Did you keep to it today?" in message.body
    assert SITE + reverse("checkin_create") in message.body
    assert SITE + unsubscribe_path(runner.pk) in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}{unsubscribe_path(runner.pk)}>"
    for words in ("cure", "treat", "diagnos", "you have"):  # plain, and no health claim
        assert words not in message.body.lower()


def test_the_last_nudge_is_on_the_last_day(runner_client, runner):
    opt_in(runner, zone="UTC")
    with at(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)):
        experiment = start(runner_client, weeks="2")
    last = experiment.planned_last_day
    assert last == dt.date(2026, 6, 14)
    with at(dt.datetime(2026, 6, 14, 12, 0, tzinfo=UTC)):  # the days between, as if sent
        Reminder.objects.filter(experiment=experiment).update(status=Reminder.Status.SENT)
        nudge = scheduling.experiment_changed(experiment)
    assert (nudge.day, nudge.due_at) == (last, dt.datetime.combine(last, NUDGE_TIME, tzinfo=UTC))
    with at(dt.datetime(2026, 6, 14, 20, 0, 5, tzinfo=UTC)):
        run_worker()
    assert len(mail.outbox) == 1 and pending(experiment) == []  # none after the end
    with at(dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)):
        scheduling.requeue_lost()  # nor from the safety net
    assert pending(experiment) == []


def test_started_after_eight_the_first_nudge_is_tomorrow(runner_client, runner):
    opt_in(runner)
    with at(dt.datetime(2026, 10, 22, 18, 30, tzinfo=UTC)):  # 20:30 in Berlin
        experiment = start(runner_client)
    (nudge,) = pending(experiment)
    assert nudge.day == dt.date(2026, 10, 23)


def test_a_new_zone_moves_the_nudge_to_eight_on_the_new_clock(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        form = {"distance_unit": "km", "temperature_unit": "c", "volume_unit": "ml", "weight_unit": "kg"}
        response = runner_client.post(reverse("profile"), {**form, "time_zone": "America/New_York"})
        assert response.status_code == 302
    (nudge,) = pending(experiment)
    assert nudge.due_at == dt.datetime(2026, 10, 23, 0, 0, tzinfo=UTC)  # 20:00 EDT on Thursday


# --- Not sent: answered, a red flag, stopped ---------------------------------------------------


def test_not_sent_once_the_days_question_is_answered(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    with at(dt.datetime(2026, 10, 22, 16, 0, tzinfo=UTC)):
        response = runner_client.post(
            reverse("checkin_create"), checkin_post(started_at="2026-10-22T17:00", experiment_kept="yes")
        )
        assert response.status_code == 302
    with at(dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)):
        run_worker()
    assert mail.outbox == []
    skipped = nudge_on(experiment, dt.date(2026, 10, 22))
    assert skipped.status == Reminder.Status.SKIPPED and "answered" in skipped.note
    (friday,) = pending(experiment)  # skipped today, nudged again tomorrow
    assert friday.day == dt.date(2026, 10, 23)


def test_a_run_logged_without_the_answer_is_opened_to_answer_it(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        response = runner_client.post(reverse("checkin_create"), checkin_post(started_at="2026-10-22T07:00"))
        run = Run.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    with at(dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)):
        run_worker()
    assert len(mail.outbox) == 1
    assert SITE + reverse("run_edit", args=[run.pk]) in mail.outbox[0].body  # no second run
    page = main_of(runner_client.get(reverse("run_edit", args=[run.pk])))
    assert page.find_all("input", name="experiment_kept")  # the question is there
    assert nudge_on(experiment, dt.date(2026, 10, 22)).status == Reminder.Status.SENT


def test_not_sent_while_a_red_flag_is_open(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    with at(dt.datetime(2026, 10, 22, 15, 0, tzinfo=UTC)):
        run = RunFactory(runner=runner)  # twitching with weakness: the `weakness` flag, unread
        CheckInFactory(run=run, twitching=True, muscles=["calves"], weakness=True)
    with at(dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)):
        assert due_nudges(dt.date(2026, 10, 22)) == []  # the same predicate
        run_worker()
    assert mail.outbox == []
    skipped = nudge_on(experiment, dt.date(2026, 10, 22))
    assert skipped.status == Reminder.Status.SKIPPED and "red flag" in skipped.note


def test_stopping_cancels_the_nudge_and_nothing_comes_after(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        (nudge,) = pending(experiment)
        runner_client.post(reverse("experiment_stop", args=[experiment.pk]))
    assert nudge_on(experiment, nudge.day).status == Reminder.Status.CANCELLED
    for day in range(22, 27):
        with at(dt.datetime(2026, 10, day, 19, 0, 5, tzinfo=UTC)):
            scheduling.requeue_lost()  # the safety net brings nothing back
            run_worker()
    assert mail.outbox == [] and pending(experiment) == []


def test_a_pending_nudge_found_stopped_at_send_time_is_skipped(runner_client, runner):
    """Stopped some other way (an import, the admin): checked again when it is due."""
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    Experiment.objects.filter(pk=experiment.pk).update(active=False, stopped_on=dt.date(2026, 10, 22))
    with at(dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)):
        run_worker()
    assert mail.outbox == [] and pending(experiment) == []
    assert "stopped" in nudge_on(experiment, dt.date(2026, 10, 22)).note


def test_unsubscribing_stops_the_nudges_too(runner_client, runner, client):
    opt_in(runner, followup=True)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        client.post(unsubscribe_path(runner.pk))
    prefs = ReminderSettings.objects.get(runner=runner)
    assert (prefs.followup, prefs.experiment) == (False, False)
    assert pending(experiment) == []


# --- Sent once: the safety net and a worker killed -------------------------------------------


def test_one_nudge_per_experiment_and_day(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    (nudge,) = pending(experiment)
    with pytest.raises(IntegrityError):
        Reminder.objects.create(
            runner=runner,
            kind=Reminder.Kind.EXPERIMENT,
            experiment=experiment,
            day=nudge.day,
            due_at=nudge.due_at,
            channel="email",
        )


def test_a_lost_task_is_queued_again_and_a_killed_send_is_never_repeated(runner_client, runner):
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
        DBTaskResult.objects.all().delete()  # the queue as an older backup had it
        assert scheduling.requeue_lost() == 1
    thursday = dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)
    with at(thursday):
        run_worker()
    assert len(mail.outbox) == 1
    (friday,) = pending(experiment)
    friday_due = dt.datetime(2026, 10, 23, 18, 0, 5, tzinfo=UTC)
    with at(friday_due):
        assert sending.claim(friday.pk, friday_due)  # ... and the worker is killed here
        DBTaskResult.objects.filter(pk=friday.task_id).update(status="RUNNING")
        run_worker()
    with at(friday_due + scheduling.STUCK_AFTER + dt.timedelta(minutes=1)):
        scheduling.requeue_lost()  # marked failed, never sent; Saturday's is scheduled
        run_worker()
    assert len(mail.outbox) == 1
    friday.refresh_from_db()
    assert friday.status == Reminder.Status.FAILED
    (saturday,) = pending(experiment)
    assert saturday.day == dt.date(2026, 10, 24)


def test_the_safety_net_gives_an_experiment_its_next_nudge_back(runner_client, runner):
    """A worker stopped between sending one nudge and scheduling the next: the chain resumes."""
    opt_in(runner)
    with at(THURSDAY_NOON):
        experiment = start(runner_client)
    Reminder.objects.filter(experiment=experiment).update(status=Reminder.Status.SENT)
    with at(dt.datetime(2026, 10, 22, 19, 0, tzinfo=UTC)):
        scheduling.requeue_lost()
    (friday,) = pending(experiment)
    assert friday.day == dt.date(2026, 10, 23)


# --- Web Push, end to end ------------------------------------------------------------------


def test_web_push_end_to_end(runner_client, runner, push_service):
    opt_in(runner, channel="push")
    phone = Browser(runner, push_service.origin + "/push/phone-1")
    with at(THURSDAY_NOON):
        experiment = start(runner_client, weeks="4", alternating="yes")
    with at(dt.datetime(2026, 10, 22, 18, 0, 5, tzinfo=UTC)):
        run_worker()
        (request,) = push_service.received
        verify_vapid(request["headers"]["authorization"], audience=push_service.origin)
    nudge = nudge_on(experiment, dt.date(2026, 10, 22))
    assert request["headers"]["topic"] == f"reminder-{nudge.pk}"
    assert phone.decrypt(request["body"]) == {
        "title": "Your experiment: a cool-down walk",
        "body": "Did you keep to it today? If you ran, one tap in today's check-in says so.",
        "url": reverse("checkin_create"),
        "tag": f"reminder-{nudge.pk}",
    }
    assert nudge.status == Reminder.Status.SENT and nudge.channel == "push"
    # The alternating plan's second week is without the change: its nudge asks for the usual.
    with at(dt.datetime(2026, 10, 29, 12, 0, tzinfo=UTC)):
        Reminder.objects.filter(experiment=experiment).update(status=Reminder.Status.SENT)
        off = scheduling.experiment_changed(experiment)
    assert (off.day, off.due_at) == (dt.date(2026, 10, 29), dt.datetime(2026, 10, 29, 19, 0, tzinfo=UTC))
    with at(dt.datetime(2026, 10, 29, 19, 0, 5, tzinfo=UTC)):
        run_worker()
    assert len(push_service.received) == 2
    off_week = phone.decrypt(push_service.received[-1]["body"])
    assert off_week["title"] == "A week without the change"
    assert off_week["body"].startswith("Your experiment: a cool-down walk. Did you keep to your usual today?")


def test_the_safety_net_costs_the_same_queries_however_many_experiments_are_over():
    """Experiments finished (still `active` until the next starts) of opted-in runners: no
    query each, every 30 s."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checkins.experiments.running import start_experiment
    from tests.factories import UserFactory

    def finished_experiments(count: int) -> None:
        for _ in range(count):
            someone = UserFactory()
            opt_in(someone, zone="UTC")
            start_experiment(
                someone,
                someone.profile,
                change="cooldown_walk",
                weeks=2,
                alternating=False,
                key=uuid.uuid4(),
                today=dt.date(2026, 6, 1),
            )
        Reminder.objects.filter(kind=Reminder.Kind.EXPERIMENT).update(status=Reminder.Status.SENT)

    after_the_end = dt.datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # the last day was 14 June
    counts = []
    for count in (1, 4):
        with at(dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)):
            finished_experiments(count)
        with at(after_the_end), CaptureQueriesContext(connection) as queries:
            assert scheduling.resume_nudges(after_the_end) == 0
        counts.append(len(queries))
    assert counts[0] == counts[1] == 1
    assert not Reminder.objects.filter(status=Reminder.Status.PENDING).exists()
