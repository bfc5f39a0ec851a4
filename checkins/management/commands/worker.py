"""The task worker: django-tasks-db's `db_worker`, plus a watch for stalled imports.

A worker killed mid-job (out of memory, a deploy, a power cut) leaves its job's lease to
expire. Every STALL_CHECK_SECONDS this worker enqueues such jobs again
(`import_jobs.resume_stalled`), so they finish without anybody looking at them; it also
does so once at start. The same look queues again reminders whose task is gone (a database
restored from a backup) and gives up on those a killed worker was sending
(`reminders.scheduling.requeue_lost`: never sent twice). Run as many workers as you like:
a job is worked on by one at a time (its lease), a reminder is claimed by one, and each
task row is claimed by one (django-tasks-db's row lock).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from checkins.activity import prune_old_events
from checkins.reminders.scheduling import requeue_lost
from checkins.transfer.import_jobs import resume_stalled

STALL_CHECK_SECONDS = 30.0
log = logging.getLogger("checkins.worker")


def watch_stalled(stop: threading.Event, every: float) -> None:
    while True:
        try:
            close_old_connections()
            resume_stalled()
        except Exception:  # a locked or restarting database: try again next time
            log.exception("could not look for stalled imports")
        try:
            requeue_lost()
        except Exception:
            log.exception("could not look for lost reminders")
        try:
            prune_old_events()
        except Exception:
            log.exception("could not prune old account events")
        finally:
            connection.close()
        if stop.wait(every):
            return


class Command(DbWorkerCommand):
    help = "Run the task worker (imports), resuming stalled imports every 30 s"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)
        parser.add_argument(
            "--stall-check",
            type=float,
            default=STALL_CHECK_SECONDS,
            help="seconds between looks for stalled imports (0: never)",
        )

    def handle(self, *args, stall_check: float, **options):
        stop = threading.Event()
        if stall_check > 0 and not options.get("batch"):
            threading.Thread(target=watch_stalled, args=(stop, stall_check), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
