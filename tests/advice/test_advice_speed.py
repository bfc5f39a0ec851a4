"""The engine's fast paths say exactly what the plain versions say.

`assess` was sped up (see bench/bench_advice.py) with inline checks, shortcuts
and tables; each is compared here with a plain reference, written the obvious
way, over generated values. test_advice_pinned.py pins whole outputs.
Pure Python, no database.
"""

import math
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st
from test_advice_properties import FUZZ, PROPERTY, odd_mappings, odd_values, valid_checkins

from advice import (
    ANSWER_KEYS,
    MUSCLES,
    SYMPTOMS,
    Units,
    body_mass_change_pct,
    clean,
    heat_band,
    heat_index_f,
    replace_ml,
    sweat_rate_l_per_h,
)
from advice.clean import CLEANERS, INVALID, clean_for, specs_without
from advice.engine import (
    _DEHYDRATION_SIGNS,
    _DEHYDRATION_TABLE,
    _LOW_FUEL_SIGNS,
    _LOW_FUEL_TABLE,
    _SEVERE_CRAMP_SIGNS,
    _SEVERE_CRAMP_WORDS,
    _SYMPTOM_WORDS,
    _Facts,
    _symptom_words,
)
from advice.heat import heat_level
from advice.history import twitched
from advice.hydration import round_to
from advice.sentences import drink_rate_ml_per_h, ml_per_kg, volume_range
from advice.units import METRIC, _num, c_to_f, ml_to_floz

IMPERIAL = Units(distance="mi", temperature="f", volume="floz", weight="lb")
MIXED = Units(distance="mi", temperature="c", volume="ml", weight="lb")
ALL_UNITS = st.sampled_from([METRIC, IMPERIAL, MIXED])


# --- clean ----------------------------------------------------------------------------------


def reference_clean(answers):
    """clean() the slow, obvious way: every value through its CLEANERS entry."""
    out = {}
    if not isinstance(answers, Mapping):
        return out
    try:
        items = list(answers.items())
    except Exception:
        return out
    for pair in items:
        try:
            key, value = pair
            if type(key) is not str or key not in CLEANERS:
                continue
            value = CLEANERS[key](value)
            if value is not INVALID:
                out[key] = value
        except Exception:  # noqa: S112 - as clean() does
            continue
    return out


class Code(str):
    """A str subclass: clean() takes exact strings only, as keys and as list items."""


tricky_values = st.one_of(
    odd_values,
    st.floats(min_value=-50, max_value=300),
    st.integers(min_value=-5, max_value=7000),
    st.sampled_from([7.0, 2.5, 0, 0.0, -0.0, 1e300, 10**400, math.nan, Decimal("7"), Decimal("nan")]),
    st.sampled_from(["2025-07-01", "2025-7-1", "2025-13-01", "2025-07-01T06:30", "20250701", "2025-07-01 "]),
    st.lists(st.sampled_from([*MUSCLES, *SYMPTOMS, Code("calves"), 3, None]), max_size=5),
    st.tuples(st.sampled_from(MUSCLES), st.sampled_from(MUSCLES)),
    st.sampled_from(["easy", Code("easy"), "walk", "sprint", "none"]),
)
tricky_keys = st.one_of(
    st.sampled_from(ANSWER_KEYS), st.sampled_from(ANSWER_KEYS).map(Code), st.text(max_size=4)
)
tricky_mappings = st.dictionaries(tricky_keys, tricky_values, max_size=14)


@FUZZ
@given(answers=st.one_of(tricky_mappings, odd_mappings))
def test_clean_matches_the_plain_version(answers):
    cleaned = clean(answers)
    expected = reference_clean(answers)
    assert _same(cleaned, expected)
    assert list(cleaned) == list(expected)  # the input's order
    assert _same(clean(MappingProxyType(answers)), expected)  # the general path


@FUZZ
@given(answers=tricky_mappings)
def test_clean_for_leaves_out_only_the_keys_asked(answers):
    skipped = ("date", "distance_km", "visible")
    expected = {key: value for key, value in clean(answers).items() if key not in skipped}
    assert _same(clean_for(answers, specs_without(skipped)), expected)


def _same(one, other):
    """Equal dicts, with NaN equal to NaN and the same types (7 is not 7.0 here)."""
    if one.keys() != other.keys():
        return False
    for key, value in one.items():
        expected = other[key]
        if type(value) is not type(expected):
            return False
        if value != expected and not (value != value and expected != expected):
            return False
    return True


# --- the figures _Facts works out inline ---------------------------------------------------------


@PROPERTY
@given(
    answers=valid_checkins,
    before=st.floats(min_value=25, max_value=250),
    change=st.floats(min_value=-0.15, max_value=0.15),
    fluid=st.one_of(st.none(), st.integers(0, 6000)),
)
def test_facts_agree_with_the_hydration_functions(answers, before, change, fluid):
    after = min(250.0, max(25.0, before * (1 + change)))
    answers = {**answers, "weight_before_kg": before, "weight_after_kg": after}
    if fluid is not None:
        answers["fluid_ml"] = fluid
    a = clean(answers)
    f = _Facts(a, METRIC, None)
    duration = a.get("duration_min")
    assert f.change_pct == body_mass_change_pct(before, after)
    assert f.sweat_rate == sweat_rate_l_per_h(before, after, a.get("fluid_ml"), duration)
    assert f.replace_ml == replace_ml(before, after)
    assert f.lost_kg == (before - after if f.change_pct is not None else None)
    assert f.twitched == (twitched(a) is True)
    assert f.muscles_in_order == tuple(m for m in MUSCLES if m in a.get("muscles", ())) * f.twitched


@PROPERTY
@given(temperature=st.floats(min_value=-40, max_value=50), humidity=st.one_of(st.none(), st.floats(0, 100)))
def test_facts_heat_band_agrees_with_heat_py(temperature, humidity):
    answers = {"temperature_c": temperature}
    if humidity is not None:
        answers["humidity_pct"] = humidity
    f = _Facts(clean(answers), METRIC, None)
    if humidity is None:
        assert (f.heat_index_f, f.heat_band) == (None, None)
        assert f.heat_level == heat_level(heat_band(c_to_f(temperature)))
    else:
        index = heat_index_f(c_to_f(temperature), humidity)
        assert (f.heat_index_f, f.heat_band, f.heat_level) == (
            index,
            heat_band(index),
            heat_level(heat_band(index)),
        )


def test_sign_tables_agree_with_the_lists():
    for signs, table in ((_DEHYDRATION_SIGNS, _DEHYDRATION_TABLE), (_LOW_FUEL_SIGNS, _LOW_FUEL_TABLE)):
        assert len(table) == 2 ** len(signs) - 1
        for present, (weight, words) in table.items():
            found = [(code, w) for code, w in signs if code in present]
            assert weight == sum(w for _, w in found)
            assert words == _symptom_words([code for code, _ in found])
    for present, words in _SEVERE_CRAMP_WORDS.items():
        assert words == tuple(_SYMPTOM_WORDS[code] for code in _SEVERE_CRAMP_SIGNS if code in present)


# --- formatting --------------------------------------------------------------------------------


def reference_num1(value):
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{1}f}"


def reference_fmt_volume(u, ml):
    if u.volume == "floz":
        return f"{_num(ml_to_floz(ml), 0)} fl oz"
    if ml >= 1000:
        return f"{reference_num1(ml / 1000)} l"
    return f"{_num(round(ml / 10) * 10 if ml >= 100 else ml, 0)} ml"


numbers = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0.05, 0.15, 0.25, -0.05, -0.04, 2.45, 2.55, 99.95, 999.95, 1e15 + 0.3]),
)


@FUZZ
@given(value=numbers, u=ALL_UNITS)
def test_formatting_matches_the_plain_versions(value, u):
    assert _num(value, 1) == reference_num1(value)
    assert u.fmt_weight(value) == f"{reference_num1(u.weight_from_kg(value))} {u.weight_label}"
    assert u.fmt_distance(value) == f"{reference_num1(u.distance_from_km(value))} {u.distance_label}"
    assert u.fmt_temperature(value) == f"{_num(u.temperature_from_c(value), 0)} {u.temperature_label}"
    assert u.fmt_volume(value) == reference_fmt_volume(u, value)


@FUZZ
@given(low=st.floats(min_value=0, max_value=3000), high=st.floats(min_value=0, max_value=3000), u=ALL_UNITS)
def test_volume_range_shortcut(low, high, u):
    first, second = u.fmt_volume(low), u.fmt_volume(high)
    number, _, unit = first.partition(" ")
    expected = f"{number}–{second}" if second.endswith(f" {unit}") else f"{first}–{second}"
    assert volume_range(u, low, high) == expected


@FUZZ
@given(
    rate=st.floats(min_value=0, max_value=4),
    weight=st.floats(min_value=25, max_value=250),
    duration=st.floats(min_value=0.5, max_value=2000),
)
def test_drink_rate_and_volumes_match_the_plain_versions(rate, weight, duration):
    hours = duration / 60
    needed = max(0.0, rate * hours - 2.0 / 100 * weight) / hours
    assert drink_rate_ml_per_h(rate, weight, duration) == round_to(min(needed, rate, 1.0) * 1000, 50)
    assert ml_per_kg(weight, (5, 7)) == (round_to(5 * weight, 10), round_to(7 * weight, 10))
