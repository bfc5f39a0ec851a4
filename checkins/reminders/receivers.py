"""A change to the runner's zone moves their pending reminders (connected in CheckinsConfig.ready)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..models import Profile
from .models import Reminder
from .scheduling import runner_changed


@receiver(post_save, sender=Profile)
def profile_saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    """Whichever way the zone changed (settings page, API, admin), the next reminder comes
    at the chosen time on the runner's new clock. Only runners with a pending reminder pay
    more than the one query that looks."""
    if created or raw or (update_fields is not None and "time_zone" not in update_fields):
        return
    if Reminder.objects.filter(runner_id=instance.runner_id, status=Reminder.Status.PENDING).exists():
        runner_changed(instance.runner_id, instance)
