"""Helpers shared by the engine's tests: imperial units, the wording rules, a sweep of
check-ins that reaches every rule, and inputs that break when read."""

import datetime as dt
import random
import re
from collections.abc import Mapping

from advice import COOLDOWNS, MEDICATIONS, MUSCLES, RUN_TYPES, SYMPTOMS, Units

IMPERIAL = Units(distance="mi", temperature="f", volume="floz", weight="lb")

FORBIDDEN = {
    "a diagnosis": re.compile(r"you have|diagnos", re.I),
    "a supplement dose": re.compile(r"\d+\s*mg\b|\bmg\b|milligram", re.I),
    "stopping a medicine": re.compile(r"stop taking|stop your medic|come off", re.I),
    "drinking without limit": re.compile(r"drink as much|as much as (you )?(can|possible)", re.I),
}
# The patterns describe and never claim cause (issue 15): no "causes", "is why", "because of".
CAUSE_WORDS = re.compile(r"\bcaus|\bis why\b|\bthat's why\b|\bbecause of\b|\bleads? to\b|\bresult of\b", re.I)


def sweep(count=400, seed=11):
    """Check-ins that between them reach every rule, with figures across the ranges."""
    rng = random.Random(seed)
    day = dt.date(2025, 7, 31)
    for index in range(count):
        answers = {
            "date": day - dt.timedelta(days=index % 40),
            "distance_km": round(rng.uniform(1, 45), 1),
            "duration_min": rng.choice([20, 45, 61, 85, 95, 130, 200, 400]),
            "effort": rng.randint(1, 10),
            "run_type": rng.choice(RUN_TYPES),
            "temperature_c": rng.choice([-5, 12, 24, 27, 31, 36, 44]),
            "humidity_pct": rng.choice([5, 40, 70, 95]),
            "fluid_ml": rng.choice([0, 150, 600, 3500]),
            "electrolytes_during": rng.choice([True, False]),
            "carbs_before_g": rng.choice([0, 15, 45, 120]),
            "carbs_before_min": rng.choice([30, 90, 300]),
            "meal_before_h": rng.choice([0.5, 1.5, 3, 5.5, 9]),
            "spicy_meal": rng.random() < 0.3,
            "cooldown": rng.choice(COOLDOWNS),
            "weight_before_kg": 70,
            "weight_after_kg": rng.choice([66.5, 68.4, 69.5, 70, 70.6]),
            "days_since_rest": rng.randint(0, 9),
            "twitching": rng.random() < 0.8,
            "muscles": rng.sample(MUSCLES, rng.randint(0, 4)),
            "cramps": rng.random() < 0.5,
            "weakness": rng.random() < 0.2,
            "sleep_disrupted": rng.random() < 0.3,
            "daily_life_disrupted": rng.random() < 0.1,
            "symptoms": rng.sample(SYMPTOMS, rng.randint(0, 4)),
            "urine_color": rng.randint(1, 8),
            "rehydrated": rng.random() < 0.5,
            "medications": rng.sample(MEDICATIONS, rng.randint(0, 2)),
            "medication_changed": rng.random() < 0.2,
        }
        for key in rng.sample(sorted(answers), rng.randint(0, 8)):
            if key != "date":
                del answers[key]
        yield answers


class Hostile(Mapping):
    """A mapping whose every read fails."""

    def __init__(self, data):
        self.data = data

    def __getitem__(self, key):
        raise RuntimeError("no")

    def __iter__(self):
        yield from self.data
        raise RuntimeError("no")

    def __len__(self):
        return len(self.data)


def broken_entries():
    yield {"date": dt.date(2025, 7, 1), "twitching": True, "muscles": ["calves", "face"]}
    yield {"date": dt.date(2025, 7, 3), "twitching": True, "muscles": ["neck"]}
    raise RuntimeError("the log broke")
