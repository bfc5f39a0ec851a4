"""SQLite under concurrent writers: WAL, a busy timeout and IMMEDIATE transactions.

Runs against its own SQLite file in a fresh interpreter, whatever database the
rest of the suite uses, so it runs in both CI passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

WRITERS = 16
RUNS_EACH = 10

SCRIPT = f"""
import threading, uuid, django
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
call_command("migrate", verbosity=0)
from checkins.models import CheckIn, Run, User
runner = User.objects.create_user("load@example.org", "pw-123456789")
errors = []
barrier = threading.Barrier({WRITERS})

def writer():
    try:
        barrier.wait()
        for _ in range({RUNS_EACH}):
            # Read, then write, in one transaction: the pattern that fails with
            # "database is locked" under SQLite's default DEFERRED transactions.
            with transaction.atomic():
                Run.objects.filter(runner=runner).count()
                run = Run.objects.create(runner=runner, idempotency_key=uuid.uuid4(), distance_km=5)
                CheckIn.objects.create(run=run, twitching=False)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=writer) for _ in range({WRITERS})]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print("mode", mode)
print("runs", Run.objects.count(), "checkins", CheckIn.objects.count())
print("errors", len(errors), errors[:3])
"""


def test_concurrent_writers_never_see_database_is_locked(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        AFTERMATH_TESTING="0",
        AFTERMATH_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines() if " " in line)
    assert lines["mode"] == "wal"
    assert lines["errors"].startswith("0 "), lines["errors"]
    total = WRITERS * RUNS_EACH
    assert lines["runs"] == f"{total} checkins {total}"
