"""A new runner signs up on a phone, acknowledges the notice and sees the empty home page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from checkins.models import User
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_runner_signs_up_acknowledges_and_sees_empty_home(
    live_server, page, screenshot, assert_accessible
):
    csp_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and csp_errors.append(msg.text))

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Twitching after a run?")).to_be_visible()
    assert_accessible(page, "landing")
    screenshot(page, "1-landing")

    page.get_by_role("link", name="Start: create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page, "signup")
    page.get_by_label("E-mail address").fill("mia@example.org")
    page.get_by_label(re.compile("Password")).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    screenshot(page, "2-signup")
    page.get_by_role("button", name="Create account").click()

    # The address is confirmed by the link e-mailed to it (checkins.signup).
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert_accessible(page, "signup done")
    link = re.search(r"https?://[^/]+(/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    assert_accessible(page, "signup confirm")
    page.get_by_label("The password you chose").fill(PASSWORD)
    screenshot(page, "2b-confirm")
    page.get_by_role("button", name="Confirm and start").click()

    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(page.get_by_text("Aftermath is not a medical device.")).to_be_visible()
    assert_accessible(page, "welcome")
    # Continuing without ticking the box is refused at the field.
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Please tick the box")).to_be_visible()
    screenshot(page, "3-notice-error")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Your runs")).to_be_visible()
    expect(page.get_by_text("No runs logged yet.")).to_be_visible()
    assert_accessible(page, "home")
    screenshot(page, "4-home-empty")

    user = User.objects.get(email="mia@example.org")
    assert user.profile.has_acknowledged_notice
    # The browser's zone (the context runs in Europe/Berlin) came along with the sign-up.
    assert user.profile.time_zone == "Europe/Berlin"
    # Nothing the page did was refused by the content security policy.
    assert not [e for e in csp_errors if "Content Security Policy" in e], csp_errors


def test_account_pages_are_accessible_on_a_phone(live_server, page, screenshot, assert_accessible):
    User.objects.create_user("leo@example.org", PASSWORD).profile.acknowledge_notice()
    page.goto(live_server.url + "/accounts/login/")
    assert_accessible(page, "login")
    page.get_by_label("E-mail address").fill("leo@example.org")
    page.get_by_label(re.compile("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your runs")).to_be_visible()

    for path, heading in [
        ("/profile/", "Settings"),
        ("/accounts/password_change/", "Change your password"),
    ]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_accessible(page, path)
        screenshot(page, heading.lower().replace(" ", "-"))

    page.goto(live_server.url + "/profile/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.goto(live_server.url + "/accounts/password_reset/")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page, "password reset")
