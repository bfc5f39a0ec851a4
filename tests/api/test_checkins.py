"""POST /api/v1/checkins: the check-in form's fields, validation, plausibility rule and
idempotency key, answered with the stored run and its advice (urgent first)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from advice import DISCLAIMER
from checkins.assessing import assess_run
from checkins.models import CheckIn, Run
from tests.helpers import checkin_post

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkins"
HOT_RUN = {
    "distance_km": 14.0,
    "duration_min": 85.0,
    "effort": 6,
    "run_type": "long",
    "temperature_c": 31.0,
    "humidity_pct": 40.0,
    "fluid_ml": 100,
    "electrolytes_during": False,
    "carbs_before_g": 0,
    "cooldown": "none",
    "twitching": True,
    "muscles": ["calves", "neck"],
    "intensity": 5,
    "weakness": True,
    "symptoms": ["thirst"],
    "urine_color": 6,
    "notes": "Hot one.",
}


def test_a_check_in_is_stored_and_answered_with_its_advice(api, runner):
    runner.profile.medications = ["statins"]
    runner.profile.save()
    response = api.post(URL, HOT_RUN)
    assert response.status_code == 201
    body = response.json()
    run = Run.objects.with_checkin().get(runner=runner)
    assert body["run"]["id"] == run.pk
    # Stored as the form stores it: metric, domain keys, medicines from the profile.
    assert (run.distance_km, run.duration_min, run.temperature_c, run.fluid_ml) == (14.0, 85.0, 31.0, 100)
    assert (run.run_type, run.cooldown, run.notes, run.electrolytes_during) == (
        "long",
        "none",
        "Hot one.",
        False,
    )
    assert run.checkin.muscles == ["calves", "neck"] and run.checkin.symptoms == ["thirst"]
    assert run.checkin.medications == ["statins"]
    # Finished now (nothing said otherwise): started the run's time before.
    assert abs(timezone.now() - dt.timedelta(minutes=85) - run.started_at) < dt.timedelta(seconds=10)
    assert body["run"]["checkin"]["twitching"] is True and body["run"]["summary"].startswith("14 km")
    # The advice is the engine's for this run: red flags, then causes with their reasons, then tips.
    engine = assess_run(run, runner.profile)
    advice = body["assessment"]
    assert advice["urgent"] is False
    assert [flag["code"] for flag in advice["red_flags"]] == [flag.code for flag in engine.red_flags]
    assert {"widespread", "weakness"} <= {flag["code"] for flag in advice["red_flags"]}
    assert [cause["code"] for cause in advice["causes"]] == [cause.code for cause in engine.causes]
    assert advice["causes"][0]["code"] == "dehydration"
    assert any("31 °C" in reason for reason in advice["causes"][0]["because"])
    assert [tip["code"] for tip in advice["tips"]] == [tip.code for tip in engine.tips]
    rehydrate = next(tip for tip in advice["tips"] if tip["code"] == "rehydrate_after")
    assert rehydrate["plan"] == [engine.plan.rehydrate_text]
    assert (
        advice["headline"].startswith("See a doctor: ")
        and "May be linked to: Dehydration" in advice["headline"]
    )
    assert advice["notice"] == DISCLAIMER


def test_an_urgent_flag_comes_alone_with_the_care_to_seek(api):
    response = api.post(URL, {**HOT_RUN, "symptoms": ["cola_urine", "thirst"]})
    advice = response.json()["assessment"]
    assert advice["urgent"] is True
    assert [flag["code"] for flag in advice["red_flags"]] == ["muscle_breakdown"]
    assert all(flag["urgent"] for flag in advice["red_flags"])
    assert advice["causes"] == [] and advice["tips"] == [] and advice["general_tips"] == []
    assert advice["headline"].startswith("Urgent: ") and advice["red_flags"][0]["care"] in advice["headline"]


def test_twitching_with_no_cause_gets_the_general_tips_and_what_to_note(api):
    advice = api.post(URL, {"twitching": True, "muscles": ["calves"]}).json()["assessment"]
    assert advice["causes"] == [] and advice["general_tips"]
    assert "how long the run took" in advice["to_record_next_time"]
    assert advice["headline"] == "Nothing in your answers points to a cause this time."


def test_the_same_key_twice_stores_one_run_and_returns_it(api, runner):
    key = str(uuid.uuid4())
    first = api.post(URL, {**HOT_RUN, "idempotency_key": key})
    again = api.post(URL, {**HOT_RUN, "idempotency_key": key, "distance_km": 3.0})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["run"]["id"] == first.json()["run"]["id"]
    assert again.json()["run"]["distance_km"] == 14.0  # the stored run, not the second body
    assert Run.objects.filter(runner=runner).count() == 1 and CheckIn.objects.count() == 1
    assert str(Run.objects.get().idempotency_key) == key


def test_the_form_and_the_api_share_one_key_space(api, runner_client, runner):
    """A key the check-in page stored is a repeat for the API too (and the other way round)."""
    key = str(uuid.uuid4())
    assert runner_client.post(reverse("checkin_create"), checkin_post(idempotency_key=key)).status_code == 302
    response = api.post(URL, {"distance_km": 3.0, "idempotency_key": key})
    assert response.status_code == 200 and Run.objects.filter(runner=runner).count() == 1


def test_without_a_key_each_post_is_a_new_run(api, runner):
    for _ in range(2):
        assert api.post(URL, {"distance_km": 5.0}).status_code == 201
    assert Run.objects.filter(runner=runner).count() == 2


def test_a_start_without_an_offset_is_in_the_runners_zone(api, runner):
    runner.profile.time_zone = "Europe/Berlin"
    runner.profile.save()
    day = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).date() - dt.timedelta(days=2)
    body = api.post(URL, {"distance_km": 5.0, "started_at": f"{day}T23:30"}).json()["run"]
    run = Run.objects.get()
    expected = dt.datetime.combine(day, dt.time(23, 30), tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    assert run.started_at == expected and run.date == day and body["date"] == day.isoformat()
    later = api.post(URL, {"distance_km": 5.0, "started_at": f"{day}T23:30:00+00:00"}).json()["run"]
    assert later["date"] == (day + dt.timedelta(days=1)).isoformat()  # 00:30 in Berlin


def test_a_finish_gives_the_start_from_the_time(api):
    finish = (timezone.now() - dt.timedelta(hours=3)).replace(microsecond=0)
    run = api.post(URL, {"duration_min": 40.0, "finished_at": finish.isoformat()}).json()["run"]
    assert dt.datetime.fromisoformat(run["started_at"]) == finish - dt.timedelta(minutes=40)


def refused(response) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Some values were refused: see errors."
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    return body["errors"]


@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"started_at": "1990-01-01T10:00"}, "started_at"),
        ({"started_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()}, "started_at"),
        ({"finished_at": "1994-12-31T10:00:00Z"}, "finished_at"),
        ({"started_at": "2026-01-01T10:00:00Z", "finished_at": "2026-01-01T11:00:00Z"}, "finished_at"),
    ],
)
def test_implausible_dates_are_refused_as_the_form_refuses_them(api, runner, answers, key):
    errors = refused(api.post(URL, {"distance_km": 5.0, **answers}))
    assert set(errors) == {key}
    assert not Run.objects.exists()


def test_a_check_in_that_says_nothing_is_refused(api):
    errors = refused(api.post(URL, {"effort": 5, "notes": "Nothing else."}))
    assert set(errors) == {"distance_km", "duration_min", "twitching"}
    assert not Run.objects.exists()


# Each range's ends, one step outside (domain.md; the form's words name the key's unit).
OUT_OF_RANGE = [
    ("distance_km", 0), ("distance_km", 300.5), ("distance_km", -1), ("duration_min", 0),
    ("duration_min", 2001), ("effort", 0), ("effort", 11), ("temperature_c", -41), ("temperature_c", 51),
    ("humidity_pct", -1), ("humidity_pct", 101), ("fluid_ml", -1), ("fluid_ml", 6001),
    ("carbs_before_g", 401), ("carbs_before_min", 1441), ("meal_before_h", 48.5), ("meal_before_h", -0.5),
    ("weight_before_kg", 24), ("weight_after_kg", 251), ("intensity", 11), ("intensity", -1),
    ("urine_color", 0), ("urine_color", 9), ("avg_heart_rate_bpm", 19), ("avg_heart_rate_bpm", 251),
    ("notes", "x" * 2001), ("distance_km", 1e308),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value"), OUT_OF_RANGE)
def test_out_of_range_values_are_refused_at_their_key(api, key, value):
    errors = refused(api.post(URL, {"duration_min": 30.0, "twitching": False, key: value}))
    assert list(errors) == [key]
    assert not Run.objects.exists()


WRONG_TYPES = [
    ("distance_km", "14"), ("distance_km", True), ("distance_km", [14]), ("effort", 5.5), ("effort", "5"),
    ("twitching", "yes"), ("twitching", 1), ("muscles", "calves"), ("muscles", ["tail"]),
    ("symptoms", [1]), ("run_type", "jog"), ("cooldown", "sit"), ("started_at", "yesterday"),
    ("idempotency_key", "not-a-uuid"), ("notes", 5), ("fluid_ml", 250.5), ("medications", ["statins"]),
    ("days_since_rest", 3), ("distance", 14),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value"), WRONG_TYPES)
def test_wrong_types_and_unknown_keys_are_refused_at_their_key(api, key, value):
    errors = refused(api.post(URL, {"duration_min": 30.0, key: value}))
    assert list(errors) == [key]
    assert not Run.objects.exists()


def test_the_api_and_the_form_refuse_with_the_same_words(api, runner_client):
    page = runner_client.post(reverse("checkin_create"), checkin_post(distance="400", intensity="11"))
    form_errors = page.context["form"].errors
    errors = refused(api.post(URL, {"distance_km": 400, "intensity": 11}))
    assert (
        errors["distance_km"] == form_errors["distance"] and errors["intensity"] == form_errors["intensity"]
    )


def test_twitch_details_belong_to_a_yes(api):
    body = api.post(
        URL, {"distance_km": 5.0, "twitching": False, "muscles": ["calves"], "intensity": 4}
    ).json()
    checkin = CheckIn.objects.get()
    assert checkin.muscles == [] and checkin.intensity is None
    assert body["run"]["checkin"]["muscles"] == []


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ('{"distance_km": NaN}', 400),
        ('{"distance_km": Infinity}', 400),
        (b'{"notes": "\xff\xfe"}', 400),
        ("[" * 5000 + "]" * 5000, 400),
        ("", 422),
        ("null", 422),
        ("[1, 2]", 422),
        ('"a string"', 422),
        ('{"distance_km": 5, "distance_km": "x"}', 422),
    ],
    ids=["broken", "nan", "infinity", "not utf-8", "deep", "empty", "null", "list", "string", "repeated key"],
)
def test_unreadable_bodies_are_refused_never_a_server_error(api, raw, status):
    response = api.post(URL, raw=raw)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["detail"]
    assert not Run.objects.exists()


@pytest.mark.parametrize("size", [64 * 1024 + 1, 5 * 1024 * 1024])
def test_a_huge_body_is_answered_413_unread(api, size):
    body = json.dumps({"distance_km": 5.0, "notes": "x" * size})
    response = api.post(URL, raw=body)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is over 64 KB."}
    assert not Run.objects.exists()
