"""Pages cached per revision of the runner's log: never stale, per-request parts filled in.

Also the log revision itself (every write path bumps it) and the transaction
modes on SQLite (read-only pages take no write lock; a check-in holds it only
while it inserts).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.demo import bulk_log
from checkins.models import CheckIn, Profile, Run
from checkins.pagecache import sentinels
from tests.factories import METRIC_PROFILE_FORM, RunFactory
from tests.helpers import Tree, checkin_form

pytestmark = pytest.mark.django_db

CACHED_PAGES = ["home", "history", "tips", "tips_cooldown", "tips_hydration", "tips_fuelling"]


def revision(runner) -> int:
    return Profile.objects.get(runner=runner).log_revision


def post_checkin(client, **overrides):
    form = checkin_form()
    form.update(idempotency_key=str(uuid.uuid4()), **overrides)
    return client.post(reverse("checkin_create"), form)


# --- The revision follows every change -----------------------------------------


def test_every_kind_of_write_bumps_the_revision(runner, make_run):
    seen = [revision(runner)]

    def bumped():
        seen.append(revision(runner))
        return seen[-1] > seen[-2]

    run = make_run(runner, checkin={"twitching": True})
    assert bumped()
    run.checkin.intensity = 3
    run.checkin.save()
    assert bumped()
    run.distance_km = 12
    run.save()
    assert bumped()
    Run.objects.filter(pk=run.pk).update(effort=7)
    assert bumped()
    CheckIn.objects.filter(run=run).update(cramps=True)
    assert bumped()
    CheckIn.objects.filter(run=run).delete()
    assert bumped()
    Run.objects.bulk_create([Run(runner=runner, started_at=timezone.now(), date=timezone.localdate())])
    assert bumped()
    bulk_log(runner, 5, rng=random.Random(1))
    assert bumped()
    runner.runs.all().delete()
    assert bumped()


def test_a_change_bumps_only_its_own_runners_revision(runner, other_runner, make_run):
    before = revision(other_runner)
    make_run(runner, checkin={"twitching": True})
    assert revision(other_runner) == before


def test_a_check_in_is_one_bump_and_one_write_transaction(runner_client, runner):
    before = revision(runner)
    with CaptureQueriesContext(connection) as queries:
        assert post_checkin(runner_client).status_code == 302
    assert revision(runner) == before + 1
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE"}]
    assert len(writes) == 3, writes  # the run, the check-in, the revision


def test_the_revision_rolls_back_with_a_failed_change(runner):
    before = revision(runner)
    with pytest.raises(RuntimeError), transaction.atomic():
        RunFactory(runner=runner)
        raise RuntimeError
    assert revision(runner) == before


# --- Pages follow the log, the profile, the day ----------------------------------


def without_tokens(html: str) -> str:
    """The page less what differs per response (the CSRF token, the nonce)."""
    html = re.sub(r'(nonce=")[^"]+"', r"\1", html)
    html = re.sub(r'("x-csrftoken": ")[^"]+"', r"\1", html)
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r"\1", html)


@pytest.mark.parametrize("name", CACHED_PAGES)
def test_a_cached_page_follows_a_new_check_in(runner_client, runner, name):
    url = reverse(name)
    first = without_tokens(runner_client.get(url).content.decode())
    assert without_tokens(runner_client.get(url).content.decode()) == first  # the same page, cached
    # Scales before and after, so that the drinking tips have a sweat rate to work from.
    post_checkin(
        runner_client, temperature="31", duration_min="85", fluid="250", weight_before="70", weight_after="69"
    )
    again = without_tokens(runner_client.get(url).content.decode())
    if name == "tips":
        assert again == first  # the tips index shows nothing of the log
    else:
        assert again != first
    if name in {"home", "history"}:
        assert "85 min" in again and "85 min" not in first


def test_history_and_guidance_show_an_edit_at_once(runner_client, runner, make_run):
    run = make_run(runner, checkin={"twitching": True, "muscles": ["calves"], "intensity": 5})
    detail = reverse("run_detail", args=[run.pk])
    assert "calves" in runner_client.get(reverse("history")).content.decode().lower()
    assert runner_client.get(detail).status_code == 200
    run.checkin.muscles = ["quads"]
    run.checkin.save()
    history = runner_client.get(reverse("history")).content.decode()
    assert "twitching 5/10: quads" in history and "twitching 5/10: calves" not in history
    assert "twitching 5/10: quads" in runner_client.get(detail).content.decode()


def test_a_cached_page_follows_the_profile(runner_client, runner, make_run):
    make_run(runner, distance_km=10.0, checkin={"twitching": False})
    assert "10 km" in runner_client.get(reverse("history")).content.decode()
    profile = Profile.objects.get(runner=runner)
    profile.distance_unit = "mi"
    profile.save()
    page = runner_client.get(reverse("history")).content.decode()
    assert "6.2 mi" in page and "10 km" not in page


def test_a_cached_page_follows_the_day(runner_client, runner, make_run):
    """The follow-up prompt appears the morning after: the day is part of the key."""
    run = make_run(runner, started_at=timezone.now(), checkin={"twitching": True, "intensity": 5})
    followup = reverse("followup", args=[run.pk])
    assert followup not in runner_client.get(reverse("home")).content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        assert followup in runner_client.get(reverse("home")).content.decode()


def test_htmx_rows_and_the_full_page_are_cached_apart(runner_client, runner, make_run):
    for _ in range(25):
        make_run(runner, checkin={"twitching": False})
    url = reverse("history") + "?page=2"
    full = Tree(runner_client.get(url).content.decode()).root
    rows = Tree(runner_client.get(url, headers={"HX-Request": "true"}).content.decode()).root
    assert full.find_all("html") and not rows.find_all("html")
    assert Tree(runner_client.get(url).content.decode()).root.find_all("html")


def test_the_history_overview_kept_for_another_filter_is_never_stale(runner_client, runner, make_run):
    """A filter of the runs reuses the overview of its period (its data and its rendering)
    while the log, profile and day are the same; the page is the one a first visit renders."""
    make_run(runner, checkin={"twitching": True, "muscles": ["calves"], "intensity": 5})
    url = reverse("history") + "?twitching=on&muscle=calves"
    charts = {"checkins/_chart_calendar.html", "checkins/_chart_bodymap.html"}
    first = runner_client.get(reverse("history") + "?twitching=on")  # keeps the overview
    assert charts <= {t.name for t in first.templates}
    response = runner_client.get(url)
    assert not charts & {t.name for t in response.templates}, "the overview was rendered again"
    reused = without_tokens(response.content.decode())
    cache.clear()
    assert without_tokens(runner_client.get(url).content.decode()) == reused
    runner_client.get(reverse("history") + "?twitching=on")
    make_run(runner, checkin={"twitching": True, "muscles": ["quads"], "intensity": 7})
    page = Tree(runner_client.get(url).content.decode()).root
    heatmap = next(f for f in page.find_all("figure") if f.find_all("svg", cls="bodymap"))
    assert heatmap.find("h3").text.endswith("(2 runs with twitching)")
    profile = Profile.objects.get(runner=runner)
    profile.temperature_unit = "f"
    profile.save()
    runner_client.get(reverse("history") + "?twitching=on")
    make_run(runner, temperature_c=30.0, checkin={"twitching": False})
    assert "86 °F" in runner_client.get(url).content.decode()


def test_one_runner_never_gets_anothers_cached_page(client, runner, other_runner, make_run):
    make_run(runner, checkin={"twitching": True, "muscles": ["face"], "intensity": 9})
    client.force_login(runner)
    assert "twitching 9/10: face" in client.get(reverse("history")).content.decode()
    client.force_login(other_runner)
    assert "twitching 9/10" not in client.get(reverse("history")).content.decode()


# --- What differs per request is filled in per request ----------------------------


def test_csrf_token_and_nonce_are_fresh_in_every_cached_copy(runner_client):
    csrf_sentinel, nonce_sentinel = sentinels()
    pages = [runner_client.get(reverse("history")) for _ in range(3)]
    nonces = set()
    for page in pages:
        html = page.content.decode()
        assert csrf_sentinel not in html and nonce_sentinel not in html
        nonce = re.search(r'<script [^>]*nonce="([^"]+)"', html).group(1)
        assert set(re.findall(r'nonce="([^"]+)"', html)) == {nonce}  # the inline colour mode and htmx
        assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
        nonces.add(nonce)
    assert len(nonces) == 3


def test_the_csrf_token_of_a_cached_page_is_accepted(runner, make_run, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(runner)
    run = make_run(runner, checkin={"twitching": True, "intensity": 4})
    detail = reverse("run_detail", args=[run.pk])
    strict.get(detail)
    html = strict.get(detail).content.decode()  # the cached copy
    token = re.search(r'"x-csrftoken": "([^"]+)"', html).group(1)
    response = strict.post(reverse("run_delete", args=[run.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Run.objects.filter(pk=run.pk).exists()


def test_a_message_is_shown_once_and_never_cached(runner_client):
    runner_client.get(reverse("home"))  # cached without a message
    response = runner_client.post(reverse("profile"), METRIC_PROFILE_FORM)
    assert response.status_code == 302
    assert "Your settings are saved." in runner_client.get(reverse("home")).content.decode()
    assert "Your settings are saved." not in runner_client.get(reverse("home")).content.decode()


def test_a_cache_hit_reads_nothing_of_the_log(runner_client, runner, make_run):
    for _ in range(3):
        make_run(runner, checkin={"twitching": True, "intensity": 4})
    runner_client.get(reverse("history"))
    with CaptureQueriesContext(connection) as queries:
        assert runner_client.get(reverse("history")).status_code == 200
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3, statements  # session, runner, profile: as for any page
    assert not any("checkins_run" in sql or "checkins_checkin" in sql for sql in statements)


# --- Transactions on SQLite --------------------------------------------------------


def begins(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("BEGIN")]


@pytest.mark.django_db(transaction=True)
def test_read_only_pages_take_no_write_lock_and_check_ins_take_it_briefly(client, django_user_model):
    runner = django_user_model.objects.create_user("modes@example.org", "a-long-password-42")
    runner.profile.acknowledge_notice()
    client.force_login(runner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("history")).status_code == 200
    if connection.vendor != "sqlite":  # PostgreSQL: nothing to change, and nothing changed
        assert not hasattr(connection, "transaction_mode")
        assert post_checkin(client).status_code == 302
        return
    assert begins(queries) == ["BEGIN DEFERRED"]
    assert connection.transaction_mode == "IMMEDIATE"  # restored after the request
    with CaptureQueriesContext(connection) as queries:
        assert post_checkin(client).status_code == 302
    assert begins(queries) == ["BEGIN IMMEDIATE"]
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    locked = statements[statements.index("BEGIN") + 1 : statements.index("COMMIT")]
    assert sorted(locked) == ["INSERT", "INSERT", "UPDATE"]  # run, check-in, one revision bump
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("profile"))
    assert "BEGIN DEFERRED" not in begins(queries)


def test_deleting_many_runs_is_one_bump_and_no_query_per_row(runner, make_run, django_assert_max_num_queries):
    for _ in range(30):
        make_run(runner, checkin={"twitching": True})
    before = revision(runner)
    Run.objects.filter(runner=runner, pk__in=runner.runs.values("pk")[:10]).delete()
    assert revision(runner) == before + 1
    assert runner.runs.count() == 20
    # One or two per table a runner owns (runs, check-ins, share links, reminders, devices...),
    # not one or three per run and check-in (20 runs here).
    with django_assert_max_num_queries(32):
        runner.forget()
    assert not Run.objects.filter(runner_id=runner.pk).exists()
    assert not CheckIn.objects.filter(run__runner_id=runner.pk).exists()


def test_an_imported_export_is_one_bump_and_shows_at_once(runner, other_runner, make_run, client):
    from checkins.transfer.export import export_data, import_data

    for km in (5.0, 7.0, 9.0):
        make_run(other_runner, distance_km=km, checkin={"twitching": True, "intensity": 3})
    client.force_login(runner)
    assert "9 km" not in client.get(reverse("history")).content.decode()  # now cached
    before = revision(runner)
    with transaction.atomic():
        imported, skipped, refusals = import_data(runner, export_data(other_runner))
    assert (imported, skipped, refusals) == (3, 0, [])
    assert revision(runner) == before + 1
    assert "9 km" in client.get(reverse("history")).content.decode()


def test_saving_a_profile_loaded_earlier_never_moves_the_revision_back(runner_client, runner):
    stale = Profile.objects.get(runner=runner)  # e.g. a settings form opened before the run was logged
    post_checkin(runner_client)
    bumped = revision(runner)
    assert bumped == stale.log_revision + 1
    stale.distance_unit = "mi"
    stale.save()
    assert revision(runner) == bumped
    assert Profile.objects.get(runner=runner).distance_unit == "mi"


def test_a_run_moved_to_another_runner_changes_both_logs(runner, other_runner, make_run):
    run = make_run(runner, checkin={"twitching": True})
    first, second = revision(runner), revision(other_runner)
    moved = Run.objects.get(pk=run.pk)
    moved.runner = other_runner
    moved.save()
    assert (revision(runner), revision(other_runner)) == (first + 1, second + 1)
    Run.objects.filter(pk=run.pk).update(runner=runner)
    assert (revision(runner), revision(other_runner)) == (first + 2, second + 2)


def test_nested_blocks_note_every_runner_once(runner, other_runner, make_run):
    from checkins.logrevision import one_log_change

    first, second = revision(runner), revision(other_runner)
    with transaction.atomic(), one_log_change(runner.pk):
        make_run(runner, checkin={"twitching": True})
        with one_log_change(other_runner.pk):
            make_run(other_runner)
        Run.objects.filter(runner=runner).update(effort=9)
    assert (revision(runner), revision(other_runner)) == (first + 1, second + 1)
