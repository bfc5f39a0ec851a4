"""The menu at 390 px, the app's 404 page, the time-zone suggestion and the button colours,
in light and dark mode, in Debian's Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENU = ["Log a run", "History", "Tips", "Your data", "Settings"]

# Every link and button of the header: its box, and whether it overflows the screen.
HEADER_BOXES = """
() => Array.from(document.querySelectorAll('header a, header button'))
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {text: el.textContent.trim(), left: r.left, right: r.right, top: r.top,
                       width: r.width, height: r.height}; })
"""

# WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST = """
(el) => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const channel = v => { v /= 255; return v <= .03928 ? v / 12.92 : ((v + .055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => .2126 * channel(r) + .7152 * channel(g) + .0722 * channel(b);
  let node = el, bg = [0, 0, 0, 0];
  while (node && bg[3] === 0) {
    bg = rgb(getComputedStyle(node).backgroundColor);
    if (bg.length === 3) bg.push(1);
    node = node.parentElement;
  }
  if (bg[3] === 0) bg = [255, 255, 255, 1];
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + .05) / (b + .05);
}
"""


@pytest.fixture
def runner():
    runner = UserFactory(email="noa@example.org")
    runner.profile.acknowledge_notice()
    return runner


def dark_page(browser, browser_context_args, live_server, runner):
    context = browser.new_context(**{**browser_context_args, "color_scheme": "dark"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, runner)
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_menu_fits_a_phone_with_every_page_and_big_tap_targets(
    live_server, page, browser, browser_context_args, runner, screenshot, assert_accessible, scheme
):
    if scheme == "dark":
        page = dark_page(browser, browser_context_args, live_server, runner)
    else:
        log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/history/")
    nav = page.get_by_role("navigation", name="Main")
    for name in MENU:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    boxes = page.evaluate(HEADER_BOXES)
    assert [b["text"] for b in boxes] == ["Aftermath", *MENU]
    for box in boxes:
        assert box["height"] >= 44 and box["width"] >= 44, box
        assert box["left"] >= 0 and box["right"] <= 390, box  # nothing off the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    header = page.locator("header").bounding_box()
    assert header["height"] <= 110  # two rows: the name and "Log a run", then the pages
    assert_accessible(page, f"history, {scheme}")
    full = screenshot(page, f"{scheme}-page")
    page.locator("header").screenshot(path=str(full.with_name(f"menu-{scheme}.png")))
    # The menu leads where it says.
    nav.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    expect(nav.get_by_role("link", name="Your data")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Log a run").click()
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    # Home has its own large "Log a run": the menu leaves it out there, so it is there once.
    page.get_by_role("link", name="Aftermath").click()
    expect(page.get_by_role("link", name="Log a run")).to_have_count(1)
    screenshot(page, f"home-{scheme}")
    if scheme == "dark":
        page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_unknown_address_shows_the_apps_404_page(
    live_server, page, browser, browser_context_args, runner, screenshot, assert_accessible, scheme
):
    if scheme == "dark":
        page = dark_page(browser, browser_context_args, live_server, runner)
    else:
        log_in(page, live_server.url, runner)
    response = page.goto(live_server.url + "/runs/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="History")).to_be_visible()
    assert_accessible(page, f"404, {scheme}")
    screenshot(page, scheme)
    page.get_by_role("link", name="Back to your runs").click()
    expect(page).to_have_url(live_server.url + "/")
    if scheme == "dark":
        page.context.close()


def test_settings_offer_the_phones_time_zone_in_one_tap(live_server, page, runner, screenshot):
    from checkins.models import Profile

    log_in(page, live_server.url, runner)  # the profile says UTC; the phone is in Berlin
    page.get_by_role("link", name="Settings").click()
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("UTC")
    groups = zone.locator("optgroup")
    expect(groups).to_have_count(2)
    expect(groups.first).to_have_attribute("label", "Common")
    assert zone.locator("option[value=Factory]").count() == 0
    offer = page.get_by_role("button", name="Use this phone's time zone: Europe/Berlin")
    expect(offer).to_be_visible()
    screenshot(page, "1-offered")
    offer.click()
    expect(zone).to_have_value("Europe/Berlin")
    expect(offer).to_have_count(0)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert Profile.objects.get(runner=runner).time_zone == "Europe/Berlin"
    # Now that they match, nothing is offered.
    expect(page.get_by_role("button", name=re.compile("Use this phone"))).to_have_count(0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_action_buttons_are_green_and_readable(
    live_server, page, browser, browser_context_args, runner, screenshot, scheme
):
    if scheme == "dark":
        page = dark_page(browser, browser_context_args, live_server, runner)
    else:
        log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/import/")
    buttons = [page.get_by_role("button", name="Use this file"), page.get_by_role("button", name="Import")]
    log_run = page.get_by_role("navigation").get_by_role("link", name="Log a run")
    for button in [*buttons, log_run]:
        assert button.evaluate(CONTRAST) >= 4.5
        colour = button.evaluate("el => getComputedStyle(el).borderTopColor")
        red, green, blue = (int(v) for v in re.findall(r"\d+", colour)[:3])
        assert green > red and green > blue, colour  # the app's green, not Bootstrap's blue or a grey
    # The two submits of the page look the same: each is its form's main action.
    styles = [b.evaluate("el => getComputedStyle(el).backgroundColor") for b in buttons]
    assert styles[0] == styles[1]
    screenshot(page, scheme)
    page.goto(live_server.url + "/history/?start=2026-05-01&end=2026-04-01")
    clear = page.get_by_role("link", name="Clear")
    assert clear.evaluate(CONTRAST) >= 4.5
    if scheme == "dark":
        page.context.close()
