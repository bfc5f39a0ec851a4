"""Every account flow: sign up, notice, log in and out, password change and reset, profile."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from checkins.models import User
from tests.factories import METRIC_PROFILE_FORM, PASSWORD, UserFactory
from tests.helpers import Tree, input_value

pytestmark = pytest.mark.django_db


def confirm_link(message) -> str:
    return re.search(r"https?://[^/]+(/signup/confirm/\S+/)", message.body).group(1)


def sign_up(client, email: str, **extra):
    """Sign up and follow the e-mailed link, as a new runner does; the last response."""
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    assert client.post(reverse("signup"), data)["Location"] == reverse("signup_done")
    link = confirm_link(mail.outbox[-1])
    assert client.get(link).status_code == 200
    return client.post(link, {"password": PASSWORD})


def test_signup_confirms_the_address_logs_in_and_asks_for_the_notice(client):
    response = client.post(
        reverse("signup"),
        {"email": "New.Runner@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_done")
    user = User.objects.get()
    assert user.email == "new.runner@example.org"
    assert not user.is_active  # until the address is confirmed
    assert "_auth_user_id" not in client.session
    assertContains(client.get(reverse("signup_done")), "new.runner@example.org")
    # The link shows a button (a mail scanner opening it changes nothing); posting confirms.
    (message,) = mail.outbox
    assert message.to == ["new.runner@example.org"]
    link = confirm_link(message)
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    refused = client.post(link, {"password": "not-the-one"})  # whoever opens it needs the password
    assert refused.status_code == 200 and refused.context["form"].errors["password"]
    response = client.post(link, {"password": PASSWORD})
    assert response["Location"] == reverse("welcome")
    user.refresh_from_db()
    assert user.is_active
    assert not user.profile.has_acknowledged_notice
    # Until the notice is acknowledged, any page leads there first.
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("welcome"))
    # The link works once.
    client.logout()
    assert client.post(link, {"password": PASSWORD}).status_code == 400


def test_signup_errors_name_their_field_and_keep_the_email(client):
    response = client.post(
        reverse("signup"), {"email": "ana@example.org", "password1": "x", "password2": "y"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "password2" in form.errors
    assert input_value(response.content.decode(), "email") == "ana@example.org"


def test_signing_up_again_before_confirming_takes_the_new_password(client):
    """A stranger who signed up first with someone's address cannot keep the account: the
    owner's sign-up sets their own password, and the stranger's link stops working."""
    stranger = {
        "email": "zoe@example.org",
        "password1": "strangers-pass-991",
        "password2": "strangers-pass-991",
    }
    client.post(reverse("signup"), stranger)
    strangers_link = confirm_link(mail.outbox[-1])
    sign_up(Client(), "zoe@example.org")  # the owner, with PASSWORD, confirms their own link
    user = User.objects.get(email="zoe@example.org")
    assert user.is_active and user.check_password(PASSWORD)
    assert client.post(strangers_link, {"password": "strangers-pass-991"}).status_code == 400


def test_an_unconfirmed_account_cannot_log_in(client):
    client.post(reverse("signup"), {"email": "kai@example.org", "password1": PASSWORD, "password2": PASSWORD})
    response = client.post(reverse("login"), {"username": "kai@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_notice_must_be_ticked_and_is_stored_once(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("welcome"), {})
    assert response.status_code == 200
    assert "tick the box" in response.context["form"].errors["understood"][0]
    response = client.post(reverse("welcome"), {"understood": "on", "next": reverse("profile")})
    assert response["Location"] == reverse("profile")
    user.profile.refresh_from_db()
    assert user.profile.has_acknowledged_notice
    assert client.get(reverse("home")).status_code == 200


def test_notice_refuses_an_offsite_next(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("welcome"), {"understood": "on", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_login_is_case_insensitive_and_logout_is_post_only(client):
    UserFactory(email="ana@example.org")
    response = client.post(reverse("login"), {"username": "ANA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_with_wrong_password_says_so(client):
    UserFactory(email="ana@example.org")
    response = client.post(reverse("login"), {"username": "ana@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "correct e-mail address and password" in response.content.decode()


def test_password_change(runner_client, runner):
    new = "a-new-long-passphrase-7"
    response = runner_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("password_change_done")
    runner.refresh_from_db()
    assert runner.check_password(new)


def test_password_reset_by_email_link(client):
    user = UserFactory(email="ana@example.org")
    response = client.post(reverse("password_reset"), {"email": "Ana@Example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    assert "Reset your Aftermath password" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "brand-new-passphrase-99"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_for_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_profile_saves_units_zone_weight_and_medicines(runner_client, runner):
    response = runner_client.post(
        reverse("profile"),
        {
            "distance_unit": "mi",
            "temperature_unit": "f",
            "volume_unit": "floz",
            "weight_unit": "lb",
            "time_zone": "America/New_York",
            "body_weight": "154.3",
            "medications": ["statins", "diuretics"],
            "medication_changed": "on",
        },
    )
    assert response["Location"] == reverse("profile")
    profile = runner.profile
    profile.refresh_from_db()
    assert (profile.distance_unit, profile.temperature_unit) == ("mi", "f")
    assert (profile.volume_unit, profile.weight_unit) == ("floz", "lb")
    assert profile.time_zone == "America/New_York"
    assert profile.body_weight_kg == pytest.approx(70.0, abs=0.05)
    assert profile.medications == ["statins", "diuretics"]
    assert profile.medication_changed is True
    # Shown back in pounds.
    page = runner_client.get(reverse("profile")).content.decode()
    assert input_value(page, "body_weight") == "154.3"
    assert "Body weight (lb)" in page


def test_profile_refuses_an_impossible_weight_at_the_field(runner_client):
    response = runner_client.post(
        reverse("profile"),
        {**METRIC_PROFILE_FORM, "body_weight": "900"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body_weight"] == ["Enter a number from 25 up to 250 kg."]
    assert input_value(response.content.decode(), "body_weight") == "900"


def test_pages_need_a_login(client):
    for name in ("profile", "welcome", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_runner_time_zone_is_active_for_their_requests(runner):
    """The middleware activates the profile's zone for the request, then resets it."""
    from django.utils import timezone

    from checkins.middleware import RunnerTimezoneMiddleware

    runner.profile.time_zone = "Asia/Tokyo"
    runner.profile.save()
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()

    class Request:
        user = runner

    RunnerTimezoneMiddleware(view)(Request())
    assert seen["zone"] == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"


def test_signup_takes_the_browsers_time_zone(client):
    sign_up(client, "kai@example.org", time_zone="Asia/Tokyo")
    assert User.objects.get(email="kai@example.org").profile.time_zone == "Asia/Tokyo"


def test_signup_ignores_an_unknown_time_zone(client):
    sign_up(client, "kai@example.org", time_zone="Mars/Base")
    assert User.objects.get(email="kai@example.org").profile.time_zone == "UTC"


# --- The time-zone picker ------------------------------------------------------------


def zone_picker(page: str):
    return Tree(page).root.find("select", name="time_zone")


def zone_options(page: str) -> list[str]:
    return [option.attrs["value"] for option in zone_picker(page).find_all("option")]


def test_the_zone_picker_lists_places_common_ones_first(runner_client):
    response = runner_client.get(reverse("profile"))
    page = response.content.decode()
    options = zone_options(page)
    picker = zone_picker(page)
    assert "data-zone-suggest" in picker.attrs and "js/timezone.js" in page  # offers the phone's zone
    assert [group.attrs["label"] for group in picker.find_all("optgroup")] == ["Common", "All, A to Z"]
    assert options[0] == "Europe/London"  # the first common zone
    assert 300 < len(set(options)) < 450  # not the ~600 raw names
    for gone in ("Factory", "US/Eastern", "Etc/GMT+5", "EST5EDT", "GB", "Asia/Calcutta", "posixrules"):
        assert gone not in options
    for kept in ("UTC", "Europe/London", "Asia/Kolkata", "America/Argentina/Salta", "Europe/Oslo"):
        assert kept in options
    assertContains(response, '<option value="America/New_York">America/New York</option>', html=True)


def test_a_zone_outside_the_list_is_refused_at_the_field(runner_client, runner):
    for name in ("Factory", "US/Eastern", "Mars/Base"):
        response = runner_client.post(reverse("profile"), {**METRIC_PROFILE_FORM, "time_zone": name})
        assert response.status_code == 200
        assert response.context["form"].errors["time_zone"], name
    runner.profile.refresh_from_db()
    assert runner.profile.time_zone == "UTC"


def test_a_stored_zone_outside_the_list_stays_shown_and_valid(runner_client, runner):
    # A browser may report a legacy alias at sign-up; the runner must still be able to save.
    runner.profile.time_zone = "Asia/Calcutta"
    runner.profile.save()
    response = runner_client.get(reverse("profile"))
    assertContains(response, '<option value="Asia/Calcutta" selected>Asia/Calcutta</option>', html=True)
    assert zone_options(response.content.decode()).count("Asia/Calcutta") == 1
    response = runner_client.post(reverse("profile"), {**METRIC_PROFILE_FORM, "time_zone": "Asia/Calcutta"})
    assert response.status_code == 302
    runner.profile.refresh_from_db()
    assert runner.profile.time_zone == "Asia/Calcutta"
    # Once moved to a listed zone, the old alias is no longer offered.
    runner_client.post(reverse("profile"), {**METRIC_PROFILE_FORM, "time_zone": "Asia/Kolkata"})
    assert "Asia/Calcutta" not in zone_options(runner_client.get(reverse("profile")).content.decode())


def test_signup_keeps_a_browsers_legacy_zone_name(client):
    sign_up(client, "ravi@example.org", time_zone="Asia/Calcutta")
    assert User.objects.get(email="ravi@example.org").profile.time_zone == "Asia/Calcutta"
