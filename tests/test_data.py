"""The runner's data: JSON export and its round trip, CSV, the doctor's report, deletion."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Profile, Run, User
from checkins.transfer.export import export_data, import_data, spreadsheet_safe
from tests.factories import PASSWORD, RunFactory, UserFactory
from tests.helpers import Tree, assert_headings_in_order, parse, run_worker

pytestmark = pytest.mark.django_db


def full_history(runner):
    runner.profile.medications = ["statins"]
    runner.profile.body_weight_kg = 71.5
    runner.profile.temperature_unit = "f"
    runner.profile.save()
    first = RunFactory(
        runner=runner,
        started_at=timezone.now() - dt.timedelta(days=3),
        temperature_c=-5.0,
        humidity_pct=80,
        fluid_ml=300,
        electrolytes_during=True,
        cooldown="walk_stretch",
        weight_before_kg=70.2,
        weight_after_kg=69.4,
        avg_heart_rate_bpm=151,
        notes='=HYPERLINK("http://evil.example")',
    )
    CheckIn.objects.create(
        run=first,
        twitching=True,
        muscles=["calves", "face"],
        intensity=6,
        cramps=True,
        symptoms=["thirst"],
        sleep_disrupted=True,
        urine_color=5,
        medications=["statins"],
        followup_at=timezone.now() - dt.timedelta(days=2),
        still_twitching=True,
        flags_seen_at=timezone.now() - dt.timedelta(days=1),
    )
    RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=1), notes="easy")


def comparable(export: dict) -> dict:
    return {"profile": export["profile"], "runs": export["runs"]}


def test_json_export_round_trips_into_a_fresh_account(runner_client, runner):
    full_history(runner)
    response = runner_client.get(reverse("export_json"))
    assert response["Content-Disposition"].startswith('attachment; filename="aftermath-')
    exported = json.loads(response.content)
    assert exported["format"] == "aftermath-export"
    assert exported["runs"][0]["checkin"]["muscles"] == ["calves", "face"]
    assert exported["runs"][0]["temperature_c"] == -5.0  # metric, domain keys
    assert exported["runs"][0]["checkin"]["flags_seen_at"]  # read red flags stay read after a load

    newcomer = UserFactory()
    imported, skipped, refusals = import_data(newcomer, exported)
    assert (imported, skipped, refusals) == (2, 0, [])
    assert comparable(export_data(newcomer)) == comparable(exported)
    # Loading the same file again changes nothing.
    assert import_data(newcomer, exported) == (0, 2, [])
    assert Run.objects.filter(runner=newcomer).count() == 2


def load(client, name: str, payload: bytes):
    """Upload an export, let the worker load it, and return its progress page."""
    upload = SimpleUploadedFile(name, payload, content_type="application/json")
    response = client.post(reverse("import_export"), {"export": upload})
    assert response.status_code == 302, response.content.decode()
    run_worker()
    return client.get(response["Location"])


def test_import_page_reports_and_refuses_at_the_field(runner_client, runner, other_runner):
    full_history(other_runner)
    payload = json.dumps(export_data(other_runner)).encode()
    assert (
        "Done: 2 runs loaded, 0 already here." in load(runner_client, "mine.json", payload).content.decode()
    )
    assert Run.objects.filter(runner=runner).count() == 2
    # Not even JSON at a first look: refused at the field, before any job.
    response = runner_client.post(
        reverse("import_export"), {"export": SimpleUploadedFile("notes.json", b"hello", "application/json")}
    )
    assert response.status_code == 400
    assert "notes.json is not an Aftermath export" in response.content.decode()
    # Refused once read whole: the progress page shows the form again, the refusal at its field.
    page = load(runner_client, "broken.json", b"{not json")
    refused = (
        "broken.json: This file is not JSON (it goes wrong on line 1), so it is not an Aftermath export."
    )
    assert refused in page.content.decode()
    field = Tree(page.content.decode()).root.find("input", name="export")
    assert field is not None and field.attrs.get("aria-invalid") == "true"
    page = load(runner_client, "x.json", b'{"hello": 1}')
    assert "This is not an Aftermath export file." in page.content.decode()
    assert runner_client.post(reverse("import_export"), {}).context["form"].errors["export"]


def test_an_invalid_run_is_refused_alone(runner):
    data = {
        "format": "aftermath-export",
        "version": 1,
        "runs": [
            {
                "idempotency_key": "0b0a7f9e-1a51-4fb3-9c8f-3d2ad3e36c11",
                "started_at": "2026-11-01T07:00:00+00:00",
                "effort": 42,
            },
            {
                "idempotency_key": "4c0d7c2e-5d6a-4bb5-8a4d-0e9d0f3c1a22",
                "started_at": "2026-11-02T07:00:00+00:00",
                "effort": 4,
            },
        ],
    }
    imported, skipped, refusals = import_data(runner, data)
    assert (imported, skipped) == (1, 0)
    assert refusals == ["Run of 1 Nov 2026: the effort (42) is outside what a run can have (1–10)"]
    assert Run.objects.filter(runner=runner).count() == 1


def test_csv_is_in_the_runners_units_and_safe_in_a_spreadsheet(runner_client, runner):
    full_history(runner)
    response = runner_client.get(reverse("export_csv"))
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    first = rows[0]
    assert first["temperature (°F)"] == "23"  # -5 °C, still a number
    assert first["muscles"] == "Calves, Face"
    assert first["twitching"] == "yes"
    assert first["notes"].startswith("'=HYPERLINK")
    assert rows[1]["twitching"] == ""


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(text):
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_safe("calves " + text) == "calves " + text


def test_doctor_report_covers_the_period(runner_client, runner):
    full_history(runner)
    response = runner_client.get(reverse("report"))
    page = response.content.decode()
    report = response.context["report"]
    assert report["runs"] == 2 and report["twitching"] == 1
    assert ("Calves", 1) in report["muscles"]
    assert "Statins" in " ".join(report["medicines"])
    printed = [link.attrs["href"] for link in parse(response).find_all("link", media="print")]
    assert any("css/print.css" in href for href in printed)
    assert "not a medical device" in page
    assert any(f["title"] for f in report["flags"]) or report["patterns"]
    # A trigger no run had is said in words, never "0 of 0".
    assert any(not c.with_runs or not c.without_runs for c in report["triggers"])
    assert "0 of 0" not in page and "no runs" in page
    # A period without runs is empty, not an error.
    response = runner_client.get(reverse("report") + "?start=2020-01-01&end=2020-02-01")
    assert response.context["report"]["runs"] == 0
    response = runner_client.get(reverse("report") + "?start=2026-05-01&end=2026-04-01")
    error = parse(response).find(cls="field-error", id="err-end")  # the refusal, at its field
    assert error.text == " ".join(response.context["form"].errors["end"]) and "on or after" in error.text


def report_run(runner, days_ago: int, **checkin):
    run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago))
    CheckIn.objects.create(run=run, **checkin)
    return run


def test_report_lists_urgent_warnings_first_and_each_kind_once(runner_client, runner):
    twitchy = {"twitching": True, "muscles": ["calves", "arms"], "intensity": 4}
    runs = [report_run(runner, days, **twitchy) for days in (20, 13, 6)]
    urgent = report_run(runner, 30, twitching=False, symptoms=["cola_urine", "swelling"])
    article = parse(runner_client.get(reverse("report"))).find("article")
    items = article.find("ul", cls="report-flags").find_all("li")
    assert items[0].attrs["data-flag"] == "muscle_breakdown" and "report-urgent" in items[0].classes
    assert items[0].text.startswith("Urgent: Warning signs of muscle breakdown: 1 run, ")
    assert f"{urgent.date:%-d %b}" in items[0].text
    assert "The runner reported: cola-brown urine and swelling in a muscle." in items[0].text
    # One line for the kind: the runs' own warnings and what the history adds.
    per_run = [item for item in items if item.attrs["data-flag"] == "widespread"]
    assert len(per_run) == 1
    assert "Across runs:" in per_run[0].text
    dates = ", ".join(f"{run.date:%-d %b}" for run in runs)
    assert per_run[0].text.startswith(f"Twitching in several places: 3 runs, {dates}.")
    assert "The runner reported: twitching in calves and arms." in per_run[0].text
    assert not any("Urgent" in item.text for item in items[1:])


def test_report_is_written_about_the_runner_for_a_clinician(runner_client, runner):
    runner.profile.medications = ["blood_thinners"]
    runner.profile.save()
    sleepless = {"twitching": True, "muscles": ["calves", "face"], "intensity": 6, "sleep_disrupted": True}
    for days in (9, 5, 2):
        report_run(runner, days, **sleepless)
    report_run(runner, 1, twitching=True, muscles=["calves"], cramps=True, symptoms=["vomiting"])
    report_run(runner, 0, twitching=False, symptoms=["bruising"], medications=["blood_thinners"])
    article = parse(runner_client.get(reverse("report"))).find("article")
    text = article.text
    assert "Twitching that disturbs sleep" in text
    assert "The runner reported: twitching in calves and face; disturbed sleep." in text
    assert "The runner reported: cramps; vomiting." in text
    assert "taking blood thinners (anticoagulants)" in text
    addressed = re.findall(r".{0,40}\byou(?:r|rs|rself)?\b.{0,20}", text, re.IGNORECASE)
    assert not addressed
    assert "not a medical device" in text
    assert parse(runner_client.get(reverse("report"))).text.count("not a medical device") == 1
    assert_headings_in_order(article)


def test_report_shows_only_this_runners_data(runner_client, runner, other_runner):
    full_history(other_runner)
    report = runner_client.get(reverse("report")).context["report"]
    assert report["runs"] == 0 and report["muscles"] == []


def owned_rows(user_pk: int) -> int:
    return (
        User.objects.filter(pk=user_pk).count()
        + Profile.objects.filter(runner_id=user_pk).count()
        + Run.objects.filter(runner_id=user_pk).count()
        + CheckIn.objects.filter(run__runner_id=user_pk).count()
    )


def test_account_deletion_needs_the_password_and_removes_every_row(runner_client, runner, other_runner):
    full_history(runner)
    full_history(other_runner)
    others_before = owned_rows(other_runner.pk)
    assert owned_rows(runner.pk) == 1 + 1 + 2 + 1
    response = runner_client.post(reverse("delete_account"), {"password": "wrong"})
    assert "That is not your password." in response.content.decode()
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username=runner.email, ip_address="127.0.0.1", user_agent="x", failures_since_start=1
    )
    assert owned_rows(runner.pk) == 5
    response = runner_client.post(reverse("delete_account"), {"password": PASSWORD})
    assert response["Location"] == reverse("home")
    assert owned_rows(runner.pk) == 0
    assert not AccessAttempt.objects.filter(username=runner.email).exists()
    # Nothing else refers to the runner in any model of the project.
    for model in apps.get_app_config("checkins").get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is User and field.concrete:
                assert not model.objects.filter(**{field.name: runner.pk}).exists(), model
    assert owned_rows(other_runner.pk) == others_before
    assert "_auth_user_id" not in runner_client.session
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(runner.pk)]
    assert runner_client.get(reverse("history")).status_code == 302


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (
            {
                "duration_min": 70.0,
                "temperature_c": 31.0,
                "humidity_pct": 70.0,
                "symptoms": ["thirst", "collapse"],
            },
            "collapse or fainting and thirst; after a run of 70 min at 88 °F and 70 % humidity",
        ),
        (
            {"humidity_pct": 90.0, "symptoms": ["confusion"]},
            "confusion or odd behaviour; after a run at 90 % humidity",
        ),
        ({"symptoms": ["collapse"]}, "collapse or fainting"),
    ],
)
def test_report_quotes_what_the_runner_reported_in_their_units(entry, words):
    from advice import Units
    from checkins.transfer.report import reported

    assert reported("collapse", entry, Units(temperature="f")) == words
