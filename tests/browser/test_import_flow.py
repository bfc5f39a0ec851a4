"""Runs from a watch on a phone: one file pre-fills a check-in; a Strava-like export
imports with a progress bar and a report. Real sample files from ../shared/samples."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from checkins.models import ImportJob, Run
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
def import_page(live_server, page):
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
    monkeypatch.setattr("checkins.transfer.import_jobs.STEP_ITEMS", 1)  # one file per request: a bar to watch
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
    expect(bar).to_have_attribute("max", "7")
    expect(bar).to_have_attribute("value", re.compile(r"^[1-6]$"))  # part-way
    screenshot(page, "0-progress")
    expect(page.locator("#import-progress")).to_contain_text("Done: 5 runs imported, 1 skipped, 1 refused.")
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
