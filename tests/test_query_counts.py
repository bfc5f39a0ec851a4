"""Query counts of every list-like page, the wger way: one exact count at two sizes of the
runner's log, so a query per row (N+1) fails here; for a page the page cache serves, one
count when it is rendered (a miss) and one when it comes from the cache (a hit)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.demo import bulk_log
from checkins.models import Experiment, ImportJob

pytestmark = pytest.mark.django_db

SIZES = (25, 80)  # runs in the log: both more than one history page (20 rows)

# Every request: the session, the runner, their profile; the request's transaction
# (a savepoint under the test's own, and its release).
EVERY_REQUEST = 5
FILTERS = "?twitching=on&muscle=calves&start=2026-01-01"
# (page, its URL, sent by htmx, queries when rendered, queries from the page cache or None)
PAGES = [
    # the recent runs with their check-ins (one join), the latest run's 35-day history,
    # the recent check-ins with unread flags, the open follow-up
    ("home", reverse("home"), False, EVERY_REQUEST + 4, EVERY_REQUEST),
    # the count, a page of runs, what the counts and charts read of every run, the last
    # four weeks' answers behind the banners, the experiments and the runs of their days
    ("history", reverse("history"), False, EVERY_REQUEST + 6, EVERY_REQUEST),
    ("history, filtered", reverse("history") + FILTERS, False, EVERY_REQUEST + 6, EVERY_REQUEST),
    # "Older runs": the count and the next page of rows, nothing above the list
    ("history rows, page 2", reverse("history") + "?page=2", True, EVERY_REQUEST + 2, EVERY_REQUEST),
    ("tips", reverse("tips"), False, EVERY_REQUEST, EVERY_REQUEST),
    # each tips page: the runner's answers
    ("tips: cool-down", reverse("tips_cooldown"), False, EVERY_REQUEST + 1, EVERY_REQUEST),
    (
        "tips: drinking",
        reverse("tips_hydration") + "?temperature=28",
        False,
        EVERY_REQUEST + 1,
        EVERY_REQUEST,
    ),
    ("tips: fuelling", reverse("tips_fuelling"), False, EVERY_REQUEST + 1, EVERY_REQUEST),
    # the answers of the period, the experiments and the runs of their days; not cached (a page to print)
    ("report", reverse("report"), False, EVERY_REQUEST + 3, None),
    # the open red flags, the experiments and the runs of their days
    ("experiments", reverse("experiments"), False, EVERY_REQUEST + 3, EVERY_REQUEST),
    # the five newest imports; not cached
    ("import list", reverse("import_page"), False, EVERY_REQUEST + 1, None),
]


def fill_log(runner, size: int) -> None:
    """`size` runs with check-ins, a few of them recent with a red flag not yet read, one
    with a follow-up still open, and some imports."""
    bulk_log(runner, size, rng=random.Random(size), first_day_ago=3)
    for days_ago, weak in ((1, False), (2, True), (3, True)):
        run_day = timezone.now() - dt.timedelta(days=days_ago)
        from tests.factories import CheckInFactory, RunFactory

        CheckInFactory(
            run=RunFactory(runner=runner, started_at=run_day),
            twitching=True,
            muscles=["calves"],
            intensity=5,
            weakness=weak,
        )
    ImportJob.objects.bulk_create(ImportJob(runner=runner, filename=f"{n}.fit") for n in range(size // 10))
    today = timezone.localdate()  # past experiments, one every 20 days of the log
    Experiment.objects.bulk_create(
        Experiment(
            runner=runner,
            change="cooldown_walk",
            weeks=2,
            start_day=today - dt.timedelta(days=days),
            active=False,
        )
        for days in range(20, size, 20)
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("url", "htmx", "rendered", "cached"),
    [pytest.param(url, htmx, rendered, cached, id=page) for page, url, htmx, rendered, cached in PAGES],
)
def test_a_list_page_makes_the_same_queries_whatever_the_logs_length(
    runner_client, runner, django_assert_num_queries, size, url, htmx, rendered, cached
):
    fill_log(runner, size)
    headers = {"HX-Request": "true"} if htmx else {}
    with django_assert_num_queries(rendered):
        assert runner_client.get(url, headers=headers).status_code == 200
    with django_assert_num_queries(cached if cached is not None else rendered):
        assert runner_client.get(url, headers=headers).status_code == 200  # the same log again


@pytest.mark.parametrize("size", SIZES)
def test_another_filter_of_the_same_period_reads_only_its_runs(
    runner_client, runner, django_assert_num_queries, size
):
    """The overview (banners, counts, charts) is the same for every filter of a period:
    worked out once (checkins.pagecache.from_log), a changed filter reads only its runs."""
    fill_log(runner, size)
    assert runner_client.get(reverse("history") + "?twitching=on").status_code == 200
    with django_assert_num_queries(EVERY_REQUEST + 2):  # the count and a page of runs
        assert runner_client.get(reverse("history") + "?twitching=on&muscle=calves").status_code == 200
    with django_assert_num_queries(
        EVERY_REQUEST + 4
    ):  # another period: its own overview (experiments cached)
        assert runner_client.get(reverse("history") + "?twitching=on&start=2026-01-01").status_code == 200
