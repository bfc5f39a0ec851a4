"""Two-factor log-in with real codes: turning it on (password and a code from the app, then
recovery codes shown once), the log-in's code step, a recovery code working once, turning
it off, and what guards it: a half-way session reaches no private page, wrong codes end
the step and count against the account, and each device makes a guesser wait."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from checkins.twofactor import devices
from checkins.twofactor.login import MAX_WRONG_CODES, PENDING_KEY
from tests.factories import PASSWORD, RunFactory
from tests.helpers import PUBLIC, Tree, concrete, url_patterns

pytestmark = pytest.mark.django_db

# An hour ahead of the real clock (the throttle looks back at real failures; sessions
# last two weeks), 10 s into a 30-second step.
_AHEAD = int(dt.datetime.now(dt.UTC).timestamp()) + 3600
NOW = dt.datetime.fromtimestamp(_AHEAD - _AHEAD % 30 + 10, tz=dt.UTC)
STEP = dt.timedelta(seconds=30)


def code_for(device: TOTPDevice) -> str:
    """The code the runner's authenticator app shows now (RFC 6238, from the device's key)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code that is none of the three the device accepts now (a step either side)."""
    right = {int(code_for(device))}
    for shift in (-1, 1):
        right.add(
            totp(device.bin_key, device.step, device.t0 - shift * device.step, device.digits, device.drift)
        )
    return next(f"{n:06d}" for n in range(1_000_000) if n not in right)


def shown_codes(response) -> list[str]:
    """The recovery codes a page shows."""
    codes = Tree(response.content.decode()).root.find("ul", id="recovery-codes")
    return [li.text for li in codes.find_all("li")]


def turn_on(client, runner) -> list[str]:
    """Set it up through the pages, as a runner does; the recovery codes shown."""
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=runner, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": code_for(device)})
    assert response.status_code == 200, response.content.decode()[:2000]
    return [
        li.text for li in Tree(response.content.decode()).root.find("ul", id="recovery-codes").find_all("li")
    ]


@pytest.fixture
def two_factor_runner(runner_client, runner):
    """A runner with two-factor log-in on, logged out; `.codes` are their recovery codes."""
    with time_machine.travel(NOW - 10 * STEP, tick=False):
        runner.codes = turn_on(runner_client, runner)
    runner_client.logout()
    return runner


def log_in_password(client, runner, next_url: str = ""):
    data = {"username": runner.email, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


# --- Turning it on ----------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_key_and_confirms_only_with_a_real_code(runner_client, runner):
    page = runner_client.get(reverse("two_factor_setup"))
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=runner)
    assert not device.confirmed
    svg = Tree(body).root.find("svg", cls="qr-code")
    assert svg.find("title").text
    assert "style=" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP allows no inline style
    key = Tree(body).root.find("p", id="totp-key").text.replace(" ", "")
    assert device.config_url.startswith("otpauth://totp/Aftermath")
    assert f"secret={key}" in device.config_url
    # A reload shows the same device: what was scanned stays what counts.
    runner_client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=runner).count() == 1
    # A wrong code, or a wrong password, turns nothing on.
    refused = runner_client.post(
        reverse("two_factor_setup"), {"password": PASSWORD, "code": wrong_code(device)}
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["code"]
    refused = runner_client.post(
        reverse("two_factor_setup"), {"password": "not-it", "code": code_for(device)}
    )
    assert refused.context["form"].errors["password"] and "code" not in refused.context["form"].errors
    device.refresh_from_db()
    runner.profile.refresh_from_db()
    assert not device.confirmed and not runner.profile.two_factor
    with time_machine.travel(NOW, tick=False):
        right = code_for(device)
        done = runner_client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": right})
    assert done.status_code == 200
    device.refresh_from_db()
    runner.profile.refresh_from_db()
    assert device.confirmed and runner.profile.two_factor
    codes = [
        li.text for li in Tree(done.content.decode()).root.find("ul", id="recovery-codes").find_all("li")
    ]
    assert len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    stored = set(StaticToken.objects.filter(device__user=runner).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in codes}
    # Shown once: the overview counts them, never lists them.
    overview = runner_client.get(reverse("two_factor")).content.decode()
    assert "10 left" in overview and codes[0] not in overview
    # The session that turned it on stays logged in.
    assert runner_client.get(reverse("history")).status_code == 200


# --- Logging in -------------------------------------------------------------------------


def test_log_in_asks_for_the_code_after_the_password(client, two_factor_runner):
    runner = two_factor_runner
    device = TOTPDevice.objects.get(user=runner)
    with time_machine.travel(NOW, tick=False):
        response = log_in_password(client, runner, next_url=reverse("history"))
        assert response["Location"] == reverse("login_code")
        assert "_auth_user_id" not in client.session  # nobody is logged in half-way
        response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == reverse("history")
    assert client.session["_auth_user_id"] == str(runner.pk)
    assert PENDING_KEY not in client.session
    assert client.get(reverse("history")).status_code == 200


def test_a_used_code_does_not_log_in_twice(client, two_factor_runner):
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW, tick=False):
        code = code_for(device)
        log_in_password(client, two_factor_runner)
        assert client.post(reverse("login_code"), {"code": code}).status_code == 302
        client.logout()
        log_in_password(client, two_factor_runner)
        again = client.post(reverse("login_code"), {"code": code})
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_logs_in_once(client, two_factor_runner):
    code = two_factor_runner.codes[3]
    log_in_password(client, two_factor_runner)
    response = client.post(reverse("login_code"), {"code": code.upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(two_factor_runner.pk)
    assert devices.recovery_codes_left(two_factor_runner) == 9
    client.logout()
    log_in_password(client, two_factor_runner)
    again = client.post(reverse("login_code"), {"code": code})
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_half_way_session_reaches_no_private_page(client, two_factor_runner):
    run = RunFactory(runner=two_factor_runner)
    log_in_password(client, two_factor_runner)
    private = [(route, name) for route, name in url_patterns() if name not in PUBLIC and name != "login_code"]
    assert {"api_tokens", "history", "profile", "two_factor"} <= {name for _, name in private}
    for route, name in private:
        response = client.get(concrete(route, run.pk))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_the_code_step_needs_the_password_step_in_time(client, two_factor_runner):
    assert client.get(reverse("login_code"))["Location"] == reverse("login")
    with time_machine.travel(NOW, tick=False):
        log_in_password(client, two_factor_runner)
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False):
        response = client.post(reverse("login_code"), {"code": code_for(device)})
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_wrong_codes_end_the_step_and_count_as_a_failed_log_in(client, two_factor_runner):
    device = TOTPDevice.objects.get(user=two_factor_runner)
    log_in_password(client, two_factor_runner)
    assert not AccessAttempt.objects.exists()
    for attempt in range(MAX_WRONG_CODES):
        response = client.post(reverse("login_code"), {"code": wrong_code(device)})
        assert response.status_code == (302 if attempt == MAX_WRONG_CODES - 1 else 400)
    assert response["Location"] == reverse("login")
    assert PENDING_KEY not in client.session
    assert client.get(reverse("login_code"))["Location"] == reverse("login")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == two_factor_runner.email and attempt.failures_since_start == 1


def test_the_device_makes_a_guesser_wait_even_for_the_right_code(client, two_factor_runner):
    """django-otp's throttle: after wrong codes the next try must wait, doubling each time."""
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            log_in_password(client, two_factor_runner)
            client.post(reverse("login_code"), {"code": wrong_code(device)})
        right = code_for(device)
        refused = client.post(reverse("login_code"), {"code": right})
        assert refused.status_code == 400
        assert "wait" in refused.context["form"].errors["code"][0]
    with time_machine.travel(NOW + dt.timedelta(seconds=5), tick=False):  # 2^(3-1) s = 4 s later
        assert client.post(reverse("login_code"), {"code": right}).status_code == 302


def test_a_session_from_before_it_was_turned_on_is_logged_out(client, runner):
    earlier, earlier_htmx = client.__class__(), client.__class__()
    for other in (earlier, earlier_htmx):
        other.force_login(runner)
        assert other.get(reverse("history")).status_code == 200
    client.force_login(runner)
    with time_machine.travel(NOW, tick=False):
        turn_on(client, runner)
    response = earlier.get(reverse("history"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in earlier.session
    htmx = earlier_htmx.get(reverse("history"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"].startswith(reverse("login"))
    assert "_auth_user_id" not in earlier_htmx.session
    # The session that turned it on passed the code: it goes on.
    assert client.get(reverse("history")).status_code == 200


# --- Turning it off, new recovery codes -----------------------------------------------


def log_in_fully(client, runner):
    device = TOTPDevice.objects.get(user=runner)
    with time_machine.travel(NOW, tick=False):
        log_in_password(client, runner)
        assert client.post(reverse("login_code"), {"code": code_for(device)}).status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(client, two_factor_runner):
    log_in_fully(client, two_factor_runner)
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW + 2 * STEP, tick=False):
        refused = client.post(
            reverse("two_factor_disable"), {"password": PASSWORD, "code": wrong_code(device)}
        )
        assert refused.status_code == 400 and devices.is_on(two_factor_runner)
        refused = client.post(reverse("two_factor_disable"), {"password": "nope", "code": code_for(device)})
        assert refused.status_code == 400 and devices.is_on(two_factor_runner)
    with time_machine.travel(NOW + 4 * STEP, tick=False):
        done = client.post(reverse("two_factor_disable"), {"password": PASSWORD, "code": code_for(device)})
    assert done["Location"] == reverse("two_factor")
    assert not devices.is_on(two_factor_runner)
    assert not StaticToken.objects.filter(device__user=two_factor_runner).exists()
    two_factor_runner.profile.refresh_from_db()
    assert not two_factor_runner.profile.two_factor
    client.logout()
    assert log_in_password(client, two_factor_runner)["Location"] == reverse("home")


def test_a_recovery_code_also_turns_it_off(client, two_factor_runner):
    log_in_fully(client, two_factor_runner)
    done = client.post(
        reverse("two_factor_disable"), {"password": PASSWORD, "code": two_factor_runner.codes[0]}
    )
    assert done.status_code == 302 and not devices.is_on(two_factor_runner)


def test_new_recovery_codes_replace_the_old_ones(client, two_factor_runner):
    log_in_fully(client, two_factor_runner)
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW + 2 * STEP, tick=False):
        response = client.post(reverse("recovery_codes"), {"password": PASSWORD, "code": code_for(device)})
    assert response.status_code == 200
    new = [
        li.text for li in Tree(response.content.decode()).root.find("ul", id="recovery-codes").find_all("li")
    ]
    assert len(new) == 10 and not set(new) & set(two_factor_runner.codes)
    client.logout()
    log_in_password(client, two_factor_runner)
    assert client.post(reverse("login_code"), {"code": two_factor_runner.codes[1]}).status_code == 400
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)):  # the wait after a wrong one
        assert client.post(reverse("login_code"), {"code": new[1]}).status_code == 302


def test_wrong_passwords_on_the_two_factor_pages_lock_like_the_log_in(client, two_factor_runner, settings):
    log_in_fully(client, two_factor_runner)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("recovery_codes"), {"password": "guess", "code": "123456"})
    assert AccessAttempt.objects.get(username=two_factor_runner.email).failures_since_start >= (
        settings.AXES_FAILURE_LIMIT
    )
    # Now even the right password and a right code are refused, with the lock-out page.
    right = {"password": PASSWORD, "code": two_factor_runner.codes[0]}
    locked = client.post(reverse("two_factor_disable"), right)
    assert locked.status_code in (403, 429)
    assert "Too many tries" in locked.content.decode()
    assert devices.is_on(two_factor_runner)


def test_a_runner_sets_up_only_their_own_device(client, runner, other_runner):
    client.force_login(runner)
    client.get(reverse("two_factor_setup"))
    mine = TOTPDevice.objects.get(user=runner)
    client.force_login(other_runner)
    page = client.get(reverse("two_factor_setup")).content.decode()
    theirs = TOTPDevice.objects.get(user=other_runner)
    assert devices.secret_text(mine) not in page and devices.secret_text(theirs) in page
    with time_machine.travel(NOW, tick=False):
        refused = client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": code_for(mine)})
    assert refused.status_code == 400
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.confirmed and not theirs.confirmed


def test_the_account_activity_lists_each_two_factor_step(client, two_factor_runner):
    """Turning it on, a recovery code at log-in, new codes and turning it off are each noted
    for the runner (checkins.activity), beside the log-ins themselves."""
    from checkins.models import AccountEvent

    def kinds():
        # Newest first by id: the clock is frozen at different moments below.
        events = AccountEvent.objects.filter(runner=two_factor_runner).order_by("-id")
        return list(events.values_list("kind", flat=True))

    assert "two_factor_on" in kinds()
    log_in_password(client, two_factor_runner)
    assert client.post(reverse("login_code"), {"code": two_factor_runner.codes[1]}).status_code == 302
    assert kinds()[:2] == ["recovery_code_used", "login"]
    device = TOTPDevice.objects.get(user=two_factor_runner)
    with time_machine.travel(NOW + 2 * STEP, tick=False):
        client.post(reverse("recovery_codes"), {"password": PASSWORD, "code": code_for(device)})
    with time_machine.travel(NOW + 4 * STEP, tick=False):
        client.post(reverse("two_factor_disable"), {"password": PASSWORD, "code": code_for(device)})
    assert kinds()[:2] == ["two_factor_off", "recovery_codes_new"]
    page = client.get(reverse("account_activity")).content.decode()
    assert "Logged in with a recovery code" in page and "Turned two-factor log-in off" in page
