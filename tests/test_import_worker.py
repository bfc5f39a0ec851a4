"""The task worker's side of imports: leases, slices, a killed worker, stalled jobs, and
limits per runner. The files themselves are test_importing.py's; the pages test_imports.py's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from checkins.models import ImportItem, ImportJob, Run
from checkins.transfer import import_jobs
from checkins.transfer.import_jobs import (
    MAX_ATTEMPTS,
    MAX_OPEN_JOBS,
    STOPPED,
    JobRefused,
    claim,
    resume_stalled,
    start_job,
    work_on,
)
from tests.helpers import START, keep_test_connection, make_gpx, make_zip, run_worker

pytestmark = pytest.mark.django_db


def gpx_files(count: int, *, hours: int = 0) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"run{i}.gpx", make_gpx(start=START + dt.timedelta(days=i, hours=hours)))
        for i in range(count)
    ]


def queued() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


class Killed(BaseException):
    """What the worker process meets when it is killed: nothing after it runs."""


def expire_lease(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


def test_the_upload_only_stores_and_enqueues(runner):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(3))
    assert queued() == 1
    assert job.items.count() == 0 and job.started_at is None  # nothing read in the request
    assert [upload.size for upload in job.uploads.all()] == [
        len(make_gpx(start=START + dt.timedelta(days=i))) for i in range(3)
    ]
    run_worker()
    job.refresh_from_db()
    assert job.finished_at and job.items.filter(status="imported").count() == 3
    assert Run.objects.filter(runner=runner).count() == 3


def test_one_job_has_one_worker_at_a_time(runner):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(1))
    assert claim(job.pk, "first") is not None
    assert claim(job.pk, "second") is None  # the lease is held
    expire_lease(job)
    assert claim(job.pk, "second") is not None  # ... until it runs out


def test_a_worker_that_lost_its_lease_stores_nothing(runner, monkeypatch):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(2))
    real_settle = import_jobs._settle

    def slow_settle(turn, item, *args, **kwargs):
        # While this worker was busy, its lease ran out and another worker took the job.
        expire_lease(job)
        assert claim(job.pk, "the other worker") is not None
        real_settle(turn, item, *args, **kwargs)

    monkeypatch.setattr(import_jobs, "_settle", slow_settle)
    assert work_on(job.pk) is False
    assert not Run.objects.exists()
    assert not job.items.exclude(status="pending").exists()


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(runner, monkeypatch):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(5))
    saved = []
    real_save = Run.save

    def save_then_die(run, *args, **kwargs):
        if len(saved) == 2:  # the third run: killed after its INSERT, before the commit
            real_save(run, *args, **kwargs)
            raise Killed
        saved.append(run)
        real_save(run, *args, **kwargs)

    monkeypatch.setattr(Run, "save", save_then_die)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())  # as db_worker marks it
    with pytest.raises(Killed):
        work_on(job.pk)
    monkeypatch.setattr(Run, "save", real_save)
    assert Run.objects.count() == 2  # the third's transaction was rolled back
    assert resume_stalled() == 0  # its lease has not run out: the worker may still be alive
    expire_lease(job)
    DBTaskResult.objects.update(started_at=timezone.now() - dt.timedelta(hours=1))
    assert resume_stalled() == 1
    run_worker()
    job.refresh_from_db()
    assert job.finished_at is not None
    assert Run.objects.filter(runner=runner).count() == 5
    assert sorted(job.items.values_list("status", flat=True)) == ["imported"] * 5
    assert Run.objects.values("started_at").distinct().count() == 5


def test_a_file_that_kills_the_worker_every_time_is_left_out(runner, monkeypatch):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(3))

    def die_on_the_second(filename, data, **kwargs):
        if filename == "run1.gpx":
            raise Killed
        return real_parse(filename, data, **kwargs)

    real_parse = import_jobs.parse_activity
    monkeypatch.setattr(import_jobs, "parse_activity", die_on_the_second)
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(Killed):
            work_on(job.pk)
        expire_lease(job)
    assert work_on(job.pk) is True
    statuses = dict(job.items.values_list("name", "status"))
    assert statuses == {"run0.gpx": "imported", "run1.gpx": "refused", "run2.gpx": "imported"}
    assert job.items.get(name="run1.gpx").reason == STOPPED


def test_a_job_works_in_slices_and_takes_turns(runner, other_runner):
    big = start_job(runner, ImportJob.Kind.FILES, gpx_files(3))
    small = start_job(other_runner, ImportJob.Kind.FILES, gpx_files(1, hours=5))
    assert work_on(big.pk, seconds=0) is False  # one item, then back in the queue
    big.refresh_from_db()
    assert big.items.filter(status="imported").count() == 1 and big.lease_until is None
    ready = list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"))
    assert [task.args_kwargs["args"] for task in ready] == [[big.pk], [small.pk], [big.pk]]
    run_worker()
    assert Run.objects.filter(runner=runner).count() == 3
    assert Run.objects.filter(runner=other_runner).count() == 1


def test_a_stalled_job_is_resumed_when_its_page_is_looked_at(runner_client, runner):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(2))
    DBTaskResult.objects.update(status="FAILED")  # its task died with the worker
    runner_client.get(reverse("import_progress", args=[job.pk]))
    assert queued() == 1
    run_worker()
    job.refresh_from_db()
    assert job.finished_at is not None


def test_the_worker_command_resumes_stalled_jobs(runner):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(2))
    DBTaskResult.objects.all().delete()  # lost with a restored backup, say
    with keep_test_connection():
        call_command("worker", "--batch", "--no-startup-delay", "--stall-check", "0", verbosity=0)
        assert not ImportJob.objects.get(pk=job.pk).finished_at  # --stall-check 0: not looked for
        assert resume_stalled() == 1
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert ImportJob.objects.get(pk=job.pk).finished_at


def test_a_runner_has_at_most_a_few_imports_under_way(runner_client, runner, other_runner):
    for _ in range(MAX_OPEN_JOBS):
        start_job(runner, ImportJob.Kind.FILES, gpx_files(1))
    with pytest.raises(JobRefused):
        start_job(runner, ImportJob.Kind.FILES, gpx_files(1))
    response = runner_client.post(reverse("import_many"), {"files": gpx_files(1)})
    assert response.status_code == 400
    assert f"You already have {MAX_OPEN_JOBS} imports under way" in response.content.decode()
    start_job(other_runner, ImportJob.Kind.FILES, gpx_files(1))  # another runner is not held up


def test_archive_member_bytes_are_read_from_the_stored_zip_and_removed(runner, _upload_folder):
    data = make_zip({f"activities/{i}.gpx": make_gpx(start=START + dt.timedelta(days=i)) for i in range(4)})
    job = start_job(runner, ImportJob.Kind.FILES, [SimpleUploadedFile("export.zip", data)])
    stored = [path for path in _upload_folder.rglob("*") if path.is_file()]
    assert [path.stat().st_size for path in stored] == [len(data)]
    run_worker()
    assert ImportItem.objects.filter(job=job, status="imported").count() == 4
    assert not any(_upload_folder.iterdir())  # its folder too
    assert job.uploads.get().removed


@pytest.mark.parametrize("files", [1, 30])
def test_the_polled_progress_costs_the_same_queries_for_any_job(
    runner_client, runner, files, django_assert_num_queries
):
    job = start_job(runner, ImportJob.Kind.FILES, gpx_files(files))
    ImportItem.objects.bulk_create(ImportItem(job=job, position=i, name=f"run{i}.gpx") for i in range(files))
    url = reverse("import_progress", args=[job.pk])
    # session, runner, profile; the job; its task's state (is it stalled?); the counts by
    # status (no transaction: the poll takes no write lock)
    with django_assert_num_queries(6):
        page = runner_client.get(url, headers={"HX-Request": "true"})
    assert f"0 of {files} file" in page.content.decode() or "Waiting for its turn" in page.content.decode()


def test_an_upload_sent_twice_and_worked_at_once_stores_each_run_once(runner, monkeypatch):
    """Two jobs of the same files (a double tap), worked by two workers at the same time:
    each slice read the runner's starts before the other stored anything."""
    first = start_job(runner, ImportJob.Kind.FILES, gpx_files(3))
    second = start_job(runner, ImportJob.Kind.FILES, gpx_files(3))
    real_settle = import_jobs._settle
    interleaved = []

    def settle_then_let_the_other_go(turn, item, *args, **kwargs):
        real_settle(turn, item, *args, **kwargs)
        if turn.job.pk == first.pk and not interleaved:
            interleaved.append(True)
            work_on(second.pk)  # the other worker, its starts read now: one run here already

    monkeypatch.setattr(import_jobs, "_settle", settle_then_let_the_other_go)
    work_on(first.pk)
    # The second stored run1 and run2 while the first still held its old list of starts.
    assert list(first.items.values_list("status", flat=True)) == ["imported", "skipped", "skipped"]
    assert list(second.items.values_list("status", flat=True)) == ["skipped", "imported", "imported"]
    assert Run.objects.filter(runner=runner).count() == 3
