"""Seed runners for a load run: `python -m loadtest.seed` with JSON on stdin, JSON on stdout.

Input: {"runners": n, "checkins": per runner, "password": ..., "prefix": ...}. Every
runner has acknowledged the first-use notice and shares one password hash (hashed
once: PBKDF2 at full strength costs about a second). Runs and check-ins are built
like bench/bench_pages.py's: random.Random(1500), one a day going back.
Output: {"emails": [...], "latest_run_ids": [...], "password": ...}.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import uuid

import django


def main() -> None:
    spec = json.load(sys.stdin)
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from checkins.models import CheckIn, Run, User

    password_hash = make_password(spec["password"])
    tag = uuid.uuid4().hex[:8]
    rng = random.Random(1500)
    now = timezone.now()
    emails, latest = [], []
    for index in range(spec["runners"]):
        email = f"{spec.get('prefix', 'load')}-{tag}-{index}@example.org"
        runner = User.objects.create_user(email, None)
        runner.password = password_hash
        runner.save(update_fields=["password"])
        runner.profile.acknowledge_notice()
        runs = []
        for i in range(spec["checkins"]):
            started = now - dt.timedelta(days=i + 1, hours=rng.randint(0, 5))
            runs.append(
                Run(
                    runner=runner,
                    idempotency_key=uuid.uuid4(),
                    started_at=started,
                    date=timezone.localtime(started).date(),
                    distance_km=round(rng.uniform(4, 25), 1),
                    duration_min=round(rng.uniform(25, 150), 0),
                    effort=rng.randint(2, 9),
                    run_type=rng.choice(["easy", "long", "tempo", "intervals", "trail"]),
                    temperature_c=round(rng.gauss(16, 8), 1),
                    humidity_pct=rng.randint(30, 95),
                    fluid_ml=rng.choice([0, 250, 500]),
                    carbs_before_g=rng.choice([0, 30, 60]),
                    cooldown=rng.choice(["none", "walk", "walk_stretch"]),
                    weight_before_kg=70.0 if i % 5 == 0 else None,
                    weight_after_kg=69.2 if i % 5 == 0 else None,
                )
            )
        Run.objects.bulk_create(runs, batch_size=500)
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    run=run,
                    twitching=(twitch := rng.random() < 0.35),
                    muscles=rng.sample(["calves", "quads", "hamstrings", "feet"], k=2) if twitch else [],
                    intensity=rng.randint(1, 8) if twitch else None,
                    sleep_disrupted=twitch and rng.random() < 0.1,
                )
                for run in runs
            ],
            batch_size=500,
        )
        emails.append(email)
        first = Run.objects.filter(runner=runner).order_by("-started_at").first()
        latest.append(first.pk if first else None)
    print(json.dumps({"emails": emails, "latest_run_ids": latest, "password": spec["password"]}))


if __name__ == "__main__":
    main()
