"""Share links to the report for a doctor: made, shown once and stored as a hash; opening the
report (live, for the link's period) and nothing else; expiry, revocation, headers that keep
the token out of caches, indexes and referrers; guessing throttled per client address."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.models import AccountEvent, CheckIn, RateCount, ShareLink
from checkins.transfer import share
from checkins.transfer.report import doctor_report
from tests.factories import RunFactory, UserFactory
from tests.helpers import PUBLIC, Tree, concrete, input_value, parse, url_patterns

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REPORT_MARK = "Warnings raised"  # a heading only the report has


def run_on(runner, days_ago: int, **checkin) -> None:
    run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago))
    CheckIn.objects.create(run=run, **checkin)


@pytest.fixture
def flagged(runner):
    """A runner with an urgent warning (cola-brown urine) 3 days ago and twitching 5 days ago."""
    run_on(runner, 3, twitching=True, muscles=["calves"], symptoms=["cola_urine"])
    run_on(runner, 5, twitching=True, muscles=["quads"], weakness=True)
    return runner


def make_link(client, **fields):
    """Post the share form; the new link's row and its URL, read from the page."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "start": (TODAY - dt.timedelta(days=30)).isoformat(),
        "end": TODAY.isoformat(),
        "days": "30",
        **fields,
    }
    response = client.post(reverse("share_links"), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    url = Tree(response.content.decode()).root.find("input", id="new-link").attrs["value"]
    return ShareLink.objects.get(pk=response.context["created"]["link"].pk), url


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def token_of(url: str) -> str:
    return path_of(url).split("/")[2]


def assert_not_kept(response):
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


# --- Making a link ------------------------------------------------------------------------


def test_a_link_is_shown_once_and_stored_only_as_a_hash(runner_client, runner):
    link, url = make_link(runner_client)
    token = token_of(url)
    assert len(token) == 43 and re.fullmatch(r"[\w-]+", token)
    assert url.startswith("http://testserver/shared/")
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in ShareLink.objects.filter(pk=link.pk).values().get().values()]
    assert not any(token in value for value in stored)
    again = runner_client.get(reverse("share_links"))
    assert token not in again.content.decode()
    assert again["Cache-Control"] == "private, no-store"


def test_the_link_expires_after_30_days_unless_told_otherwise(runner_client):
    page = runner_client.get(reverse("share_links"))
    assert page.context["form"]["days"].value() == 30
    link, _ = make_link(runner_client)
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    link, _ = make_link(runner_client, days="90")
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"days": "365"}, "days"),
        ({"days": "0"}, "days"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"start": "not a day"}, "start"),
        ({"start": (TODAY + dt.timedelta(days=3)).isoformat(), "end": ""}, "start"),
        ({"idempotency_key": "x"}, "idempotency_key"),
    ],
)
def test_a_wrong_answer_is_named_at_its_field_and_makes_no_link(runner_client, fields, field):
    data = {"idempotency_key": str(uuid.uuid4()), "start": "", "end": "", "days": "30", **fields}
    response = runner_client.post(reverse("share_links"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ShareLink.objects.exists()


def test_the_period_of_the_report_on_screen_is_offered(runner_client):
    response = runner_client.get(reverse("report"), {"start": "2026-01-05", "end": "2026-02-01"})
    share_href = parse(response).find("div", cls="report-actions").find("a").attrs["href"]
    assert share_href == reverse("share_links") + "?start=2026-01-05&end=2026-02-01"
    page = runner_client.get(share_href).content.decode()
    assert (input_value(page, "start"), input_value(page, "end")) == ("2026-01-05", "2026-02-01")


def test_a_double_tap_makes_one_link_whose_last_token_works(runner_client, runner):
    key = str(uuid.uuid4())
    _, first = make_link(runner_client, idempotency_key=key)
    _, second = make_link(runner_client, idempotency_key=key)
    assert ShareLink.objects.filter(runner=runner).count() == 1
    assert Client().get(path_of(second)).status_code == 200
    assert Client().get(path_of(first)).status_code == 404


def test_the_form_sent_again_later_keeps_the_first_link(runner_client, runner):
    """A reload of the answer re-sends the form: the link may be with a doctor already."""
    key = str(uuid.uuid4())
    _, first = make_link(runner_client, idempotency_key=key)
    with time_machine.travel(timezone.now() + share.DOUBLE_TAP + dt.timedelta(seconds=1)):
        data = {"idempotency_key": key, "start": "", "end": "", "days": "30"}
        response = runner_client.post(reverse("share_links"), data)
    assert response.status_code == 400
    assert "made its link already" in response.content.decode()
    assert response.context["created"] is None
    assert ShareLink.objects.filter(runner=runner).count() == 1
    assert Client().get(path_of(first)).status_code == 200
    # The form on that answer has a key of its own: sent, it makes a new link.
    fresh = input_value(response.content.decode(), "idempotency_key")
    assert fresh != key
    make_link(runner_client, idempotency_key=fresh)
    assert ShareLink.objects.filter(runner=runner).count() == 2


def test_the_settings_page_links_to_share_links_and_activity(runner_client):
    main = parse(runner_client.get(reverse("profile"))).find("main")
    hrefs = {a.attrs.get("href") for a in main.find_all("a")}
    assert {reverse("share_links"), reverse("account_activity")} <= hrefs


# --- Opening it ---------------------------------------------------------------------------


def test_the_link_opens_the_report_of_its_period_and_nothing_private(runner_client, flagged):
    link, url = make_link(runner_client, start=(TODAY - dt.timedelta(days=4)).isoformat())
    expected = doctor_report(flagged, flagged.profile, start=link.start, end=link.end)
    assert [flag["code"] for flag in expected["flags"]] == ["muscle_breakdown"]  # the quads run is before

    response = Client().get(path_of(url))
    assert response.status_code == 200
    assert_not_kept(response)
    root = parse(response)
    assert root.find("meta", name="robots").attrs["content"] == "noindex, nofollow"
    assert root.find("meta", name="referrer").attrs["content"] == "no-referrer"
    flags = [li.attrs["data-flag"] for li in root.find_all("li", cls="report-flag")]
    assert flags == ["muscle_breakdown"]
    assert expected["flags"][0]["title"] in root.find("li", cls="report-flag").text
    page = response.content.decode()
    assert flagged.email not in page
    assert "works until" in root.find("div", cls="shared-notice").text
    # No way into the app: no link but the one to skip to the content, and no form.
    assert [a.attrs.get("href") for a in root.find_all("a")] == ["#main"]
    assert root.find_all("form") == []


def test_the_report_is_the_log_as_it_is_when_opened(runner_client, runner):
    _, url = make_link(runner_client)
    assert 'data-flag="muscle_breakdown"' not in Client().get(path_of(url)).content.decode()
    run_on(runner, 1, twitching=True, symptoms=["cola_urine"])
    assert 'data-flag="muscle_breakdown"' in Client().get(path_of(url)).content.decode()


def test_a_logged_in_visitor_sees_no_navigation_of_their_own(runner_client, other_runner):
    _, url = make_link(runner_client)
    visitor = Client()
    visitor.force_login(other_runner)
    root = parse(visitor.get(path_of(url)))
    assert root.find_all("nav") == []
    assert [a.attrs.get("href") for a in root.find_all("a")] == ["#main"]


def test_a_visitor_new_to_aftermath_is_not_sent_to_its_first_use_notice(runner_client):
    _, url = make_link(runner_client)
    visitor = Client()
    visitor.force_login(UserFactory())  # logged in, the notice not acknowledged yet
    response = visitor.get(path_of(url))
    assert response.status_code == 200 and REPORT_MARK in response.content.decode()
    assert visitor.get(reverse("history")).status_code == 302  # elsewhere it comes first as ever


def test_openings_are_counted_on_the_link_and_noted_once_an_hour(runner_client, runner):
    link, url = make_link(runner_client)
    for _ in range(3):
        assert Client().get(path_of(url)).status_code == 200
    link.refresh_from_db()
    assert link.open_count == 3 and link.last_opened_at is not None
    assert AccountEvent.objects.filter(runner=runner, kind="share_opened").count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        Client().get(path_of(url))
    assert AccountEvent.objects.filter(runner=runner, kind="share_opened").count() == 2
    listed = runner_client.get(reverse("share_links")).content.decode()
    assert "opened 4 times" in listed


# --- Expiry and revocation ----------------------------------------------------------------


def test_a_link_works_until_it_expires_then_shows_no_data(runner_client, flagged):
    link, url = make_link(runner_client, days="7")
    with time_machine.travel(link.expires_at - dt.timedelta(seconds=5)):
        assert Client().get(path_of(url)).status_code == 200
    with time_machine.travel(link.expires_at + dt.timedelta(seconds=1)):
        response = Client().get(path_of(url))
        listed = runner_client.get(reverse("share_links"))
    assert response.status_code == 410
    assert_not_kept(response)
    assert REPORT_MARK not in response.content.decode() and "data-flag" not in response.content.decode()
    assert "no longer opens" in response.content.decode()
    assert "Expired" in listed.content.decode()


def test_a_revoked_link_opens_nothing(runner_client, runner, flagged):
    link, url = make_link(runner_client)
    assert Client().get(path_of(url)).status_code == 200
    response = runner_client.post(reverse("share_link_revoke", args=[link.pk]), follow=True)
    assert (
        "The link to your report of " in response.content.decode()
        and "is revoked" in response.content.decode()
    )
    assert "Revoked" in response.content.decode()
    gone = Client().get(path_of(url))
    assert gone.status_code == 410 and "data-flag" not in gone.content.decode()
    # Revoking again changes nothing (its date stays), and there is no button for it.
    revoked_at = ShareLink.objects.get(pk=link.pk).revoked_at
    runner_client.post(reverse("share_link_revoke", args=[link.pk]))
    assert ShareLink.objects.get(pk=link.pk).revoked_at == revoked_at
    assert AccountEvent.objects.filter(runner=runner, kind="share_revoked").count() == 1


def test_another_runner_neither_sees_nor_revokes_your_links(runner_client, client, runner, other_runner):
    link, url = make_link(runner_client)
    client.force_login(other_runner)
    assert client.post(reverse("share_link_revoke", args=[link.pk])).status_code == 404
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None
    theirs = client.get(reverse("share_links"))
    assert theirs.context["links"] == []
    assert f'data-share-link="{link.pk}"' not in theirs.content.decode()
    assert Client().get(path_of(url)).status_code == 200


def test_a_deactivated_runners_links_open_nothing(runner_client, runner):
    _, url = make_link(runner_client)
    runner.is_active = False
    runner.save()
    assert Client().get(path_of(url)).status_code == 410


# --- The token opens that report only -----------------------------------------------------


def test_the_token_opens_no_other_page(runner_client, runner, flagged):
    """Every URL of the app, with the token in its query string, to a visitor without a
    session: the private ones send them to log in, the public ones show no report."""
    link, url = make_link(runner_client)
    token = token_of(url)
    visitor = Client()
    for route, name in url_patterns():
        if name == "shared_report":
            continue
        path = concrete(route.replace("<uidb64>", "MQ").replace("<token>", token), link.pk)
        for query in ({"token": token}, {"t": token, "share": token}):
            response = visitor.get(path, query)
            body = response.content.decode(errors="replace")
            assert REPORT_MARK not in body and "data-flag" not in body, name
            if name not in PUBLIC:
                assert response.status_code == 302, (name, response.status_code)
                assert response["Location"].startswith("/accounts/login/"), name
    # Nor does the token in another place of the path.
    for path in (f"/shared/{token}/export.json", f"/data/export.json?token={token}", f"/shared/{token}x/"):
        assert visitor.get(path).status_code in (302, 404), path


@pytest.mark.parametrize("path", ["/api/v1/runs", "/api/v1/export", "/api/v1/history"])
def test_the_api_refuses_the_token(runner_client, path):
    _, url = make_link(runner_client)
    token = token_of(url)
    for header in (f"Bearer {token}", f"Bearer aft_{token}", token):
        response = Client().get(path, headers={"Authorization": header})
        assert response.status_code == 401, (header, response.status_code)
    assert Client().get(path, {"token": token}).status_code == 401


# --- Guessing -----------------------------------------------------------------------------


def test_guessing_is_throttled_per_client_address(runner_client, settings):
    _, url = make_link(runner_client)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(share.GUESS_LIMIT):
        response = guesser.get(f"/shared/{'A' * 43}{n}/")
        assert response.status_code == 404, n
        assert_not_kept(response)
    refused = guesser.get(f"/shared/{'B' * 43}/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= share.GUESS_WINDOW_SECONDS
    assert_not_kept(refused)
    # Even the right link waits, from that address; another address opens it.
    assert guesser.get(path_of(url)).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.4").get(path_of(url)).status_code == 200
    # The address is kept only as an HMAC.
    assert not RateCount.objects.filter(key__contains="203.0.113").exists()
    assert RateCount.objects.get().count == share.GUESS_LIMIT
    # The next window starts afresh (and the old window's row is dropped with the next failure).
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=share.GUESS_WINDOW_SECONDS)):
        assert guesser.get(path_of(url)).status_code == 200
        assert guesser.get(f"/shared/{'C' * 43}/").status_code == 404
        assert RateCount.objects.get().count == 1


def test_the_right_link_is_not_counted_as_a_guess(runner_client):
    link, url = make_link(runner_client)
    for _ in range(share.GUESS_LIMIT + 2):
        assert Client().get(path_of(url)).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    for _ in range(share.GUESS_LIMIT + 2):
        assert Client().get(path_of(url)).status_code == 410
    assert not RateCount.objects.exists()


def test_a_long_token_is_refused_without_a_query(django_assert_max_num_queries):
    """No link is looked up for a token no link can have (it still counts as a guess)."""
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/shared/" + "x" * 5000 + "/").status_code == 404
    assert not [q["sql"] for q in queries if "checkins_sharelink" in q["sql"]]
    assert RateCount.objects.get().count == 1


def test_only_get_opens_a_link(runner_client):
    _, url = make_link(runner_client)
    assert Client().post(path_of(url)).status_code in (403, 405)
    assert Client().head(path_of(url)).status_code == 405


# --- The list page ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_takes_the_same_queries_whatever_the_number_of_links(
    runner_client, runner, count, django_assert_num_queries
):
    for n in range(count):
        share.issue(runner=runner, start=TODAY, end=TODAY, days=1 + n % 90)
    runner_client.get(reverse("share_links"))
    # The session, the runner, their profile; the request's savepoint and its release; the links.
    with django_assert_num_queries(6):
        response = runner_client.get(reverse("share_links"))
    assert len(response.context["links"]) == count


# --- Any answer: never a server error -----------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.one_of(st.text(max_size=20), st.dates().map(str)),
    end=st.one_of(st.text(max_size=20), st.dates().map(str)),
    days=st.one_of(st.text(max_size=5), st.integers(-5, 400).map(str)),
)
def test_any_answer_to_the_share_form_is_a_page_not_an_error(runner_client, start, end, days):
    data = {"idempotency_key": str(uuid.uuid4()), "start": start, "end": end, "days": days}
    response = runner_client.post(reverse("share_links"), data)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        link = response.context["created"]["link"]
        assert link.start <= link.end and link.expires_at <= timezone.now() + dt.timedelta(days=90)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(min_size=1, max_size=200).filter(lambda t: "/" not in t and t not in (".", "..")))
def test_any_token_is_a_page_not_an_error(client, token):
    RateCount.objects.all().delete()  # each example its own window
    response = client.get(reverse("shared_report", args=[token]))
    assert response.status_code == 404
