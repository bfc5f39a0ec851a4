"""Who may use the API: a valid token, for its own runner, within its scope and rate limit.
Every operation is walked from the OpenAPI description, so a new one is covered too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import AccessToken
from checkins.models import CheckIn, Run
from tests.api.helpers import ApiClient, operations

pytestmark = pytest.mark.django_db

OPERATIONS = operations()
WRITES = [operation for operation in OPERATIONS if operation.writes]


def test_the_walk_covers_reads_and_writes():
    ids = {operation.id for operation in OPERATIONS}
    assert {"checkin_create", "run_list", "run_read", "run_edit", "run_delete", "followup_answer"} <= ids
    assert {"history_read", "export_read"} <= ids
    assert {operation.id for operation in WRITES} == {
        "checkin_create",
        "run_edit",
        "run_delete",
        "followup_answer",
    }


def log_snapshot(runner) -> list:
    """Everything the runner's runs and check-ins hold, to compare before and after."""
    runs = list(Run.objects.filter(runner=runner).order_by("pk").values())
    checkins = list(CheckIn.objects.filter(run__runner=runner).order_by("pk").values())
    return [runs, checkins]


@pytest.fixture
def logged_run(runner, make_run):
    return make_run(runner, checkin={"twitching": True, "muscles": ["calves"]})


@pytest.mark.parametrize("operation", OPERATIONS, ids=repr)
@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer aft_000000000000_nope",
        "Token {token}",
        "{token}",
    ],
)
def test_every_operation_needs_a_valid_token(runner, make_token, logged_run, operation, header):
    token = make_token(runner)
    before = log_snapshot(runner)
    client = ApiClient()
    headers = {"Authorization": header.format(token=token)} if header is not None else {}
    response = client.call(operation, logged_run.pk, headers=headers)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith('Bearer realm="aftermath"')
    assert response.json()["detail"]
    assert log_snapshot(runner) == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=repr)
def test_a_logged_in_session_does_not_authenticate_the_api(runner, logged_run, operation):
    """The session cookie (and a CSRF token with it) is not a key to the API: no CSRF hole."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(runner)
    page = browser.get(reverse("checkin_create"))
    csrf = re.search(r'"x-csrftoken": "([^"]+)"', page.content.decode()).group(1)
    before = log_snapshot(runner)
    for headers in ({}, {"X-CSRFToken": csrf}):
        assert ApiClient(client=browser).call(operation, logged_run.pk, headers=headers).status_code == 401
    assert log_snapshot(runner) == before


@pytest.mark.parametrize("operation", WRITES, ids=repr)
def test_a_read_only_token_is_refused_every_write(reader, runner, logged_run, operation):
    before = log_snapshot(runner)
    response = reader.call(operation, logged_run.pk)
    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]
    assert log_snapshot(runner) == before


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if not op.writes], ids=repr)
def test_a_read_only_token_reads(reader, logged_run, operation):
    assert reader.call(operation, logged_run.pk).status_code == 200


@pytest.mark.parametrize(
    ("spoil", "detail"),
    [
        (lambda token: setattr(token, "expires_at", timezone.now() - dt.timedelta(seconds=1)), "expired"),
        (lambda token: setattr(token, "revoked_at", timezone.now()), "revoked"),
        (lambda token: setattr(token.runner, "is_active", False), "not valid"),
    ],
    ids=["expired", "revoked", "inactive runner"],
)
@pytest.mark.parametrize("operation", OPERATIONS, ids=repr)
def test_expired_and_revoked_tokens_are_refused(runner, make_token, logged_run, operation, spoil, detail):
    raw = make_token(runner)
    token = AccessToken.find(raw)
    spoil(token)
    token.save()
    token.runner.save()
    before = log_snapshot(runner)
    response = ApiClient(raw).call(operation, logged_run.pk)
    assert response.status_code == 401
    assert detail in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Bearer realm="aftermath", error="invalid_token"'
    assert log_snapshot(runner) == before


def test_a_token_works_until_the_moment_it_expires(runner, make_token):
    raw = make_token(runner)
    AccessToken.objects.update(expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert ApiClient(raw).get("/api/v1/runs").status_code == 200


# --- The rate limit over HTTP ------------------------------------------------------------


def test_past_the_rate_limit_a_token_is_answered_429_with_retry_after(settings, runner, make_token):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api, other = ApiClient(make_token(runner)), ApiClient(make_token(runner, name="Other"))
    AccessToken.objects.update(window_start=None)
    statuses = [api.get("/api/v1/runs").status_code for _ in range(3)]
    refused = api.post("/api/v1/checkins", {"distance_km": 5.0})
    if statuses != [200] * 3:  # the minute turned between two requests: count again in the new one
        statuses = [api.get("/api/v1/runs").status_code for _ in range(3)]
        refused = api.post("/api/v1/checkins", {"distance_km": 5.0})
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert f"try again in {refused['Retry-After']} s" in refused.json()["detail"]
    assert not Run.objects.exists()
    # Another token of the same runner has a count of its own.
    assert other.get("/api/v1/runs").status_code == 200
    # In the next window the token works again.
    AccessToken.objects.update(window_start=timezone.now() - dt.timedelta(minutes=2))
    assert api.post("/api/v1/checkins", {"distance_km": 5.0}).status_code == 201


def test_a_refused_token_is_not_counted_or_marked_used(settings, runner, make_token):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    raw = make_token(runner, scope="read")
    reader = ApiClient(raw)
    for _ in range(3):
        assert reader.post("/api/v1/checkins", {"distance_km": 5.0}).status_code == 403
    token = AccessToken.find(raw)
    assert token.last_used_at is None and token.window_count == 0
    assert reader.get("/api/v1/runs").status_code == 200
