"""Every runner-facing text, written or generated, stays within the wording rules:
never a diagnosis, never a supplement dose, never "stop taking", never "drink as
much". Pure Python, no database."""

import datetime as dt
import random
import re

import pytest

from advice import (
    CAUSES,
    COOLDOWN_LABELS,
    COOLDOWNS,
    DISCLAIMER,
    MEDICATION_LABELS,
    MEDICATIONS,
    METRIC,
    MUSCLE_LABELS,
    MUSCLES,
    RED_FLAGS,
    REFERENCES,
    RUN_TYPE_LABELS,
    RUN_TYPES,
    SYMPTOM_LABELS,
    SYMPTOMS,
    TIPS,
    TRIGGERS,
    WHEN_LABELS,
    Units,
    assess,
    scan_history,
    trigger_counts,
)
from advice.knowledge import COOLDOWN_EASE_STEP, COOLDOWN_GENERAL_STEP, STRETCHES

FORBIDDEN = {
    "a diagnosis": re.compile(r"you have|diagnos", re.I),
    "a supplement dose": re.compile(r"\d+\s*mg\b|\bmg\b|milligram", re.I),
    "stopping a medicine": re.compile(r"stop taking|stop your medic|come off", re.I),
    "drinking without limit": re.compile(r"drink as much|as much as (you )?(can|possible)", re.I),
}
IMPERIAL = Units(distance="mi", temperature="f", volume="floz", weight="lb")


def written_texts():
    for cause in CAUSES.values():
        yield from (cause.title, cause.text, cause.reference)
    for tip in TIPS.values():
        yield from (tip.title, tip.text, tip.reference)
    for flag in RED_FLAGS.values():
        yield from (flag.title, flag.care, flag.reference)
    for reference in REFERENCES.values():
        yield from (reference.short, reference.full)
    yield from (trigger.label for trigger in TRIGGERS.values())
    for labels in (MUSCLE_LABELS, SYMPTOM_LABELS, MEDICATION_LABELS, RUN_TYPE_LABELS, COOLDOWN_LABELS):
        yield from labels.values()
    yield from WHEN_LABELS.values()
    yield from STRETCHES.values()
    yield from (COOLDOWN_EASE_STEP, COOLDOWN_GENERAL_STEP, DISCLAIMER)


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


def generated_texts():
    entries = list(sweep())
    for units in (METRIC, IMPERIAL):
        for index, answers in enumerate(entries):
            result = assess(answers, history=entries[index + 1 : index + 30], units=units, body_weight_kg=65)
            for cause in result.causes:
                yield from cause.because
            for flag in result.red_flags:
                yield from flag.because
            plan = result.plan
            yield from (plan.rehydrate_text, plan.drink_text, plan.fuel_text, *plan.cooldown_steps)
        for flag in scan_history(entries, units=units):
            yield from (*flag.because, flag.title, flag.care)
    yield from (count.label for count in trigger_counts(entries))


@pytest.fixture(scope="module")
def generated():
    return list(generated_texts())


def test_the_sweep_reaches_every_code():
    entries = list(sweep())
    results = [assess(answers, history=entries[i + 1 : i + 30]) for i, answers in enumerate(entries)]
    assert {cause.code for result in results for cause in result.causes} == set(CAUSES)
    assert {tip.code for result in results for tip in result.tips} == set(TIPS)
    assert {flag.code for result in results for flag in result.red_flags} == set(RED_FLAGS)


@pytest.mark.parametrize("rule", FORBIDDEN)
def test_written_texts_keep_the_wording_rules(rule):
    offending = [text for text in written_texts() if FORBIDDEN[rule].search(text)]
    assert not offending, f"{rule}: {offending}"


@pytest.mark.parametrize("rule", FORBIDDEN)
def test_generated_texts_keep_the_wording_rules(rule, generated):
    offending = sorted({text for text in generated if FORBIDDEN[rule].search(text)})
    assert not offending, f"{rule}: {offending[:5]}"


def test_generated_texts_are_plain_and_short(generated):
    assert len(generated) > 2000
    for text in generated:
        assert text == text.strip() and "  " not in text
        assert "None" not in text and "nan" not in text.lower().split()
        assert len(text) < 400


def test_causes_are_worded_as_possible_links():
    for cause in CAUSES.values():
        assert "may be linked" in cause.text or "linked to" in cause.text
