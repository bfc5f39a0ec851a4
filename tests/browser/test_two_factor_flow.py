"""Two-factor log-in on a phone, light and dark: set it up with a real code from the key
the page shows, keep the recovery codes, log out, log in with the password and a code,
and once with a recovery code (which then works no more)."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from checkins.models import User
from tests.factories import PASSWORD
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(key_text: str, *, step_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed from the page (RFC 6238)."""
    key = base64.b32decode(key_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time += step_ahead * totp.step
    return f"{totp.token():06d}"


def log_out(page) -> None:
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Log out").click()


def password_step(page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(re.compile("E-mail")).fill(email)
    page.get_by_label(re.compile("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in: code")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_two_factor_on_a_phone(
    live_server, browser, browser_context_args, screenshot, assert_accessible, scheme
):
    runner = User.objects.create_user(f"{scheme}@example.org", PASSWORD)
    runner.profile.acknowledge_notice()
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    page = context.new_page()
    page.set_default_timeout(10_000)
    csp_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and csp_errors.append(msg.text))
    base = live_server.url
    log_in(page, base, runner)

    # Settings → two-factor log-in → set up: a QR code and the key to type.
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name=re.compile("Two-factor log-in: off")).click()
    page.get_by_role("link", name="Set up two-factor log-in").click()
    expect(page.get_by_role("heading", name="Set up two-factor log-in")).to_be_visible()
    qr = page.locator("svg.qr-code")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # large enough to scan from another phone
    key = page.locator("#totp-key").inner_text()
    assert_accessible(page, "set-up")
    screenshot(page, f"{scheme}-1-setup")

    # A wrong code is refused at its field; the password and a real code turn it on.
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from the app").fill("000000" if app_code(key) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor log-in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.wait_for_timeout(1100)  # django-otp makes the next try wait 1 s after a wrong code
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from the app").fill(app_code(key))
    page.get_by_role("button", name="Turn on two-factor log-in").click()
    expect(page.get_by_role("heading", name="Two-factor log-in is on")).to_be_visible()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "recovery codes")
    screenshot(page, f"{scheme}-2-recovery-codes")
    page.get_by_role("link", name="I have kept them").click()
    expect(page.get_by_text("You have 10 left")).to_be_visible()

    # Log out; the password alone is not enough: the code step follows.
    log_out(page)
    password_step(page, base, runner.email)
    page.goto(base + "/history/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # a half-way session is anonymous
    password_step(page, base, runner.email)
    assert_accessible(page, "code step")
    screenshot(page, f"{scheme}-3-code-step")
    page.get_by_label("Code").fill(app_code(key, step_ahead=1))  # the next code: the last one is used
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    expect(page.get_by_role("heading", name="Your runs")).to_be_visible()

    # Lost phone: a recovery code logs in once.
    log_out(page)
    password_step(page, base, runner.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your runs")).to_be_visible()
    log_out(page)
    password_step(page, base, runner.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    screenshot(page, f"{scheme}-4-code-refused")

    assert not [e for e in csp_errors if "Content Security Policy" in e], csp_errors
    context.close()
