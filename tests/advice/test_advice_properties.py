"""Properties over many generated check-ins: nothing raises, scores only rise as
signals are added, and the same input always gives the same output.
Pure Python, no database."""

import math

from hypothesis import given
from hypothesis import strategies as st

from advice import (
    CAUSES,
    MEDICATIONS,
    assess,
    honest_patterns,
    scan_history,
    trigger_counts,
)
from tests.advice.helpers import IMPERIAL, Hostile, broken_entries
from tests.advice.strategies import FUZZ, PROPERTY, odd_mappings, odd_values, valid_checkins


@FUZZ
@given(answers=odd_mappings, history=st.lists(odd_mappings, max_size=3), weight=odd_values)
def test_assess_takes_any_mapping(answers, history, weight):
    result = assess(answers, history=history, body_weight_kg=weight)
    for cause in result.causes:
        assert 0 < cause.score <= 1
        assert all(isinstance(reason, str) for reason in cause.because)
    assert all(isinstance(text, str) for text in result.plan.cooldown_steps)


@FUZZ
@given(entries=st.lists(odd_mappings, max_size=6), today=odd_values)
def test_history_takes_any_entries(entries, today):
    for flag in scan_history(entries, today=today):
        assert flag.dates and flag.because
    counts = trigger_counts(entries)
    assert all(
        count.with_twitch <= count.with_runs and count.without_twitch <= count.without_runs
        for count in counts
    )
    patterns = honest_patterns(entries)
    assert all(p.comparison.p_value is None or 0 < p.comparison.p_value <= 1 for p in patterns.compared)


@FUZZ
@given(anything=odd_values)
def test_anything_that_is_not_a_mapping(anything):
    assess(anything, history=anything)
    scan_history(anything)
    trigger_counts(anything)
    honest_patterns(anything)


# --- valid check-ins -------------------------------------------------------------------------------


def setting(key, value):
    return lambda answers: {**answers, key: value}


def at_least(key, value):
    return lambda answers: {**answers, key: max(answers.get(key, value), value)}


def adding(key, code):
    return lambda answers: {**answers, key: [*answers.get(key, []), code]}


def lighter_after():
    """Weigh less after the run: at least a 3% loss when the weight before is known."""

    def add(answers):
        before = answers.get("weight_before_kg")
        if before is None:
            return answers
        return {**answers, "weight_after_kg": min(answers.get("weight_after_kg", math.inf), before * 0.97)}

    return add


# For each cause: ways to add a signal that supports it.
SUPPORTING = {
    "dehydration": [
        at_least("temperature_c", 33),
        at_least("humidity_pct", 70),
        setting("fluid_ml", 0),
        at_least("duration_min", 120),
        lighter_after(),
        at_least("urine_color", 6),
        adding("symptoms", "thirst"),
        adding("symptoms", "dark_urine"),
        adding("symptoms", "dizziness"),
        setting("rehydrated", False),
    ],
    "electrolytes": [
        setting("electrolytes_during", False),
        at_least("duration_min", 150),
        at_least("temperature_c", 33),
        lighter_after(),
        lambda answers: {**answers, "cramps": True, "muscles": ["calves", "quads"]},
    ],
    "fatigue": [
        at_least("effort", 9),
        at_least("duration_min", 150),
        setting("run_type", "race"),
        at_least("days_since_rest", 7),
        adding("symptoms", "fatigue"),
        setting("cramps", True),
    ],
    "circulation": [setting("cooldown", "none"), at_least("effort", 9)],
    "blood_sugar": [
        setting("carbs_before_g", 0),
        at_least("duration_min", 120),
        at_least("effort", 9),
        at_least("meal_before_h", 6),
        at_least("carbs_before_min", 300),
        adding("symptoms", "shaky"),
        adding("symptoms", "hungry"),
    ],
    "fueling": [setting("spicy_meal", True), setting("meal_before_h", 1), setting("meal_before_h", 8)],
    "medication": [
        *(adding("medications", code) for code in MEDICATIONS),
        setting("medication_changed", True),
    ],
}


def test_every_cause_has_supporting_signals():
    assert set(SUPPORTING) == set(CAUSES)


def score(answers, code):
    return {cause.code: cause.score for cause in assess(answers).causes}.get(code, 0.0)


@PROPERTY
@given(answers=valid_checkins)
def test_adding_a_supporting_signal_never_lowers_a_score(answers):
    for code, adders in SUPPORTING.items():
        before = score(answers, code)
        for add in adders:
            stronger = add(answers)
            assert score(stronger, code) >= before, (code, answers, stronger)


@PROPERTY
@given(answers=valid_checkins)
def test_a_supporting_signal_reaches_its_cause(answers):
    """From any check-in, all supporting signals together give every cause a score."""
    for code, adders in SUPPORTING.items():
        stronger = {**answers, "weight_before_kg": 70, "duration_min": 100, "carbs_before_min": 30}
        for add in adders:
            stronger = add(stronger)
        assert score(stronger, code) > 0, code


@PROPERTY
@given(answers=valid_checkins, history=st.lists(valid_checkins, max_size=6))
def test_same_input_same_output(answers, history):
    assert assess(answers, history=history) == assess(dict(answers), history=list(history))
    assert assess(answers, units=IMPERIAL) == assess(answers, units=IMPERIAL)
    entries = [*history, answers]
    assert scan_history(entries) == scan_history(list(reversed(entries))) or _same_day(entries)
    assert trigger_counts(entries) == trigger_counts(list(reversed(entries)))
    assert honest_patterns(entries) == honest_patterns(list(reversed(entries)))


def _same_day(entries):
    """Entries sharing a date may list their reasons in input order."""
    dates = [entry.get("date") for entry in entries if "date" in entry]
    return len(dates) != len(set(dates))


def test_hostile_mappings_and_iterables_do_not_raise():
    hostile = Hostile({"twitching": True, "effort": 9})
    assert assess(hostile).causes == ()
    assert assess({"twitching": True}, history=broken_entries()).causes == ()
    assert scan_history([hostile, hostile]) == ()
    assert [flag.code for flag in scan_history(broken_entries())] == ["widespread"]
    assert all(count.with_runs == 0 for count in trigger_counts([hostile]))
    trigger_counts(broken_entries())
    assert not honest_patterns([hostile]).shown
    honest_patterns(broken_entries())
