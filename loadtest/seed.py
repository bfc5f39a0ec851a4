"""Seed runners for a load run: `python -m loadtest.seed` with JSON on stdin, JSON on stdout.

Input: {"runners": n, "checkins": per runner, "password": ..., "prefix": ...}. Every
runner has acknowledged the first-use notice and shares one password hash (hashed
once: PBKDF2 at full strength costs about a second). Runs and check-ins come from
checkins.demo.bulk_log, as in bench/bench_pages.py: random.Random(1500), one a day going back.
Output: {"emails": [...], "latest_run_ids": [...], "password": ...}.
"""

from __future__ import annotations

import json
import random
import sys
import uuid

import django


def main() -> None:
    spec = json.load(sys.stdin)
    django.setup()
    from django.contrib.auth.hashers import make_password

    from checkins.demo import bulk_log
    from checkins.models import Run, User

    password_hash = make_password(spec["password"])
    tag = uuid.uuid4().hex[:8]
    rng = random.Random(1500)
    emails, latest = [], []
    for index in range(spec["runners"]):
        email = f"{spec.get('prefix', 'load')}-{tag}-{index}@example.org"
        runner = User.objects.create_user(email, None)
        runner.password = password_hash
        runner.save(update_fields=["password"])
        runner.profile.acknowledge_notice()
        bulk_log(runner, spec["checkins"], rng=rng, first_day_ago=1)
        emails.append(email)
        first = Run.objects.filter(runner=runner).order_by("-started_at").first()
        latest.append(first.pk if first else None)
    print(json.dumps({"emails": emails, "latest_run_ids": latest, "password": spec["password"]}))


if __name__ == "__main__":
    main()
