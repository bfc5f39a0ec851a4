"""Fixtures of the API tests: tokens, and clients that send them (tests/api/helpers.py)."""

from __future__ import annotations

import pytest

from api.models import AccessToken
from tests.api.helpers import ApiClient


@pytest.fixture
def make_token():
    def make(runner, scope: str = "write", days: int = 90, name: str = "Shortcut") -> str:
        return AccessToken.issue(runner=runner, name=name, scope=scope, days=days)[1]

    return make


@pytest.fixture
def api(runner, make_token) -> ApiClient:
    """The runner's client with a read-and-write token."""
    return ApiClient(make_token(runner))


@pytest.fixture
def reader(runner, make_token) -> ApiClient:
    """The same runner's client with a read-only token."""
    return ApiClient(make_token(runner, scope="read", name="Reader"))


@pytest.fixture
def intruder(other_runner, make_token) -> ApiClient:
    """Another runner's client with a read-and-write token."""
    return ApiClient(make_token(other_runner, name="Not yours"))
