"""Reminders in Debian's Chromium at 390x844: the settings section subscribes this phone with
the server's key and stores its subscription (static/js/reminders.js, with the browser's push
service stood in for: it needs Google's servers), and a push delivered to a service worker
running static/js/sw-push.js shows the reminder's notification with its page."""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import expect

from checkins.models import PushSubscription, ReminderSettings
from checkins.reminders.vapid import vapid_keys
from tests.helpers import ARTIFACTS, phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser's push service stood in for: register and ready resolve, and pushManager.subscribe
# answers a subscription after noting the applicationServerKey it was given.
FAKE_PUSH = """
(() => {
  const subscription = {
    endpoint: "https://push.example.net/send/phone-1",
    toJSON() { return { endpoint: this.endpoint, keys: {
      p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
      auth: "tBHItJI5svbpez7KI4CCXg" } }; }
  };
  let current = null;
  const manager = {
    getSubscription: () => Promise.resolve(current),
    subscribe: (options) => {
      window.__subscribedWith = Array.from(new Uint8Array(options.applicationServerKey));
      window.__userVisibleOnly = options.userVisibleOnly;
      current = subscription;
      return Promise.resolve(subscription);
    }
  };
  const registration = { pushManager: manager };
  window.PushManager = window.PushManager || function () {};
  Object.defineProperty(navigator, "serviceWorker", { value: {
    register: (url) => { window.__registered = url; return Promise.resolve(registration); },
    ready: Promise.resolve(registration)
  }});
})();
"""


def test_choosing_notifications_subscribes_this_phone(
    browser, browser_context_args, live_server, runner, assert_accessible
):
    page = phone_page(browser, browser_context_args, live_server, runner, "light")
    try:
        page.context.grant_permissions(["notifications"])
        page.add_init_script(FAKE_PUSH)
        page.goto(live_server.url + "/profile/#reminders")
        panel = page.locator("[data-push-panel]")
        page.get_by_label("An e-mail").check()
        expect(panel).to_be_hidden()
        page.get_by_label("Remind me the morning after").check()
        page.get_by_label("A notification on this phone").check()
        expect(panel).to_be_visible()
        assert_accessible(page, "settings, reminders by notification")
        page.locator("#reminders").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "reminder-settings-push.png"))
        page.get_by_role("button", name="Save reminders").click()
        expect(page.get_by_text("Your reminder settings are saved.")).to_be_visible()
        subscription = PushSubscription.objects.get()
        assert subscription.runner == runner and subscription.endpoint.endswith("/phone-1")
        prefs = ReminderSettings.objects.get(runner=runner)
        assert prefs.followup and prefs.channel == "push"
        expect(page.get_by_text("Notifications reach 1 phone or browser of yours.")).to_be_visible()
    finally:
        page.context.close()


def test_the_key_given_to_the_browser_is_the_servers(browser, browser_context_args, live_server, runner):
    page = phone_page(browser, browser_context_args, live_server, runner, "dark")
    try:
        page.context.grant_permissions(["notifications"])
        page.add_init_script(FAKE_PUSH)
        page.goto(live_server.url + "/profile/#reminders")
        page.get_by_label("A notification on this phone").check()
        page.get_by_role("button", name="Allow notifications on this phone").click()
        expect(page.get_by_text("Notifications are on for this phone.")).to_be_visible()
        given = bytes(page.evaluate("window.__subscribedWith"))
        assert given == base64.urlsafe_b64decode(vapid_keys().public_key + "==")
        assert page.evaluate("window.__userVisibleOnly") is True
        assert page.evaluate("window.__registered") == "/sw.js"
        assert PushSubscription.objects.filter(runner=runner).count() == 1
        page.locator("#reminders").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "reminder-settings-dark.png"))
    finally:
        page.context.close()


def test_a_push_shows_the_reminder_and_its_page(browser, browser_context_args, live_server, runner):
    """sw-push.js as a service worker of its own (the app's /sw.js imports it): a push
    delivered through Chromium's DevTools protocol becomes the notification."""
    context = browser.new_context(**browser_context_args)
    try:
        context.grant_permissions(["notifications"], origin=live_server.url)
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        cdp = context.new_cdp_session(page)
        registrations = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        page.evaluate(
            "navigator.serviceWorker.register('/static/js/sw-push.js', {scope: '/static/js/'})"
            ".then(() => navigator.serviceWorker.getRegistration('/static/js/'))"
            ".then(r => new Promise(done => { const w = r.installing || r.waiting || r.active;"
            " if (w.state === 'activated') return done(); w.addEventListener('statechange',"
            " () => w.state === 'activated' && done()); }))"
        )
        page.wait_for_timeout(200)
        registration_id = next(
            r["registrationId"] for r in registrations if r["scopeURL"].endswith("/static/js/")
        )
        payload = {
            "title": "How are your muscles this morning?",
            "body": "Two taps to note it.",
            "url": "/runs/7/followup/",
            "tag": "reminder-7",
        }
        for _ in range(2):  # sent twice: the tag keeps one notification
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": live_server.url, "registrationId": registration_id, "data": json.dumps(payload)},
            )
        page.wait_for_timeout(500)
        shown = page.evaluate(
            "navigator.serviceWorker.getRegistration('/static/js/').then(r => r.getNotifications())"
            ".then(list => list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})))"
        )
        assert shown == [
            {
                "title": payload["title"],
                "body": payload["body"],
                "tag": "reminder-7",
                "url": "/runs/7/followup/",
            }
        ]
    finally:
        context.close()
