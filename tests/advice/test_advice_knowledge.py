"""The knowledge is complete, consistent and honest about its evidence (pure Python, no database)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

import advice
from advice import (
    CAUSES,
    COOLDOWN_LABELS,
    COOLDOWNS,
    DISCLAIMER,
    EVIDENCE_GRADES,
    MEDICATION_LABELS,
    MEDICATIONS,
    MUSCLE_LABELS,
    MUSCLES,
    RANGES,
    RED_FLAGS,
    REFERENCES,
    RELIEF_TIPS,
    RUN_TYPE_LABELS,
    RUN_TYPES,
    RUNNING_MUSCLES,
    SYMPTOM_LABELS,
    SYMPTOMS,
    TIPS,
    TRIGGERS,
    WHEN,
)
from advice.knowledge import STRETCHES

ROOT = Path(__file__).resolve().parents[2]

# Every code shared/domain.md lists: a contract that may grow, never shrink.
DOMAIN_CAUSES = {
    "electrolytes",
    "dehydration",
    "fatigue",
    "circulation",
    "blood_sugar",
    "fueling",
    "medication",
}
DOMAIN_TIPS = {
    "electrolyte_foods",
    "electrolyte_drink",
    "hydrate_before",
    "hydrate_during",
    "watch_dehydration_signs",
    "rehydrate_after",
    "rest_days",
    "cross_training",
    "gradual_progression",
    "listen_to_body",
    "cooldown_walk",
    "cooldown_stretch",
    "carbs_before",
    "sports_drink_midrun",
    "balanced_meal",
    "skip_spicy",
    "review_medication",
    "foam_roll",
    "cupping",
    "trigger_release",
    "see_doctor",
}
DOMAIN_RED_FLAGS = {
    "persistent",
    "widespread",
    "weakness",
    "sleep",
    "severe_cramps",
    "heat_illness",
    "overhydration",
    "muscle_breakdown",
    "bleeding",
}
DOMAIN_TIPS_BY_CAUSE = {
    "electrolytes": {"electrolyte_foods", "electrolyte_drink"},
    "dehydration": {"hydrate_before", "hydrate_during", "watch_dehydration_signs", "rehydrate_after"},
    "fatigue": {"rest_days", "cross_training", "gradual_progression", "listen_to_body"},
    "circulation": {"cooldown_walk", "cooldown_stretch"},
    "blood_sugar": {"carbs_before", "sports_drink_midrun"},
    "fueling": {"balanced_meal", "skip_spicy"},
    "medication": {"review_medication"},
}
DOMAIN_LISTS = {
    "muscles": (
        MUSCLES,
        "calves shins feet quads hamstrings glutes hips lower_back abs arms hands shoulders neck face",
    ),
    "symptoms": (
        SYMPTOMS,
        "thirst dark_urine dizziness fatigue shaky lightheaded hungry headache nausea vomiting "
        "confusion collapse cola_urine severe_pain swelling bruising",
    ),
    "medications": (
        MEDICATIONS,
        "blood_thinners diuretics statins asthma_inhaler blood_pressure stimulants",
    ),
    "run types": (RUN_TYPES, "easy long tempo intervals race trail"),
    "cool-downs": (COOLDOWNS, "none walk walk_stretch"),
}


def test_every_domain_code_is_declared():
    assert set(CAUSES) >= DOMAIN_CAUSES
    assert set(TIPS) >= DOMAIN_TIPS
    assert set(RED_FLAGS) >= DOMAIN_RED_FLAGS


@pytest.mark.parametrize("name", DOMAIN_LISTS)
def test_vocabulary_keeps_every_domain_code(name):
    codes, expected = DOMAIN_LISTS[name]
    assert set(expected.split()) <= set(codes)


def test_running_muscles_come_first():
    assert RUNNING_MUSCLES == ("calves", "shins", "feet", "quads", "hamstrings", "glutes", "hips")
    assert MUSCLES[: len(RUNNING_MUSCLES)] == RUNNING_MUSCLES


@pytest.mark.parametrize(
    ("codes", "labels"),
    [
        (MUSCLES, MUSCLE_LABELS),
        (SYMPTOMS, SYMPTOM_LABELS),
        (MEDICATIONS, MEDICATION_LABELS),
        (RUN_TYPES, RUN_TYPE_LABELS),
        (COOLDOWNS, COOLDOWN_LABELS),
    ],
)
def test_every_code_has_a_label(codes, labels):
    assert tuple(labels) == codes
    assert all(label.strip() for label in labels.values())


def test_ranges_cover_the_domain_numbers():
    assert RANGES["effort"] == (1, 10)
    assert RANGES["temperature_c"] == (-40, 50)
    assert RANGES["humidity_pct"] == (0, 100)
    assert RANGES["fluid_ml"] == (0, 6000)
    assert RANGES["urine_color"] == (1, 8)
    assert RANGES["weight_before_kg"] == RANGES["weight_after_kg"] == (25, 250)
    assert all(low < high for low, high in RANGES.values())


@pytest.mark.parametrize("code", sorted(DOMAIN_TIPS_BY_CAUSE))
def test_each_cause_serves_the_domain_tips(code):
    assert set(CAUSES[code].tips) >= DOMAIN_TIPS_BY_CAUSE[code]
    for tip in CAUSES[code].tips:
        assert TIPS[tip].cause == code


def test_relief_tips_serve_no_cause():
    assert {"foam_roll", "cupping", "trigger_release"} <= set(RELIEF_TIPS)
    assert all(TIPS[code].cause is None for code in RELIEF_TIPS)


@pytest.mark.parametrize("tip", TIPS.values(), ids=lambda tip: tip.code)
def test_tip_is_well_formed(tip):
    assert tip.cause is None or tip.cause in CAUSES
    assert tip.when in WHEN
    assert tip.evidence in EVIDENCE_GRADES
    assert tip.title and tip.text and tip.reference


@pytest.mark.parametrize("tip", [t for t in TIPS.values() if t.evidence == "limited"], ids=lambda t: t.code)
def test_weak_evidence_is_said_plainly(tip):
    assert "evidence" in tip.text.lower() and "limited" in tip.text.lower()


WEAK_TIPS = (
    "electrolyte_foods",
    "electrolyte_drink",
    "cooldown_walk",
    "cooldown_stretch",
    "cupping",
    "trigger_release",
    "skip_spicy",
)


@pytest.mark.parametrize("code", WEAK_TIPS)
def test_the_issues_weak_tips_are_graded_limited(code):
    assert TIPS[code].evidence == "limited"


def test_hydration_tips_are_graded_high():
    assert {TIPS[code].evidence for code in ("hydrate_before", "hydrate_during", "rehydrate_after")} == {
        "high"
    }
    assert TIPS["foam_roll"].evidence == "moderate"


def test_carbs_tip_is_honest_about_twitching():
    assert "evidence that it prevents twitching is limited" in TIPS["carbs_before"].text


def test_medication_text_never_suggests_stopping():
    text = TIPS["review_medication"].text
    assert "Keep taking" in text and "doctor or pharmacist" in text
    assert "blood thinners" in CAUSES["medication"].text  # named honestly, with the caveat
    assert "standard lists do not" in CAUSES["medication"].text


@pytest.mark.parametrize("flag", RED_FLAGS.values(), ids=lambda flag: flag.code)
def test_red_flag_is_well_formed(flag):
    assert flag.title and flag.care and flag.reference


def test_urgent_flags_are_the_literatures_and_come_first():
    urgent = [code for code, flag in RED_FLAGS.items() if flag.urgent]
    assert set(urgent) == {
        "severe_cramps",
        "heat_illness",
        "collapse",
        "overhydration",
        "muscle_breakdown",
        "bleeding",
    }
    assert list(RED_FLAGS)[: len(urgent)] == urgent


def test_every_cause_is_graded_and_cited():
    for cause in CAUSES.values():
        assert cause.evidence in EVIDENCE_GRADES
        assert cause.title and cause.text and cause.reference


def test_references_are_short_and_full():
    for reference in REFERENCES.values():
        assert reference.short and len(reference.full) > len(reference.short)


def test_triggers_are_in_the_pages_order():
    assert tuple(TRIGGERS) == (
        "no_cooldown",
        "hot_humid",
        "little_fluid",
        "no_carbs",
        "spicy_meal",
        "no_rest_day",
        "long_run_spike",
        "weekly_jump",
    )


def test_every_trigger_has_its_pattern_words():
    for trigger in TRIGGERS.values():
        assert trigger.with_words.startswith("runs ") and trigger.without_words and trigger.short


def test_every_muscle_has_a_stretch():
    assert set(STRETCHES) == set(MUSCLES)


def test_disclaimer_is_one_sentence():
    assert DISCLAIMER.startswith("Aftermath is not a medical device")
    assert DISCLAIMER.count(".") == 1


def test_the_engine_imports_no_django():
    """Every engine module under advice/ imports without Django (the Django side is excluded)."""
    django_side = {"apps", "views", "urls", "admin", "forms", "models", "templatetags", "migrations"}
    package = Path(advice.__file__).parent
    modules = sorted(
        f"advice.{path.stem}"
        for path in package.glob("*.py")
        if path.stem not in django_side and path.stem != "__init__"
    )
    assert {"advice.engine", "advice.history", "advice.plans", "advice.sentences"} <= set(modules)
    code = (
        f"import advice, {', '.join(modules)}; import sys; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not bad, bad"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_engine_sources_never_import_django():
    package = Path(advice.__file__).parent
    for path in package.glob("*.py"):
        if path.stem in {"apps", "views", "urls", "admin", "forms"}:  # the Django side
            continue
        assert not re.search(r"^\s*(from|import)\s+django", path.read_text(), re.M), path.name
