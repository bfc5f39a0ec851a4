"""Runs from a watch on a phone: one file pre-fills a check-in; a Strava-like export
imports with a progress bar and a report. Real sample files from ../shared/samples."""

from __future__ import annotations

import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from checkins.models import ImportJob, Run
from checkins.transfer import import_jobs
from tests.factories import UserFactory
from tests.helpers import log_in, strava_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


@pytest.fixture
def samples() -> Path:
    if SAMPLES.is_dir():
        return SAMPLES
    message = f"activity samples not found at {SAMPLES}"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def import_page(live_server, page, task_worker):
    runner = UserFactory(email="max@example.org")
    runner.profile.acknowledge_notice()
    log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/import/")
    expect(page.get_by_role("heading", name="Runs from your watch")).to_be_visible()
    page.runner = runner
    return page


def test_one_watch_file_prefills_the_checkin(import_page, samples, screenshot, assert_accessible):
    page = import_page
    assert_accessible(page, "import")
    screenshot(page, "1-import-page")
    page.get_by_label("One run from your watch (FIT, GPX or TCX)").set_input_files(
        str(samples / "fit-garmin-fenix6s-run-with-temperature.fit")
    )
    page.get_by_role("button", name="Use this file").click()
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    expect(page.get_by_label("Distance (km)")).to_have_value("0.59")
    expect(page.get_by_label("Temperature (°C)")).to_have_value("8")
    expect(page.get_by_label("Average heart rate (bpm)")).to_have_value("124")
    screenshot(page, "2-prefilled-checkin")


def test_strava_export_imports_with_progress_and_report(
    import_page, samples, tmp_path, screenshot, monkeypatch
):
    page = import_page
    real_parse = import_jobs.parse_activity

    def slow_parse(*args, **kwargs):  # a bar to watch: most of a second a file
        time.sleep(0.8)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "parse_activity", slow_parse)
    names = [
        "fit-garmin-fr910xt-run.fit",
        "fit-coros-apexpro-run.fit",
        "gpx-garmin-connect-run-with-hr.gpx",
        "tcx-polar-v800-run.tcx",
        "tcx-scrubbed-run-leading-whitespace.tcx.gz",
        "fit-zwift-virtual-ride.fit",
        "fit-corrupt-bad-crc.fit",
    ]
    rows = [
        {
            "Activity ID": str(i),
            "Activity Name": f"Activity {i}",
            "Activity Type": "Virtual Ride" if "ride" in name else "Run",
            "Filename": f"activities/{name}",
        }
        for i, name in enumerate(names, start=1)
    ]
    export = tmp_path / "export_123.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", strava_csv(rows))
        for name in names:
            zf.write(samples / name, f"activities/{name}")
    page.get_by_label("Many files, or a Strava export (.zip)").set_input_files(str(export))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name=re.compile("Importing"))).to_be_visible()
    bar = page.locator("progress#import-bar")
    expect(bar).to_have_attribute("max", "7", timeout=10_000)
    expect(bar).to_have_attribute("value", re.compile(r"^[1-6]$"))  # part-way
    screenshot(page, "0-progress")
    expect(page.locator("#import-progress")).to_contain_text(
        "Done: 5 runs imported, 1 skipped, 1 refused.", timeout=15_000
    )
    expect(page.locator(".import-refused")).to_contain_text(
        "fit-corrupt-bad-crc.fit: its checksum does not match"
    )
    expect(page.locator(".import-skipped")).to_contain_text("not a run")
    screenshot(page, "1-report")
    assert Run.objects.filter(runner=page.runner).count() == 5
    assert ImportJob.objects.get(runner=page.runner).finished_at is not None


def test_a_hike_among_runs_is_left_out_as_a_walk(import_page, samples, screenshot, assert_accessible):
    page = import_page
    files = [
        samples / name
        for name in ("gpx-gpsbabel-hike-no-hr-multitrack.gpx", "gpx-garmin-connect-run-with-hr.gpx")
    ]
    page.get_by_label("Many files, or a Strava export (.zip)").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-progress")).to_contain_text("Done: 1 run imported, 1 skipped, 0 refused.")
    expect(page.locator(".import-skipped")).to_contain_text(
        re.compile(r"hike-no-hr-multitrack\.gpx: not a run \(no sport in the file, and 15:\d\d min/km")
    )
    expect(page.locator(".import-imported")).to_contain_text("gpx-garmin-connect-run-with-hr.gpx")
    assert_accessible(page, "import report")
    screenshot(page, "1-report")
    assert Run.objects.filter(runner=page.runner).count() == 1


def test_an_import_finishes_with_the_browser_closed(import_page, samples, screenshot):
    page = import_page
    files = [samples / name for name in ("fit-coros-apexpro-run.fit", "tcx-polar-v800-run.tcx")]
    page.get_by_label("Many files, or a Strava export (.zip)").set_input_files([str(f) for f in files])
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name=re.compile("Import"))).to_be_visible()
    progress_url = page.url
    page.goto("about:blank")  # the tab moves on: nobody polls the progress page
    job = ImportJob.objects.get(runner=page.runner)
    for _ in range(100):
        job.refresh_from_db()
        if job.finished_at:
            break
        time.sleep(0.1)
    assert job.finished_at is not None, "the worker did not finish the import on its own"
    assert Run.objects.filter(runner=page.runner).count() == 2
    page.goto(progress_url)
    expect(page.locator("#import-progress")).to_contain_text("Done: 2 runs imported, 0 skipped, 0 refused.")
    screenshot(page, "1-report-after-closing")
