"""Every URL, enumerated from the URLconf: anonymous visitors are sent to log in, and a
runner asking for another runner's run gets 404. New URLs are covered automatically."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from checkins.models import Experiment, ImportJob
from checkins.transfer import share
from tests.factories import RunFactory
from tests.helpers import PUBLIC, concrete, url_patterns

pytestmark = pytest.mark.django_db


def test_the_url_list_is_not_empty():
    names = {name for _, name in url_patterns()}
    assert {"checkin_create", "run_detail", "history", "profile"} <= names


@pytest.mark.parametrize(("route", "name"), [p for p in url_patterns() if p[1] not in PUBLIC])
def test_anonymous_visitors_are_sent_to_log_in(client, route, name):
    run = RunFactory()
    for method in (client.get, client.post):
        response = method(concrete(route, run.pk))
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith("/accounts/login/"), name


def owned_object(route: str, runner):
    """The kind of object a URL's <int:pk> names, belonging to `runner`."""
    if route.startswith("import/"):
        return ImportJob.objects.create(runner=runner, filename="theirs.fit")
    if route.startswith("data/report/share/"):
        day = dt.date(2026, 1, 1)
        return share.issue(runner=runner, start=day, end=day, days=30)[0]
    if route.startswith("experiments/"):
        return Experiment.objects.create(
            runner=runner, change="cooldown_walk", weeks=2, start_day=dt.date.today()
        )
    return RunFactory(runner=runner)


@pytest.mark.parametrize(("route", "name"), [p for p in url_patterns() if "<int:pk>" in p[0]])
def test_another_runners_ids_are_not_found(client, runner, other_runner, route, name):
    theirs = owned_object(route, runner)
    client.force_login(other_runner)
    statuses = {
        client.get(concrete(route, theirs.pk)).status_code,
        client.post(concrete(route, theirs.pk), {}).status_code,
    }
    # Not found; a method the page does not take may be refused first, but never served.
    assert statuses <= {404, 405} and 404 in statuses, (name, statuses)
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


def test_the_public_steps_of_an_account_lead_nowhere_without_their_state(client, runner):
    """The log-in's code step needs the password step first; a sign-up link needs its token."""
    for method in (client.get, client.post):
        response = method(reverse("login_code"))
        assert response.status_code == 302 and response["Location"] == reverse("login")
    bad_link = reverse("signup_confirm", args=["MQ", "set-password"])
    assert client.post(bad_link, {"password": "x"}).status_code == 400
    assert "_auth_user_id" not in client.session
