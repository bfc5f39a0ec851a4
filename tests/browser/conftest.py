"""Browser-test helpers: axe-core accessibility checks on every page visited."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

# The sync Playwright API runs an event loop in the test's thread; Django's ORM,
# used by the tests to check what the pages stored, must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SERIOUS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    """A browser test is a slow one: `make test-fast` (-m "not slow") leaves it out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe on the page in its current state; fail on any serious or critical violation."""

    def check(page, label: str = "") -> None:
        results = axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] if node.get("target") else "?" for node in v["nodes"][:5])
            for v in bad
        )
        assert not bad, f"axe on {label or page.url}:\n{details}"

    return check


@pytest.fixture(autouse=True)
def _fail_fast(page):
    """Ten seconds is plenty on loopback; fail sooner than Playwright's default 30."""
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(15_000)
