"""The runner's reminder choices, each reminder to send, and the phones that take push.

Imported by checkins.models, so these are models of the `checkins` app.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_TIME = dt.time(8, 0)


class Channel(models.TextChoices):
    PUSH = "push", "A notification on this phone"
    EMAIL = "email", "An e-mail"


class ReminderSettings(models.Model):
    """What a runner asked for: which reminders (off until they opt in), at what local
    time, and how. One row per runner, created when they first save the form."""

    runner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    followup = models.BooleanField("Remind me the morning after a run with twitching", default=False)
    # Named after Reminder.Kind.EXPERIMENT, as `followup` is after FOLLOWUP (see wants()).
    experiment = models.BooleanField("Nudge me during an experiment", default=False)
    local_time = models.TimeField("At", default=DEFAULT_TIME)
    channel = models.CharField("By", max_length=8, choices=Channel, default=Channel.PUSH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=tuple(Channel.values)), name="reminder_channel_known"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder settings of {self.runner}"

    def wants(self, kind: str) -> bool:
        """Has the runner opted in to this kind of reminder (a boolean field named after it)?"""
        return bool(getattr(self, kind, False))


class Reminder(models.Model):
    """One reminder about one thing, sent at most once (see sending.claim).

    `run` is what a follow-up reminder points to; an experiment's nudge points to its
    `experiment` and the `day` it asks about (one per experiment and day). Another kind
    adds its own nullable key and a constraint like `reminder_one_per_run`.
    """

    class Kind(models.TextChoices):
        FOLLOWUP = "followup", "the next-morning follow-up"
        EXPERIMENT = "experiment", "an experiment's daily nudge"

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for its time"
        SENDING = "sending", "being sent"
        SENT = "sent", "sent"
        SKIPPED = "skipped", "not needed any more"
        CANCELLED = "cancelled", "cancelled"
        FAILED = "failed", "could not be sent"

    runner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Deleting the run deletes its reminder; its queued task then finds nothing to do.
    run = models.ForeignKey("checkins.Run", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Deleting the experiment (or the runner) deletes its nudges.
    experiment = models.ForeignKey(
        "checkins.Experiment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(null=True, blank=True)  # the runner's local day a nudge asks about
    due_at = models.DateTimeField()  # UTC, worked out from the runner's local time and zone
    channel = models.CharField(max_length=8, choices=Channel)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    task_id = models.UUIDField(null=True, blank=True)  # the newest task queued for it (django-tasks-db)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)  # why it was skipped or failed
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="reminder_status_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "run"], condition=Q(run__isnull=False), name="reminder_one_per_run"
            ),
            models.UniqueConstraint(
                fields=["kind", "experiment", "day"],
                condition=Q(experiment__isnull=False),
                name="reminder_one_per_experiment_day",
            ),
            models.CheckConstraint(condition=Q(channel__in=tuple(Channel.values)), name="reminder_channel"),
            models.CheckConstraint(
                condition=Q(experiment__isnull=True) | Q(day__isnull=False), name="reminder_experiment_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.runner} at {self.due_at:%Y-%m-%d %H:%M} UTC"


class PushSubscription(models.Model):
    """A browser's push subscription (one per phone or browser the runner allowed)."""

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)  # the browser's public key, base64url
    auth = models.CharField(max_length=100)  # the shared authentication secret, base64url
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Push subscription of {self.runner}"

    def as_info(self) -> dict:
        """The subscription as pywebpush takes it (the browser's PushSubscription.toJSON())."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
