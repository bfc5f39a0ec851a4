"""Offline first on a phone (Debian's Chromium, 390×844): the check-in page opens with no
connection, a check-in saved offline waits in the phone's outbox and is stored once when
the connection returns, and only ever for the runner who wrote it."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from checkins.models import Run
from tests.factories import PASSWORD
from tests.helpers import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = "Saved on this phone — will be sent when you're online."
WAIT = 15_000


def kept_for_offline(page, base: str) -> None:
    """One online visit of the check-in page: the service worker is installed and keeps it."""
    page.goto(base + reverse("checkin_create"))
    # Functions, not bare expressions: a bare one is eval'd, which the pages' CSP refuses.
    # Active (this first page may not be controlled yet: the next load is).
    page.wait_for_function("() => navigator.serviceWorker.ready.then((reg) => !!reg.active)", timeout=WAIT)
    page.wait_for_function(
        "() => caches.match(document.documentElement.dataset.checkin).then((kept) => !!kept)", timeout=WAIT
    )


def light_and_dark(page, name: str) -> None:
    """The top of the screen, where the outbox speaks, in both colour modes (evidence for CI)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(ARTIFACTS / f"offline-{name}-{scheme}.png"))
    page.emulate_media(color_scheme="light")


def save_offline(page, base: str, distance: str) -> None:
    """No connection: open the check-in page (the phone's copy) and save a check-in."""
    page.context.set_offline(True)
    page.goto(base + reverse("checkin_create"))
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    page.get_by_label("Distance (km)").fill(distance)
    page.get_by_label("Time (minutes)").fill("40")
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)


def test_a_checkin_saved_offline_is_stored_once_when_back_online(
    live_server, page, runner, assert_accessible
):
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    save_offline(page, base, "7.5")
    # The form is ready for the next run; the kept one survives a reload without connection.
    expect(page.get_by_label("Distance (km)")).to_have_value("")
    light_and_dark(page, "kept-on-the-phone")
    page.reload()
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)
    assert not Run.objects.filter(runner=runner).exists()
    # A page the phone does not keep: our offline page, which leads to the check-in page.
    page.goto(base + reverse("history"))
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)  # the outbox speaks here too
    light_and_dark(page, "no-connection-page")
    assert_accessible(page, "no connection")
    expect(page.get_by_role("link", name="Log a run")).to_have_attribute("href", reverse("checkin_create"))
    page.go_back()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)

    page.context.set_offline(False)
    expect(page.get_by_text("Sent.")).to_be_visible(timeout=WAIT)
    run = Run.objects.get(runner=runner)
    assert float(run.distance_km) == 7.5
    expect(page.get_by_role("link", name="See the run")).to_have_attribute(
        "href", reverse("run_detail", args=[run.pk])
    )
    expect(page.get_by_text(KEPT)).to_have_count(0)
    light_and_dark(page, "sent")
    # Sent once: another load, another "online", nothing more is stored.
    page.reload()
    page.evaluate("() => window.AftermathOffline.send()")
    assert Run.objects.filter(runner=runner).count() == 1


def test_after_the_session_ended_the_checkin_waits_for_a_log_in_then_is_sent_once(live_server, page, runner):
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    save_offline(page, base, "5")
    Session.objects.all().delete()  # the session ends while the phone is offline
    page.context.set_offline(False)
    ask = page.get_by_text("not sent yet: log in to send it")
    expect(ask).to_be_visible(timeout=WAIT)
    assert not Run.objects.exists()
    light_and_dark(page, "log-in-to-send")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill(runner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Sent.")).to_be_visible(timeout=WAIT)
    assert Run.objects.filter(runner=runner).count() == 1
    assert Run.objects.count() == 1


def test_another_runner_logged_in_on_the_phone_never_gets_the_checkin(
    live_server, page, runner, other_runner
):
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    save_offline(page, base, "9")
    page.context.clear_cookies()  # the runner's session is gone from the phone
    page.context.set_offline(False)
    expect(page.get_by_text("not sent yet: log in to send it")).to_be_visible(timeout=WAIT)
    log_in(page, base, other_runner)
    note = page.get_by_text("A check-in saved on this phone is waiting for the runner who wrote it.")
    expect(note).to_be_visible(timeout=WAIT)
    light_and_dark(page, "waits-for-its-runner")
    page.goto(base + reverse("history"))
    expect(note).to_be_visible(timeout=WAIT)
    assert not Run.objects.exists()
    # The phone's copy of the first runner's check-in page is gone: offline, the second
    # runner never sees it (their own copy, or the offline page).
    page.wait_for_function(
        """mine => caches.match(document.documentElement.dataset.checkin).then(kept =>
             !kept || kept.text().then(html => html.indexOf('data-runner="' + mine + '"') === -1))""",
        arg=str(runner.pk),
        timeout=WAIT,
    )
    page.context.set_offline(True)
    page.goto(base + reverse("checkin_create"))
    expect(page.locator("html")).not_to_have_attribute("data-runner", str(runner.pk))
    page.context.set_offline(False)
    page.context.clear_cookies()
    log_in(page, base, runner)
    expect(page.get_by_text("Sent.")).to_be_visible(timeout=WAIT)
    assert Run.objects.filter(runner=runner).count() == 1
    assert not Run.objects.filter(runner=other_runner).exists()


def test_the_app_is_installable_with_no_error(
    live_server, browser_type, browser_type_launch_args, browser_context_args, tmp_path, runner
):
    """Chromium's own verdict, in a profile kept on disk as an installed app's would be."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, **browser_context_args
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        base = live_server.url
        log_in(page, base, runner)
        kept_for_offline(page, base)
        page.reload()  # now controlled by the service worker
        manifest = page.request.get(base + page.locator('link[rel="manifest"]').get_attribute("href"))
        assert manifest.headers["content-type"] == "application/manifest+json"
        worker = page.request.get(base + reverse("service_worker"))
        assert worker.headers["content-type"].startswith("text/javascript")
        # Checked for a new version on every visit (a signed-in visit also says private, no-store).
        assert "no-cache" in worker.headers["cache-control"]
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        scope = page.evaluate("() => navigator.serviceWorker.ready.then((reg) => reg.scope)")
        assert scope == base + "/"
    finally:
        context.close()


def test_the_phones_copy_of_the_page_never_reuses_a_key_already_saved(live_server, page, runner):
    """The kept page carries the idempotency key it was served with; saved online with that
    key, an offline check-in from the same copy must be a new run, not "the same" one."""
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    page.goto(base + reverse("checkin_create"))  # controlled now: this very page is the copy
    served = page.evaluate(
        """() => caches.match(document.documentElement.dataset.checkin).then((kept) => kept.text())
                 .then((html) => html.match(/name="idempotency_key" value="([^"]+)"/)[1])"""
    )
    page.locator("#id_idempotency_key").evaluate("(input, key) => { input.value = key; }", served)
    page.get_by_label("Distance (km)").fill("3")
    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    assert Run.objects.filter(runner=runner, idempotency_key=served).exists()
    save_offline(page, base, "4")  # the copy with the key just used
    assert page.locator("#id_idempotency_key").input_value() != served
    page.context.set_offline(False)
    expect(page.get_by_text("Sent.")).to_be_visible(timeout=WAIT)
    assert sorted(
        float(d) for d in Run.objects.filter(runner=runner).values_list("distance_km", flat=True)
    ) == [
        3.0,
        4.0,
    ]


FAKE_INSTALL_PROMPT = """() => {
  const offer = new Event("beforeinstallprompt", { cancelable: true });
  offer.prompt = () => { window.__prompted = true; };
  window.dispatchEvent(offer);
}"""


def save_online(page, base: str, distance: str) -> None:
    page.goto(base + reverse("checkin_create"))
    page.get_by_label("Distance (km)").fill(distance)
    page.get_by_role("button", name="Save and see advice").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))


def test_add_to_home_screen_is_offered_after_the_second_checkin_and_never_again_once_dismissed(
    live_server, page, runner
):
    """Chromium's beforeinstallprompt, stood in for by the same event (headless Chromium
    decides by itself when to fire it)."""
    base = live_server.url
    log_in(page, base, runner)
    offer = page.locator("#install-offer")
    save_online(page, base, "5")
    page.evaluate(FAKE_INSTALL_PROMPT)
    expect(offer).to_have_count(0)  # one check-in: not yet
    save_online(page, base, "6")
    page.evaluate(FAKE_INSTALL_PROMPT)
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Open Aftermath from your home screen, even offline.")
    light_and_dark(page, "install-offer")
    page.get_by_role("button", name="No thanks").click()
    expect(offer).to_have_count(0)
    assert not page.evaluate("() => !!window.__prompted")
    save_online(page, base, "7")
    page.evaluate(FAKE_INSTALL_PROMPT)
    page.wait_for_timeout(300)
    expect(offer).to_have_count(0)  # dismissed: never again


def test_a_kept_checkin_the_server_sends_back_opens_in_the_form_nothing_lost(live_server, page, runner):
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    page.context.set_offline(True)
    page.goto(base + reverse("checkin_create"))
    page.get_by_label("Notes").fill("calf fluttered at the lights")  # nothing the form needs
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)
    page.context.set_offline(False)
    expect(page.get_by_text("was not taken: some answers need a look")).to_be_visible(timeout=WAIT)
    assert not Run.objects.exists()
    page.get_by_role("button", name="Open it").click()
    expect(page.locator("#draft-note")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("calf fluttered at the lights")
    expect(page.get_by_text("was not taken")).to_have_count(0)


def test_a_checkin_sent_back_is_never_opened_by_another_runner_on_the_phone(
    live_server, page, runner, other_runner
):
    """Sent back with errors, it stays on the phone for its runner: another runner logged in
    later is told only that one waits, never offered to open (and save) its answers."""
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    page.context.set_offline(True)
    page.goto(base + reverse("checkin_create"))
    page.get_by_label("Notes").fill("left calf, after the hills")
    page.get_by_role("button", name="Save and see advice").click()
    expect(page.get_by_text(KEPT)).to_be_visible(timeout=WAIT)
    page.context.set_offline(False)
    expect(page.get_by_text("was not taken: some answers need a look")).to_be_visible(timeout=WAIT)
    page.context.clear_cookies()
    log_in(page, base, other_runner)
    expect(page.get_by_text("is waiting for the runner who wrote it")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Open it")).to_have_count(0)
    page.goto(base + reverse("checkin_create"))
    expect(page.get_by_label("Notes")).to_have_value("")
    page.context.clear_cookies()
    log_in(page, base, runner)
    expect(page.get_by_role("button", name="Open it")).to_be_visible(timeout=WAIT)
    assert not Run.objects.exists()


def test_a_checkin_kept_in_km_is_not_sent_after_the_runner_switched_to_miles(live_server, page, runner):
    """The server reads the numbers in the runner's units now: 7 km must not become 7 miles."""
    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    save_offline(page, base, "7")
    runner.profile.distance_unit = "mi"
    runner.profile.save()
    page.context.set_offline(False)
    expect(page.get_by_text("was not taken: some answers need a look")).to_be_visible(timeout=WAIT)
    assert not Run.objects.exists()


def test_a_page_filled_in_from_a_watch_file_is_not_the_phones_copy(live_server, page, runner):
    """The copy kept for offline use is the plain form, never one filled in from a file."""
    from django.contrib.sessions.backends.db import SessionStore

    from checkins.transfer.import_jobs import keep_for_checkin

    base = live_server.url
    log_in(page, base, runner)
    kept_for_offline(page, base)
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=session_key)
    keep_for_checkin(session, {"started_at": "2026-12-04T07:30:00+00:00", "distance_km": 21.1})
    session.save()
    plain_copy = """() => caches.match(document.documentElement.dataset.checkin).then((kept) => kept.text())
                 .then((html) => html.includes('name="finished_at"') && !html.includes("21.1"))"""
    page.goto(base + reverse("checkin_create"))
    expect(page.get_by_label("Distance (km)")).to_have_value("21.1")  # the file's
    page.wait_for_timeout(1000)  # time for the worker to keep it, were it kept
    assert page.evaluate(plain_copy)
    page.context.set_offline(True)
    page.goto(base + reverse("history"))
    page.goto(base + reverse("checkin_create"))
    expect(page.get_by_label("Finished")).to_be_visible()
    expect(page.get_by_label("Distance (km)")).to_have_value("")
