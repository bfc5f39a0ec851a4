"""The post-run check-in on a phone, in Debian's Chromium at 390×844."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Run
from tests.factories import RunFactory, UserFactory
from tests.helpers import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The advice beside Save arrives after a short pause in typing; allow for a busy machine.
PREVIEW_WAIT = 15_000


# The runner's previous run: every answer a new check-in offers ("Same as last run").
PREVIOUS = {
    "distance_km": 12.0,
    "duration_min": 70.0,
    "effort": 5,
    "run_type": "long",
    "fluid_ml": 250,
    "electrolytes_during": False,
    "carbs_before_g": 0,
    "carbs_before_min": 60,
    "cooldown": "none",
}


@pytest.fixture
def runner_page(live_server, page):
    """A runner with one earlier run, logged in through the log-in page."""
    runner = UserFactory(email="ida@example.org")
    runner.profile.acknowledge_notice()
    RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=3), **PREVIOUS)
    log_in(page, live_server.url, runner)
    expect(page.get_by_role("link", name="Log a run")).to_be_visible()
    page.runner = runner
    return page


class Taps:
    """Counts every tap the runner makes and every field they type into."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.click()

    def type(self, locator, text: str):
        self.count += 1  # one keyboard entry: tap the field and type
        locator.fill(text)


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
    # Nothing of the previous run is filled in: it is offered, section by section.
    expect(page.get_by_label("Distance (km)")).to_have_value("")
    expect(page.get_by_role("button", name=re.compile("^Same as last run: 12 km, 70 min"))).to_be_visible()
    expect(page.get_by_label("Finished")).not_to_have_value("")
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
    # The advice so far sits in the save bar, in view while answering, and opens to the whole of it.
    summary = page.locator("#preview-summary")
    expect(summary).to_contain_text(re.compile(r"Advice so far: .*possible cause"), timeout=PREVIEW_WAIT)
    assert in_viewport(page, "#preview-panel summary")
    page.locator("#preview-panel summary").click()
    expect(page.locator("#preview [data-cause=dehydration]")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("31 °C")
    assert_accessible(page, "check-in filled")
    page.screenshot(path=str(ARTIFACTS / "checkin-preview-open-light.png"))
    screenshot(page, "2-checkin-filled")

    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    first_cause = page.locator("[data-cause]").first
    expect(first_cause).to_have_attribute("data-cause", "dehydration")
    expect(first_cause).to_contain_text("85 min")
    expect(page.get_by_text("Rehydrate over the next hours")).to_be_visible()
    assert_accessible(page, "guidance")
    screenshot(page, "3-guidance")
    run = Run.objects.exclude(checkin__isnull=True).get(runner=page.runner)
    assert run.checkin.muscles == ["calves"]
    assert run.checkin.intensity == 6
    assert run.distance_km is None and run.run_type == ""  # not given, not stored


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def stored_answers(runner) -> dict:
    """The newest run's answers, but its day and what the check-in copies from the profile."""
    answers = Run.objects.with_checkin().filter(runner=runner).first().answers()
    for key in ("date", "medications", "medication_changed"):
        answers.pop(key, None)
    return answers


TYPICAL_TWITCH = {
    "twitching": True,
    "muscles": ["calves"],
    "intensity": 4,
    "cramps": False,
    "weakness": False,
    "urine_color": 3,
}


def tap_typical_twitch(page, tap):
    tap(page.locator("label[for=id_twitching_0]"))
    tap(page.locator(".bodymap [data-muscle=calves] rect").first)
    tap(page.locator("label[for=id_intensity_4]"))
    tap(page.locator("label[for=id_cramps_1]"))
    tap(page.locator("label[for=id_weakness_1]"))
    tap(page.get_by_text("3, pale yellow"))


def test_first_checkin_counts_its_taps(live_server, page, screenshot):
    runner = UserFactory(email="newcomer@example.org")
    runner.profile.acknowledge_notice()
    log_in(page, live_server.url, runner)
    tap = Taps()
    tap(page.get_by_role("link", name="Log a run"))
    expect(page.get_by_role("button", name=re.compile("Same as last run"))).to_have_count(0)
    tap.type(page.get_by_label("Distance (km)"), "8")
    tap.type(page.get_by_label("Time (minutes)"), "45")
    tap(page.locator("label[for=id_effort_4]"))
    tap(page.locator("label[for=id_run_type_0]"))
    tap.type(page.get_by_label("Drunk during the run (ml)"), "300")
    tap(page.locator("label[for=id_electrolytes_during_1]"))
    tap(page.locator("label[for=id_cooldown_1]"))
    tap_typical_twitch(page, tap)
    screenshot(page, "1-first-checkin")
    tap(page.get_by_role("button", name="Save and see advice"))
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    print(f"\nfirst check-in: {tap.count} taps and keyboard entries")
    assert tap.count == 15, tap.count
    assert stored_answers(runner) == {
        "distance_km": 8.0,
        "duration_min": 45.0,
        "effort": 5,
        "run_type": "easy",
        "fluid_ml": 300,
        "electrolytes_during": False,
        "cooldown": "walk",
        **TYPICAL_TWITCH,
    }


def test_repeat_checkin_with_same_as_last_run_takes_at_most_twelve_taps(runner_page, screenshot):
    page, tap = runner_page, Taps()
    tap(page.get_by_role("link", name="Log a run"))
    for section in ("12 km, 70 min", "250 ml", "stopped straight away"):
        tap(page.get_by_role("button", name=re.compile(f"^Same as last run: {section}")))
    # Each section shows that it was filled in, and can be undone.
    expect(page.get_by_text("Filled in from your last run")).to_have_count(3)
    expect(page.get_by_label("Distance (km)")).to_have_value("12")
    expect(page.get_by_label("Drunk during the run (ml)")).to_have_value("250")
    expect(page.locator("#id_cooldown_0")).to_be_checked()
    tap_typical_twitch(page, tap)
    page.locator("#s-run").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "checkin-same-as-last-run-filled-light.png"))
    tap(page.get_by_role("button", name="Save and see advice"))
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    print(f"\nrepeat check-in with 'same as last run': {tap.count} taps")
    assert tap.count <= 12, tap.count
    assert Run.objects.filter(runner=page.runner).count() == 2
    # Exactly what was confirmed: the three sections and the muscles, nothing else.
    assert stored_answers(page.runner) == {**PREVIOUS, **TYPICAL_TWITCH}


def test_same_as_last_run_can_be_undone(runner_page, screenshot):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    page.get_by_label("Drunk during the run (ml)").fill("400")
    page.get_by_role("button", name=re.compile("^Same as last run: 250 ml")).click()
    expect(page.get_by_label("Drunk during the run (ml)")).to_have_value("250")
    expect(page.locator("#id_electrolytes_during_1")).to_be_checked()
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    undo.click()
    expect(page.get_by_label("Drunk during the run (ml)")).to_have_value("400")  # as typed before
    expect(page.locator("#id_electrolytes_during_1")).not_to_be_checked()
    expect(page.get_by_role("button", name=re.compile("^Same as last run: 250 ml"))).to_be_visible()


def test_an_empty_save_is_refused_and_nothing_typed_is_lost(runner_page, screenshot, assert_accessible):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    page.get_by_label("Notes").fill("hip felt odd")
    page.get_by_role("button", name="Save and see advice").click()
    errors = page.locator("#form-errors")
    expect(errors).to_contain_text("Nothing to save yet")
    expect(errors).to_contain_text(
        "Some answers need a look: Distance (km), Time (minutes), Twitching. Nothing you typed is lost."
    )
    expect(errors).to_be_focused()
    expect(page.locator("#err-distance")).to_contain_text("Enter the distance or the time.")
    expect(page.locator("#err-twitching")).to_contain_text("Answer this")
    expect(page.get_by_label("Notes")).to_have_value("hip felt odd")
    draft = page.evaluate("localStorage.getItem('aftermath:draft:new')")
    assert draft and "hip felt odd" in draft
    assert Run.objects.filter(runner=page.runner).count() == 1  # only the earlier run
    assert_accessible(page, "empty save refused")
    page.screenshot(path=str(ARTIFACTS / "checkin-empty-save-refused-light.png"))
    # One answer about twitching is enough.
    page.locator("label[for=id_twitching_1]").click()
    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    assert stored_answers(page.runner) == {"twitching": False}
    assert Run.objects.filter(runner=page.runner).first().notes == "hip felt odd"


def test_an_urgent_flag_leads_the_advice_beside_save(runner_page, screenshot):
    page = runner_page
    page.get_by_role("link", name="Log a run").click()
    page.get_by_label("Time (minutes)").fill("70")
    page.get_by_text("Collapse or fainting").click()
    summary = page.locator("#preview-summary")
    expect(summary).to_contain_text("Urgent:", timeout=PREVIEW_WAIT)
    panel = page.locator("#preview-panel")
    expect(panel).to_have_attribute("open", "")
    first = page.locator("#preview .guidance [data-flag]").first
    expect(first).to_be_visible()
    assert in_viewport(page, "#preview .guidance [data-flag]")
    # The urgent flag comes before anything else in the advice.
    order = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                   '#preview [data-flag], #preview [data-cause], #preview [data-tip]'))
                 .map(el => el.dataset.flag ? 'flag' : 'other')"""
    )
    assert order and order[0] == "flag", order
    expect(page.locator("#preview")).not_to_contain_text("nothing to explain")
    page.screenshot(path=str(ARTIFACTS / "checkin-preview-urgent-light.png"))


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


def test_followup_the_day_after_raises_the_sleep_flag(runner_page, screenshot, assert_accessible):
    page = runner_page
    run = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(days=1))
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], intensity=4)
    page.goto(page.url.split("/accounts")[0].rstrip("/") + "/")
    page.get_by_role("link", name="How are you today?").click()
    expect(page.get_by_role("heading", name=re.compile(r"^How are you (this|tonight)"))).to_be_visible()
    assert_accessible(page, "follow-up")
    screenshot(page, "1-followup")
    # Save with nothing answered: refused, and the follow-up stays open.
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-errors")).to_contain_text("Answer at least one question")
    expect(page.locator("#err-sleep_disrupted")).to_contain_text("Not answered yet.")
    assert_accessible(page, "follow-up refused")
    page.screenshot(path=str(ARTIFACTS / "followup-refused-light.png"))
    run.checkin.refresh_from_db()
    assert run.checkin.followup_at is None
    page.locator("label[for=id_sleep_disrupted_0]").click()
    page.locator("label[for=id_still_twitching_0]").click()
    page.get_by_role("button", name="Save").click()
    flag = page.locator("[data-flag=sleep]")
    expect(flag).to_be_visible()
    screenshot(page, "2-sleep-flag")
    run.checkin.refresh_from_db()
    assert run.checkin.sleep_disrupted is True and run.checkin.followup_at is not None


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
