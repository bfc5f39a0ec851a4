"""The tokens page and the API's docs in Debian's Chromium at a phone's size: a runner makes
a token (light and dark), logs a check-in with it and reads the advice back, revokes it;
the docs page runs Swagger UI under the strict content security policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from api.models import AccessToken
from checkins.models import Run
from tests.api.helpers import operations
from tests.browser.conftest import assert_accessible, axe  # noqa: F401  (the browser tests' axe fixtures)
from tests.factories import UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The browser reports a blocked script, style or request on the console and as an event.
WATCH_POLICY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture(params=["light", "dark"])
def runner_page(request, live_server, browser, browser_context_args):
    runner = UserFactory(email="ava@example.org")
    runner.profile.acknowledge_notice()
    context = browser.new_context(**{**browser_context_args, "color_scheme": request.param})
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    log_in(page, live_server.url, runner)
    page.runner, page.scheme, page.base = runner, request.param, live_server.url
    yield page
    context.close()


def test_a_token_made_used_and_revoked_on_a_phone(runner_page, screenshot, assert_accessible):  # noqa: F811
    """A runner makes a token, logs a check-in with it, reads the advice back, and revokes it."""
    page = runner_page
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Access tokens for apps and shortcuts").click()
    expect(page.get_by_role("heading", name="Access tokens", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.bsTheme") == page.scheme
    page.get_by_label("Name").fill("iPhone shortcut")
    page.get_by_text("Read, and log, edit or delete runs").click()
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_role("heading", name="Copy your new token now")).to_be_visible()
    token = page.get_by_label(re.compile("iPhone shortcut")).input_value()
    assert re.fullmatch(r"aft_[0-9a-f]{12}_[\w-]{43}", token)
    assert_accessible(page, f"tokens page, {page.scheme}")
    screenshot(page, f"{page.scheme}-new-token")

    # The shortcut's request: two answers, the run's distance and time.
    bearer = {"Authorization": f"Bearer {token}"}
    body = {"twitching": True, "muscles": ["calves"], "distance_km": 12.4, "duration_min": 68}
    created = page.request.post(page.base + "/api/v1/checkins", data=body, headers=bearer)
    assert created.status == 201, created.text()
    run_id = created.json()["run"]["id"]
    assert Run.objects.get(pk=run_id).runner == page.runner
    advice = page.request.get(f"{page.base}/api/v1/runs/{run_id}", headers=bearer).json()["assessment"]
    assert advice["headline"] and advice["notice"]

    page.goto(page.url)  # the token is not shown again; when it was last used is
    assert token not in page.content()
    expect(page.get_by_text(re.compile("last used"))).to_be_visible()
    page.get_by_role("button", name="Revoke “iPhone shortcut”").click()
    expect(page.get_by_text("The token “iPhone shortcut” is revoked: it no longer works.")).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    screenshot(page, f"{page.scheme}-revoked")
    refused = page.request.get(page.base + "/api/v1/runs", headers=bearer)
    assert refused.status == 401
    assert AccessToken.objects.get().revoked_at is not None
    assert page.problems == [] and page.evaluate("window.__violations") == []


def test_the_docs_describe_every_operation_under_the_strict_policy(runner_page, screenshot):
    page = runner_page
    token = AccessToken.issue(runner=page.runner, name="Docs", scope="read", days=7)[1]
    page.goto(page.base + "/api/docs")
    assert page.url.endswith("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() == len(operations())
    screenshot(page, f"{page.scheme}-docs")
    # Try it out, with the token: the docs page is a working client.
    page.locator(".auth-wrapper button.authorize").click()
    page.locator(".auth-container input").fill(token)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".auth-btn-wrapper button.btn-done").click()
    page.locator(".opblock-get", has_text="/api/v1/runs").first.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    assert page.problems == [] and page.evaluate("window.__violations") == []
