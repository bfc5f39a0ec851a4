"""Settings come from the environment; production settings pass Django's deploy checks.

Each case runs in a fresh interpreter so that the environment is read as at start-up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "conn_max_age": db["CONN_MAX_AGE"],
    "health": db.get("CONN_HEALTH_CHECKS"), "options": db.get("OPTIONS", {}),
    "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS, "hsts": settings.SECURE_HSTS_SECONDS,
    "atomic": db.get("ATOMIC_REQUESTS"),
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "AFTERMATH_TESTING": "0", **env})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def read_settings(**env: str) -> dict:
    result = run_python(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_secret_key_is_required_when_debug_is_off():
    result = run_python(PRINT_SETTINGS)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_default_database_is_sqlite_in_wal_mode_with_immediate_transactions(tmp_path):
    values = read_settings(DJANGO_DEBUG="1", AFTERMATH_DATA_DIR=str(tmp_path))
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "aftermath.sqlite3")
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert values["options"]["timeout"] >= 5
    assert values["atomic"] is True


def test_postgresql_from_database_url_with_persistent_checked_connections():
    values = read_settings(
        DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://app:pw@db.internal:5432/aftermath"
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "aftermath"
    assert values["conn_max_age"] == 600
    assert values["health"] is True
    assert values["debug"] is False


def test_allowed_hosts_from_the_environment():
    values = read_settings(DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="a.example, b.example")
    assert values["hosts"] == ["a.example", "b.example"]
    assert values["hsts"] >= 31536000


def test_deploy_checks_are_clean_when_debug_is_off(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "AFTERMATH_TESTING": "0",
            "AFTERMATH_DATA_DIR": str(tmp_path),
            "DJANGO_SECRET_KEY": "k3y-" + "q8Zr7xW2pL9mN4vB6tY1" * 3,
            "DJANGO_ALLOWED_HOSTS": "aftermath.example.org",
            # Production sends real e-mail: Django 6.1's deploy check refuses the console backend.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_healthz_answers_with_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_a_database_failure(client, db, monkeypatch):
    from django.db import OperationalError

    class DeadDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection", DeadDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_login_is_throttled_after_repeated_failures(client, db, settings):
    from tests.factories import PASSWORD, UserFactory

    UserFactory(email="zoe@example.org")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        name = "ZOE@example.org" if attempt % 2 else "zoe@example.org"  # the case does not matter
        client.post("/accounts/login/", {"username": name, "password": "wrong"})

    response = client.post("/accounts/login/", {"username": "zoe@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_client_ip_trusts_only_our_own_proxies(rf, settings):
    from config.net import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the spoofed 6.6.6.6 is ignored


def test_the_container_health_check_asks_with_an_allowed_host():
    from config.healthcheck import host_header

    assert host_header("aftermath.example.org,localhost") == "aftermath.example.org"
    assert host_header(" .example.org ") == "example.org"
    assert host_header("*") == "localhost"
    assert host_header("") == "localhost"


@pytest.mark.django_db(transaction=True)
def test_the_container_health_check_against_a_running_server(live_server, settings, monkeypatch):
    from config import healthcheck

    settings.ALLOWED_HOSTS = ["aftermath.example.org"]
    monkeypatch.setenv("PORT", str(live_server.thread.port))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".aftermath.example.org")
    assert healthcheck.main() == 0
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "somewhere.else")  # the app refuses that host: unhealthy
    assert healthcheck.main() == 1
