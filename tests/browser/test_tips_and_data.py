"""Tips, the doctor's report and account deletion on a phone, in Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Run, User
from tests.factories import PASSWORD, RunFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(live_server, page):
    runner = UserFactory(email="ava@example.org")
    runner.profile.acknowledge_notice()
    for days_ago in range(1, 15):
        run = RunFactory(
            runner=runner,
            started_at=timezone.now() - dt.timedelta(days=days_ago),
            weight_before_kg=70.0 if days_ago % 4 == 0 else None,
            weight_after_kg=69.1 if days_ago % 4 == 0 else None,
            fluid_ml=400,
        )
        CheckIn.objects.create(run=run, twitching=days_ago % 2 == 0, muscles=["calves", "hamstrings"])
    log_in(page, live_server.url, runner)
    expect(page.get_by_role("link", name="Log a run")).to_be_visible()
    page.runner = runner
    return page


def test_cooldown_step_timer_runs_through_the_steps(logged_in, screenshot, assert_accessible):
    page = logged_in
    page.clock.install()
    page.get_by_role("link", name="Tips").click()
    page.get_by_role("link", name=re.compile("Cool-down")).click()
    expect(page.get_by_role("heading", name="Your cool-down")).to_be_visible()
    assert_accessible(page, "cool-down")
    display = page.locator("[data-timer-display]")
    page.get_by_role("button", name="Start").click()
    expect(display).to_contain_text("Easy jog or walk · 5:00")
    page.clock.run_for(60_000)
    expect(display).to_contain_text("Easy jog or walk · 4:00")
    page.clock.run_for(241_000)
    expect(display).to_contain_text("Calves")
    expect(page.locator(".step-now")).to_contain_text("Calves")
    screenshot(page, "1-timer-running")
    page.get_by_role("button", name="Pause").click()
    paused = display.text_content()
    page.clock.run_for(10_000)
    expect(display).to_have_text(paused)


def test_hydration_and_fuelling_pages(logged_in, screenshot, assert_accessible):
    page = logged_in
    page.goto(page.url.rstrip("/") + "/tips/hydration/")
    expect(page.get_by_text(re.compile("Your measured sweat rate"))).to_be_visible()
    page.get_by_text("Today's run: length and weather").click()
    page.get_by_label("How long you plan to run (minutes)").fill("100")
    page.get_by_label("Temperature today (°C)").fill("32")
    page.get_by_label("Humidity (%)").fill("60")
    page.get_by_role("button", name="Tailor the plan").click()
    # 32 °C at 60 % feels like 37 °C (the heat index): the plan is tailored to it, whatever its wording.
    expect(page.locator("main")).to_contain_text("37 °C")
    assert_accessible(page, "drinking")
    screenshot(page, "1-drinking")
    page.goto(page.url.split("/tips/")[0] + "/tips/fuelling/")
    expect(page.get_by_role("heading", name="Fuelling before each kind of run")).to_be_visible()
    assert_accessible(page, "fuelling")
    screenshot(page, "2-fuelling")


def test_doctors_report_prints_on_at_most_two_a4_pages(logged_in, screenshot, assert_accessible):
    page = logged_in
    page.get_by_role("navigation").get_by_role("link", name="Your data").click()  # from the menu
    page.get_by_role("link", name=re.compile("Report for a doctor")).click()
    expect(page.get_by_role("heading", name=re.compile("report for a doctor"))).to_be_visible()
    assert_accessible(page, "report")
    screenshot(page, "1-report")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, pages


def test_delete_account_after_confirming_the_password(logged_in, screenshot):
    page = logged_in
    runner_pk = page.runner.pk
    page.get_by_role("navigation").get_by_role("link", name="Your data").click()  # from the menu
    page.get_by_role("link", name=re.compile("Delete your account")).click()
    page.get_by_label("Your password").fill("not-it")
    page.get_by_role("button", name="Delete my account and data").click()
    expect(page.locator("#err-password")).to_have_text("That is not your password.")
    screenshot(page, "1-wrong-password")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and data").click()
    expect(page.get_by_text("Your account and all your data are deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert not User.objects.filter(pk=runner_pk).exists()
    assert not Run.objects.filter(runner_id=runner_pk).exists()
