"""The revision of a runner's log: what the page cache (checkins.pagecache) keys pages by.

Every change to a runner's runs and check-ins bumps `Profile.log_revision` in the
same transaction, whatever the path: single saves and deletes through the signals
below, bulk writes through `LogQuerySet`, many changes at once through
`one_log_change`. A run moved to another runner changes both logs (`TracksRunner`),
and saving a profile never writes an older revision back (`KeepsLogRevision`).

models.py builds its querysets and models on these; the signals are connected in
CheckinsConfig.ready(). Nothing here imports the models at import time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

# Inside one_log_change(): the runners whose logs changed, noted together when the block ends.
_noting_later: ContextVar[set | None] = ContextVar("aftermath_noting_later", default=None)


def note_log_change(runner_ids) -> None:
    """A runner's log changed: bump their profile's revision (one UPDATE, atomic with the change)."""
    ids = {runner_id for runner_id in runner_ids if runner_id is not None}
    pending = _noting_later.get()
    if pending is not None:
        pending |= ids
    elif ids:
        Profile = apps.get_model("checkins", "Profile")
        Profile.objects.filter(runner_id__in=ids).update(log_revision=models.F("log_revision") + 1)


@contextmanager
def one_log_change(*runner_ids: int):
    """Many changes to these runners' logs, noted with one bump each when the block ends without error.

    Inside the block the signals note nothing (which spares a query per row), so every
    single save or delete in it must be of these runners' runs and check-ins; bulk
    writes are noted by their own runners as usual. A nested block joins the outer one.
    Use it inside the transaction that makes the changes.
    """
    pending = _noting_later.get()
    if pending is not None:
        pending.update(runner_ids)
        yield
        return
    pending = set(runner_ids)
    token = _noting_later.set(pending)
    try:
        yield
    finally:
        _noting_later.reset(token)
    note_log_change(pending)


class LogQuerySet(models.QuerySet):
    """Bulk writes note the change too (single saves and deletes do it through the signals).

    `runner_path` names the runner's id from the queryset's model.
    """

    runner_path = "runner_id"

    def _runner_ids(self) -> set:
        return set(self.values_list(self.runner_path, flat=True).distinct())

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            objs = super().bulk_create(objs, *args, **kwargs)
            note_log_change(runner_id for obj in objs for runner_id in obj.log_runner_ids())
        return objs

    def bulk_update(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            rows = super().bulk_update(objs, *args, **kwargs)
            note_log_change(runner_id for obj in objs for runner_id in obj.log_runner_ids())
        return rows

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            runner_ids = self._runner_ids()
            rows = super().update(**kwargs)
            moved_to = kwargs.get("runner_id", kwargs.get("runner"))
            if moved_to is not None:  # runs moved to another runner: that log changes too
                runner_ids.add(getattr(moved_to, "pk", moved_to))
            note_log_change(runner_ids)
        return rows

    update.alters_data = True

    def delete(self):
        # One bump per runner, not one per row from the signals.
        with transaction.atomic(using=self.db), one_log_change(*self._runner_ids()):
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


class TracksRunner:
    """A run remembers the runner it was loaded with: moved to another runner, it changes both logs."""

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        row = super().from_db(db, field_names, values, **kwargs)
        row._loaded_runner_id = row.__dict__.get("runner_id")
        return row

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_runner_id = self.runner_id

    def log_runner_ids(self) -> set:
        """The runner now, and the one it was loaded with if that differs."""
        return {self.runner_id, getattr(self, "_loaded_runner_id", None)} - {None}


class ThroughRun:
    """A check-in is in the log of its run's runner."""

    def log_runner_ids(self) -> set:
        field = self._meta.get_field("run")
        if field.is_cached(self):
            return {field.get_cached_value(self).runner_id} - {None}
        runs = field.related_model.objects.filter(pk=self.run_id)
        return set(runs.values_list("runner_id", flat=True)) - {None}


class KeepsLogRevision:
    """The revision only ever moves forward, through note_log_change's UPDATE: saving a
    profile loaded before a check-in must not write the older revision back."""

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "log_revision"
            ]
        super().save(*args, **kwargs)


@receiver(post_save, sender="checkins.Run")
@receiver(post_delete, sender="checkins.Run")
@receiver(post_save, sender="checkins.CheckIn")
@receiver(post_delete, sender="checkins.CheckIn")
def log_changed(sender, instance, raw=False, **kwargs):
    """A run or check-in was saved or deleted: what was cached from the runner's log is out of date."""
    if not raw and _noting_later.get() is None:
        note_log_change(instance.log_runner_ids())
