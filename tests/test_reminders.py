"""The next-morning reminder: scheduled in the runner's zone (daylight saving, a new zone),
moved with the run, sent once by e-mail or Web Push, skipped once answered, and never twice
after a worker dies. Web Push is checked end to end against a push endpoint on 127.0.0.1
that decrypts the message (RFC 8291) and verifies its VAPID signature (RFC 8292)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from checkins.models import CheckIn, PushSubscription, Reminder, ReminderSettings, Run
from checkins.reminders import scheduling, sending, vapid
from checkins.reminders.kinds import local_datetime
from checkins.reminders.unsubscribing import unsubscribe_path
from tests.helpers import Browser, PushService, b64url, checkin_post, run_worker, unb64url, verify_vapid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("server_keys")]

UTC = dt.UTC
BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def opt_in(runner, *, zone=BERLIN, at=dt.time(8, 0), channel="email") -> ReminderSettings:
    runner.profile.time_zone = zone
    runner.profile.save()
    prefs, _ = ReminderSettings.objects.update_or_create(
        runner=runner, defaults={"followup": True, "local_time": at, "channel": channel}
    )
    return prefs


def log_checkin(client, started_local: str, **answers) -> Run:
    """A check-in through the check-in page, started at `started_local` on the runner's clock."""
    response = client.post(reverse("checkin_create"), checkin_post(started_at=started_local, **answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Run.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def reminder_of(run) -> Reminder:
    return Reminder.objects.get(run=run)


def ready_tasks() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


# --- When: the runner's clock, daylight saving, a new zone ------------------------------


def test_berlin_the_night_clocks_go_back(runner_client, runner):
    """Saturday 24 October 2026, 18:00 in Berlin (CEST, UTC+2); the clocks go back that
    night, so 08:00 on Sunday is CET (UTC+1): 07:00 UTC, not 06:00."""
    opt_in(runner, zone=BERLIN)
    with time_machine.travel(dt.datetime(2026, 10, 24, 17, 45, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-10-24T18:00")
    reminder = reminder_of(run)
    assert reminder.due_at == dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    assert reminder.due_at.astimezone(ZoneInfo(BERLIN)).strftime("%a %H:%M %Z") == "Sun 08:00 CET"
    assert reminder.status == Reminder.Status.PENDING and ready_tasks() == 1


def test_new_york_the_night_clocks_go_forward(runner_client, runner):
    """Saturday 7 March 2026, 17:00 in New York (EST, UTC-5); Sunday 8 March is EDT (UTC-4)."""
    opt_in(runner, zone=NEW_YORK, at=dt.time(7, 30))
    with time_machine.travel(dt.datetime(2026, 3, 7, 23, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-03-07T17:00")
    assert reminder_of(run).due_at == dt.datetime(2026, 3, 8, 11, 30, tzinfo=UTC)


def test_a_time_the_clock_skips_or_shows_twice():
    """02:30 does not happen in New York on 8 March 2026: it comes at 03:30 EDT. 02:30
    happens twice in Berlin on 25 October 2026: the first one (CEST)."""
    skipped = local_datetime(dt.date(2026, 3, 8), dt.time(2, 30), ZoneInfo(NEW_YORK))
    assert skipped == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert skipped.astimezone(ZoneInfo(NEW_YORK)).strftime("%H:%M %Z") == "03:30 EDT"
    twice = local_datetime(dt.date(2026, 10, 25), dt.time(2, 30), ZoneInfo(BERLIN))
    assert twice == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_late_run_is_reminded_the_morning_after_next(runner_client, runner):
    """A run ending at 00:55 with reminders at 05:00: four hours is no night, so the day after."""
    opt_in(runner, zone="UTC", at=dt.time(5, 0))
    with time_machine.travel(dt.datetime(2026, 6, 10, 23, 59, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-06-10T23:30")  # 85 minutes: ends 00:55
    assert run.date == dt.date(2026, 6, 10)
    assert reminder_of(run).due_at == dt.datetime(2026, 6, 12, 5, 0, tzinfo=UTC)


def test_a_new_zone_moves_the_reminder(runner_client, runner, settings):
    """Berlin to New York before the morning: 08:00 on the new clock, the run's day kept."""
    opt_in(runner, zone=BERLIN)
    with time_machine.travel(dt.datetime(2026, 5, 4, 17, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T18:00")
        assert reminder_of(run).due_at == dt.datetime(2026, 5, 5, 6, 0, tzinfo=UTC)
        form = {"distance_unit": "km", "temperature_unit": "c", "volume_unit": "ml", "weight_unit": "kg"}
        response = runner_client.post(reverse("profile"), {**form, "time_zone": NEW_YORK})
        assert response.status_code == 302
    assert reminder_of(run).due_at == dt.datetime(2026, 5, 5, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_a_new_time_moves_it_and_turning_off_cancels_it(runner_client, runner):
    opt_in(runner, zone=BERLIN)
    with time_machine.travel(dt.datetime(2026, 5, 4, 17, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T18:00")
        url = reverse("reminder_settings")
        runner_client.post(url, {"followup": "on", "local_time": "06:45", "channel": "email"})
        assert reminder_of(run).due_at == dt.datetime(2026, 5, 5, 4, 45, tzinfo=UTC)
        runner_client.post(url, {"local_time": "06:45", "channel": "email"})  # the box unticked
        assert reminder_of(run).status == Reminder.Status.CANCELLED
        # Ticked again the same evening: the open follow-up gets its reminder back.
        runner_client.post(url, {"followup": "on", "local_time": "07:00", "channel": "email"})
    reminder = reminder_of(run)
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.due_at == dt.datetime(2026, 5, 5, 5, 0, tzinfo=UTC)


def test_editing_the_run_moves_it_and_deleting_the_run_removes_it(runner_client, runner):
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 20, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-03T18:00")  # logged a day late: its morning is past
        assert not Reminder.objects.filter(run=run, status="pending").exists()
        edit = checkin_post(started_at="2026-05-04T18:00")
        assert runner_client.post(reverse("run_edit", args=[run.pk]), edit).status_code == 302
        reminder = reminder_of(run)
        assert reminder.due_at == dt.datetime(2026, 5, 5, 8, 0, tzinfo=UTC)
        assert reminder.status == Reminder.Status.PENDING
        runner_client.post(reverse("run_delete", args=[run.pk]))
    assert not Reminder.objects.exists()
    with time_machine.travel(dt.datetime(2026, 5, 5, 8, 1, tzinfo=UTC), tick=False):
        run_worker()  # the queued task finds nothing
    assert mail.outbox == []


def test_no_reminder_unless_asked_or_needed(runner_client, runner, other_runner):
    with time_machine.travel(dt.datetime(2026, 5, 4, 17, 0, tzinfo=UTC), tick=False):
        log_checkin(runner_client, "2026-05-04T16:00")  # not opted in
        opt_in(runner, zone="UTC")
        log_checkin(runner_client, "2026-05-04T16:30", twitching="no", muscles=None, intensity=None)
        assert not Reminder.objects.exists()
        cramps = log_checkin(runner_client, "2026-05-04T16:40", twitching="no", muscles=None, cramps="yes")
    assert reminder_of(cramps).status == Reminder.Status.PENDING


def test_settings_are_off_by_default_and_shown_on_the_settings_page(runner_client, runner):
    page = runner_client.get(reverse("profile")).content.decode()
    assert 'id="reminders"' in page and 'name="followup"' in page
    assert 'name="followup"' in page and 'value="08:00"' in page
    assert 'name="followup" class' in page and "checked" not in page.split('name="followup"')[1].split(">")[0]
    bad = runner_client.post(reverse("reminder_settings"), {"followup": "on", "local_time": "8 o'clock"})
    assert bad.status_code == 200
    assert "Enter a time such as 08:00." in bad.content.decode()
    assert "8 o&#x27;clock" in bad.content.decode()  # what was typed is kept
    assert not ReminderSettings.objects.filter(runner=runner).exists()


def test_a_double_tap_on_the_first_save_stores_one_settings_row(runner_client, runner, monkeypatch):
    """The other tap stored the runner's first settings between this request's read and its
    save (PostgreSQL lets both read "none yet"): this one saves over them, no error."""
    from checkins.reminders import views

    plain = views.reminder_form_for

    def raced(request, data=None):
        form = plain(request, data)
        if data is not None and not ReminderSettings.objects.filter(runner=runner).exists():
            ReminderSettings.objects.create(runner=runner, followup=False)  # the other tap
        return form

    monkeypatch.setattr(views, "reminder_form_for", raced)
    response = runner_client.post(
        reverse("reminder_settings"), {"followup": "on", "local_time": "07:30", "channel": "email"}
    )
    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(runner=runner)
    assert prefs.followup and prefs.local_time == dt.time(7, 30)


# --- Sent once, skipped when answered, never twice after a crash ---------------------------


def test_the_email_opens_the_follow_up_and_unsubscribes_in_one_click(runner_client, runner):
    opt_in(runner, zone=BERLIN, channel="email")
    with time_machine.travel(dt.datetime(2026, 10, 24, 17, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-10-24T18:00")
    with time_machine.travel(dt.datetime(2026, 10, 25, 6, 59, tzinfo=UTC), tick=False):
        run_worker()
        assert mail.outbox == []  # not yet: 07:59 in Berlin
    with time_machine.travel(dt.datetime(2026, 10, 25, 7, 0, 5, tzinfo=UTC), tick=False):
        run_worker()
        run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [runner.email]
    assert message.subject == "How are your muscles this morning?"
    follow_up = "https://aftermath.example.org" + reverse("followup", args=[run.pk])
    assert follow_up in message.body and "Saturday 24 October" in message.body
    unsubscribe = "https://aftermath.example.org" + unsubscribe_path(runner.pk)
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reminder = reminder_of(run)
    assert reminder.status == Reminder.Status.SENT and reminder.channel == "email"

    # The link, without logging in: a page with one button; its POST (or the mail
    # program's, with no session and no CSRF token) stops the reminders.
    stranger = Client(enforce_csrf_checks=True)
    path = unsubscribe.removeprefix("https://aftermath.example.org")
    page = stranger.get(path)
    assert page.status_code == 200 and "Stop the reminders" in page.content.decode()
    assert ReminderSettings.objects.get(runner=runner).followup is True  # a GET changes nothing
    done = stranger.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more reminders" in done.content.decode()
    assert ReminderSettings.objects.get(runner=runner).followup is False


def test_a_changed_unsubscribe_link_is_refused(runner, other_runner):
    opt_in(runner)
    opt_in(other_runner)
    path = unsubscribe_path(runner.pk)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    _value, signature = token.split(":", 1)
    forged_value = base64.urlsafe_b64encode(json.dumps(other_runner.pk).encode()).decode().rstrip("=")
    for bad in (f"{forged_value}:{signature}", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        url = reverse("reminder_unsubscribe", args=[bad])
        assert Client().get(url).status_code == 404
        assert Client().post(url).status_code == 404
    assert ReminderSettings.objects.filter(followup=True).count() == 2


def test_an_answered_follow_up_is_not_reminded(runner_client, runner):
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T16:00")
    with time_machine.travel(dt.datetime(2026, 5, 5, 6, 30, tzinfo=UTC), tick=False):
        runner_client.post(reverse("followup", args=[run.pk]), {"still_twitching": "no"})
        assert CheckIn.objects.get(run=run).followup_at is not None
    with time_machine.travel(dt.datetime(2026, 5, 5, 8, 0, 1, tzinfo=UTC), tick=False):
        run_worker()
    assert mail.outbox == []
    reminder = reminder_of(run)
    assert reminder.status == Reminder.Status.SKIPPED and "answered" in reminder.note


def test_a_worker_killed_after_the_claim_never_sends_it_again(runner_client, runner):
    """Claim, then the worker dies before sending: the task and the safety net run again,
    and nothing is sent (at most once)."""
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T16:00")
    morning = dt.datetime(2026, 5, 5, 8, 0, 1, tzinfo=UTC)
    with time_machine.travel(morning, tick=False):
        reminder = reminder_of(run)
        assert sending.claim(reminder.pk, morning)  # ... and the process is killed here
        DBTaskResult.objects.filter(pk=reminder.task_id).update(status="RUNNING")  # as it is left
        assert scheduling.requeue_lost() == 0  # "sending": not lost, not queued again
        run_worker()
    with time_machine.travel(morning + scheduling.STUCK_AFTER + dt.timedelta(minutes=1), tick=False):
        scheduling.requeue_lost()
        run_worker()
    assert mail.outbox == []
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.FAILED and "not sent again" in reminder.note


def test_a_worker_killed_before_the_claim_sends_it_once(runner_client, runner):
    """The task was taken and the worker died before claiming: the safety net queues it again,
    and however often it runs after that, one e-mail."""
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T16:00")
    with time_machine.travel(dt.datetime(2026, 5, 5, 8, 0, 30, tzinfo=UTC), tick=False):
        DBTaskResult.objects.filter(pk=reminder_of(run).task_id).update(status="RUNNING")  # killed
        run_worker()
        assert mail.outbox == []
        assert scheduling.requeue_lost() == 1
        assert scheduling.requeue_lost() == 0  # queued now: not again
        DBTaskResult.objects.filter(pk=reminder_of(run).task_id).update(status="READY")
        second = sending.send(reminder_of(run).pk)  # a second worker with the same task
        run_worker()
        assert scheduling.requeue_lost() == 0
        run_worker()
    assert second == "sent" and len(mail.outbox) == 1
    assert reminder_of(run).status == Reminder.Status.SENT


def test_a_restored_database_without_the_task_still_reminds(runner_client, runner):
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T16:00")
        DBTaskResult.objects.all().delete()  # the queue as an older backup had it
        assert scheduling.requeue_lost() == 1
        assert DBTaskResult.objects.get().run_after == dt.datetime(2026, 5, 5, 8, 0, tzinfo=UTC)
    with time_machine.travel(dt.datetime(2026, 5, 5, 8, 0, 1, tzinfo=UTC), tick=False):
        run_worker()
    assert len(mail.outbox) == 1 and reminder_of(run).status == Reminder.Status.SENT


def test_a_mail_server_that_is_down_is_tried_again_then_given_up(runner_client, runner, monkeypatch):
    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-05-04T16:00")

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("no SMTP")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    when = dt.datetime(2026, 5, 5, 8, 0, 1, tzinfo=UTC)
    for attempt in range(1, sending.MAX_ATTEMPTS + 1):
        with time_machine.travel(when, tick=False):
            run_worker()
        reminder = reminder_of(run)
        assert reminder.attempts == attempt
        when = reminder.due_at + dt.timedelta(seconds=1)
    assert reminder.status == Reminder.Status.FAILED and "mail server" in reminder.note


# --- Web Push, end to end -------------------------------------------------------------------


def test_web_push_end_to_end(runner_client, runner, push_service, settings):
    opt_in(runner, zone=NEW_YORK, channel="push")
    phone = Browser(runner, push_service.origin + "/push/phone-1")
    with time_machine.travel(dt.datetime(2026, 3, 7, 23, 0, tzinfo=UTC), tick=False):
        run = log_checkin(runner_client, "2026-03-07T17:00")
    with time_machine.travel(dt.datetime(2026, 3, 8, 12, 0, 1, tzinfo=UTC), tick=False):  # 08:00 EDT
        run_worker()
        assert len(push_service.received) == 1
        request = push_service.received[0]
        claims = verify_vapid(request["headers"]["authorization"], audience=push_service.origin)
    assert claims["key"] == vapid.vapid_keys().public_key
    assert claims["sub"] == "mailto:reminders@example.org"
    assert request["path"] == "/push/phone-1"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert int(request["headers"]["ttl"]) == sending.PUSH_TTL_SECONDS
    reminder = reminder_of(run)
    assert request["headers"]["topic"] == f"reminder-{reminder.pk}"
    assert phone.decrypt(request["body"]) == {
        "title": "How are your muscles this morning?",
        "body": "Two taps to note it.",
        "url": reverse("followup", args=[run.pk]),
        "tag": f"reminder-{reminder.pk}",
    }
    assert reminder.status == Reminder.Status.SENT and reminder.channel == "push"
    phone.subscription.refresh_from_db()
    assert phone.subscription.last_sent_at is not None


@pytest.mark.parametrize("gone", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed(runner_client, runner, push_service, gone):
    opt_in(runner, zone="UTC", channel="push")
    other = PushService(status=gone)
    try:
        kept = Browser(runner, push_service.origin + "/push/kept")
        dropped = Browser(runner, other.origin + "/push/old-phone")
        with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
            run = log_checkin(runner_client, "2026-05-04T16:00")
        with time_machine.travel(dt.datetime(2026, 5, 5, 8, 0, 1, tzinfo=UTC), tick=False):
            run_worker()
    finally:
        other.close()
    assert len(other.received) == 1 and len(push_service.received) == 1
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.subscription.pk]
    assert not PushSubscription.objects.filter(pk=dropped.subscription.pk).exists()
    assert reminder_of(run).status == Reminder.Status.SENT
    # With only a gone phone left, nothing can take it: failed, not retried.
    push_service.status = gone
    with time_machine.travel(dt.datetime(2026, 5, 6, 18, 0, tzinfo=UTC), tick=False):
        second = log_checkin(runner_client, "2026-05-06T16:00")
    with time_machine.travel(dt.datetime(2026, 5, 7, 8, 0, 1, tzinfo=UTC), tick=False):
        run_worker()
    assert not PushSubscription.objects.exists()
    assert reminder_of(second).status == Reminder.Status.FAILED


def test_a_phone_posts_its_subscription(runner_client, runner, other_runner):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = b64url(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    body = {
        "endpoint": "https://push.example.net/send/abc",
        "keys": {"p256dh": point, "auth": b64url(b"x" * 16)},
    }
    url = reverse("push_subscribe")
    response = runner_client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json() == {"devices": 1}
    runner_client.post(url, json.dumps(body), content_type="application/json")  # again: the same row
    assert PushSubscription.objects.get().runner == runner
    for bad in (
        {**body, "endpoint": "http://push.example.net/x"},
        # The worker posts to it: never this machine or a private network.
        {**body, "endpoint": "https://127.0.0.1:8443/x"},
        {**body, "endpoint": "https://localhost/x"},
        {**body, "endpoint": "https://10.0.0.5/x"},
        {**body, "endpoint": "https://169.254.169.254/latest/meta-data/"},
        {**body, "endpoint": "https://[::1]/x"},
        {**body, "endpoint": "https://metadata.google.internal/x"},
        {**body, "endpoint": "https://intranet/x"},
        {**body, "keys": {"p256dh": "AAAA", "auth": b64url(b"x" * 16)}},
        {**body, "keys": {"p256dh": point, "auth": "short"}},
    ):
        assert runner_client.post(url, json.dumps(bad), content_type="application/json").status_code == 400
    assert runner_client.post(url, "not json", content_type="application/json").status_code == 400
    # Another runner logging in on the same phone: the phone's notifications are theirs now.
    runner_client.force_login(other_runner)
    runner_client.post(url, json.dumps(body), content_type="application/json")
    assert PushSubscription.objects.get().runner == other_runner


def test_development_keys_are_made_once(settings, tmp_path):
    settings.VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    first = vapid.vapid_keys()
    assert (tmp_path / vapid.DEVELOPMENT_KEYS).stat().st_mode & 0o777 == 0o600
    assert vapid.vapid_keys().public_key == first.public_key
    assert len(unb64url(first.public_key)) == 65
    settings.DEBUG = settings.TESTING = False
    assert vapid.vapid_keys() is None  # production without keys: e-mail only


def test_a_public_key_that_does_not_match_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VAPID_PUBLIC_KEY = vapid.b64url(b"\x04" + b"\x01" * 64)
    with pytest.raises(ImproperlyConfigured):
        vapid.vapid_keys()


def test_the_admin_lists_reminders_with_why(client, runner_client, runner):
    from checkins.models import User

    opt_in(runner, zone="UTC")
    with time_machine.travel(dt.datetime(2026, 5, 4, 18, 0, tzinfo=UTC), tick=False):
        log_checkin(runner_client, "2026-05-04T16:00")
    Reminder.objects.update(status="failed", note="no phone has allowed notifications")
    client.force_login(User.objects.create_superuser("admin@example.org", "pw-admin-123456"))
    page = client.get(reverse("admin:checkins_reminder_changelist"))
    assert page.status_code == 200 and "no phone has allowed notifications" in page.content.decode()
