"""The short soak: gunicorn under concurrent check-ins, killed workers, and (on PostgreSQL) two instances.

Runs `loadtest/soak.py --short` in a fresh interpreter against the database the
suite uses: on SQLite, parts a (mixed load), b (32 concurrent writers) and c (a
gunicorn worker and a task worker killed with SIGKILL mid-load, the task worker in
the middle of an import); on PostgreSQL (DATABASE_URL), parts a, c and d (two gunicorn
instances and two task workers sharing the database, with runners uploading files) in
a scratch database beside it. PostgreSQL's restart is left to `loadtest/soak.py` in
full: this server is not the script's to restart. Only invariants are asserted, never
timings.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from loadtest.imports import CHECKS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


def test_short_soak_keeps_every_acknowledged_checkin_and_imported_file_once():
    parts = "acd" if ON_POSTGRES else "abc"
    command = [sys.executable, "loadtest/soak.py", "--short", "--parts", parts, "--pg-cluster", "no"]
    if ON_POSTGRES:
        command += ["--database-url", DATABASE_URL]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AFTERMATH_", "GUNICORN_"))}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    report = result.stdout + "\n" + result.stderr[-3000:]
    assert result.returncode == 0, report

    summaries = {}
    for line in result.stdout.splitlines():
        if line.startswith("SUMMARY "):
            fields = dict(pair.split("=", 1) for pair in line.split()[1:])
            summaries[fields["part"]] = fields
    assert set(summaries) == set(parts), report
    for part, fields in summaries.items():
        assert int(fields["acknowledged"]) > 0, (part, report)
        assert fields["acknowledged"] == fields["stored"], (part, report)
        assert fields["lost"] == "0", (part, report)
        assert fields["duplicates"] == "0", (part, report)
        assert fields["mismatched"] == "0", (part, report)
        assert fields["partial"] == "0", (part, report)
        assert fields["server_errors"] == "0", (part, report)
        assert fields["unexpected"] == "0", (part, report)
        assert fields["locked"] == "0", (part, report)
        assert fields["double_submits"] == fields["doubles_stored_once"], (part, report)
        assert fields["db"] == ("postgresql" if ON_POSTGRES and part != "b" else "sqlite"), (part, report)
    # A gunicorn worker was killed and the service came back (the script holds the 5 s limit).
    assert re.fullmatch(r"[0-9.]+", summaries["c"]["recovery"]), report

    # Imports through real `manage.py worker` processes: every file sent became exactly one run.
    for part in set(parts) & {"c", "d"}:
        fields = summaries[part]
        assert int(fields["task_workers"]) >= 2, (part, report)
        assert int(fields["import_jobs"]) > 0, (part, report)
        assert fields["imported"] == fields["import_files"] == fields["import_runs"], (part, report)
        for check in CHECKS:
            assert fields[f"import_{check}"] == "0", (part, check, report)
        assert fields["import_errors"] == "0", (part, report)
        assert fields["import_unexpected"] == "0", (part, report)
    # A task worker was killed in the middle of a job, and the job still finished.
    assert summaries["c"]["worker_kills"] == "1", report
    assert re.fullmatch(r"[0-9.]+", summaries["c"]["killed_job_done_s"]), report
    assert "RESULT ok" in result.stdout, report
