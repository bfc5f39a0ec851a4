"""The task worker's tasks (Django's Tasks API, run by `manage.py worker`)."""

from __future__ import annotations

from django.tasks import task

from . import import_jobs


@task(queue_name="imports")
def import_job(job_id: int) -> bool:
    """Work on an import for one slice; it enqueues its own continuation if unfinished."""
    return import_jobs.work_on(job_id)
