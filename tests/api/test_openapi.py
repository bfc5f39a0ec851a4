"""The API's description: a snapshot that fails on any change (a change to the API is a
decision, see the README's "The API"), every operation described, and the docs page served
from the app's own files under its strict content security policy."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import URLPattern, get_resolver, reverse

from tests.api.helpers import openapi, operations

SNAPSHOT = Path(__file__).with_name("openapi-v1.json")
UPDATE = "AFTERMATH_UPDATE_OPENAPI"


@pytest.mark.django_db
def test_the_description_matches_its_snapshot(client):
    served = client.get(reverse("api-v1:openapi-json")).json()
    described = json.dumps(served, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get(UPDATE):
        SNAPSHOT.write_text(described, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == described, (
        f"The API's description changed. If that is meant (see the README, The API: what a change "
        f"may break), write the new snapshot with {UPDATE}=1 and review its diff."
    )


def api_routes() -> set[str]:
    """The path of every operation's URL in the api-v1 namespace, as OpenAPI writes it."""
    version = get_resolver().namespace_dict["api-v1"][1]
    return {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in version.url_patterns
        if isinstance(pattern, URLPattern)
        and pattern.name not in ("openapi-json", "openapi-view", "api-root")
    }


def test_every_url_of_the_api_is_described():
    described = {operation.path for operation in operations()}
    assert api_routes() == described
    assert len(described) >= 6


@pytest.mark.parametrize("operation", operations(), ids=repr)
def test_every_operation_says_how_it_is_used_and_refused(operation):
    details = openapi()["paths"][operation.path][operation.method]
    assert details["summary"] and details["operationId"] == operation.id
    assert details["security"] == [{"TokenAuth": []}]
    statuses = {int(status) for status in details["responses"]}
    assert {401, 429} <= statuses
    if operation.writes:
        assert 403 in statuses
    if operation.takes_run:
        assert 404 in statuses
    if operation.method in ("post", "patch"):
        assert {400, 413, 422} <= statuses


def test_the_token_scheme_is_described():
    scheme = openapi()["components"]["securitySchemes"]["TokenAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


def test_the_check_in_lists_its_codes_and_ranges():
    answers = openapi()["components"]["schemas"]["CheckInIn"]["properties"]
    assert answers["distance_km"]["exclusiveMinimum"] == 0 and answers["distance_km"]["maximum"] == 300
    assert answers["effort"]["minimum"] == 1 and answers["effort"]["maximum"] == 10
    muscles = answers["muscles"]["anyOf"][0]["items"]["enum"]
    assert "calves" in muscles and "face" in muscles


# --- The docs page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_api_docs_leads_to_the_current_versions_docs(client):
    response = client.get("/api/docs")
    assert response.status_code == 302 and response["Location"] == reverse("api-v1:openapi-view")
    assert client.post("/api/docs").status_code == 405


@pytest.mark.django_db
def test_the_docs_page_uses_only_the_apps_own_files_under_the_strict_policy(client):
    response = client.get(reverse("api-v1:openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(not asset.startswith(("http:", "https:", "//")) for asset in assets), assets
    scripts = re.findall(r"<script([^>]*)>", html)
    # Only our own files run; the settings block is data (application/json), not script.
    assert all('src="/static/' in attrs or 'type="application/json"' in attrs for attrs in scripts), scripts
    assert 'style="' not in html and "<style" not in html
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1)
    assert json.loads(settings_json)["url"] == reverse("api-v1:openapi-json")


@pytest.mark.django_db
def test_the_description_is_served(client):
    response = client.get(reverse("api-v1:openapi-json"))
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.") and response.json()["info"]["version"] == "1"
