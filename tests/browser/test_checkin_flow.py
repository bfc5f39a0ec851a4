"""The post-run check-in on a phone, in Debian's Chromium at 390×844."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Run
from tests.browser.conftest import log_in
from tests.factories import RunFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def runner_page(live_server, page):
    """A runner with one earlier run, logged in through the log-in page."""
    runner = UserFactory(email="ida@example.org")
    runner.profile.acknowledge_notice()
    RunFactory(
        runner=runner,
        started_at=timezone.now() - dt.timedelta(days=3),
        distance_km=12.0,
        duration_min=70.0,
        effort=5,
        run_type="long",
        fluid_ml=250,
        carbs_before_g=0,
        cooldown="none",
    )
    log_in(page, live_server.url, runner)
    expect(page.get_by_role("link", name="Log a run")).to_be_visible()
    page.runner = runner
    return page


class Taps:
    """Counts every tap the runner makes."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


def fill_hot_run(page):
    page.get_by_label("Temperature (°C)").fill("31")
    page.get_by_label("Humidity (%)").fill("40")
    page.get_by_label("Time (minutes)").fill("85")


def test_full_checkin_with_twitching_gives_guidance_naming_dehydration(
    runner_page, screenshot, assert_accessible
):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    # Defaults from the previous run are there already.
    expect(page.get_by_label("Distance (km)")).to_have_value("12")
    assert_accessible(page, "check-in")
    screenshot(page, "1-checkin-empty")

    fill_hot_run(page)
    page.locator("label[for=id_twitching_0]").click()
    expect(page.locator(".twitch-details")).to_be_visible()
    page.locator(".bodymap [data-muscle=calves] rect").first.click()
    expect(page.get_by_label("Calves")).to_be_checked()
    page.locator("label[for=id_intensity_6]").click()
    page.get_by_text("Thirst", exact=True).click()
    page.get_by_text("5, dark yellow").click()
    # The live preview explains the run before it is saved.
    expect(page.locator("#preview [data-cause=dehydration]")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("31 °C")
    assert_accessible(page, "check-in filled")
    screenshot(page, "2-checkin-filled")

    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    first_cause = page.locator("[data-cause]").first
    expect(first_cause).to_have_attribute("data-cause", "dehydration")
    expect(first_cause).to_contain_text("85 min at a heat index of 31 °C")
    expect(page.get_by_text("Rehydrate over the next hours")).to_be_visible()
    assert_accessible(page, "guidance")
    screenshot(page, "3-guidance")
    run = Run.objects.exclude(checkin__isnull=True).get(runner=page.runner)
    assert run.checkin.muscles == ["calves"]
    assert run.checkin.intensity == 6


def test_typical_checkin_takes_at_most_twelve_taps(runner_page):
    page, tap = runner_page, Taps()
    tap(page.get_by_role("link", name="Log a run"))
    tap(page.locator("label[for=id_twitching_0]"))
    tap(page.locator(".bodymap [data-muscle=calves] rect").first)
    tap(page.locator("label[for=id_intensity_4]"))
    tap(page.locator("label[for=id_cramps_1]"))
    tap(page.locator("label[for=id_weakness_1]"))
    tap(page.get_by_text("3, pale yellow"))
    tap(page.get_by_role("button", name="Save and see advice"))
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    assert tap.count <= 12, tap.count
    run = Run.objects.filter(runner=page.runner).first()
    # Everything else came from the previous run.
    assert (run.distance_km, run.duration_min, run.run_type, run.cooldown) == (12.0, 70.0, "long", "none")
    assert run.checkin.twitching and run.checkin.muscles == ["calves"]


def test_double_tap_on_save_stores_one_run(runner_page):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    page.locator("label[for=id_twitching_1]").click()
    page.get_by_role("button", name="Save and see advice").dblclick()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    page.wait_for_timeout(500)
    assert Run.objects.filter(runner=page.runner).count() == 2  # the earlier one and this one
    assert CheckIn.objects.filter(run__runner=page.runner).count() == 1


def test_draft_survives_a_refused_save_and_a_reload(runner_page, screenshot):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    fill_hot_run(page)
    page.locator("label[for=id_twitching_0]").click()
    page.get_by_label("Notes").fill("calf fluttered on the stairs")

    def refuse(route):
        if route.request.method == "POST":
            route.fulfill(status=500, body="Server error")
        else:
            route.continue_()

    page.route("**/checkin/", refuse)
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(page.get_by_label("Notes")).to_have_value("calf fluttered on the stairs")
    screenshot(page, "1-refused")

    page.reload()
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.get_by_label("Temperature (°C)")).to_have_value("31")
    expect(page.get_by_label("Notes")).to_have_value("calf fluttered on the stairs")
    expect(page.locator("#id_twitching_0")).to_be_checked()
    screenshot(page, "2-restored")

    page.unroute("**/checkin/")
    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = Run.objects.filter(runner=page.runner).first()
    assert run.notes == "calf fluttered on the stairs"
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('aftermath:draft'))") == []


def test_followup_next_morning_raises_the_sleep_flag(runner_page, screenshot, assert_accessible):
    page = runner_page
    run = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(days=1))
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], intensity=4)
    page.goto(page.url.split("/accounts")[0].rstrip("/") + "/")
    page.get_by_role("link", name="How are you this morning?").click()
    expect(page.get_by_role("heading", name="The morning after")).to_be_visible()
    assert_accessible(page, "follow-up")
    screenshot(page, "1-followup")
    page.locator("label[for=id_sleep_disrupted_0]").click()
    page.locator("label[for=id_still_twitching_0]").click()
    page.get_by_role("button", name="Save").click()
    flag = page.locator("[data-flag=sleep]")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("no medical device")
    screenshot(page, "2-sleep-flag")
    run.checkin.refresh_from_db()
    assert run.checkin.sleep_disrupted is True


@pytest.fixture
def no_js_context(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    yield context
    context.close()


def test_checkin_works_with_javascript_off(live_server, no_js_context, screenshot):
    runner = UserFactory(email="noah@example.org")
    runner.profile.acknowledge_notice()
    page = no_js_context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, runner)
    page.get_by_role("link", name="Log a run").click()
    page.get_by_label("Distance (km)").fill("500")  # refused at the field, nothing lost
    fill_hot_run(page)
    page.locator("label[for=id_twitching_0]").click()
    page.get_by_label("Calves").check()
    page.get_by_text("Thirst", exact=True).click()
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.locator("#err-distance")).to_contain_text("Enter a number above 0 up to 300 km.")
    expect(page.get_by_label("Temperature (°C)")).to_have_value("31")
    expect(page.get_by_label("Calves")).to_be_checked()
    screenshot(page, "1-error")
    page.get_by_label("Distance (km)").fill("14")
    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    expect(page.locator("[data-cause]").first).to_have_attribute("data-cause", "dehydration")
    screenshot(page, "2-guidance")
    assert Run.objects.filter(runner=runner).count() == 1


TAP_TARGETS = """
() => Array.from(document.querySelectorAll(
    'main button, main .chip span, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ' +
    'main select, main textarea, main summary, header a, header button, .save-bar button'))
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.outerHTML.slice(0, 80), width: r.width, height: r.height}; })
  .filter(box => box.height < 44 || box.width < 44)
"""


def test_tap_targets_are_at_least_44px(runner_page):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    page.locator("label[for=id_twitching_0]").click()
    page.get_by_text("Weighed yourself before and after? Heart rate?").click()
    assert page.evaluate(TAP_TARGETS) == []


@pytest.mark.parametrize("path", ["/checkin/", "/", "/history/"])
def test_readable_in_dark_mode(
    live_server, browser, browser_context_args, assert_accessible, screenshot, path
):
    runner = UserFactory(email="dee@example.org")
    runner.profile.acknowledge_notice()
    run = RunFactory(runner=runner, temperature_c=31.0, humidity_pct=40.0, duration_min=85.0)
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], cramps=True, symptoms=["dizziness"])
    context = browser.new_context(**{**browser_context_args, "color_scheme": "dark"})
    page = context.new_page()
    log_in(page, live_server.url, runner)
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
    if path == "/checkin/":
        page.locator("label[for=id_twitching_0]").click()
        page.locator("label[for=id_cramps_0]").click()
    assert_accessible(page, f"dark {path}")
    screenshot(page, "dark" + path.replace("/", "-"))
    context.close()
