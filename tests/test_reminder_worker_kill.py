"""A real `manage.py worker` killed (SIGKILL) while it sends a reminder, then started again:
the push endpoint gets the reminder once, never a second time.

Runs in a fresh interpreter against its own SQLite file (like test_import_isolation.py), with
a push endpoint on 127.0.0.1 that holds the first request open, so the worker is killed in
the middle of sending: after its claim, before it knows the push went out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import datetime as dt, json, os, signal, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from checkins.models import CheckIn, PushSubscription, Reminder, ReminderSettings, Run, User
from checkins.reminders import scheduling
from checkins.reminders.tasks import send_reminder

received = []

class Endpoint(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        received.append(time.monotonic())
        time.sleep(60)  # held open: the worker is killed while it waits for the answer

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()

runner = User.objects.create_user("a@example.org", "pw-a-123456789")
ReminderSettings.objects.create(runner=runner, followup=True, channel="push")
PushSubscription.objects.create(
    runner=runner,
    endpoint=f"http://127.0.0.1:{server.server_port}/push/phone",
    p256dh="BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
    auth="tBHItJI5svbpez7KI4CCXg",
)
run = Run.objects.create(runner=runner, started_at=timezone.now() - dt.timedelta(hours=14), duration_min=50)
CheckIn.objects.create(run=run, twitching=True)
reminder = Reminder.objects.create(
    runner=runner, kind="followup", run=run, channel="push", due_at=timezone.now() - dt.timedelta(minutes=1)
)
scheduling.enqueue(reminder)

def worker(*extra):
    command = ["manage.py", "worker", "--interval", "0.1", "--no-startup-delay", *extra]
    return subprocess.Popen([sys.executable, *command])

first = worker()
deadline = time.monotonic() + 60
while not received:
    assert first.poll() is None, "the worker stopped"
    assert time.monotonic() < deadline, "the worker never sent the reminder"
    time.sleep(0.05)
first.send_signal(signal.SIGKILL)
first.wait()
status_after_kill = Reminder.objects.get().status

# Started again (its safety net every 0.5 s), with a second task for the same reminder queued,
# as a safety net on another machine might have done.
send_reminder.enqueue(reminder.pk)
second = worker("--stall-check", "0.5")
time.sleep(4)
second.send_signal(signal.SIGTERM)
second.wait(timeout=30)

# Ten minutes on: the safety net gives up on it, and a last worker finds nothing to send.
scheduling.requeue_lost(timezone.now() + scheduling.STUCK_AFTER + dt.timedelta(minutes=1))
subprocess.run([sys.executable, "manage.py", "worker", "--batch", "--no-startup-delay"], check=True)
final = Reminder.objects.get()
print(json.dumps({
    "pushes": len(received), "after_kill": status_after_kill, "final": final.status, "note": final.note,
    "attempts": final.attempts,
}))
"""


def test_a_worker_killed_while_sending_never_sends_twice(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "AFTERMATH_"))}
    env = {k: v for k, v in env.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        AFTERMATH_TESTING="1",
        AFTERMATH_DATA_DIR=str(tmp_path),
        DJANGO_LOG_LEVEL="WARNING",
        NO_PROXY="127.0.0.1",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-4000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["pushes"] == 1, figures  # once, despite the kill, the restart and a second task
    assert figures["after_kill"] == "sending", figures  # claimed before the send
    assert figures["final"] == "failed" and "not sent again" in figures["note"], figures
    assert figures["attempts"] == 1, figures
