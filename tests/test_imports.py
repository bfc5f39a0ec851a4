"""Runs from watches (Django side): one file pre-fills a check-in; many files or a Strava
export become runs through a job with progress and a report."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checkins.models import ImportItem, ImportJob, Run
from tests.factories import RunFactory
from tests.helpers import START, Tree, gz, make_fit, make_gpx, make_tcx, make_zip, run_worker, strava_csv

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"


@pytest.fixture
def hike_sample() -> bytes:
    """A real GPSBabel hike from ../shared/samples: required under CI, skipped elsewhere."""
    path = SAMPLES / "gpx-gpsbabel-hike-no-hr-multitrack.gpx"
    if path.is_file():
        return path.read_bytes()
    message = f"activity samples not found at {SAMPLES} (they live outside the repository)"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def finish(client, job: ImportJob, *, htmx: bool = False):
    """Let the worker run the job, then check that its page (polled by htmx, or loaded) says done."""
    run_worker()
    job.refresh_from_db()
    assert job.finished_at, "the import did not finish"
    headers = {"HX-Request": "true"} if htmx else {}
    page = client.get(reverse("import_progress", args=[job.pk]), headers=headers)
    assert page.status_code == 200
    assert ("hx-trigger" in page.content.decode()) is False  # a finished job's page stops polling


def test_one_file_prefills_the_checkin(runner_client, runner):
    response = runner_client.post(
        reverse("import_one"), {"file": upload("morning.fit", make_fit(avg_temperature=24))}
    )
    job = ImportJob.objects.get(runner=runner)
    assert response["Location"] == reverse("import_progress", args=[job.pk])
    waiting = runner_client.get(response["Location"], headers={"HX-Request": "true"})
    assert "Waiting for its turn" in waiting.content.decode()  # the worker has not run yet
    run_worker()
    # htmx's poll is sent on to the check-in; a plain load is redirected there.
    polled = runner_client.get(response["Location"], headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == reverse("checkin_create")
    form = runner_client.get(reverse("checkin_create")).context["form"]
    assert form.initial["distance"] == 0.6
    assert form.initial["duration_min"] == pytest.approx(2.8, abs=0.1)
    assert form.initial["avg_heart_rate_bpm"] == 141
    assert form.initial["temperature"] == 24
    assert form.initial["started_at"].astimezone(dt.UTC).replace(tzinfo=None) == START.replace(tzinfo=None)
    # Used once: the next new check-in starts fresh.
    assert "avg_heart_rate_bpm" not in runner_client.get(reverse("checkin_create")).context["form"].initial


def test_one_bad_file_is_refused_at_the_field_with_its_name(runner_client, runner, _upload_folder):
    response = runner_client.post(reverse("import_one"), {"file": upload("notes.txt", b"just some words")})
    run_worker()
    page = runner_client.get(response["Location"])
    field = Tree(page.content.decode()).root.find("input", name="file")
    assert field is not None and field.attrs.get("aria-invalid") == "true"
    assert "notes.txt: not a FIT, GPX or TCX file." in page.content.decode()
    assert (
        runner_client.get(reverse("checkin_create")).context["form"].initial.get("avg_heart_rate_bpm") is None
    )
    assert not any(path.is_file() for path in _upload_folder.rglob("*"))  # the refused file is gone


def test_oversized_upload_is_dropped_as_it_streams(runner_client, runner, monkeypatch):
    monkeypatch.setattr("checkins.transfer.uploads.CappedUploadHandler.limit", 1000)
    response = runner_client.post(reverse("import_one"), {"file": upload("big.gpx", make_gpx() * 5)})
    assert response.status_code == 400
    assert "big.gpx: together your files are larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def strava_export() -> bytes:
    later = START + dt.timedelta(days=1)
    rows = [
        {
            "Activity ID": "1",
            "Activity Name": "Morning Run",
            "Activity Type": "Run",
            "Filename": "activities/1.gpx",
        },
        {
            "Activity ID": "2",
            "Activity Name": "Hill reps",
            "Activity Type": "Run",
            "Filename": "activities/2.tcx.gz",
        },
        {
            "Activity ID": "3",
            "Activity Name": "Commute",
            "Activity Type": "Ride",
            "Filename": "activities/3.fit",
        },
        {
            "Activity ID": "4",
            "Activity Name": "Broken",
            "Activity Type": "Run",
            "Filename": "activities/4.fit",
        },
    ]
    from fit_tool.profile.profile_type import Sport

    return make_zip(
        {
            "activities.csv": strava_csv(rows),
            "activities/1.gpx": make_gpx(start=START),
            "activities/2.tcx.gz": gz(make_tcx(start=later)),
            "activities/3.fit": make_fit(start=START + dt.timedelta(days=2), sport=Sport.CYCLING),
            "activities/4.fit": make_fit(start=START + dt.timedelta(days=3))[:40],  # cut before the run
            "profile.csv": b"not an activity",
        }
    )


@pytest.mark.parametrize("htmx", [True, False])
def test_strava_export_imports_runs_and_reports_the_rest(runner_client, runner, htmx, _upload_folder):
    response = runner_client.post(reverse("import_many"), {"files": [upload("export.zip", strava_export())]})
    job = ImportJob.objects.get(runner=runner)
    assert response["Location"] == reverse("import_progress", args=[job.pk])
    assert "Waiting for its turn" in runner_client.get(response["Location"]).content.decode()
    finish(runner_client, job, htmx=htmx)
    assert job.items.count() == 4
    statuses = dict(job.items.values_list("name", "status"))
    assert statuses == {
        "activities/1.gpx": "imported",
        "activities/2.tcx.gz": "imported",
        "activities/3.fit": "skipped",
        "activities/4.fit": "refused",
    }
    runs = Run.objects.filter(runner=runner).order_by("started_at")
    assert [run.notes for run in runs] == ["Morning Run", "Hill reps"]
    assert all(not hasattr(run, "checkin") or run.checkin is None for run in runs)
    assert job.uploads.get().removed  # the upload's bytes are gone once processed
    assert not any(path.is_file() for path in _upload_folder.rglob("*"))
    report = runner_client.get(reverse("import_progress", args=[job.pk])).content.decode()
    assert "Done: 2 runs imported, 1 skipped, 1 refused." in report
    assert "activities/3.fit: not a run (ride)" in report


def test_duplicates_within_two_minutes_are_skipped(runner_client, runner):
    RunFactory(runner=runner, started_at=START + dt.timedelta(seconds=90))
    files = [
        upload("a.gpx", make_gpx(start=START)),
        upload("b.tcx", make_tcx(start=START + dt.timedelta(hours=3))),
    ]
    runner_client.post(reverse("import_many"), {"files": files})
    job = ImportJob.objects.get(runner=runner)
    finish(runner_client, job)
    reasons = dict(job.items.values_list("name", "reason"))
    assert reasons["a.gpx"] == "already here: a run starting within 2 minutes"
    assert reasons["b.tcx"] == ""
    assert Run.objects.filter(runner=runner).count() == 2
    # The same upload again imports nothing new.
    runner_client.post(
        reverse("import_many"), {"files": [upload("b.tcx", make_tcx(start=START + dt.timedelta(hours=3)))]}
    )
    again = ImportJob.objects.filter(runner=runner).first()
    finish(runner_client, again)
    assert again.items.get().status == ImportItem.Status.SKIPPED


def test_unsafe_archive_is_refused_whole(runner_client, runner):
    bad = make_zip({"../evil.gpx": make_gpx(), "activities/1.gpx": make_gpx()})
    runner_client.post(
        reverse("import_many"), {"files": [upload("evil.zip", bad), upload("ok.gpx", make_gpx())]}
    )
    job = ImportJob.objects.get(runner=runner)
    finish(runner_client, job)
    job.refresh_from_db()
    assert "evil.zip: " in job.refused
    assert list(job.items.values_list("name", flat=True)) == ["ok.gpx"]  # the good file still comes in
    assert Run.objects.filter(runner=runner).count() == 1


def test_implausible_values_are_refused_not_stored(runner_client, runner):
    runner_client.post(
        reverse("import_many"),
        {"files": [upload("old.gpx", make_gpx(start=dt.datetime(1989, 1, 1, tzinfo=dt.UTC)))]},
    )
    job = ImportJob.objects.get(runner=runner)
    finish(runner_client, job)
    item = job.items.get()
    assert item.status == "refused" and "not plausible" in item.reason
    assert not Run.objects.filter(runner=runner).exists()


def test_batch_needs_files(runner_client):
    response = runner_client.post(reverse("import_many"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_another_runners_job_is_not_found(client, runner, other_runner):
    job = ImportJob.objects.create(runner=runner, filename="x.zip")
    client.force_login(other_runner)
    assert client.get(reverse("import_progress", args=[job.pk])).status_code == 404


# --- walks and hikes: one rule of "is this a run" ----------------------------------------


@pytest.mark.parametrize(("unit", "pace"), [("km", r"15:[23]\d min/km"), ("mi", r"24:[45]\d min/mi")])
def test_a_gpsbabel_hike_in_a_batch_is_skipped_as_a_walk(runner_client, runner, hike_sample, unit, pace):
    runner.profile.distance_unit = unit
    runner.profile.save()
    files = [upload("lake.gpx", hike_sample), upload("run.gpx", make_gpx(sport=None))]
    runner_client.post(reverse("import_many"), {"files": files})
    job = ImportJob.objects.get(runner=runner)
    finish(runner_client, job)
    items = {item.name: item for item in job.items.all()}
    assert items["lake.gpx"].status == "skipped"
    assert re.fullmatch(
        rf"not a run \(no sport in the file, and {pace} is a walking pace\)", items["lake.gpx"].reason
    )
    assert items["run.gpx"].status == "imported"  # a run whose file names no sport still comes in
    assert Run.objects.filter(runner=runner).count() == 1
    report = runner_client.get(reverse("import_progress", args=[job.pk])).content.decode()
    assert "lake.gpx: not a run (no sport in the file" in report


def test_a_strava_trail_run_label_makes_a_trail_run(runner_client, runner):
    rows = [
        {"Activity ID": "9", "Activity Name": "Hills", "Activity Type": "Trail Run", "Filename": "a/9.gpx"}
    ]
    data = make_zip({"activities.csv": strava_csv(rows), "a/9.gpx": make_gpx(sport=None)})
    runner_client.post(reverse("import_many"), {"files": [upload("export.zip", data)]})
    finish(runner_client, ImportJob.objects.get(runner=runner))
    assert Run.objects.get(runner=runner).run_type == "trail"
