"""Offline first, on the server's side: the service worker's URL and headers, the manifest's
type, the token an outbox replay asks for, and one run however often a check-in is replayed.
The browser tests (tests/browser/test_offline_flow.py) take the phone offline."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.sessions.models import Session
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from checkins import offline
from checkins.models import Run
from tests.factories import PASSWORD, UserFactory
from tests.helpers import checkin_form

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_as_javascript_never_cached(client):
    response = client.get("/sw.js")
    assert reverse("service_worker") == "/sw.js"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    # The reminders' push handlers are imported near the top.
    assert f'importScripts("{static("js/sw-push.js")}");' in source.splitlines()[:3]
    assert f'importScripts("{static("js/outbox.js")}");' in source
    assert offline.shell_version() in source


def test_the_service_worker_keeps_the_shell_and_the_checkin_page_only(client):
    source = client.get("/sw.js").content.decode()
    config = re.search(r"const CONFIG = (\{.*?\});", source, re.S).group(1)
    for name in ("css/aftermath.css", "js/checkin.js", "js/offline.js", "icons/icon-192.png"):
        assert static(name) in config
    assert reverse("offline_page") in config
    assert f'"checkin": "{reverse("checkin_create")}"' in config
    for page in ("history", "data", "report"):
        assert f'"{reverse(page)}"' not in config, page


def test_the_version_changes_when_a_kept_file_changes(tmp_path, monkeypatch):
    kept = tmp_path / "aftermath.css"
    monkeypatch.setattr(offline.finders, "find", lambda name: str(kept))
    versions = []
    for content in (b"body { color: red }", b"body { color: blue }"):
        kept.write_bytes(content)
        offline._shell_hash_once.cache_clear()  # a deploy: new processes
        versions.append(offline.shell_version())
    offline._shell_hash_once.cache_clear()
    assert versions[0] != versions[1]


def test_in_development_the_version_follows_the_files_without_a_restart(tmp_path, monkeypatch, settings):
    settings.DEBUG = True
    kept = tmp_path / "aftermath.css"
    monkeypatch.setattr(offline.finders, "find", lambda name: str(kept))
    kept.write_bytes(b"body { color: red }")
    before = offline.shell_version()
    kept.write_bytes(b"body { color: blue }")
    assert offline.shell_version() != before


def test_the_manifest_is_served_as_a_manifest(client):
    response = client.get(static("manifest.webmanifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"


def test_the_manifest_names_its_icons_and_scope(client):
    manifest = json.loads(b"".join(client.get(static("manifest.webmanifest")).streaming_content))
    assert manifest["scope"] == "/" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(static(icon["src"])).status_code == 200, icon["src"]


def test_the_offline_page_is_the_same_for_everyone(client, runner_client, runner):
    anonymous = Client().get(reverse("offline_page")).content.decode()
    theirs = runner_client.get(reverse("offline_page")).content.decode()
    assert runner.email not in theirs and "data-runner" not in theirs
    assert re.sub(r'nonce="[^"]+"', "", anonymous) == re.sub(r'nonce="[^"]+"', "", theirs)
    assert f'href="{reverse("checkin_create")}"' in theirs


def test_pages_name_the_runner_only_when_logged_in(client, runner_client, runner):
    assert f'data-runner="{runner.pk}"' in runner_client.get(reverse("checkin_create")).content.decode()
    assert "data-runner" not in Client().get(reverse("login")).content.decode()


def test_the_outbox_token_says_who_is_logged_in_and_is_never_cached(runner_client, runner):
    response = runner_client.get(reverse("outbox_token"))
    assert "no-store" in response["Cache-Control"]
    assert response.json()["runner"] == runner.pk and response.json()["csrf"]
    # The units the page says it was typed in: the same word as the pages' data-units.
    assert response.json()["units"] == "km-c-ml-kg"
    assert 'data-units="km-c-ml-kg"' in runner_client.get(reverse("checkin_create")).content.decode()
    anonymous = Client().get(reverse("outbox_token"))
    assert anonymous.json() == {"runner": None, "csrf": None, "units": None}
    assert "csrftoken" not in anonymous.cookies  # no new CSRF cookie under a log-in page


def test_a_replay_needs_the_fresh_token_and_stores_one_run(runner):
    """A check-in kept on the phone carries the token of the page it was typed on; a log-in
    since rotates the secret, so the outbox asks for a fresh one first."""
    phone = Client(enforce_csrf_checks=True)
    login_page = phone.get(reverse("login")).content.decode()
    stale = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    logged_in = phone.post(
        reverse("login"), {"username": runner.email, "password": PASSWORD, "csrfmiddlewaretoken": stale}
    )
    assert logged_in.status_code == 302  # logging in rotates the CSRF secret
    body = checkin_form()
    url = reverse("checkin_create")
    refused = phone.post(url, {**body, "csrfmiddlewaretoken": stale}, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    fresh = phone.get(reverse("outbox_token")).json()["csrf"]
    answers = [
        phone.post(url, {**body, "csrfmiddlewaretoken": fresh}, headers={"HX-Request": "true"})
        for _ in range(3)
    ]
    runs = Run.objects.filter(runner=runner)
    assert runs.count() == 1
    assert {answer["HX-Redirect"] for answer in answers} == {reverse("run_detail", args=[runs.get().pk])}


def test_a_replay_after_the_session_ended_is_sent_to_log_in_and_stores_nothing(runner_client, runner):
    Session.objects.all().delete()
    response = runner_client.post(reverse("checkin_create"), checkin_form(), headers={"HX-Request": "true"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Run.objects.filter(runner=runner).exists()


def test_the_same_key_from_two_runners_is_two_runs(runner_client, runner, other_runner):
    """Keys are the runner's own: another runner's replay never lands on (or reveals) theirs."""
    body = checkin_form()
    runner_client.post(reverse("checkin_create"), body, headers={"HX-Request": "true"})
    theirs = Client()
    theirs.force_login(other_runner)
    theirs.post(reverse("checkin_create"), body, headers={"HX-Request": "true"})
    assert Run.objects.filter(runner=runner).count() == 1
    assert Run.objects.filter(runner=other_runner).count() == 1


def test_before_the_first_use_notice_the_worker_and_its_urls_are_not_redirected(client):
    newcomer = UserFactory()  # has not acknowledged that Aftermath is not a medical device
    client.force_login(newcomer)
    assert client.get(reverse("checkin_create")).status_code == 302  # the notice first
    for name in ("service_worker", "offline_page", "outbox_token"):
        assert client.get(reverse(name)).status_code == 200, name


def test_a_checkin_page_filled_in_from_a_watch_file_is_never_stored(runner_client):
    from checkins.transfer.import_jobs import keep_for_checkin

    session = runner_client.session
    keep_for_checkin(session, {"started_at": "2026-12-04T07:30:00+00:00", "distance_km": 21.1})
    session.save()
    filled = runner_client.get(reverse("checkin_create"))
    assert "21.1" in filled.content.decode() and filled["Aftermath-Phone-Copy"] == "never"
    plain = runner_client.get(reverse("checkin_create"))
    assert "Aftermath-Phone-Copy" not in plain
