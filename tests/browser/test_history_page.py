"""The history page on a phone: banners, charts, filters and load-more, in Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from tests.factories import RunFactory, UserFactory
from tests.helpers import log_in

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
    expect(page.locator(".disclaimer")).to_have_count(1)  # once per screen, beside the banners
    expect(page.locator(".disclaimer")).to_contain_text("medical device")
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


def test_a_reversed_period_is_named_at_its_field(history_page, screenshot, assert_accessible):
    page = history_page
    page.get_by_text("Filter", exact=True).click()
    page.get_by_label("From", exact=True).fill("2026-05-01")
    page.get_by_label("To", exact=True).fill("2026-04-01")
    page.get_by_role("button", name="Show").click()
    # The fold-out comes back open with the message at the dates, and nothing typed is lost.
    error = page.locator("#err-end")
    expect(error).to_be_visible()
    expect(error).to_contain_text("“To” is before “From”")
    expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-describedby", "err-end")
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-05-01")
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-04-01")
    expect(page.locator(".filter-refused")).to_contain_text("not used until they are fixed")
    assert_accessible(page, "history, reversed dates")
    screenshot(page, "1-reversed")
    page.get_by_label("From", exact=True).fill("2026-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#err-end")).to_be_empty()  # the slot stays, hidden, for the next error
    expect(page.locator("#err-end")).to_be_hidden()
    expect(page.get_by_label("To", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".filter-refused")).to_have_count(0)


def test_the_charts_have_dates_and_a_full_key(history_page, screenshot):
    page = history_page
    calendar = page.locator("figure", has=page.locator("svg.calendar"))
    expect(calendar.locator(".chart-key li")).to_have_count(5)
    for label in ("No run", "Run, no twitching", "Twitching 0–3", "Twitching 4–6", "Twitching 7–10"):
        expect(calendar.locator(".chart-key")).to_contain_text(label)
    expect(calendar.locator("text.tick-month").first).to_be_visible()
    heading = re.compile(r"^Twitch days, \d+ \w+ to \d+ \w+")
    expect(calendar.get_by_role("heading", name=heading)).to_be_visible()
    calendar.get_by_text("The days as a table").click()
    expect(calendar.locator("tbody tr")).to_have_count(50)
    calendar.screenshot(path=str(screenshot(page, "0").with_name("history-calendar-light.png")))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_new_runner_sees_a_short_chart_and_one_too_few_line(
    live_server, page, browser, browser_context_args, screenshot, assert_accessible, scheme
):
    runner = UserFactory(email="neo@example.org")
    runner.profile.acknowledge_notice()
    for days_ago, twitching in ((3, True), (1, False)):
        started = timezone.now() - dt.timedelta(days=days_ago)
        run = RunFactory(runner=runner, started_at=started, cooldown="none")
        muscles = ["calves"] if twitching else []
        CheckIn.objects.create(run=run, twitching=twitching, muscles=muscles, intensity=5)
    if scheme == "dark":
        context = browser.new_context(**{**browser_context_args, "color_scheme": "dark"})
        page = context.new_page()
    log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/history/")
    expect(page.get_by_text("Too few runs to tell yet")).to_have_count(1)
    expect(page.get_by_text(re.compile("too few", re.I))).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("0 of 0")
    title = page.locator("#ci-title").text_content()
    start, end = (dt.datetime.strptime(f"{d} 2000", "%d %b %Y") for d in re.findall(r"\d+ \w{3}", title))
    assert (end - start).days % 365 in (14, 13)  # 14 days, also across a new year (leap or not)
    bars = page.locator(".chart-svg rect.bar")
    expect(bars).to_have_count(1)
    assert bars.first.bounding_box()["x"] > page.locator(".chart-svg").first.bounding_box()["x"] + 150
    assert_accessible(page, f"history, new runner, {scheme}")
    screenshot(page, scheme)
    if scheme == "dark":
        context.close()
