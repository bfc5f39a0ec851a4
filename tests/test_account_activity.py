"""The runner's account activity: what is recorded (log-ins, failed log-ins, exports, share
links, tokens used at most once an hour), how little of where it came from, for how long,
and that each runner sees only their own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import AccessToken
from checkins.activity import (
    KEEP_DAYS,
    device_of,
    login_failed,
    network_of,
    prune_old_events,
    recent_events,
    record_event,
)
from checkins.models import AccountEvent
from checkins.transfer import share
from tests.factories import PASSWORD
from tests.helpers import parse

pytestmark = pytest.mark.django_db

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def kinds(runner) -> list[str]:
    return list(
        AccountEvent.objects.filter(runner=runner).order_by("at", "id").values_list("kind", flat=True)
    )


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1:2::5", "2001:db8:1::/48"),
        ("", ""),
        (None, ""),
        ("not an address", ""),
    ],
)
def test_only_the_network_of_an_address_is_kept(address, network):
    assert network_of(address) == network


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (PHONE, "Chrome on Android"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        ("Shortcuts/2.0 CFNetwork/1496 Darwin/23.0.0", "Shortcuts/2.0"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
        ("x" * 500, "x" * 60),
    ],
)
def test_the_device_is_a_short_name(agent, device):
    assert device_of(agent) == device


def test_an_unknown_kind_is_refused(runner):
    with pytest.raises(ValueError, match="Unknown account event"):
        record_event(runner, "teleported")


def test_a_log_in_is_recorded_with_network_and_device(runner):
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT=PHONE)
    response = client.post(reverse("login"), {"username": runner.email, "password": PASSWORD})
    assert response.status_code == 302
    event = AccountEvent.objects.get(runner=runner, kind="login")
    assert (event.network, event.device) == ("203.0.113.0/24", "Chrome on Android")
    assert "203.0.113.77" not in str(AccountEvent.objects.filter(pk=event.pk).values().get())


def test_a_failed_log_in_to_a_runners_address_is_theirs_to_see(runner, other_runner):
    client = Client(REMOTE_ADDR="198.51.100.8")
    client.post(reverse("login"), {"username": runner.email.upper(), "password": "not-it"})
    client.post(reverse("login"), {"username": "nobody@example.org", "password": "not-it"})
    assert kinds(runner) == ["login_failed"]
    assert kinds(other_runner) == []
    assert AccountEvent.objects.count() == 1


def test_a_failed_log_in_with_an_overlong_name_looks_nothing_up(runner, django_assert_num_queries):
    """(The log-in page's own answer to such a name is the security work's; here only the signal.)"""
    with django_assert_num_queries(0):
        login_failed(sender=None, credentials={"username": runner.email + "x" * 100_000}, request=None)
        login_failed(sender=None, credentials={}, request=None)


@pytest.mark.parametrize(("url_name", "detail"), [("export_json", "JSON"), ("export_csv", "CSV")])
def test_an_export_is_recorded(runner_client, runner, url_name, detail, django_capture_on_commit_callbacks):
    AccountEvent.objects.all().delete()  # the log-in of the fixture
    with django_capture_on_commit_callbacks(execute=True):
        assert runner_client.get(reverse(url_name)).status_code == 200
    event = AccountEvent.objects.get(runner=runner)
    assert (event.kind, event.detail) == ("export", detail)


def test_share_links_made_opened_and_revoked_are_recorded(runner_client, runner):
    AccountEvent.objects.all().delete()
    link, raw = share.issue(runner=runner, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), days=7)
    Client(REMOTE_ADDR="192.0.2.44").get(reverse("shared_report", args=[raw]))
    runner_client.post(reverse("share_link_revoke", args=[link.pk]))
    assert kinds(runner) == ["share_created", "share_opened", "share_revoked"]
    opened = AccountEvent.objects.get(kind="share_opened")
    assert opened.network == "192.0.2.0/24" and opened.detail == "Report 1 Jan 2026 to 31 Jan 2026"


def test_a_token_is_noted_at_most_once_an_hour(runner):
    _, raw = AccessToken.issue(runner=runner, name="iPhone shortcut", scope="read", days=30)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_USER_AGENT="Shortcuts/2.0")
    for _ in range(3):
        assert api.get("/api/v1/runs").status_code == 200
    assert kinds(runner) == ["token_used"]
    event = AccountEvent.objects.get(runner=runner)
    assert (event.detail, event.device) == ("iPhone shortcut", "Shortcuts/2.0")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        assert api.get("/api/v1/runs").status_code == 200
    assert kinds(runner) == ["token_used", "token_used"]
    # A refused token is not noted.
    Client(HTTP_AUTHORIZATION=f"Bearer {raw}x").get("/api/v1/runs")
    assert len(kinds(runner)) == 2


def test_events_are_kept_for_90_days(runner):
    with time_machine.travel(timezone.now() - dt.timedelta(days=KEEP_DAYS + 1)):
        record_event(runner, "export", detail="JSON")
    with time_machine.travel(timezone.now() - dt.timedelta(days=KEEP_DAYS - 1)):
        record_event(runner, "export", detail="CSV")
    assert AccountEvent.objects.filter(runner=runner).count() == 2
    record_event(runner, "login")
    assert [e.detail for e in recent_events(runner)] == ["", "CSV"]  # never listed past 90 days
    assert prune_old_events() == 1  # the worker's sweep (checkins.management.commands.worker)
    assert sorted(AccountEvent.objects.filter(runner=runner).values_list("detail", flat=True)) == ["", "CSV"]


def test_the_list_shows_a_runner_only_their_own(client, runner, other_runner):
    record_event(runner, "export", detail="JSON, mine")
    record_event(other_runner, "export", detail="CSV, theirs")
    client.force_login(runner)
    response = client.get(reverse("account_activity"))
    assert response["Cache-Control"] == "private, no-store"
    main = parse(response).find("main")
    rows = [li.text for li in main.find_all("li", cls="border-bottom")]
    assert any("Downloaded your data: JSON, mine" in row for row in rows)
    assert any(row.startswith("Logged in") for row in rows)  # force_login is a log-in too
    assert "theirs" not in main.text


def test_the_activity_page_needs_a_log_in(client):
    response = client.get(reverse("account_activity"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_whatever_its_length(
    runner_client, runner, count, django_assert_num_queries
):
    for _ in range(count):
        record_event(runner, "export", detail="JSON")
    # The session, the runner, their profile; the request's savepoint and its release; the events.
    with django_assert_num_queries(6):
        response = runner_client.get(reverse("account_activity"))
    assert len(response.context["events"]) == count + 1  # and the fixture's log-in
