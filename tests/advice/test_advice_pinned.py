"""The full output of `assess` for a few heavy check-ins, pinned to a JSON file.

Speed work on the engine must not change a single character of what it says:
this compares every field (causes, reasons, tips, red flags, metrics, plan)
with the pinned copy. After a deliberate change to the advice, rewrite the pin:

    .venv/bin/python tests/advice/test_advice_pinned.py --write

Pure Python, no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from advice import assess
from bench.bench_advice import CHECKINS as BENCH_CHECKINS
from tests.advice.helpers import IMPERIAL

PIN = Path(__file__).with_name("pinned_assess.json")
DAY = dt.date(2025, 7, 1)

# The benchmark's heavy check-ins (bench/bench_advice.py): what is timed is what is pinned.
HOT_LONG = BENCH_CHECKINS["hot long run, cramps, scales"]
EVERY_KEY = BENCH_CHECKINS["every key answered, urgent flag"]
URGENT = {
    "date": DAY,
    "distance_km": 21.1,
    "duration_min": 190,
    "effort": 10,
    "run_type": "race",
    "temperature_c": 34,
    "humidity_pct": 70,
    "fluid_ml": 3200,
    "weight_before_kg": 64,
    "weight_after_kg": 64.9,
    "twitching": True,
    "muscles": ["face", "neck", "calves", "lower_back"],
    "cramps": True,
    "weakness": True,
    "daily_life_disrupted": True,
    "symptoms": ["confusion", "headache", "nausea", "cola_urine", "severe_pain", "swelling", "bruising"],
    "urine_color": 8,
    "medications": ["blood_thinners", "diuretics"],
}
# Earlier runs: a 30-day longest of 12 km, a busy week before, twitching for weeks.
HISTORY = [
    {
        "date": DAY - dt.timedelta(days=days),
        "distance_km": km,
        "twitching": days % 2 == 0,
        "muscles": ["calves"] if days % 4 == 0 else ["quads", "hips"],
        "sleep_disrupted": days < 6,
    }
    for days, km in ((2, 6), (4, 8), (6, 5), (9, 12), (11, 10), (13, 9), (18, 7), (24, 11), (40, 30))
]

CASES = {
    "hot long run": (HOT_LONG, {}),
    "hot long run, imperial, profile weight": (HOT_LONG, {"units": IMPERIAL, "body_weight_kg": 72}),
    "every key answered": (EVERY_KEY, {}),
    "every key answered, imperial, with history": (
        {**EVERY_KEY, "date": DAY},
        {"units": IMPERIAL, "history": HISTORY},
    ),
    "urgent flags, with history": (URGENT, {"history": HISTORY, "body_weight_kg": 63}),
    "no scales, hot, no cool-down": (
        {k: v for k, v in EVERY_KEY.items() if not k.startswith("weight")},
        {"body_weight_kg": 58.5},
    ),
}


def plain(value):
    """Results as JSON-able data: NamedTuples and dataclasses as dicts, tuples as lists."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if dataclasses.is_dataclass(value):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def current() -> dict:
    return {name: plain(assess(answers, **kwargs)) for name, (answers, kwargs) in CASES.items()}


@pytest.mark.parametrize("name", CASES)
def test_assess_output_is_pinned(name):
    pinned = json.loads(PIN.read_text(encoding="utf-8"))
    assert plain(assess(CASES[name][0], **CASES[name][1])) == pinned[name]


def test_the_pinned_cases_are_heavy():
    pinned = json.loads(PIN.read_text(encoding="utf-8"))
    assert set(pinned) == set(CASES)
    for name, result in pinned.items():
        assert len(result["causes"]) >= 4, name
        if any(flag["urgent"] for flag in result["red_flags"]):
            # An urgent flag leaves one tip: see a doctor (evidence.md part C).
            assert [tip["code"] for tip in result["tips"]] == ["see_doctor"], name
        else:
            assert len(result["tips"]) >= 8, name
    assert len(pinned["urgent flags, with history"]["red_flags"]) >= 7
    assert sum(not any(flag["urgent"] for flag in result["red_flags"]) for result in pinned.values()) >= 2


if __name__ == "__main__" and "--write" in sys.argv:
    PIN.write_text(json.dumps(current(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {PIN}")
