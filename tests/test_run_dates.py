"""The `run_date` filter: a run's day with its year only when that is not this year."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from checkins.templatetags.run_dates import format_run_date
from tests.helpers import Tree

TODAY = dt.date(2026, 6, 10)


@pytest.mark.parametrize(
    ("value", "style", "shown"),
    [
        (dt.date(2026, 3, 3), "", "Tue 3 Mar"),
        (dt.date(2025, 3, 3), "", "Mon 3 Mar 2025"),
        (dt.date(2026, 3, 3), "short", "3 Mar"),
        (dt.date(2024, 12, 31), "short", "31 Dec 2024"),
        (dt.datetime(2026, 3, 3, 7, 5), "time", "Tue 3 Mar, 07:05"),
        (dt.datetime(2025, 3, 3, 18, 30), "time", "Mon 3 Mar 2025, 18:30"),
        (dt.date(2025, 3, 3), "an unknown style", "Mon 3 Mar 2025"),
    ],
)
def test_the_year_shows_only_when_it_is_not_this_year(value, style, shown):
    assert format_run_date(value, style, today=TODAY) == shown


def test_a_day_worded_once_is_worded_again_in_each_language():
    """Days are worded once (a history shows hundreds), per language, never one for another."""
    day = dt.date(2026, 3, 3)
    assert format_run_date(day, today=TODAY) == "Tue 3 Mar"
    with translation.override("de"):
        assert format_run_date(day, today=TODAY) == "Di 3 Mär"
    assert format_run_date(day, today=TODAY) == "Tue 3 Mar"


def test_the_filter_reads_the_day_in_the_runners_zone():
    # 31 Dec 2025 23:30 UTC is already 1 Jan 2026 in Tokyo: this year's run there, last year's in London.
    started = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    template = Template(
        '{% load run_dates %}{{ when|run_date }}|{{ when|run_date:"time" }}|{{ nothing|run_date }}'
    )
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        year = timezone.localdate().year
        shown = template.render(Context({"when": started, "nothing": None}))
    if year == 2026:
        assert shown == "Thu 1 Jan|Thu 1 Jan, 08:30|"
    else:
        assert shown == "Thu 1 Jan 2026|Thu 1 Jan 2026, 08:30|"
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        assert template.render(Context({"when": started})).startswith("Wed 31 Dec 2025|")


@pytest.mark.django_db
def test_home_and_a_runs_page_show_an_old_runs_year(runner_client, runner):
    from django.urls import reverse

    from tests.factories import RunFactory

    old = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=400))
    new = RunFactory(runner=runner, started_at=timezone.now())
    old_day = timezone.localtime(old.started_at)
    new_day = timezone.localtime(new.started_at)
    home = Tree(runner_client.get(reverse("home")).content.decode()).root
    days = [row.find("span", cls="fw-semibold").text for row in home.find_all("li", cls="run-row")]
    # Newest first; this year's without its year.
    this_year = f"{new_day:%a} {new_day.day} {new_day:%b}"
    assert days == [this_year, f"{old_day:%a} {old_day.day} {old_day:%b} {old_day.year}"]
    detail = runner_client.get(reverse("run_detail", args=[old.pk])).content.decode()
    assert f"Your run, {old_day:%a} {old_day.day} {old_day:%b} {old_day.year}, {old_day:%H:%M}" in detail
