"""The history page on a phone: banners, charts, filters and load-more, in Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from tests.browser.conftest import log_in
from tests.factories import RunFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history_page(live_server, page):
    runner = UserFactory(email="eli@example.org")
    runner.profile.acknowledge_notice()
    for days_ago in range(50):
        run = RunFactory(
            runner=runner,
            started_at=timezone.now() - dt.timedelta(days=days_ago, hours=2),
            temperature_c=12 + (days_ago % 9) * 2,
            cooldown="none" if days_ago % 3 == 0 else "walk",
        )
        twitching = days_ago % 3 == 0 or (days_ago < 10 and days_ago % 2 == 0)
        muscles = (["calves", "arms"] if days_ago == 4 else ["calves"]) if twitching else []
        CheckIn.objects.create(
            run=run, twitching=twitching, muscles=muscles, intensity=(days_ago % 7) + 2 if twitching else None
        )
    log_in(page, live_server.url, runner)
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="Your history")).to_be_visible()
    return page


def test_history_banners_charts_and_load_more(history_page, screenshot, assert_accessible):
    page = history_page
    expect(page.locator("[data-flag=persistent]")).to_be_visible()
    expect(page.locator("[data-flag=persistent]")).to_contain_text("no medical device")
    expect(page.locator("[data-trigger=no_cooldown]")).to_contain_text("Twitching after")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert_accessible(page, "history")
    screenshot(page, "1-history")

    rows = page.locator("#run-rows .run-row")
    expect(rows).to_have_count(20)
    page.locator(".load-more").scroll_into_view_if_needed()
    expect(rows).to_have_count(40)  # more rows load as the runner scrolls
    page.locator(".load-more").scroll_into_view_if_needed()
    expect(rows).to_have_count(50)
    expect(page.locator(".load-more")).to_have_count(0)
    screenshot(page, "2-all-loaded")


def test_history_filters_are_bookmarkable(history_page, screenshot):
    page = history_page
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("Only runs with twitching").check()
    page.get_by_label("Muscle group").select_option("arms")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"twitching=on.*muscle=arms"))
    expect(page.locator("#run-rows .run-row")).to_have_count(1)
    expect(page.locator("#run-rows")).to_contain_text("arms")
    screenshot(page, "1-filtered")
    bookmarked = page.url
    page.goto(bookmarked.split("/history")[0] + "/")
    page.goto(bookmarked)
    expect(page.locator("#run-rows .run-row")).to_have_count(1)
