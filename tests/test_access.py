"""Every URL, enumerated from the URLconf: anonymous visitors are sent to log in, and a
runner asking for another runner's run gets 404. New URLs are covered automatically."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from checkins.models import ImportJob
from tests.factories import RunFactory

pytestmark = pytest.mark.django_db

# Pages anyone may open (the landing page, and the account pages before logging in).
PUBLIC = {
    "home",
    "signup",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "logout",
    "healthz",
}


def app_patterns(resolver=None, prefix: str = ""):
    """(route, name) of every named pattern outside the admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from app_patterns(entry, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, entry.name


PATTERNS = sorted(set(app_patterns()))


def concrete(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk)).lstrip("^").rstrip("$")


def test_the_url_list_is_not_empty():
    names = {name for _, name in PATTERNS}
    assert {"checkin_create", "run_detail", "history", "profile"} <= names


@pytest.mark.parametrize(("route", "name"), [p for p in PATTERNS if p[1] not in PUBLIC])
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
    return RunFactory(runner=runner)


@pytest.mark.parametrize(("route", "name"), [p for p in PATTERNS if "<int:pk>" in p[0]])
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
