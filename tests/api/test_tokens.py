"""Personal access tokens: made on the settings' tokens page, shown once, stored as a hash,
revocable, with when each was last used; and the rate limit counted on the token's row."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from api.forms import MAX_ACTIVE_TOKENS
from api.models import AccessToken
from tests.api.helpers import ApiClient
from tests.helpers import main_of

pytestmark = pytest.mark.django_db

RAW_TOKEN = re.compile(r"aft_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def new_token(client, **fields) -> tuple[str, object]:
    data = {"name": "iPhone shortcut", "scope": "write", "days": "90", **fields}
    response = client.post(reverse("api_tokens"), data)
    assert response.status_code == 200
    found = RAW_TOKEN.findall(response.content.decode())
    assert len(found) == 1, found
    return found[0], response


def test_a_token_is_shown_once_and_stored_only_as_a_hash(runner_client, runner):
    raw, response = new_token(runner_client)
    assert "no-store" in response["Cache-Control"].split(", ")  # and private: every signed-in page
    token = AccessToken.objects.get(runner=runner)
    assert token.name == "iPhone shortcut" and token.scope == "write"
    assert token.secret_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"aft_{token.prefix}_")
    secret = raw[len(f"aft_{token.prefix}_") :]
    stored = " ".join(str(value) for value in AccessToken.objects.values().get())
    stored += " ".join(str(value) for value in AccessToken.objects.values_list().get())
    assert secret not in stored and raw not in stored
    # The page after it shows the prefix only.
    page = runner_client.get(reverse("api_tokens")).content.decode()
    assert raw not in page and secret not in page
    assert f"aft_{token.prefix}_…" in page


def test_a_token_expires_after_90_days_unless_told_otherwise(runner_client, runner):
    form = main_of(runner_client.get(reverse("api_tokens")))
    assert form.find("input", name="days", value="90").attrs.get("checked") is not None
    assert form.find("input", name="scope", value="read").attrs.get("checked") is not None
    new_token(runner_client)
    new_token(runner_client, name="Week", days="7", scope="read")
    soon = timezone.now()
    lasting = {t.name: t.expires_at - soon for t in AccessToken.objects.filter(runner=runner)}
    assert dt.timedelta(days=89, hours=23) < lasting["iPhone shortcut"] <= dt.timedelta(days=90)
    assert dt.timedelta(days=6, hours=23) < lasting["Week"] <= dt.timedelta(days=7)
    assert AccessToken.objects.get(name="Week").scope == "read"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"scope": "admin"}, "scope"),
        ({"days": "3650"}, "days"),
        ({"name": "x" * 61}, "name"),
    ],
)
def test_the_form_refuses_what_it_does_not_offer(runner_client, runner, fields, field):
    data = {"name": "Shortcut", "scope": "read", "days": "90", **fields}
    response = runner_client.post(reverse("api_tokens"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not AccessToken.objects.exists()
    assert not RAW_TOKEN.search(response.content.decode())


def test_the_list_says_when_each_token_was_last_used(runner_client, runner):
    raw, _ = new_token(runner_client)
    assert "never used" in main_of(runner_client.get(reverse("api_tokens"))).text
    assert ApiClient(raw).get("/api/v1/runs").status_code == 200
    token = AccessToken.objects.get(runner=runner)
    assert token.last_used_at is not None and timezone.now() - token.last_used_at < dt.timedelta(seconds=5)
    text = main_of(runner_client.get(reverse("api_tokens"))).text
    assert "never used" not in text and "last used" in text


def test_revoking_a_token_stops_it_at_once(runner_client, runner):
    raw, _ = new_token(runner_client)
    api = ApiClient(raw)
    assert api.get("/api/v1/runs").status_code == 200
    token = AccessToken.objects.get(runner=runner)
    response = runner_client.post(reverse("api_token_revoke"), {"token": token.pk}, follow=True)
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api.get("/api/v1/runs")
    assert refused.status_code == 401 and refused.json()["detail"] == "This token was revoked."
    # Revoked it stays, and its page shows no button to revoke it again.
    revoked_at = token.revoked_at
    runner_client.post(reverse("api_token_revoke"), {"token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    page = main_of(runner_client.get(reverse("api_tokens")))
    assert not page.find_all("input", name="token", value=str(token.pk))
    assert "Revoked" in page.text


def test_another_runners_token_cannot_be_revoked(client, runner, other_runner):
    token, raw = AccessToken.issue(runner=runner, name="Mine", scope="read", days=90)
    client.force_login(other_runner)
    for value in (token.pk, "", "x", "-1"):
        assert client.post(reverse("api_token_revoke"), {"token": value}).status_code == 404
    assert client.get(reverse("api_token_revoke"), {"token": token.pk}).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Mine" not in client.get(reverse("api_tokens")).content.decode()
    assert ApiClient(raw).get("/api/v1/runs").status_code == 200


def test_the_settings_page_links_to_the_tokens_page(runner_client):
    links = main_of(runner_client.get(reverse("profile"))).find_all("a", href=reverse("api_tokens"))
    assert len(links) == 1 and links[0].text == "Access tokens for apps and shortcuts"


def test_the_tokens_page_needs_a_log_in(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_runner_has_at_most_twenty_tokens_in_use(runner_client, runner):
    for number in range(MAX_ACTIVE_TOKENS):
        AccessToken.issue(runner=runner, name=f"t{number}", scope="read", days=90)
    response = runner_client.post(reverse("api_tokens"), {"name": "One more", "scope": "read", "days": "90"})
    assert "revoke one you no longer need first" in response.content.decode()
    assert AccessToken.objects.filter(runner=runner).count() == MAX_ACTIVE_TOKENS
    AccessToken.objects.filter(name="t0").get().revoke()
    new_token(runner_client, name="One more")


def test_a_prefix_already_taken_is_drawn_again(runner, monkeypatch):
    first, _ = AccessToken.issue(runner=runner, name="First", scope="read", days=90)
    draws = iter([first.prefix, "0123456789ab"])
    monkeypatch.setattr("api.models.secrets.token_hex", lambda n: next(draws))
    second, raw = AccessToken.issue(runner=runner, name="Second", scope="read", days=90)
    assert second.prefix == "0123456789ab" and raw.startswith("aft_0123456789ab_")
    assert AccessToken.find(raw) == second


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # the secret's last character
        lambda raw: raw.replace("aft_", "aftx_"),
        lambda raw: raw.rsplit("_", 1)[0],
        lambda raw: raw + "x" * 200,
        lambda raw: "",
    ],
)
def test_only_the_whole_token_is_found(runner, mangle):
    token, raw = AccessToken.issue(runner=runner, name="Mine", scope="read", days=90)
    assert AccessToken.find(raw) == token
    assert AccessToken.find(mangle(raw)) is None


# --- The rate limit -------------------------------------------------------------------

MINUTE = dt.datetime(2026, 12, 5, 7, 30, tzinfo=dt.UTC)


def test_the_rate_limit_counts_per_token_in_a_fixed_minute(runner):
    token, _ = AccessToken.issue(runner=runner, name="Mine", scope="read", days=90)
    other, _ = AccessToken.issue(runner=runner, name="Other", scope="read", days=90)
    for second in (0, 10, 20):
        assert token.count_request(3, MINUTE + dt.timedelta(seconds=second)) is None
    # The fourth in the same minute waits for the next one: 60 - 50 seconds.
    assert token.count_request(3, MINUTE + dt.timedelta(seconds=50)) == 10
    assert token.count_request(3, MINUTE + dt.timedelta(seconds=59.5)) == 1
    # Another token of the same runner has its own count.
    assert other.count_request(3, MINUTE + dt.timedelta(seconds=50)) is None
    # A new minute starts again at one.
    assert token.count_request(3, MINUTE + dt.timedelta(seconds=60)) is None
    token.refresh_from_db()
    assert token.window_count == 1 and token.window_start == MINUTE + dt.timedelta(seconds=60)
    assert token.last_used_at == MINUTE + dt.timedelta(seconds=60)


def test_the_count_is_the_rows_not_the_objects(runner):
    """Two copies of the token (two app servers) share one count: it lives in the database."""
    token, _ = AccessToken.issue(runner=runner, name="Mine", scope="read", days=90)
    copy = AccessToken.objects.get(pk=token.pk)
    assert token.count_request(2, MINUTE) is None
    assert copy.count_request(2, MINUTE + dt.timedelta(seconds=1)) is None
    assert token.count_request(2, MINUTE + dt.timedelta(seconds=2)) == 58
    assert copy.count_request(2, MINUTE + dt.timedelta(seconds=2)) == 58


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_the_limit(runner):
    """Eight workers' connections at once: exactly the limit is let through in a window."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    token, _ = AccessToken.issue(runner=runner, name="Busy", scope="read", days=90)

    def worker(_):
        try:
            mine = AccessToken.objects.get(pk=token.pk)
            return [mine.count_request(20, MINUTE + dt.timedelta(seconds=5)) for _ in range(5)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = [wait for batch in pool.map(worker, range(8)) for wait in batch]
    assert answers.count(None) == 20 and answers.count(55) == 20
    token.refresh_from_db()
    assert token.window_count == 20
