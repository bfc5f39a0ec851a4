"""Reading, editing and deleting runs, the follow-up, the history and the export over HTTP;
and a second runner's token against every id of the first: 404 each, nothing changed."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.assessing import assess_run
from checkins.demo import bulk_log
from checkins.forms import HistoryFilter
from checkins.history import history_overview
from checkins.models import CheckIn, Run
from checkins.transfer.export import export_data
from tests.api.helpers import operations
from tests.factories import CheckInFactory, RunFactory

pytestmark = pytest.mark.django_db


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def week(runner):
    """Seven runs, one a day, newest first; twitching calves on the even days, quads on day 3."""
    runs = []
    for day in range(7):
        run = RunFactory(runner=runner, started_at=days_ago(day + 0.5), distance_km=5.0 + day)
        muscles = ["quads"] if day == 3 else ["calves"]
        CheckInFactory(run=run, twitching=day % 2 == 0 or day == 3, muscles=muscles)
        runs.append(run)
    return runs


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- The list ---------------------------------------------------------------------------


def test_runs_are_listed_newest_first_a_page_at_a_time(api, week):
    first = api.get("/api/v1/runs", {"page_size": 3})
    assert ids(first) == [run.pk for run in week[:3]]
    body = first.json()
    assert (body["count"], body["page"], body["pages"], body["page_size"]) == (7, 1, 3, 3)
    assert ids(api.get("/api/v1/runs", {"page_size": 3, "page": 3})) == [week[6].pk]
    assert ids(api.get("/api/v1/runs", {"page_size": 3, "page": 4})) == []
    assert ids(api.get("/api/v1/runs")) == [run.pk for run in week]  # 20 a page, as the history page
    item = body["items"][0]
    assert item["summary"] == "5 km · 55 min · easy run · twitching: calves"
    assert item["checkin"]["muscles"] == ["calves"] and "assessment" not in item


@pytest.mark.parametrize(
    "query",
    [
        {"twitching": "true"},
        {"muscle": "quads"},
        {"twitching": "true", "muscle": "calves"},
        {"start": "{d2}"},
        {"end": "{d2}"},
        {"start": "{d4}", "end": "{d2}", "twitching": "true"},
    ],
)
def test_the_filters_are_the_history_pages(api, runner, week, query):
    day = {f"d{n}": week[n].date.isoformat() for n in range(7)}
    query = {key: value.format(**day) for key, value in query.items()}
    page_query = {**query, "twitching": "on"} if "twitching" in query else query
    expected = HistoryFilter(page_query).apply(Run.objects.filter(runner=runner))
    assert ids(api.get("/api/v1/runs", query)) == list(expected.values_list("pk", flat=True))
    assert 0 < len(expected) < len(week)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ({"start": "2026-12-05", "end": "2026-01-01"}, "end"),
        ({"start": "1990-01-01"}, "start"),
        ({"start": "someday"}, "start"),
        ({"muscle": "tail"}, "muscle"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"twitching": "maybe"}, "twitching"),
    ],
)
def test_refused_filters_are_named(api, week, query, key):
    response = api.get("/api/v1/runs", query)
    assert response.status_code == 422 and list(response.json()["errors"]) == [key]


@pytest.mark.parametrize("size", [25, 80])
def test_the_list_and_a_run_take_the_same_queries_whatever_the_log(api, runner, size):
    bulk_log(runner, size, rng=random.Random(size), first_day_ago=1)
    latest = Run.objects.filter(runner=runner).first()
    expected = {
        # the token with its runner and profile, its rate-limit count; then the count and a page
        "/api/v1/runs": 4,
        "/api/v1/runs?page=2": 4,
        "/api/v1/runs?twitching=true&muscle=calves": 4,
        # the run with its check-in, its 35-day history
        f"/api/v1/runs/{latest.pk}": 4,
        # the whole log as answers
        "/api/v1/history": 3,
        # the profile, the runs with their check-ins, the experiments
        "/api/v1/export": 5,
    }
    api.get("/api/v1/runs")  # the token's first use is noted in the account activity (once an hour)
    for path, count in expected.items():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200
        assert len(queries) == count, (path, [q["sql"][:80] for q in queries])


# --- One run ----------------------------------------------------------------------------


def test_a_run_is_read_with_its_advice(api, runner, make_run):
    run = make_run(
        runner, checkin={"twitching": True, "muscles": ["calves"], "weakness": True}, temperature_c=30
    )
    body = api.get(f"/api/v1/runs/{run.pk}").json()
    assert body["run"]["id"] == run.pk and body["run"]["temperature_c"] == 30.0
    engine = assess_run(Run.objects.with_checkin().get(pk=run.pk), runner.profile)
    assert [flag["code"] for flag in body["assessment"]["red_flags"]] == [f.code for f in engine.red_flags]
    assert [cause["code"] for cause in body["assessment"]["causes"]] == [c.code for c in engine.causes]
    assert body["assessment"]["red_flags"][0]["code"] == "weakness"


def test_a_run_from_a_watch_file_has_no_check_in_yet(api, runner, make_run):
    run = make_run(runner)
    body = api.get(f"/api/v1/runs/{run.pk}").json()
    assert body["run"]["checkin"] is None
    assert body["assessment"]["headline"] == "No advice yet: say whether anything twitched after the run."


def test_an_edit_changes_the_keys_given_and_keeps_the_rest(api, runner, make_run):
    run = make_run(
        runner,
        checkin={"twitching": True, "muscles": ["calves"], "intensity": 4},
        distance_km=10.123456,
        temperature_c=21.5,
        notes="Windy.",
    )
    started = run.started_at
    response = api.patch(f"/api/v1/runs/{run.pk}", {"temperature_c": 29.0, "notes": None, "cramps": True})
    assert response.status_code == 200, response.content
    run = Run.objects.with_checkin().get(pk=run.pk)
    assert (run.temperature_c, run.notes, run.checkin.cramps) == (29.0, "", True)
    assert (run.distance_km, run.started_at, run.checkin.intensity) == (10.123456, started, 4)
    assert run.checkin.muscles == ["calves"]
    assert response.json()["run"]["temperature_c"] == 29.0
    assert Run.objects.filter(runner=runner).count() == 1


def test_an_edit_may_move_the_finish(api, runner, make_run):
    run = make_run(runner, checkin={"twitching": False}, duration_min=30.0)
    finish = days_ago(1).replace(microsecond=0)
    assert api.patch(f"/api/v1/runs/{run.pk}", {"finished_at": finish.isoformat()}).status_code == 200
    run.refresh_from_db()
    assert run.started_at == finish - dt.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"distance_km": 400.0}, "distance_km"),
        ({"started_at": None}, "started_at"),
        ({"started_at": "1980-01-01T00:00:00Z"}, "started_at"),
        ({"started_at": "2026-01-01T10:00:00Z", "finished_at": "2026-01-01T11:00:00Z"}, "finished_at"),
        ({"idempotency_key": "0b0d9bb8-6f3e-4ad6-9c0e-8b0f1f0b0b0b"}, "idempotency_key"),
        ({"distance_km": None, "duration_min": None, "twitching": None}, "twitching"),
    ],
)
def test_a_refused_edit_changes_nothing(api, runner, make_run, changes, key):
    run = make_run(runner, checkin={"twitching": True})
    before = Run.objects.filter(pk=run.pk).values().get()
    response = api.patch(f"/api/v1/runs/{run.pk}", changes)
    assert response.status_code == 422 and key in response.json()["errors"]
    assert Run.objects.filter(pk=run.pk).values().get() == before


def test_an_edit_adds_the_check_in_a_watch_files_run_lacks(api, runner, make_run):
    run = make_run(runner)
    response = api.patch(f"/api/v1/runs/{run.pk}", {"twitching": True, "muscles": ["shins"]})
    assert response.status_code == 200
    assert CheckIn.objects.get(run=run).muscles == ["shins"]


def test_a_run_is_deleted_with_its_check_in(api, runner, make_run):
    run = make_run(runner, checkin={"twitching": True})
    revision = runner.profile.log_revision
    response = api.delete(f"/api/v1/runs/{run.pk}")
    assert response.status_code == 204 and response.content == b""
    assert not Run.objects.filter(pk=run.pk).exists() and not CheckIn.objects.exists()
    runner.profile.refresh_from_db()
    assert runner.profile.log_revision > revision  # the cached pages that showed it are renewed
    assert api.get(f"/api/v1/runs/{run.pk}").status_code == 404


def test_a_follow_up_is_answered(api, runner, make_run):
    run = make_run(runner, checkin={"twitching": True, "muscles": ["calves"]}, started_at=days_ago(1))
    assert api.get(f"/api/v1/runs/{run.pk}").json()["run"]["followup_due"] is True
    response = api.post(
        f"/api/v1/runs/{run.pk}/followup", {"sleep_disrupted": True, "still_twitching": False}
    )
    assert response.status_code == 200
    checkin = CheckIn.objects.get(run=run)
    assert (checkin.sleep_disrupted, checkin.still_twitching, checkin.weakness) == (True, False, None)
    assert checkin.followup_at is not None
    body = response.json()
    assert body["run"]["followup_due"] is False and body["run"]["checkin"]["sleep_disrupted"] is True
    assert "sleep" in {flag["code"] for flag in body["assessment"]["red_flags"]}


def test_a_follow_up_needs_an_answer_and_a_check_in(api, runner, make_run):
    run = make_run(runner, checkin={"twitching": True})
    response = api.post(f"/api/v1/runs/{run.pk}/followup", {})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "sleep_disrupted",
        "still_twitching",
        "weakness",
        "daily_life_disrupted",
    }
    assert CheckIn.objects.get(run=run).followup_at is None
    bare = make_run(runner)
    response = api.post(f"/api/v1/runs/{bare.pk}/followup", {"weakness": True})
    assert response.status_code == 409 and not CheckIn.objects.filter(run=bare).exists()


# --- The history and the export -----------------------------------------------------------


def test_the_history_gives_the_pages_red_flags_and_patterns(api, runner):
    for day in (1, 5, 9, 13, 17, 21):
        run = RunFactory(
            runner=runner, started_at=days_ago(day), temperature_c=30.0 if day < 10 else 12.0, humidity_pct=60
        )
        CheckInFactory(run=run, twitching=True, muscles=["calves"], sleep_disrupted=day < 10)
    body = api.get("/api/v1/history").json()
    page = history_overview(
        runner, start=None, end=None, units=runner.profile.units, today=timezone.localdate()
    )
    assert [flag["code"] for flag in body["red_flags"]] == [flag["code"] for flag in page["flags"]]
    assert [flag["code"] for flag in body["red_flags"]] == ["persistent", "sleep"]
    sleep = body["red_flags"][1]
    assert [link["id"] for link in sleep["runs"]] == [link["pk"] for link in page["flags"][1]["links"]]
    assert [pattern["code"] for pattern in body["patterns"]] == [count.code for count in page["counts"]]
    hot = next(pattern for pattern in body["patterns"] if pattern["code"] == "hot_humid")
    assert (hot["with_runs"], hot["with_twitch"], hot["without_runs"]) == (3, 3, 3)
    # A period narrows the patterns, not the flags (those look at the last four weeks).
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    narrowed = api.get("/api/v1/history", {"start": since}).json()
    hot = next(pattern for pattern in narrowed["patterns"] if pattern["code"] == "hot_humid")
    assert (hot["with_runs"], hot["without_runs"]) == (3, 0)
    assert narrowed["red_flags"] == body["red_flags"]
    refused = api.get("/api/v1/history", {"start": "2026-12-05", "end": "2026-12-01"})
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["end"]


def test_the_export_is_the_data_pages(api, runner, make_run):
    make_run(runner, checkin={"twitching": True, "muscles": ["calves"]})
    body = api.get("/api/v1/export").json()
    expected = export_data(runner)
    assert body["format"] == "aftermath-export" and len(body["runs"]) == 1
    assert {**body, "exported_at": None} == {**expected, "exported_at": None}


# --- Another runner's ids -----------------------------------------------------------------

TAKES_RUN = [operation for operation in operations() if operation.takes_run]


def everything(runner) -> list:
    return [
        list(Run.objects.filter(runner=runner).order_by("pk").values()),
        list(CheckIn.objects.filter(run__runner=runner).order_by("pk").values()),
    ]


@pytest.mark.parametrize("operation", TAKES_RUN, ids=repr)
def test_another_runners_ids_are_not_found_and_nothing_changes(api, intruder, runner, week, operation):
    before = everything(runner)
    for run in week:
        response = intruder.call(operation, run.pk)
        assert response.status_code == 404, (operation, response.content)
        assert response.json() == {"detail": "Not found."}
    # The same as for an id that does not exist at all.
    assert intruder.call(operation, 10**9).json() == {"detail": "Not found."}
    assert everything(runner) == before
    assert api.call(operation, week[0].pk).status_code in (200, 204)  # their owner's token works


def test_another_runners_runs_are_in_none_of_the_lists(api, intruder, runner, week):
    mine = {run.pk for run in week}
    assert not mine & set(ids(intruder.get("/api/v1/runs")))
    assert intruder.get("/api/v1/history").json()["red_flags"] == []
    assert intruder.get("/api/v1/export").json()["runs"] == []
    assert ids(api.get("/api/v1/runs")) == [run.pk for run in week]


def test_the_history_page_and_the_api_agree_on_the_runs(api, runner_client, week):
    page = runner_client.get(reverse("history"))
    assert [row["run"].pk for row in page.context["rows"]] == ids(api.get("/api/v1/runs"))


@pytest.mark.parametrize(
    ("run_id", "status"), [("abc", 422), ("-1", 404), ("0", 404), ("9" * 30, 404), ("1.5", 422)]
)
def test_an_id_that_is_no_run_is_never_a_server_error(api, week, run_id, status):
    response = api.get(f"/api/v1/runs/{run_id}")
    assert response.status_code == status, response.content
