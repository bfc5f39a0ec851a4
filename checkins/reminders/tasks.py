"""The worker's task for reminders (Django's Tasks API, run by `manage.py worker`)."""

from __future__ import annotations

from django.tasks import task

from . import sending


@task(queue_name="reminders")
def send_reminder(reminder_id: int) -> str:
    """Send one reminder if it is due and nobody sent it yet; say what happened."""
    return sending.send(reminder_id)
