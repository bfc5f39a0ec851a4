"""Benchmark of loading a big export on SQLite: how long each batch holds the write lock.

    AFTERMATH_TESTING=1 .venv/bin/python bench/bench_export_load.py [--runs 80000] [--batch 100]

Builds an export of `--runs` runs (every other one with a check-in) for a new runner
in a fresh SQLite file (WAL, IMMEDIATE transactions: the deployment's settings), reads
it with read_export (the 25 MB upload cap lifted: such a file is larger) and loads it
with load_batches, timing each transaction it opens (the settings', then one a batch:
the `atomic` block, BEGIN IMMEDIATE to COMMIT). For scale, it then times single check-ins
(checkins.saving.save_checkin) on the same database, and check-ins made while another
load of a second runner runs in a thread (their wait for the lock included). Prints a
markdown table; asserts nothing. The database goes to a temporary folder unless
DATABASE_URL names one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if not os.environ.get("DATABASE_URL"):
    folder = tempfile.mkdtemp(prefix="aftermath-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/export.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from checkins.models import Profile, User  # noqa: E402
from checkins.saving import save_checkin  # noqa: E402
from checkins.transfer import export as export_module  # noqa: E402
from checkins.transfer.export import FORMAT, VERSION, load_batches, read_export  # noqa: E402

START = dt.datetime(2005, 1, 1, 6, 0, tzinfo=dt.UTC)


def build(runs: int) -> bytes:
    """An export of `runs` runs, one every 2 hours from 2005, as the export view writes it."""
    items = []
    for n in range(runs):
        started = START + dt.timedelta(hours=2 * n)
        items.append(
            {
                "idempotency_key": str(uuid.UUID(int=n + 1)),
                "started_at": started.isoformat(),
                "date": started.date().isoformat(),
                "distance_km": 5 + n % 20,
                "duration_min": 30.0 + n % 90,
                "effort": 1 + n % 10,
                "run_type": "easy",
                "temperature_c": 12.5,
                "humidity_pct": 60.0,
                "fluid_ml": 250,
                "electrolytes_during": False,
                "carbs_before_g": None,
                "carbs_before_min": None,
                "meal_before_h": 3.0,
                "spicy_meal": None,
                "cooldown": "walk",
                "weight_before_kg": None,
                "weight_after_kg": None,
                "days_since_rest": None,
                "avg_heart_rate_bpm": 140 + n % 30,
                "notes": "",
                "checkin": (
                    {
                        "twitching": True,
                        "muscles": ["calves", "quads"],
                        "intensity": 4,
                        "visible": None,
                        "cramps": False,
                        "weakness": False,
                        "sleep_disrupted": None,
                        "daily_life_disrupted": None,
                        "symptoms": ["thirst"],
                        "urine_color": 4,
                        "rehydrated": True,
                        "medications": [],
                        "medication_changed": False,
                        "followup_at": None,
                        "still_twitching": None,
                        "flags_seen_at": None,
                    }
                    if n % 2 == 0
                    else None
                ),
            }
        )
    data = {"format": FORMAT, "version": VERSION, "profile": {"distance_unit": "km"}, "runs": items}
    return json.dumps(data, indent=1, ensure_ascii=False).encode()


class TimedTransactions:
    """Stands in for django.db.transaction in the export module: times each atomic block
    (BEGIN IMMEDIATE to COMMIT on SQLite) into `times`."""

    def __init__(self, times: list[float]):
        self.times = times

    def __getattr__(self, name):
        return getattr(transaction, name)

    @contextlib.contextmanager
    def atomic(self, *args, **kwargs):
        began = time.perf_counter()
        try:
            with transaction.atomic(*args, **kwargs):
                yield
        finally:
            self.times.append(time.perf_counter() - began)


def checkin_values(n: int) -> tuple[dict, dict]:
    started = timezone.now() - dt.timedelta(minutes=n)
    return {"started_at": started, "distance_km": 8.0, "duration_min": 45.0}, {"twitching": False}


def check_in(runner, profile, n: int) -> float:
    run_values, answers = checkin_values(n)
    began = time.perf_counter()
    save_checkin(
        runner=runner, profile=profile, run_values=run_values, checkin_values=answers, key=uuid.uuid4()
    )
    return time.perf_counter() - began


def checkin_requests(runner, count: int) -> list[float]:
    """Times of whole check-in requests (POST /checkin/): in the deployment each is one
    transaction (ATOMIC_REQUESTS, IMMEDIATE), so this is how long a check-in holds the lock."""
    runner.profile.acknowledge_notice()
    client = Client(HTTP_HOST="localhost")
    client.force_login(runner)
    times = []
    for n in range(count):
        finished = timezone.localtime() - dt.timedelta(hours=n + 1)
        body = {
            "idempotency_key": str(uuid.uuid4()),
            "finished_at": finished.strftime("%Y-%m-%dT%H:%M"),
            "distance": "8",
            "duration_min": "45",
            "twitching": "no",
        }
        began = time.perf_counter()
        response = client.post("/checkin/", body)
        times.append(time.perf_counter() - began)
        assert response.status_code == 302, response.status_code
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=80_000)
    parser.add_argument("--batch", type=int, default=export_module.BATCH_SIZE)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    runner = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.org", "x")
    data = build(args.runs)
    size_mb = len(data) / 1024 / 1024

    began = time.perf_counter()
    export = read_export(io.BytesIO(data), limit=len(data))
    read_s = time.perf_counter() - began
    del data

    times: list[float] = []
    export_module.transaction = TimedTransactions(times)
    began = time.perf_counter()
    for progress in load_batches(runner, export, batch_size=args.batch):  # noqa: B007 (the last counts)
        pass
    load_s = time.perf_counter() - began
    export_module.transaction = transaction
    assert progress.imported == args.runs, progress.refusals[:3]

    profile = Profile.objects.get(runner=runner)
    alone = [check_in(runner, profile, n) for n in range(50)]
    requests = checkin_requests(runner, 30)

    # Check-ins while another runner's export loads in a thread: their latency, lock wait included.
    other = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.org", "x")
    second = read_export(io.BytesIO(build(min(args.runs, 20_000))), limit=10**9)
    during: list[float] = []

    def load_other():
        for _ in load_batches(other, second, batch_size=args.batch):
            pass
        connections.close_all()

    thread = threading.Thread(target=load_other)
    thread.start()
    n = 100
    while thread.is_alive():
        during.append(check_in(runner, profile, n))
        n += 1
        time.sleep(0.02)
    thread.join()

    sorted_times = sorted(times)
    rows = [
        ("runs in the export", f"{args.runs:,} ({size_mb:.1f} MB, indent=1)"),
        ("read_export (parse and check the file)", f"{read_s:.2f} s"),
        ("load_batches, all batches", f"{load_s:.2f} s ({len(times)} batches of {args.batch})"),
        ("transactions of the load: median", ms(statistics.median(times))),
        ("transactions of the load: 99th percentile", ms(sorted_times[int(len(times) * 0.99)])),
        ("transactions of the load: longest", ms(max(times))),
        ("transactions of the load: total", f"{sum(times):.2f} s ({len(times)})"),
        ("a check-in's save (save_checkin), median of 50", ms(statistics.median(alone))),
        ("a check-in's save, longest of 50", ms(max(alone))),
        ("a check-in request (one transaction), median of 30", ms(statistics.median(requests))),
        ("a check-in request, longest of 30", ms(max(requests))),
        (f"check-ins during another load: {len(during)}, median", ms(statistics.median(during))),
        ("check-ins during another load: longest", ms(max(during))),
        (
            "peak memory of the process (ru_maxrss)",
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
        ),
    ]
    print(f"Export load on SQLite {connection.Database.sqlite_version}, Python {platform.python_version()}")
    print(f"database: {connection.settings_dict['NAME']}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
