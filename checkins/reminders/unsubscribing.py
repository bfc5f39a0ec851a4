"""The one-click unsubscribe link in every reminder e-mail (RFC 8058).

The link carries the runner's id signed with the secret key (django.core.signing), so it
works without logging in, only for that runner, and a changed link is refused. It does not
expire (no timestamp, so every e-mail carries the same link): an e-mail read weeks later
must still stop the next one.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from .models import Reminder, ReminderSettings

SALT = "checkins.reminders.unsubscribe"


def unsubscribe_token(runner_id: int) -> str:
    return signing.Signer(salt=SALT).sign_object(runner_id)


def unsubscribe_path(runner_id: int) -> str:
    return reverse("reminder_unsubscribe", args=[unsubscribe_token(runner_id)])


def runner_id_from(token: str) -> int | None:
    """The runner a link was made for, or None if it was changed or is not ours."""
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe(runner_id: int) -> None:
    """No more reminder e-mails: reminders off, and the pending e-mails cancelled."""
    from .scheduling import cancel

    ReminderSettings.objects.filter(runner_id=runner_id).update(followup=False, experiment=False)
    cancel(Reminder.objects.filter(runner_id=runner_id), "unsubscribed by the e-mail's link")
