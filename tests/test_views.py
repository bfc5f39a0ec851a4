"""Pages of the foundation: landing, home, security headers, static files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advice import DISCLAIMER
from tests.helpers import Tree

pytestmark = pytest.mark.django_db


def test_landing_page_explains_the_app_to_a_new_visitor(client):
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Twitching after a run?" in page
    assert reverse("signup") in page
    assert DISCLAIMER in page


def test_home_empty_state_for_a_new_runner(runner_client):
    response = runner_client.get(reverse("home"))
    assert response.status_code == 200
    assert "No runs logged yet." in response.content.decode()


def test_home_lists_only_this_runners_runs_newest_first(runner_client, runner, other_runner, make_run):
    import datetime as dt

    make_run(runner, started_at=dt.datetime(2026, 11, 1, 7, tzinfo=dt.UTC), distance_km=8.0)
    make_run(runner, started_at=dt.datetime(2026, 11, 3, 7, tzinfo=dt.UTC), distance_km=12.5)
    make_run(other_runner, distance_km=42.2)
    response = runner_client.get(reverse("home"))
    rows = response.context["runs"]
    assert [row["run"].distance_km for row in rows] == [12.5, 8.0]
    assert "42.2" not in response.content.decode()


def test_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    # The only inline-capable script (htmx) carries the nonce; no inline style anywhere.
    page = Tree(response.content.decode()).root
    assert {script.attrs.get("nonce") for script in page.find_all("script")} == {nonce}
    assert not [el for el in page.walk() if "style" in el.attrs] and not page.find_all("style")


def test_every_script_is_a_vendored_static_file(client):
    page = client.get(reverse("home")).content.decode()
    assert "cdn" not in page.lower()
    assert "/static/django_htmx/htmx-2.min.js" in page


def test_manifest_and_icons_are_served(client):
    from django.contrib.staticfiles import finders

    for name in ("manifest.webmanifest", "icons/icon-192.png", "icons/icon-512.png", "icons/icon.svg"):
        assert finders.find(name), name
    page = Tree(client.get(reverse("home")).content.decode()).root
    assert page.find("link", rel="manifest")


def test_skip_link_and_main_landmark(client):
    page = Tree(client.get(reverse("home")).content.decode()).root
    assert page.find("a", cls="skip-link").attrs["href"] == "#main"
    assert page.find("main", id="main")
