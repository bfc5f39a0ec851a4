"""Properties over many generated check-ins: nothing raises, scores only rise as
signals are added, and the same input always gives the same output.
Pure Python, no database."""

import datetime as dt
import math
from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advice import (
    ANSWER_KEYS,
    CAUSES,
    COOLDOWNS,
    MEDICATIONS,
    MUSCLES,
    RUN_TYPES,
    SYMPTOMS,
    Units,
    assess,
    scan_history,
    trigger_counts,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- anything at all --------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.dates(),
    st.datetimes(),
    st.sampled_from([*MUSCLES, *SYMPTOMS, *MEDICATIONS, *RUN_TYPES, *COOLDOWNS, "2025-07-01", "12.5"]),
)
odd_values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.tuples(scalars, scalars),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
    st.frozensets(st.sampled_from([*MUSCLES, *SYMPTOMS, 1, 2.5]), max_size=3),
)
odd_keys = st.one_of(st.sampled_from(ANSWER_KEYS), st.text(max_size=8), st.integers(), st.none())
odd_mappings = st.dictionaries(odd_keys, odd_values, max_size=12)


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


@FUZZ
@given(anything=odd_values)
def test_anything_that_is_not_a_mapping(anything):
    assess(anything, history=anything)
    scan_history(anything)
    trigger_counts(anything)


# --- valid check-ins -------------------------------------------------------------------------------


def codes_from(codes):
    return st.lists(st.sampled_from(codes), unique=True, max_size=4)


def finite(low, high):
    return st.floats(min_value=low, max_value=high, allow_nan=False)


valid_checkins = st.fixed_dictionaries(
    {"twitching": st.just(True)},
    optional={
        "date": st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
        "distance_km": finite(0.5, 300),
        "duration_min": finite(1, 2000),
        "effort": st.integers(1, 10),
        "run_type": st.sampled_from(RUN_TYPES),
        "temperature_c": finite(-40, 50),
        "humidity_pct": finite(0, 100),
        "fluid_ml": st.integers(0, 6000),
        "electrolytes_during": st.booleans(),
        "carbs_before_g": st.integers(0, 400),
        "carbs_before_min": st.integers(0, 1440),
        "meal_before_h": finite(0, 48),
        "spicy_meal": st.booleans(),
        "cooldown": st.sampled_from(COOLDOWNS),
        "weight_before_kg": finite(40, 120),
        "weight_after_kg": finite(36, 125),
        "days_since_rest": st.integers(0, 30),
        "muscles": codes_from(MUSCLES),
        "intensity": st.integers(0, 10),
        "cramps": st.booleans(),
        "weakness": st.booleans(),
        "sleep_disrupted": st.booleans(),
        "symptoms": codes_from(SYMPTOMS),
        "urine_color": st.integers(1, 8),
        "rehydrated": st.booleans(),
        "medications": codes_from(MEDICATIONS),
        "medication_changed": st.booleans(),
    },
)


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


IMPERIAL = Units(distance="mi", temperature="f", volume="floz", weight="lb")


@PROPERTY
@given(answers=valid_checkins, history=st.lists(valid_checkins, max_size=6))
def test_same_input_same_output(answers, history):
    assert assess(answers, history=history) == assess(dict(answers), history=list(history))
    assert assess(answers, units=IMPERIAL) == assess(answers, units=IMPERIAL)
    entries = [*history, answers]
    assert scan_history(entries) == scan_history(list(reversed(entries))) or _same_day(entries)
    assert trigger_counts(entries) == trigger_counts(list(reversed(entries)))


def _same_day(entries):
    """Entries sharing a date may list their reasons in input order."""
    dates = [entry.get("date") for entry in entries if "date" in entry]
    return len(dates) != len(set(dates))


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


def test_hostile_mappings_and_iterables_do_not_raise():
    hostile = Hostile({"twitching": True, "effort": 9})
    assert assess(hostile).causes == ()
    assert assess({"twitching": True}, history=broken_entries()).causes == ()
    assert scan_history([hostile, hostile]) == ()
    assert [flag.code for flag in scan_history(broken_entries())] == ["widespread"]
    assert all(count.with_runs == 0 for count in trigger_counts([hostile]))
    trigger_counts(broken_entries())
