"""The main menu on every page, and the app's own 404 and 500 pages (with DEBUG off)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error
from pytest_django.asserts import assertContains

from tests.helpers import Element, Tree

pytestmark = pytest.mark.django_db


def menu(page: str) -> Element:
    return Tree(page).root.find("nav", cls="app-nav")


def links(element: Element) -> dict[str, dict]:
    """Link text -> the link's attributes."""
    return {a.text: a.attrs for a in element.find_all("a")}


@pytest.mark.parametrize("name", ["history", "tips", "data", "profile", "checkin_create", "import_page"])
def test_a_runners_menu_has_every_page_of_theirs(runner_client, name):
    page = runner_client.get(reverse(name)).content.decode()
    found = links(menu(page))
    assert set(found) == {"Aftermath", "Log a run", "History", "Tips", "Your data", "Settings"}
    assert found["Log a run"]["href"] == reverse("checkin_create")
    assert found["Your data"]["href"] == reverse("data")
    current = [text for text, attrs in found.items() if attrs.get("aria-current") == "page"]
    expected = {"history": "History", "tips": "Tips", "data": "Your data", "profile": "Settings"}
    assert current == (
        [expected[name]] if name in expected else ["Log a run"] if name == "checkin_create" else []
    )


def test_home_has_one_log_a_run_link_not_two(runner_client):
    page = runner_client.get(reverse("home")).content.decode()
    assert "Log a run" not in menu(page).text  # the page's own large button is right below
    assert [a.text for a in Tree(page).root.find_all("a")].count("Log a run") == 1
    assert set(links(menu(page))) == {"Aftermath", "History", "Tips", "Your data", "Settings"}


def test_a_visitor_sees_log_in_and_sign_up_only(client):
    page = client.get(reverse("home")).content.decode()
    assert set(links(menu(page))) == {"Aftermath", "Log in", "Sign up"}


def test_an_unknown_address_gets_the_apps_404_page(client, runner):
    assert settings.DEBUG is False  # the test settings: Django's own debug page is off
    for who in ("visitor", "runner"):
        if who == "runner":
            client.force_login(runner)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assertContains(response, "<title>Page not found · Aftermath</title>", status_code=404, html=True)
        assertContains(response, '<h1 class="h4">Page not found</h1>', status_code=404, html=True)
        assert Tree(page).root.find("a", cls="brand") and "css/aftermath.css" in page  # the app's look
        assert "The requested resource was not found" not in page  # not Django's default
        home = "Back to your runs" if who == "runner" else "Go to the start page"
        button = f'<a class="btn btn-primary btn-lg" href="/">{home}</a>'
        assertContains(response, button, status_code=404, html=True)


def test_a_missing_run_of_another_runner_gets_the_apps_404_page(runner_client, other_runner):
    from tests.factories import RunFactory

    theirs = RunFactory(runner=other_runner)
    response = runner_client.get(reverse("run_detail", args=[theirs.pk]))
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    request = RequestFactory().get("/")  # no user, no session: as after a fault in middleware
    response = server_error(request)
    page = Tree(response.content.decode()).root
    assert response.status_code == 500
    assert page.find("title").text == "Something went wrong · Aftermath"
    assert any(a.attrs.get("href") == "/" for a in page.find_all("a"))
    assert any("css/aftermath.css" in link.attrs["href"] for link in page.find_all("link", rel="stylesheet"))
    assert not page.find_all("script")  # nothing that needs the per-request CSP nonce


def test_no_template_uses_grey_buttons_for_actions():
    """One button system (static/css/aftermath.css): grey btn-secondary reads as disabled."""
    from pathlib import Path

    templates = Path(settings.BASE_DIR) / "templates"
    grey = re.compile(r"\bbtn-(?:outline-)?secondary\b")
    found = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if grey.search(line)
    ]
    assert found == []
