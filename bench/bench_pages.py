"""Server time of the pages for a runner with 1,500 check-ins (a program, not a test).

Builds a throwaway SQLite database (or uses DATABASE_URL), seeds one runner with
1,500 runs and check-ins over about four years, then renders each page through
Django's test client and prints a markdown table: median and 95th-percentile
server time, and the number of queries. Usage: .venv/bin/python bench/bench_pages.py [repeats]
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="aftermath-bench-")
os.environ.setdefault("AFTERMATH_DATA_DIR", TMP)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Debug off (no query log); the testing switch serves static files from the source
# folders and skips the HTTPS redirect, so no collectstatic or TLS is needed.
os.environ["DJANGO_DEBUG"] = ""
os.environ["AFTERMATH_TESTING"] = "1"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
os.environ["AFTERMATH_API_RATE_LIMIT"] = "1000000000"  # the API's limit out of the way (still counted)

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from api.models import AccessToken  # noqa: E402
from checkins.demo import bulk_log  # noqa: E402
from checkins.models import Run, User  # noqa: E402

CHECKINS = 1500


def seed() -> User:
    call_command("migrate", verbosity=0)
    runner = User.objects.create_user(f"bench-{uuid.uuid4().hex[:6]}@example.org", "bench-password-1")
    runner.profile.acknowledge_notice()
    bulk_log(runner, CHECKINS, rng=random.Random(1500))
    return runner


def measure(
    client: Client, url: str, repeats: int, *, cold: bool = False, after: str | None = None
) -> tuple[float, float, int]:
    """Server time of `url`; `cold` empties the cache first, as after a new check-in;
    `after` is a page visited (and cached) just before, on an empty cache."""
    client.get(url)  # warm template loading
    times = []
    for _ in range(repeats):
        if cold or after:
            cache.clear()
        if after:
            client.get(after)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(queries)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    runner = seed()
    client = Client()
    client.force_login(runner)
    latest = Run.objects.filter(runner=runner).order_by("-started_at").first()
    pages = [
        ("home", reverse("home")),
        ("history", reverse("history")),
        ("history, after a new check-in (not cached)", reverse("history") + "#cold"),
        ("history, filtered", reverse("history") + "?twitching=on&muscle=calves"),
        ("history, filtered, not cached", reverse("history") + "?twitching=on&muscle=calves#cold"),
        (
            "history, a filter changed (page not cached)",
            reverse("history") + "?twitching=on&muscle=calves#after",
        ),
        ("history, page 40 (htmx)", reverse("history") + "?page=40"),
        ("guidance", reverse("run_detail", args=[latest.pk])),
        ("check-in form", reverse("checkin_create")),
        ("tips: cool-down", reverse("tips_cooldown")),
        ("tips: drinking", reverse("tips_hydration") + "?duration_min=90&temperature=28&humidity_pct=60"),
        ("tips: fuelling", reverse("tips_fuelling")),
        ("tips: cool-down, not cached", reverse("tips_cooldown") + "#cold"),
        ("doctor's report (90 days)", reverse("report")),
    ]
    # The API, with a token instead of the session: JSON, never cached.
    token = AccessToken.issue(runner=runner, name="bench", scope="read", days=1)[1]
    api_client = Client(headers={"Authorization": f"Bearer {token}"})
    api_pages = [
        ("API: runs, first page", "/api/v1/runs"),
        ("API: a run with its advice", f"/api/v1/runs/{latest.pk}"),
        ("API: history's patterns and red flags", "/api/v1/history"),
    ]
    print(f"Server time per page, one runner with {CHECKINS} check-ins, {repeats} requests each")
    print(f"({connection.vendor}, Python {sys.version.split()[0]}, {os.cpu_count()} cores)\n")
    print("| page | median ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for name, url in pages:
        path, _, how = url.partition("#")
        after = reverse("history") + "?twitching=on" if how == "after" else None
        median, p95, queries = measure(client, path, repeats, cold=how == "cold", after=after)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} |")
    for name, path in api_pages:
        median, p95, queries = measure(api_client, path, repeats)
        print(f"| {name} | {median:.1f} | {p95:.1f} | {queries} |")


if __name__ == "__main__":
    main()
