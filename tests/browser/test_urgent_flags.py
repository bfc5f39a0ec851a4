"""The pages of a run's advice on a phone (390×844), in light and dark mode: an urgent flag
leads the guidance and home pages, in view without scrolling, with nothing reassuring
beside it; "I've read this" lets it go from home; a run without a cause and an imported
run without a check-in still get a useful page; the report for a doctor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, Run
from tests.factories import RunFactory, UserFactory
from tests.helpers import ARTIFACTS, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORT_HEIGHT = 844
REASSURING = ("nothing to explain", "keep your routine")


@pytest.fixture(params=["light", "dark"])
def phone(request, live_server, browser, browser_context_args):
    """A logged-in runner with an earlier calm run, in each colour scheme."""
    runner = UserFactory()
    runner.profile.acknowledge_notice()
    calm = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=4))
    CheckIn.objects.create(run=calm, twitching=False)
    page = phone_page(browser, browser_context_args, live_server, runner, request.param)
    yield page
    page.context.close()


def shot(page, name: str, *, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"advice-pages-{name}-{page.scheme}.png"), full_page=full)


def urgent_run(runner, days_ago: float = 0.1) -> Run:
    """After 70 minutes, no temperature: collapse, cola-brown urine, confusion, with twitching and cramps."""
    run = RunFactory(
        runner=runner,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
        distance_km=12.0,
        duration_min=70.0,
        effort=9,
        cooldown="none",
        fluid_ml=0,
    )
    CheckIn.objects.create(
        run=run,
        twitching=True,
        muscles=["calves", "arms"],
        intensity=6,
        weakness=True,
        cramps=True,
        symptoms=["collapse", "cola_urine", "confusion", "thirst"],
    )
    return run


def assert_urgent_leads(page) -> None:
    """The first thing in the content is the urgent box, its care in view without scrolling,
    and nothing on the page reassures or competes with it."""
    assert page.evaluate("document.documentElement.dataset.bsTheme") == page.scheme
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate(
        "(() => { const f = document.querySelector('main > :first-child');"
        " return f.matches('.urgent-flags') || f.querySelector(':scope > .urgent-flags') !== null; })()"
    )
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_in_viewport()
    care = page.locator(".flag-urgent .flag-care").first
    box = care.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT_HEIGHT, box
    expect(page.locator("[data-flag=collapse]")).to_be_visible()
    expect(page.locator("[data-flag=muscle_breakdown]")).to_be_visible()
    expect(page.locator("[data-flag=widespread], [data-flag=weakness]")).to_have_count(0)
    expect(page.locator("[data-cause], [data-tip], .plan")).to_have_count(0)
    text = page.locator("main").inner_text().lower()
    assert not any(words in text for words in REASSURING)
    assert page.content().count("not a medical device") == 1


def test_urgent_flag_leads_the_guidance_and_home_pages(phone, assert_accessible):
    page = phone
    run = urgent_run(page.runner)
    page.goto(f"{page.base}/runs/{run.pk}/")
    assert_urgent_leads(page)
    assert_accessible(page, f"urgent guidance ({page.scheme})")
    shot(page, "1-guidance-urgent")
    shot(page, "1-guidance-urgent-whole", full=True)

    page.goto(page.base + "/")
    assert_urgent_leads(page)
    assert_accessible(page, f"urgent home ({page.scheme})")
    shot(page, "2-home-urgent")
    shot(page, "2-home-urgent-whole", full=True)

    # Read: home lets it go; the run's own page keeps it, marked as read.
    page.get_by_role("button", name="I've read this").click()
    expect(page.get_by_role("heading", name="Get help now")).to_have_count(0)
    expect(page.get_by_role("link", name="Log a run")).to_be_in_viewport()
    shot(page, "3-home-after-read")
    page.goto(f"{page.base}/runs/{run.pk}/")
    expect(page.get_by_text("You marked this as read")).to_be_visible()


def test_earlier_unread_flag_stays_on_home_until_read(phone, assert_accessible):
    page = phone
    run = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(days=2))
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], intensity=5, weakness=True)
    later = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(hours=3))
    CheckIn.objects.create(run=later, twitching=False)
    page.goto(page.base + "/")
    earlier = page.locator(".earlier-flags")
    expect(earlier.locator("[data-flag=weakness]")).to_be_in_viewport()
    assert_accessible(page, f"home with an unread flag ({page.scheme})")
    shot(page, "4-home-earlier-flag", full=True)
    earlier.get_by_role("button", name="I've read this").click()
    expect(page.locator(".earlier-flags")).to_have_count(0)
    assert CheckIn.objects.get(run=run).flags_seen_at is not None


def test_a_run_without_a_cause_and_an_imported_run_get_a_useful_page(phone, assert_accessible):
    page = phone
    quiet = RunFactory(
        runner=page.runner,
        started_at=timezone.now() - dt.timedelta(days=1),
        distance_km=8.0,
        duration_min=None,
        effort=None,
        temperature_c=22,
        cooldown="walk_stretch",
    )
    CheckIn.objects.create(run=quiet, twitching=True, muscles=["calves"], intensity=3)
    page.goto(f"{page.base}/runs/{quiet.pk}/")
    expect(page.get_by_text("Nothing in your answers points to a cause")).to_be_visible()
    expect(page.locator(".general-tips [data-tip]")).to_have_count(3)  # not "ease down": they did
    expect(page.locator(".to-record")).to_contain_text("the humidity")
    assert_accessible(page, f"no cause ({page.scheme})")
    shot(page, "5-no-cause", full=True)

    imported = RunFactory(
        runner=page.runner, started_at=timezone.now() - dt.timedelta(hours=2), effort=None, run_type=""
    )
    page.goto(page.base + "/")
    expect(page.get_by_role("link", name="Add how your muscles felt")).to_be_in_viewport()
    shot(page, "6-home-imported")
    page.goto(f"{page.base}/runs/{imported.pk}/")
    invite = page.get_by_role("link", name="Add how your muscles felt")
    expect(invite).to_be_in_viewport()
    assert_accessible(page, f"imported run ({page.scheme})")
    shot(page, "7-imported-invite")
    invite.click()
    expect(page).to_have_url(f"{page.base}/runs/{imported.pk}/edit/")
    page.locator("label[for=id_twitching_0]").click()
    page.get_by_label("Calves").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(f"{page.base}/runs/{imported.pk}/")
    expect(page.get_by_role("link", name="Add how your muscles felt")).to_have_count(0)
    assert CheckIn.objects.get(run=imported).twitching is True
    assert Run.objects.filter(runner=page.runner).count() == 3


def test_the_report_for_a_doctor_lists_urgent_warnings_first(phone, assert_accessible):
    page = phone
    urgent_run(page.runner, days_ago=5)
    for days in (9, 3):
        run = RunFactory(runner=page.runner, started_at=timezone.now() - dt.timedelta(days=days))
        CheckIn.objects.create(run=run, twitching=True, muscles=["calves", "arms"], intensity=4)
    page.goto(page.base + "/data/report/")
    first = page.locator(".report-flags > li").first
    expect(first).to_have_class("report-flag report-urgent")
    expect(first).to_contain_text("Urgent:")
    assert_accessible(page, f"report ({page.scheme})")
    shot(page, "8-report", full=True)
