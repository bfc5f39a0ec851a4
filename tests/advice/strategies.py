"""Hypothesis strategies shared by the engine's property tests: anything at all
(odd keys, values and mappings) and valid check-ins within the domain's ranges."""

import datetime as dt

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from advice import ANSWER_KEYS, COOLDOWNS, MEDICATIONS, MUSCLES, RUN_TYPES, SYMPTOMS

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

# --- valid check-ins ---------------------------------------------------------------------------------


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
