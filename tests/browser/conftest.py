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


@pytest.fixture
def task_worker(live_server):
    """A task worker beside the live server, as `make run` starts one: a thread running
    django-tasks-db's worker loop on the test database until the test ends."""
    import threading

    from django.db import connection

    from tests.helpers import task_worker as make_worker

    worker = make_worker(batch=False, interval=0.1)

    def run():
        try:
            worker.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=10)
