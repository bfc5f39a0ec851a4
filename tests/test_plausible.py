"""One rule of plausibility (checkins.plausible): its sentences, its ranges read from the
models, the check-in form's dates, and pages that stay up whatever date is stored."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from checkins import plausible
from checkins.forms import CheckInForm
from checkins.models import CheckIn, Run
from checkins.transfer.import_jobs import PREFILL_KEY
from tests.factories import CheckInFactory, RunFactory
from tests.helpers import checkin_post, make_gpx

YEAR_ONE = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
YEAR_9999 = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)
# A runner behind UTC (year 1 has no local time there) and one ahead (9999 has none).
ZONES = ("America/New_York", "Asia/Tokyo")


# --- The rule and its words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        (
            {"avg_heart_rate_bpm": 300},
            "the average heart rate (300 bpm) is outside what a run can have (20–250 bpm)",
        ),
        ({"distance_km": 0.001}, "the distance (0.001 km) is outside what a run can have (0.01–300 km)"),
        ({"distance_km": "12"}, "the distance (“12”) is not a number"),
        ({"duration_min": [55]}, "the time (a list) is not a number"),
        ({"temperature_c": True}, "the temperature (yes) is not a number"),
        ({"humidity_pct": float("nan")}, "the humidity is not a finite number"),
        ({"fluid_ml": float("inf")}, "the amount drunk during the run is not a finite number"),
        ({"effort": 5.5}, "the effort (5.5) is not a whole number"),
        ({"effort": 42}, "the effort (42) is outside what a run can have (1–10)"),
        (
            {"days_since_rest": 5000},
            "the number of running days in a row (5000 days) is outside what a run can have (0–3650 days)",
        ),
        ({"urine_color": 9}, "the urine colour (9) is outside its scale (1–8)"),
        ({"run_type": "sprint"}, "the type of run (“sprint”) is not one Aftermath knows"),
        ({"cooldown": 3}, "the way of stopping (3) is not one Aftermath knows"),
        ({"twitching": "maybe"}, "the answer about twitching (“maybe”) is not yes or no"),
        (
            {"muscles": ["calves", "elbow"]},
            "the muscles that twitched include “elbow”, which Aftermath does not know",
        ),
        ({"symptoms": "thirst"}, "the other symptoms (“thirst”) are not a list of names"),
        ({"notes": {"a": 1}}, "the notes (a group of values) are not text"),
        ({"notes": "x" * 2001}, "the notes are longer than 2000 characters"),
        ({"started_at": YEAR_ONE}, "its start time (0001-01-01) is not plausible"),
        ({"started_at": "yesterday"}, "its start time (“yesterday”) is not a date and time"),
        ({"date": dt.date(9999, 12, 31)}, "its day (9999-12-31) is not plausible"),
        ({"followup_at": YEAR_9999}, "its follow-up time (9999-12-31) is not plausible"),
        (
            {"started_at": dt.datetime(2024, 5, 3, 7, tzinfo=dt.UTC), "date": dt.date(2024, 5, 9)},
            "its day (2024-05-09) is not the day of its start time (2024-05-03)",
        ),
    ],
)
def test_each_problem_is_one_sentence_for_the_runner(values, sentence):
    assert plausible.run_problems(values) == [sentence]
    assert not re.search(r"[a-z]_[a-z]", sentence)  # never a field's code name


def test_a_plausible_run_has_no_problem():
    values = {
        "started_at": timezone.now() - dt.timedelta(hours=2),
        "date": timezone.localdate(),
        "distance_km": 10.0,
        "duration_min": 55,
        "effort": 5.0,  # a whole number written as a float
        "run_type": "",
        "avg_heart_rate_bpm": 150,
        "notes": "",
        "muscles": ["calves"],
        "intensity": None,  # not answered
        "twitching": False,
        "followup_at": timezone.now(),
    }
    assert plausible.run_problems(values) == []


@pytest.mark.parametrize(
    ("started", "problem"),
    [
        (dt.datetime(1994, 12, 31, 23, 59, tzinfo=dt.UTC), "its start time (1994-12-31) is not plausible"),
        (dt.datetime(1995, 1, 1, tzinfo=dt.UTC), None),
        (dt.datetime(2020, 6, 1, 7, 30), None),  # naive: read as UTC
        (YEAR_ONE, "its start time (0001-01-01) is not plausible"),
        (YEAR_9999, "its start time (9999-12-31) is not plausible"),
    ],
)
def test_a_start_is_plausible_from_1995_up_to_a_day_from_now(started, problem):
    assert plausible.start_problem(started) == problem
    assert Run.is_plausible_start(started) is (problem is None)  # the model delegates
    assert plausible.start_problem(timezone.now() + dt.timedelta(hours=23)) is None
    assert plausible.start_problem(timezone.now() + dt.timedelta(hours=25))


def test_a_day_is_plausible_from_the_day_before_1995_up_to_two_days_from_now():
    today = timezone.now().date()
    assert plausible.is_plausible_day(dt.date(1994, 12, 31))  # 1995 began then behind UTC
    assert not plausible.is_plausible_day(dt.date(1994, 12, 30))
    assert plausible.is_plausible_day(today + dt.timedelta(days=2))
    assert not plausible.is_plausible_day(today + dt.timedelta(days=3))
    assert not plausible.is_plausible_day(dt.datetime(2024, 5, 3, 7))  # a time is no day
    assert not plausible.is_plausible_day("2024-05-03")


def test_the_ranges_are_the_model_validators():
    """No second copy: change a model's validator and the rule (and the form) follow."""
    numeric = [key for key, rule in plausible.rules("Run").items() if rule.kind in ("number", "whole")]
    assert "avg_heart_rate_bpm" in numeric and "distance_km" in numeric
    for key in numeric:
        validators = Run._meta.get_field(key).validators
        low = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
        high = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
        assert plausible.limits(key) == (low, high), key
    heart_rate = CheckInForm.base_fields["avg_heart_rate_bpm"]
    assert (heart_rate.min_value, heart_rate.max_value) == plausible.limits("avg_heart_rate_bpm")


def test_profile_values_are_checked_against_the_profile_model():
    problems = plausible.profile_problems(
        {"distance_unit": "furlong", "time_zone": "Mars/Olympus", "body_weight_kg": 400, "medications": ["x"]}
    )
    assert problems == [
        "the unit of distance (“furlong”) is not one Aftermath knows",
        "the time zone (“Mars/Olympus”) is not one Aftermath knows",
        "the body weight (400 kg) is outside what Aftermath takes (25–250 kg)",
        "the medicines include “x”, which Aftermath does not know",
    ]
    assert plausible.profile_problems({"distance_unit": "mi", "time_zone": "Europe/Oslo"}) == []


# --- The check-in form ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
@pytest.mark.parametrize(("field", "what"), [("started_at", "start"), ("finished_at", "finish")])
def test_the_checkin_refuses_year_one_and_9999_at_the_field(runner_client, runner, zone, when, field, what):
    runner.profile.time_zone = zone
    runner.profile.save()
    other = "finished_at" if field == "started_at" else "started_at"
    response = runner_client.post(reverse("checkin_create"), checkin_post(**{field: when, other: None}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [f"Enter a {what} from 1 Jan 1995 up to now."]}
    assert not Run.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("started", [YEAR_ONE, YEAR_9999])
def test_a_watch_file_with_an_implausible_start_prefills_no_start(runner_client, runner, zone, started):
    """Once a 500 on every visit of the check-in page until the runner logged out."""
    runner.profile.time_zone = zone
    runner.profile.save()
    session = runner_client.session
    session[PREFILL_KEY] = {
        "started_at": started.isoformat(),
        "distance_km": 4.2,
        "duration_min": 1e9,  # implausible too: left out as well
        "source": "old.gpx",
    }
    session.save()
    response = runner_client.get(reverse("checkin_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.initial) == {"idempotency_key", "finished_at", "distance"}  # asks when, as usual
    assert runner_client.get(reverse("checkin_create")).status_code == 200


@pytest.mark.django_db
def test_a_watch_file_dated_9999_leaves_the_checkin_page_working(runner_client, runner):
    runner.profile.time_zone = "Asia/Tokyo"
    runner.profile.save()
    upload = SimpleUploadedFile("far.gpx", make_gpx(start=dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC)))
    runner_client.post(reverse("import_one"), {"file": upload})
    for _ in range(2):
        assert runner_client.get(reverse("checkin_create")).status_code == 200


# --- Pages with an extreme date stored ---------------------------------------------------

PAGES = ("home", "history", "report", "tips", "tips_hydration", "tips_cooldown", "tips_fuelling", "data")
RUN_PAGES = ("run_detail", "run_delete", "followup")


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ("UTC", *ZONES))
@pytest.mark.parametrize(
    ("started", "day"),
    [
        (YEAR_ONE, dt.date(1, 1, 1)),
        (YEAR_9999, dt.date(9999, 12, 31)),
        (None, dt.date(1, 1, 1)),  # an export's run with a plausible start but its day in year 1
        (None, dt.date(9999, 12, 31)),
    ],
)
def test_an_extreme_stored_date_breaks_no_page(runner_client, runner, zone, started, day):
    runner.profile.time_zone = zone
    runner.profile.save()
    RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=3))
    run = RunFactory(runner=runner)
    CheckInFactory(run=run, twitching=True, muscles=["calves", "arms"], intensity=6, sleep_disrupted=True)
    # Written around the rule, as an old import did: straight into the table.
    Run.objects.filter(pk=run.pk).update(started_at=started or run.started_at, date=day)
    CheckIn.objects.filter(run=run).update(followup_at=started, flags_seen_at=started)
    urls = [reverse(name) for name in PAGES] + [reverse(name, args=[run.pk]) for name in RUN_PAGES]
    urls += [reverse("history") + "?twitching=on", reverse("report") + "?start=1995-01-01"]
    for url in urls:
        assert runner_client.get(url).status_code == 200, url
    assert runner_client.get(reverse("export_csv")).status_code == 200
    assert runner_client.get(reverse("export_json")).status_code == 200


@pytest.mark.parametrize(
    ("value", "zone", "style", "shown"),
    [
        (YEAR_ONE, "America/New_York", "time", "Mon 1 Jan 0001, 00:00"),  # no local time: as stored
        (YEAR_9999, "Asia/Tokyo", "time", "Fri 31 Dec 9999, 23:59"),
        (dt.datetime(2020, 3, 3, 7, 5, tzinfo=dt.UTC), "Asia/Tokyo", "time", "Tue 3 Mar 2020, 16:05"),
        (dt.date(1, 1, 1), "America/New_York", "", "Mon 1 Jan 0001"),
    ],
)
def test_the_run_date_filter_shows_a_time_at_the_calendars_ends(value, zone, style, shown):
    template = Template("{% load run_dates %}{{ when|run_date:style }}")
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert template.render(Context({"when": value, "style": style})) == shown
