"""Hardening found by probing the running app, each a behaviour that failed before:
private pages not stored by any cache; sign-up that does not tell whether an address has
an account; password-reset e-mails limited per address and per client; password re-checks
and per-account failures counted like the log-in's; overlong names refused at the field;
bodies larger than a URL takes refused before they are read."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checkins.models import CheckIn, ImportJob, Run, User
from checkins.transfer.import_jobs import start_job
from checkins.transfer.uploads import MAX_REQUEST_FILE_BYTES
from tests.factories import PASSWORD, RunFactory, UserFactory
from tests.helpers import PUBLIC, checkin_post, make_gpx, url_patterns

pytestmark = pytest.mark.django_db


# --- Cache-Control and Vary -------------------------------------------------------------


def private_url(route: str, runner) -> str:
    if "<int:pk>" in route:
        if route.startswith("import/"):
            pk = start_job(runner, ImportJob.Kind.FILES, [SimpleUploadedFile("mine.gpx", make_gpx())]).pk
        else:
            run = RunFactory(runner=runner)
            CheckIn.objects.create(run=run, twitching=True)
            pk = run.pk
        route = route.replace("<int:pk>", str(pk))
    return "/" + route


def test_every_private_page_is_private_and_not_stored(runner_client, runner):
    seen = set()
    for route, name in url_patterns():
        if name in PUBLIC and name != "home":  # home is the landing page for a stranger
            continue
        url = private_url(route, runner)
        response = runner_client.get(url)
        if response.status_code != 200:
            continue  # a POST-only URL (405) or a redirect
        seen.add(name)
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (name, url, response.get("Cache-Control"))
        assert "public" not in directives
    must = {"home", "history", "run_detail", "tips", "data", "report", "checkin_create", "profile"}
    assert must | {"import_progress", "api_tokens", "two_factor"} <= seen, seen


def test_a_page_from_the_page_cache_is_not_stored_either(runner_client, make_run, runner):
    make_run(runner, {"twitching": True})
    first = runner_client.get(reverse("history"))
    again = runner_client.get(reverse("history"))  # served by checkins.pagecache
    for response in (first, again):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "HX-Request" in response["Vary"]
    assert first.content.count(b"<main") == again.content.count(b"<main") == 1


@pytest.mark.parametrize("name", ["home", "history", "checkin_create", "tips", "profile"])
def test_pages_that_answer_htmx_with_a_part_vary_on_it(runner_client, name):
    for headers in ({}, {"HX-Request": "true"}):
        response = runner_client.get(reverse(name), headers=headers)
        assert response.status_code == 200
        assert "HX-Request" in {v.strip() for v in response["Vary"].split(",")}, name


def test_the_landing_page_is_not_marked_private(client):
    response = client.get(reverse("home"))
    assert "no-store" not in response.get("Cache-Control", "")


# --- Sign-up says nothing about the address ---------------------------------------------


def signup(client, email: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("signup"), data)


def test_signup_answers_the_same_for_a_registered_address_and_mails_its_owner(client):
    UserFactory(email="taken@example.org")
    hashes = mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    )
    with hashes as taken_hash:
        taken = signup(client, "Taken@Example.org")
    page_taken = client.get(taken["Location"]).content.decode().replace("taken@example.org", "X")
    with hashes as new_hash:
        new = signup(client, "free@example.org")
    page_new = client.get(new["Location"]).content.decode().replace("free@example.org", "X")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken_hash.call_count >= 1 and new_hash.call_count >= 1  # a password hashed either way
    assert page_taken.split("<main", 1)[1] == page_new.split("<main", 1)[1]
    owner, newcomer = mail.outbox
    assert owner.to == ["taken@example.org"] and "tried" in owner.subject
    assert "log in" in owner.body.lower() and "/accounts/password_reset/" in owner.body
    assert "/signup/confirm/" not in owner.body
    assert newcomer.to == ["free@example.org"] and "/signup/confirm/" in newcomer.body
    # The owner's account is untouched.
    owner_account = User.objects.get(email="taken@example.org")
    assert owner_account.check_password(PASSWORD) and owner_account.is_active


# --- Password-reset e-mails limited per address and per client --------------------------


def reset(client, email: str, ip: str = "203.0.113.5"):
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)
    assert response["Location"] == reverse("password_reset_done")  # the same answer, always
    return response


def test_reset_mails_are_limited_per_address(client, settings):
    UserFactory(email="ana@example.org")
    limit = getattr(settings, "PASSWORD_RESET_PER_ADDRESS", 3)  # (getattr: the test runs on older code too)
    for n in range(limit + 2):
        reset(client, "ana@example.org", ip=f"198.51.100.{n}")
    assert len(mail.outbox) == limit
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, minutes=1)):
        reset(client, "ana@example.org")
    assert len(mail.outbox) == limit + 1


def test_reset_mails_are_limited_per_client(client, settings):
    limit = getattr(settings, "PASSWORD_RESET_PER_CLIENT", 10)
    for n in range(limit + 2):
        UserFactory(email=f"r{n}@example.org")
        reset(client, f"r{n}@example.org")
    assert len(mail.outbox) == limit
    reset(client, f"r{limit + 1}@example.org", ip="192.0.2.7")  # another client still can
    assert len(mail.outbox) == limit + 1


# --- Password re-checks and per-account failures, counted like the log-in's -------------


def test_deleting_the_account_locks_out_a_password_guesser(runner_client, runner, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = runner_client.post(reverse("delete_account"), {"password": "guess"})
        if n < settings.AXES_FAILURE_LIMIT - 1:
            assert response.context["form"].errors["password"] == ["That is not your password."]
    response = runner_client.post(reverse("delete_account"), {"password": PASSWORD})
    assert response.status_code in (403, 429)
    assert User.objects.filter(pk=runner.pk).exists()


def test_changing_the_password_locks_out_a_password_guesser(runner_client, runner, settings):
    new = "a-new-long-passphrase-7"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        runner_client.post(
            reverse("password_change"), {"old_password": "guess", "new_password1": new, "new_password2": new}
        )
    response = runner_client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code in (403, 429)
    runner.refresh_from_db()
    assert runner.check_password(PASSWORD)


def test_failures_from_many_addresses_lock_the_account(client, runner, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": runner.email, "password": "guess"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
    response = client.post(
        reverse("login"), {"username": runner.email, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=runner.email).count() >= settings.AXES_FAILURE_LIMIT


# --- Overlong names ---------------------------------------------------------------------

LONG = "a" * 100_000 + "@example.org"


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("login", {"username": LONG, "password": "x"}, "username"),
        ("signup", {"email": LONG, "password1": PASSWORD, "password2": PASSWORD}, "email"),
        ("password_reset", {"email": LONG}, "email"),
    ],
)
def test_a_100000_character_address_is_refused_at_its_field(client, name, data, field):
    response = client.post(reverse(name), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and "254" in " ".join(errors[field]), errors
    assert not AccessAttempt.objects.exists()  # nothing of it went on to the database
    assert not User.objects.exists() and mail.outbox == []


# --- Bodies larger than a URL takes -------------------------------------------------------


def post_length(client, url: str, length: int, content_type="multipart/form-data; boundary=x"):
    """A POST announcing `length` bytes but sending none: answered from the header alone."""
    return client.generic("POST", url, b"", content_type=content_type, CONTENT_LENGTH=str(length))


def test_a_form_body_over_the_cap_is_refused_before_it_is_read(runner_client, settings):
    response = post_length(runner_client, reverse("checkin_create"), 10 * 1024 * 1024)
    assert response.status_code == 413
    assert "none of it was read" in response.content.decode()
    assert not Run.objects.exists()


def test_an_upload_over_the_cap_is_refused_up_front_with_the_limit(runner_client):
    for name in ("import_one", "import_many", "import_export"):
        response = post_length(runner_client, reverse(name), MAX_REQUEST_FILE_BYTES + 1024 * 1024)
        assert response.status_code == 413, name
        assert "larger than 200 MB" in response.content.decode(), name
    assert not ImportJob.objects.exists()


def test_a_body_within_the_cap_still_goes_through(runner_client, runner):
    response = runner_client.post(reverse("checkin_create"), checkin_post())
    assert response.status_code == 302
    assert Run.objects.filter(runner=runner).count() == 1
