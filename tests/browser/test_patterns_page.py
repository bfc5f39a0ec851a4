"""The history's honest patterns on a phone (390x844), light and dark, in Debian's Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn
from tests.factories import RunFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pattern_log(runner):
    """Hot runs mostly followed by twitching, cool ones seldom; spicy food with no pattern."""
    for n in range(24):
        hot = n % 2 == 0
        twitching = n // 2 < 10 if hot else n // 2 < 2
        run = RunFactory(
            runner=runner,
            started_at=timezone.now() - dt.timedelta(days=70 - 3 * n),
            temperature_c=32 if hot else 10,
            humidity_pct=60,
            cooldown="none" if n < 20 else "walk",
            spicy_meal=n % 4 < 2,
        )
        CheckIn.objects.create(
            run=run,
            twitching=twitching,
            muscles=["calves"] if twitching else [],
            intensity=4 if twitching else None,
        )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_pattern_reads_on_a_phone(
    live_server, page, browser, browser_context_args, screenshot, assert_accessible, scheme
):
    runner = UserFactory(email="pat@example.org")
    runner.profile.acknowledge_notice()
    pattern_log(runner)
    if scheme == "dark":
        context = browser.new_context(**{**browser_context_args, "color_scheme": "dark"})
        page = context.new_page()
    log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/history/")
    section = page.locator("section.patterns")
    standout = section.locator("li.stands-out")
    expect(standout).to_have_count(1)
    expect(standout).to_contain_text("Twitching came more often after warm or humid weather")
    expect(standout).to_contain_text(
        "Twitching after 10 of 12 runs in warm or humid weather, and after 2 of 12"
    )
    # the rest folded, one click away; "too few runs to tell" once
    folded = section.locator("details.could-be-chance")
    expect(folded.locator("li.trigger")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("li[data-trigger=spicy_meal]")).to_be_visible()
    expect(section.get_by_text("too few runs to tell")).to_have_count(1)
    expect(section.locator("p.method")).to_contain_text("Holm's correction")
    # nothing wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert_accessible(page, f"history patterns, {scheme}")
    section.screenshot(path=str(screenshot(page, scheme).with_name(f"history-patterns-{scheme}.png")))
    if scheme == "dark":
        context.close()
