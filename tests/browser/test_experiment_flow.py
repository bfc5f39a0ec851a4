"""An experiment on a phone, in Debian's Chromium at 390×844: started from a tips page, a
check-in answering its question, and the answer in the result. Light and dark."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Experiment
from tests.factories import RunFactory, UserFactory
from tests.helpers import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_start_from_the_tips_log_a_checkin_and_see_it_in_the_result(
    live_server, browser, browser_context_args, scheme, screenshot, assert_accessible
):
    runner = UserFactory(email=f"eve-{scheme}@example.org")
    runner.profile.acknowledge_notice()
    for days_ago in range(2, 12):  # the weeks before: twitching after every other run
        run = RunFactory(
            runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago), cooldown="none"
        )
        CheckIn.objects.create(run=run, twitching=days_ago % 2 == 0, muscles=["calves"], intensity=4)
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, runner)

    page.get_by_role("link", name="Tips").click()
    page.get_by_role("link", name=re.compile("Cool-down")).click()
    page.get_by_role("link", name="Try it as an experiment").click()
    expect(page.get_by_role("heading", name="Start an experiment")).to_be_visible()
    expect(page.locator("#id_change_1")).to_be_checked()  # the cool-down walk, offered
    expect(page.locator("#id_alternating_0")).to_be_checked()  # every week, shown
    assert_accessible(page, f"start, {scheme}")
    screenshot(page, f"{scheme}-1-start")
    page.locator("label[for=id_weeks_0]").click()  # two weeks
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="Experiment: a cool-down walk")).to_be_visible()
    assert Experiment.objects.filter(runner=runner, change="cooldown_walk", weeks=2).count() == 1

    page.get_by_role("link", name="Log a run").click()
    expect(page.locator("#experiment-line")).to_have_text("Your experiment: a cool-down walk, week 1 of 2.")
    page.get_by_label("Distance (km)").fill("8")
    page.locator("label[for=id_experiment_kept_0]").click()  # yes, eased down
    page.locator("label[for=id_twitching_1]").click()  # no twitching
    assert_accessible(page, f"check-in with the question, {scheme}")
    screenshot(page, f"{scheme}-2-checkin")
    page.locator(".experiment-question").screenshot(path=str(ARTIFACTS / f"experiment-question-{scheme}.png"))
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_role("heading", name=re.compile("Your run|Advice|run of", re.I)).first).to_be_visible()
    assert CheckIn.objects.get(run__runner=runner, run__date=timezone.localdate()).experiment_kept is True

    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="A cool-down walk").click()
    result = page.locator(".experiment-result")
    expect(result).to_contain_text("With the change: twitching after 0 of 1 run.")
    expect(result).to_contain_text("You kept to the plan on 1 of 1 run you answered the question for.")
    expect(result).to_contain_text("Not enough to tell yet")
    assert_accessible(page, f"result, {scheme}")
    screenshot(page, f"{scheme}-3-result")
    context.close()
