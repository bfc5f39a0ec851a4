"""Shared fixtures: runners, their runs, and Debian's Chromium for browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import CheckInFactory, RunFactory, UserFactory
from tests.helpers import ARTIFACTS, CHROMIUM_FLAGS, PushService, b64url, chromium_path

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def runner(db):
    """A runner who has acknowledged the first-use notice."""
    user = UserFactory()
    user.profile.acknowledge_notice()
    return user


@pytest.fixture
def other_runner(db):
    user = UserFactory()
    user.profile.acknowledge_notice()
    return user


@pytest.fixture
def runner_client(client, runner):
    client.force_login(runner)
    return client


@pytest.fixture
def make_run():
    def make(runner, checkin: dict | None = None, **run_fields):
        run = RunFactory(runner=runner, **run_fields)
        if checkin is not None:
            CheckInFactory(run=run, **checkin)
        return run

    return make


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true nothing may be skipped: a missing browser or sample set is a failure."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; under CI=true that is a failure.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- Browser tests: Debian's Chromium through Playwright ---------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        message = "Debian's Chromium is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 390×844 CSS pixels, touch."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
        "timezone_id": "Europe/Berlin",
    }


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under test-artifacts/ (kept by CI as evidence)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.node.name}-{name}.png".replace("/", "_")
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (cached pages are keyed by ids that recur)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _upload_folder(tmp_path, settings):
    """Uploads waiting for the worker go to the test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "uploads"},
        },
    }
    return tmp_path / "uploads"


# Real watch files with their expected values, beside the project (never copied into it).
SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The shared real-file samples (../shared/samples): required under CI, skipped elsewhere."""
    if SAMPLES.is_dir():
        return SAMPLES
    message = f"activity samples not found at {SAMPLES} (they live outside the repository)"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}; under CI they must be present")
    pytest.skip(message)


# --- Reminders: the server's VAPID keys and a push endpoint on 127.0.0.1 ---------------


@pytest.fixture
def server_keys(settings):
    """A VAPID key pair of this test's own (as AFTERMATH_VAPID_PRIVATE_KEY would give)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_SUBJECT = "mailto:reminders@example.org"
    settings.SITE_URL = "https://aftermath.example.org"
    return key


@pytest.fixture
def push_service(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    service = PushService()
    yield service
    service.close()
