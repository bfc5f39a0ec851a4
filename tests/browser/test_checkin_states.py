"""The check-in's and follow-up's states as a runner sees them, in light and dark mode at
390×844: an empty save refused, "same as last run" filled in, the advice beside Save (an
urgent flag leading it), the follow-up refusing an empty answer; and the fold-outs and the
settings' weight label."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Run
from tests.factories import RunFactory, UserFactory
from tests.helpers import ARTIFACTS, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The advice beside Save arrives after a short pause in typing; allow for a busy machine.
PREVIEW_WAIT = 15_000


@pytest.fixture(params=["light", "dark"])
def scheme_page(request, live_server, browser, browser_context_args):
    """A runner with a previous run (and one from yesterday with twitching), in each colour scheme."""
    runner = UserFactory()
    runner.profile.acknowledge_notice()
    RunFactory(
        runner=runner,
        started_at=timezone.now() - dt.timedelta(days=3),
        distance_km=10.0,
        duration_min=55.0,
        fluid_ml=500,
        electrolytes_during=False,
        carbs_before_g=30,
        carbs_before_min=60,
        cooldown="walk",
    )
    page = phone_page(browser, browser_context_args, live_server, runner, request.param)
    yield page
    page.context.close()


def shot(page, name: str) -> None:
    """What is on the phone's screen now (not the whole page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"checkin-states-{name}-{page.scheme}.png"))


def test_checkin_states_in_both_colour_schemes(scheme_page, assert_accessible):
    page = scheme_page
    page.goto(page.base + "/checkin/")
    # The service worker installs on this first visit (it fetches the app shell and this
    # page): these states are the online ones, so wait until it is active.
    page.wait_for_function("() => navigator.serviceWorker.ready.then((reg) => !!reg.active)", timeout=15_000)
    assert page.evaluate("document.documentElement.dataset.bsTheme") == page.scheme
    # The fold-out shows that it opens, and the advice beside Save is in view from the start.
    chevron = page.evaluate(
        "getComputedStyle(document.querySelector('details.mb-3 > summary'), '::after').borderRightStyle"
    )
    assert chevron == "solid"
    expect(page.locator("#preview-panel summary")).to_be_in_viewport()
    shot(page, "1-empty")
    page.get_by_text("Weighed yourself before and after? Heart rate?").scroll_into_view_if_needed()
    shot(page, "1-fold-out-closed")

    page.get_by_role("button", name="Save and see advice").click()
    expect(page.locator("#form-errors")).to_contain_text("Nothing to save yet")
    assert_accessible(page, f"empty save refused ({page.scheme})")
    shot(page, "2-empty-save-refused")

    page.get_by_role("button", name=re.compile("^Same as last run: 500 ml")).click()
    expect(page.locator(".same-done:visible")).to_contain_text("Filled in from your last run")
    page.get_by_role("heading", name="Fluids and fuel").scroll_into_view_if_needed()
    assert_accessible(page, f"same as last run ({page.scheme})")
    shot(page, "3-same-as-last-run")

    page.get_by_label("Temperature (°C)").fill("31")
    page.get_by_label("Time (minutes)").fill("85")
    page.locator("label[for=id_twitching_0]").click()
    page.get_by_label("Calves").check()
    expect(page.locator("#preview-summary")).to_contain_text("possible cause", timeout=PREVIEW_WAIT)
    shot(page, "4-preview-summary")
    page.locator("#preview-panel summary").click()
    expect(page.locator("#preview [data-cause]").first).to_be_visible()
    assert_accessible(page, f"preview open ({page.scheme})")
    shot(page, "5-preview-open")

    page.locator("#preview-panel summary").click()  # closed again, to go on answering
    page.get_by_text("Confusion or odd behaviour").click()
    expect(page.locator("#preview-summary")).to_contain_text("Urgent:", timeout=PREVIEW_WAIT)
    expect(page.locator("#preview [data-flag]").first).to_be_in_viewport()
    assert_accessible(page, f"urgent preview ({page.scheme})")
    shot(page, "6-preview-urgent")
    assert Run.objects.filter(runner=page.runner).count() == 1


def test_followup_refusal_in_both_colour_schemes(scheme_page, assert_accessible):
    page = scheme_page
    run = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(days=1))
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], intensity=4)
    page.goto(page.base + "/")
    page.get_by_role("link", name="How are you today?").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-errors")).to_contain_text("Answer at least one question")
    assert_accessible(page, f"follow-up refused ({page.scheme})")
    shot(page, "followup-refused")
    run.checkin.refresh_from_db()
    assert run.checkin.followup_at is None


def test_the_weight_label_follows_the_unit_as_it_is_ticked(scheme_page):
    page = scheme_page
    page.goto(page.base + "/profile/")
    weight = page.locator("#id_body_weight")
    expect(page.get_by_label("Body weight (kg)")).to_be_visible()
    page.get_by_label("pounds", exact=True).check()
    expect(page.get_by_label("Body weight (lb)")).to_be_visible()
    expect(page.get_by_text("Body weight (kg)")).to_be_hidden()
    weight.scroll_into_view_if_needed()
    shot(page, "settings-pounds")
