"""A demo runner with about 60 days of realistic runs and check-ins.

Deterministic for a given seed and end date, so a demo and the tests see the
same history. Twitching is made more likely by the things the advice engine
looks at (heat, little fluid, no cooldown, hard or long runs), so the history
has patterns to find.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo

from django.db import transaction

from .models import CheckIn, Profile, Run, User

DEMO_EMAIL = "demo@aftermath.example"
DEMO_PASSWORD = "twitch-free-2026"  # noqa: S105 - a published demo account
DEMO_TIME_ZONE = "Europe/Berlin"

# (run type, weight, km range, minutes per km range, effort range)
RUN_KINDS = (
    ("easy", 5, (5.0, 10.0), (5.6, 6.4), (3, 5)),
    ("long", 2, (15.0, 26.0), (5.7, 6.5), (5, 7)),
    ("tempo", 2, (7.0, 12.0), (4.6, 5.1), (7, 8)),
    ("intervals", 1, (6.0, 10.0), (4.4, 5.0), (8, 9)),
    ("trail", 1, (8.0, 16.0), (6.5, 8.0), (5, 7)),
    ("race", 0.3, (10.0, 21.1), (4.3, 4.8), (9, 10)),
)


def _pick_kind(rng: random.Random):
    weights = [kind[1] for kind in RUN_KINDS]
    return rng.choices(RUN_KINDS, weights=weights, k=1)[0]


def build_runs(runner: User, *, days: int, end: dt.date, seed: int) -> list[tuple[Run, CheckIn]]:
    """Unsaved runs with their check-ins, oldest first."""
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo(runner.profile.time_zone)
    out: list[tuple[Run, CheckIn]] = []
    streak = 0
    for offset in range(days, -1, -1):
        day = end - dt.timedelta(days=offset)
        if rng.random() < 0.3:  # about five runs a week
            streak = 0
            continue
        streak += 1
        kind, _, km_range, pace_range, effort_range = _pick_kind(rng)
        distance = round(rng.uniform(*km_range), 2)
        duration = round(distance * rng.uniform(*pace_range), 1)
        season = 6 * (1 - abs((day.timetuple().tm_yday - 200) / 183))  # warmer mid-year
        temperature = round(rng.gauss(17 + season, 6), 1)
        humidity = round(min(98, max(20, rng.gauss(60, 15))))
        hot = temperature >= 26
        fluid = 0 if duration < 45 and rng.random() < 0.7 else int(rng.choice([150, 250, 400, 500, 750]))
        cooldown = rng.choices(["none", "walk", "walk_stretch"], weights=[3, 4, 3])[0]
        weights = None
        if rng.random() < 0.35:
            before = round(rng.gauss(68.0, 0.4), 1)
            loss = (0.6 + 0.9 * hot) * duration / 60 - fluid / 1000 * 0.8
            weights = (before, round(before - max(-0.2, loss), 1))
        hour = rng.choice([6, 7, 12, 17, 18, 19])
        started = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30, 45])), tzinfo=zone)
        run = Run(
            runner=runner,
            idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
            started_at=started,
            date=day,
            distance_km=distance,
            duration_min=duration,
            effort=rng.randint(*effort_range),
            run_type=kind,
            temperature_c=temperature,
            humidity_pct=humidity,
            fluid_ml=fluid,
            electrolytes_during=fluid > 0 and rng.random() < 0.3,
            carbs_before_g=rng.choice([0, 0, 20, 30, 45, 60]),
            carbs_before_min=rng.choice([30, 60, 90, 120]),
            meal_before_h=round(rng.uniform(1.5, 6), 1),
            spicy_meal=rng.random() < 0.1,
            cooldown=cooldown,
            weight_before_kg=weights[0] if weights else None,
            weight_after_kg=weights[1] if weights else None,
            days_since_rest=streak,
        )
        risk = 0.1 + 0.25 * hot + 0.2 * (cooldown == "none") + 0.15 * (fluid < 200 and duration > 60)
        risk += 0.15 * (run.effort >= 8) + 0.1 * (streak >= 5)
        twitching = rng.random() < min(risk, 0.9)
        muscles: list[str] = []
        if twitching:
            muscles = ["calves", *rng.sample(["quads", "hamstrings", "feet", "shins"], k=rng.randint(0, 2))]
        cramps = twitching and rng.random() < 0.25
        checkin = CheckIn(
            run=run,
            twitching=twitching,
            muscles=muscles,
            intensity=rng.randint(2, 7) if twitching else None,
            visible=twitching and rng.random() < 0.5,
            cramps=cramps,
            weakness=False,
            sleep_disrupted=twitching and rng.random() < 0.12,
            daily_life_disrupted=False,
            symptoms=(["thirst", "fatigue"] if hot else ["fatigue"]) if twitching else [],
            urine_color=rng.randint(4, 6) if hot else rng.randint(2, 4),
            rehydrated=rng.random() < 0.6,
            medications=[],
            medication_changed=False,
        )
        out.append((run, checkin))
    return out


@transaction.atomic
def load_demo(*, days: int = 60, end: dt.date | None = None, seed: int = 2026) -> User:
    """(Re)create the demo runner with a fresh history ending on `end` (today)."""
    runner = User.objects.filter(email=DEMO_EMAIL).first()
    if runner is None:
        runner = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD)
    else:
        runner.set_password(DEMO_PASSWORD)
        runner.save(update_fields=["password"])
        runner.runs.all().delete()
    profile, _ = Profile.objects.get_or_create(runner=runner)
    profile.time_zone = DEMO_TIME_ZONE
    profile.body_weight_kg = 68.0
    profile.save()
    profile.acknowledge_notice()
    runner.profile = profile
    if end is None:
        end = dt.datetime.now(zoneinfo.ZoneInfo(DEMO_TIME_ZONE)).date()
    pairs = build_runs(runner, days=days, end=end, seed=seed)
    Run.objects.bulk_create([run for run, _ in pairs])
    CheckIn.objects.bulk_create([checkin for _, checkin in pairs])
    return runner


def bulk_log(runner: User, count: int, *, rng: random.Random, first_day_ago: int = 0) -> list[Run]:
    """`count` runs with check-ins, one a day going back: a long log for benchmarks and load runs."""
    now = dt.datetime.now(dt.UTC)
    runs = []
    for i in range(count):
        started = now - dt.timedelta(days=i + first_day_ago, hours=rng.randint(0, 5))
        runs.append(
            Run(
                runner=runner,
                idempotency_key=uuid.uuid4(),
                started_at=started,
                date=started.astimezone(runner.profile.zone).date(),
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
    checkins = []
    for run in runs:
        twitch = rng.random() < 0.35
        checkins.append(
            CheckIn(
                run=run,
                twitching=twitch,
                muscles=rng.sample(["calves", "quads", "hamstrings", "feet"], k=2) if twitch else [],
                intensity=rng.randint(1, 8) if twitch else None,
                sleep_disrupted=twitch and rng.random() < 0.1,
            )
        )
    CheckIn.objects.bulk_create(checkins, batch_size=500)
    return runs
