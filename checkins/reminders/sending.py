"""Sending a reminder: claim it, check it is still wanted, send it by push or e-mail.

At most once. `claim` is one conditional UPDATE (pending and due → sending), committed
before anything is sent: of two tasks for the same reminder (a duplicate from the safety
net, a second worker) only one claims it, and a worker killed after the claim leaves it
"sending", which the safety net marks failed and never sends again. Sending cannot be made
atomic with the database (the push service or mail server is outside it), so the choice is
between a rare lost reminder and a rare double one; a lost one is the kinder fault here
(the follow-up prompt on home is still there). Belt and braces for the one case that
re-sends on purpose — a send that failed in a way that may hide a delivery (a timeout) is
tried again up to MAX_ATTEMPTS — the push carries a Topic header and the notification a
tag, both the reminder's, so the push service and the phone keep one notification.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pywebpush import WebPushException, webpush

from .kinds import KINDS, Message
from .models import Channel, PushSubscription, Reminder
from .unsubscribing import unsubscribe_path
from .vapid import vapid_keys

log = logging.getLogger("checkins.reminders")

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(minutes=5)
# How long a push service keeps a reminder for a phone that is off (RFC 8030 TTL).
PUSH_TTL_SECONDS = 4 * 3600
PUSH_TIMEOUT_SECONDS = 10
GONE = {404, 410}  # the push service's "this subscription no longer exists" (RFC 8030 §7.3)


class TryAgain(Exception):
    """A failure that may pass (a timeout, a 5xx, SMTP down)."""


class Undeliverable(Exception):
    """Nowhere to send it (no phone allowed notifications, push not set up)."""


def claim(reminder_id: int, now: dt.datetime) -> bool:
    """Take the reminder for sending: one conditional UPDATE, committed before the send."""
    with transaction.atomic():
        return bool(
            Reminder.objects.filter(pk=reminder_id, status=Reminder.Status.PENDING, due_at__lte=now).update(
                status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
            )
        )


def finish(reminder: Reminder, status: str, note: str = "") -> str:
    now = timezone.now()
    fields = {"status": status, "note": note[:200], "updated_at": now}
    if status == Reminder.Status.SENT:
        fields["sent_at"] = now
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(**fields)
    return status


def send(reminder_id: int) -> str:
    """Send the reminder if it is due and unclaimed; return what became of it. Once it is
    done (sent, skipped or failed), its kind schedules what comes next (kinds' `then`)."""
    now = timezone.now()
    if not claim(reminder_id, now):
        return "not due or not ours"
    reminder = Reminder.objects.select_related(
        "runner__profile", "runner__reminder_settings", "experiment"
    ).get(pk=reminder_id)
    kind = KINDS[reminder.kind]
    outcome = _send(reminder, kind, now)
    if outcome in (Reminder.Status.SENT, Reminder.Status.SKIPPED, Reminder.Status.FAILED):
        kind.then(reminder)
    return outcome


def _send(reminder: Reminder, kind, now: dt.datetime) -> str:
    prefs = getattr(reminder.runner, "reminder_settings", None)
    why_not = kind.why_not(reminder, now) if prefs and prefs.wants(reminder.kind) else "reminders turned off"
    if why_not:
        return finish(reminder, Reminder.Status.SKIPPED, why_not)
    message = kind.message(reminder, reminder.runner.profile.zone)
    try:
        if prefs.channel == Channel.EMAIL:
            send_email(reminder, message)
        else:
            send_push(reminder, message)
    except Undeliverable as error:
        return finish(reminder, Reminder.Status.FAILED, str(error))
    except TryAgain as error:
        return try_again(reminder, str(error))
    Reminder.objects.filter(pk=reminder.pk).update(channel=prefs.channel)
    return finish(reminder, Reminder.Status.SENT)


def try_again(reminder: Reminder, note: str) -> str:
    if reminder.attempts >= MAX_ATTEMPTS:
        return finish(reminder, Reminder.Status.FAILED, note)
    from .scheduling import enqueue

    reminder.due_at = timezone.now() + RETRY_AFTER * reminder.attempts
    Reminder.objects.filter(pk=reminder.pk, status=Reminder.Status.SENDING).update(
        status=Reminder.Status.PENDING, due_at=reminder.due_at, note=note[:200], updated_at=timezone.now()
    )
    enqueue(reminder)
    return "to try again"


# --- Web Push -------------------------------------------------------------------------


def push_payload(reminder: Reminder, message: Message) -> dict:
    """What static/js/sw-push.js shows: the notification's words, its tag, the page to open."""
    return {
        "title": message.title,
        "body": message.body,
        "url": message.path,
        "tag": f"reminder-{reminder.pk}",
    }


def send_push(reminder: Reminder, message: Message) -> int:
    """Send to every phone the runner allowed; forget those the push service says are gone.

    Delivered to at least one: done. None, and one failure may pass: TryAgain.
    """
    keys = vapid_keys()
    if keys is None:
        raise Undeliverable("push notifications are not set up on this server")
    subscriptions = list(PushSubscription.objects.filter(runner_id=reminder.runner_id))
    if not subscriptions:
        raise Undeliverable("no phone has allowed notifications")
    data = json.dumps(push_payload(reminder, message))
    delivered, passing = 0, ""
    for subscription in subscriptions:
        try:
            webpush(
                subscription.as_info(),
                data=data,
                vapid_private_key=keys.signer,
                vapid_claims={"sub": keys.subject},  # a new dict each time: webpush adds this endpoint's aud
                ttl=PUSH_TTL_SECONDS,
                timeout=PUSH_TIMEOUT_SECONDS,
                headers={"Topic": f"reminder-{reminder.pk}", "Urgency": "normal"},
            )
        except WebPushException as error:
            status = error.status_code
            if status in GONE:
                subscription.delete()
                log.info("push subscription %s is gone (%s): removed", subscription.pk, status)
            elif status is None or status == 429 or status >= 500:
                passing = f"the push service answered {status}"
            else:
                log.warning("push to subscription %s refused: %s", subscription.pk, status)
            continue
        except requests.RequestException as error:
            passing = f"the push service could not be reached ({type(error).__name__})"
            continue
        delivered += 1
        PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    if delivered:
        return delivered
    if passing:
        raise TryAgain(passing)
    raise Undeliverable("no phone took the notification")


# --- E-mail ---------------------------------------------------------------------------


def send_email(reminder: Reminder, message: Message) -> None:
    """A short plain-text e-mail (its kind's template) with the page's link and a one-click
    unsubscribe."""
    runner = reminder.runner
    unsubscribe_url = settings.SITE_URL + unsubscribe_path(runner.pk)
    body = render_to_string(
        KINDS[reminder.kind].email_template,
        {
            "message": message,
            "url": settings.SITE_URL + message.path,
            "run": reminder.run,
            "reminder": reminder,
            "unsubscribe_url": unsubscribe_url,
            "settings_url": settings.SITE_URL + reverse("profile"),
        },
    )
    email = EmailMessage(
        subject=message.title,
        body=body,
        to=[runner.email],
        headers={
            # RFC 8058: mail programs show an Unsubscribe button that POSTs to this link.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
        },
    )
    try:
        email.send()
    except (OSError, TimeoutError) as error:  # smtplib's errors are OSErrors
        raise TryAgain(f"the mail server did not take it ({type(error).__name__})") from error
