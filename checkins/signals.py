from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import CheckIn, Profile, Run, note_log_change, noting_later


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every runner has a profile from the moment the account exists."""
    if created and not raw:
        Profile.objects.get_or_create(runner=instance)


@receiver(post_save, sender=Run)
@receiver(post_delete, sender=Run)
@receiver(post_save, sender=CheckIn)
@receiver(post_delete, sender=CheckIn)
def log_changed(sender, instance, raw=False, **kwargs):
    """A run or check-in was saved or deleted: what was cached from the runner's log is out of date."""
    if not raw and not noting_later():
        note_log_change(sender.runner_ids_of(instance))
