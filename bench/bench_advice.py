"""Benchmark of the advice engine: prints a markdown table, asserts nothing.

    .venv/bin/python bench/bench_advice.py

Targets: a typical `assess` (one check-in, no history) under 200 µs;
`scan_history` of 1,500 entries under 5 ms. `assess` is well under 1% of a
page's time, so its rules are written to be read, not to be quick (issue 12).
Each figure is the median of REPEATS timings, each timing the mean of a batch
of calls (timeit-style), with time.perf_counter_ns. The synthetic history is
built from random.Random(SEED), so every run times the same data.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advice import (
    COOLDOWNS,
    MUSCLES,
    RUN_TYPES,
    SYMPTOMS,
    Units,
    assess,
    cooldown_routine,
    fuel_plans,
    hydration_plan,
    scan_history,
    trigger_counts,
)

SEED = 20250701
REPEATS = 31
HISTORY_SIZE = 1500
IMPERIAL = Units(distance="mi", temperature="f", volume="floz", weight="lb")

CHECKINS = {
    "no twitching, easy run": {
        "date": "2025-07-01",
        "distance_km": 5.2,
        "duration_min": 31,
        "effort": 4,
        "run_type": "easy",
        "temperature_c": 14,
        "humidity_pct": 55,
        "cooldown": "walk",
        "twitching": False,
    },
    "typical: calves twitch, no cool-down": {
        "date": "2025-07-01",
        "distance_km": 10,
        "duration_min": 55,
        "effort": 6,
        "run_type": "easy",
        "temperature_c": 22,
        "humidity_pct": 60,
        "fluid_ml": 0,
        "cooldown": "none",
        "twitching": True,
        "muscles": ["calves"],
        "intensity": 4,
        "cramps": False,
        "symptoms": ["thirst"],
    },
    "hot long run, cramps, scales": {
        "date": "2025-07-01",
        "distance_km": 16,
        "duration_min": 95,
        "effort": 7,
        "run_type": "long",
        "temperature_c": 30,
        "humidity_pct": 65,
        "fluid_ml": 300,
        "electrolytes_during": False,
        "carbs_before_g": 0,
        "cooldown": "walk",
        "weight_before_kg": 72,
        "weight_after_kg": 70.4,
        "twitching": True,
        "muscles": ["calves", "hamstrings"],
        "cramps": True,
        "symptoms": ["thirst"],
        "urine_color": 6,
        "rehydrated": False,
    },
    "every key answered, urgent flag": {
        "date": "2025-07-01",
        "distance_km": 14,
        "duration_min": 85,
        "effort": 8,
        "run_type": "race",
        "temperature_c": 31,
        "humidity_pct": 60,
        "fluid_ml": 250,
        "electrolytes_during": False,
        "carbs_before_g": 0,
        "carbs_before_min": 60,
        "meal_before_h": 6,
        "spicy_meal": True,
        "cooldown": "none",
        "weight_before_kg": 70,
        "weight_after_kg": 68.3,
        "days_since_rest": 6,
        "twitching": True,
        "muscles": ["calves", "quads", "arms"],
        "intensity": 6,
        "visible": True,
        "cramps": True,
        "weakness": False,
        "sleep_disrupted": True,
        "daily_life_disrupted": False,
        "symptoms": ["thirst", "dark_urine", "shaky", "dizziness"],
        "urine_color": 6,
        "rehydrated": False,
        "medications": ["statins"],
        "medication_changed": True,
    },
}


def synthetic_history(size: int, seed: int = SEED) -> list[dict]:
    """`size` check-ins over about four years, newest last, some keys left out."""
    rng = random.Random(seed)
    start = dt.date(2022, 1, 1)
    entries = []
    for index in range(size):
        day = start + dt.timedelta(days=index)
        duration = rng.uniform(20, 150)
        entry = {
            "date": day.isoformat() if index % 2 else day,
            "distance_km": round(duration / rng.uniform(4.5, 7), 2),
            "duration_min": round(duration, 1),
            "effort": rng.randint(1, 10),
            "run_type": rng.choice(RUN_TYPES),
            "temperature_c": round(rng.uniform(-5, 36), 1),
            "humidity_pct": round(rng.uniform(20, 95)),
            "fluid_ml": rng.choice((0, 0, 250, 500, 750)),
            "carbs_before_g": rng.choice((0, 20, 40, 60)),
            "spicy_meal": rng.random() < 0.2,
            "cooldown": rng.choice(COOLDOWNS),
            "days_since_rest": rng.randint(0, 8),
            "twitching": rng.random() < 0.4,
            "muscles": rng.sample(MUSCLES, rng.randint(0, 3)),
            "sleep_disrupted": rng.random() < 0.1,
            "symptoms": rng.sample(SYMPTOMS, rng.randint(0, 2)),
            "rehydrated": rng.random() < 0.5,
        }
        for key in rng.sample(sorted(entry), rng.randint(0, 4)):
            if key != "date":
                del entry[key]
        entries.append(entry)
    rng.shuffle(entries)
    return entries


def median_ns(call, batch: int) -> float:
    """Median over REPEATS of the mean time per call in a batch, in ns."""
    call()  # warm up
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter_ns()
        for _ in range(batch):
            call()
        timings.append((time.perf_counter_ns() - started) / batch)
    return statistics.median(timings)


def main() -> None:
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.processor() or '?'}")
    print()
    print("| call | median | target |")
    print("|---|---:|---:|")
    for name, answers in CHECKINS.items():
        micros = median_ns(lambda answers=answers: assess(answers), 2000) / 1000
        target = "< 200 µs" if name.startswith("typical") else ""
        print(f"| `assess`: {name} | {micros:.1f} µs | {target} |")
    answers = CHECKINS["hot long run, cramps, scales"]
    micros = median_ns(lambda: assess(answers, units=IMPERIAL, body_weight_kg=72), 2000) / 1000
    print(f"| `assess`: hot long run, imperial units | {micros:.1f} µs | |")
    history = synthetic_history(HISTORY_SIZE)
    recent = history[-60:]
    answers = {**CHECKINS["hot long run, cramps, scales"], "date": "2026-02-08"}
    micros = median_ns(lambda: assess(answers, history=recent), 500) / 1000
    print(f"| `assess` with 60 earlier runs (spike, weekly jump, persistent) | {micros:.1f} µs | |")
    scan = median_ns(lambda: scan_history(history), 20) / 1e6
    counts = median_ns(lambda: trigger_counts(history), 20) / 1e6
    print(f"| `scan_history`, {HISTORY_SIZE:,} entries | {scan:.2f} ms | < 5 ms |")
    print(f"| `trigger_counts`, {HISTORY_SIZE:,} entries | {counts:.2f} ms | |")
    print(f"| both, {HISTORY_SIZE:,} entries | {scan + counts:.2f} ms | |")
    plans = {
        "hydration_plan": lambda: hydration_plan(
            history, duration_min=75, temperature_c=28, humidity_pct=70, body_weight_kg=70
        ),
        "cooldown_routine": lambda: cooldown_routine(history),
        "fuel_plans": lambda: fuel_plans(history, units=IMPERIAL),
    }
    for name, call in plans.items():
        millis = median_ns(call, 20) / 1e6
        print(f"| `{name}`, {HISTORY_SIZE:,} entries | {millis:.2f} ms | |")


if __name__ == "__main__":
    main()
