"""The NWS heat index, hydration arithmetic and answer cleaning (pure Python, no database)."""

import datetime as dt
import math
from decimal import Decimal

import pytest

from advice import RANGES, clean
from advice.heat import heat_band, heat_index_c, heat_index_f, heat_level
from advice.hydration import body_mass_change_pct, replace_ml, sweat_rate_l_per_h, urine_status
from advice.units import c_to_f

# The NWS heat index chart (°F): relative humidity -> values for 80, 82, ... °F.
NWS_CHART = {
    40: [80, 81, 83, 85, 88, 91, 94, 97, 101, 105, 109, 114, 119, 124, 130, 136],
    45: [80, 82, 84, 87, 89, 93, 96, 100, 104, 109, 114, 119, 124, 130, 137],
    50: [81, 83, 85, 88, 91, 95, 99, 103, 108, 113, 118, 124, 131, 137],
    55: [81, 84, 86, 89, 93, 97, 101, 106, 112, 117, 124, 130, 137],
    60: [82, 84, 88, 91, 95, 100, 105, 110, 116, 123, 129, 137],
    65: [82, 85, 89, 93, 98, 103, 108, 114, 121, 128, 136],
    70: [83, 86, 90, 95, 100, 105, 112, 119, 126, 134],
    75: [84, 88, 92, 97, 103, 109, 116, 124, 132],
    80: [84, 89, 94, 100, 106, 113, 121, 129],
    85: [85, 90, 96, 102, 110, 117, 126, 135],
    90: [86, 91, 98, 105, 113, 122, 131],
    95: [86, 93, 100, 108, 117, 127],
    100: [87, 95, 103, 112, 121, 132],
}
CHART_CELLS = [
    (80 + 2 * column, humidity, value)
    for humidity, values in NWS_CHART.items()
    for column, value in enumerate(values)
]


def rothfusz(t, rh):
    """Rothfusz 1990, written out again here as an independent reference."""
    return (
        -42.379
        + 2.04901523 * t
        + 10.14333127 * rh
        - 0.22475541 * t * rh
        - 6.83783e-3 * t**2
        - 5.481717e-2 * rh**2
        + 1.22874e-3 * t**2 * rh
        + 8.5282e-4 * t * rh**2
        - 1.99e-6 * t**2 * rh**2
    )


@pytest.mark.parametrize(("temperature_f", "humidity", "chart"), CHART_CELLS)
def test_heat_index_matches_the_nws_chart(temperature_f, humidity, chart):
    """Within ±1.5 °F of the chart (the regression's own error is about ±1.3 °F). Where
    the NWS high-humidity adjustment applies (RH > 85%, 80-87 °F) the equation runs
    up to 2.3 °F above the chart, as the NWS equation itself does."""
    tolerance = 2.5 if humidity > 85 and temperature_f <= 87 else 1.5
    assert heat_index_f(temperature_f, humidity) == pytest.approx(chart, abs=tolerance)


@pytest.mark.parametrize(
    ("temperature_f", "humidity", "expected"),
    [(90, 50, 95), (100, 40, 109), (80, 40, 80), (96, 65, 121), (86, 90, 105)],
)
def test_heat_index_examples_from_the_issue(temperature_f, humidity, expected):
    assert heat_index_f(temperature_f, humidity) == pytest.approx(expected, abs=1.5)


def test_simple_formula_below_80f():
    assert heat_index_f(70, 50) == pytest.approx(0.5 * (70 + 61 + 2 * 1.2 + 50 * 0.094))


def test_low_humidity_adjustment_is_subtracted():
    expected = rothfusz(100, 10) - (3 / 4) * math.sqrt((17 - 5) / 17)
    assert heat_index_f(100, 10) == pytest.approx(expected)


def test_high_humidity_adjustment_is_added():
    expected = rothfusz(84, 95) + (10 / 10) * (3 / 5)
    assert heat_index_f(84, 95) == pytest.approx(expected)


def test_no_adjustment_outside_its_ranges():
    assert heat_index_f(115, 10) == pytest.approx(rothfusz(115, 10))
    assert heat_index_f(90, 95) == pytest.approx(rothfusz(90, 95))


def test_heat_index_in_celsius():
    assert heat_index_c(32.2222, 50) == pytest.approx((heat_index_f(90, 50) - 32) * 5 / 9, abs=0.01)


@pytest.mark.parametrize(
    ("heat_index", "band"),
    [
        (79.9, None),
        (80, "caution"),
        (89.9, "caution"),
        (90, "extreme_caution"),
        (102.9, "extreme_caution"),
        (103, "danger"),
        (124.9, "danger"),
        (125, "extreme_danger"),
        (None, None),
    ],
)
def test_heat_bands(heat_index, band):
    assert heat_band(heat_index) == band


def test_heat_band_never_falls_as_heat_or_humidity_rises():
    """The band only rises with temperature and humidity over the whole domain, which the
    monotonicity of the dehydration score relies on."""
    temperatures = [t / 4 for t in range(-160, 201)]
    humidities = [h / 2 for h in range(201)]
    level = {
        (t, h): heat_level(heat_band(heat_index_f(c_to_f(t), h))) for t in temperatures for h in humidities
    }
    for h in humidities:
        levels = [level[t, h] for t in temperatures]
        assert levels == sorted(levels)
    for t in temperatures:
        levels = [level[t, h] for h in humidities]
        assert levels == sorted(levels)


# --- hydration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [(70, 68.6, -2.0), (70, 70, 0.0), (70, 70.7, 1.0), (None, 68, None), (70, None, None), (70, 60, None)],
)
def test_body_mass_change(before, after, expected):
    result = body_mass_change_pct(before, after)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_sweat_rate_counts_what_was_drunk():
    # (70 - 68.4 + 0.5 l) / 1.5 h = 1.4 l/h
    assert sweat_rate_l_per_h(70, 68.4, 500, 90) == pytest.approx(1.4)
    assert sweat_rate_l_per_h(70, 68.4, None, 90) is None
    assert sweat_rate_l_per_h(70, 68.4, 500, None) is None
    assert sweat_rate_l_per_h(70, 71, 500, 60) is None  # gained more than was drunk
    assert sweat_rate_l_per_h(70, 66, 500, 30) is None  # 9 l/h: the figures disagree


@pytest.mark.parametrize(
    ("before", "after", "expected"), [(70, 68.4, 2400), (70, 69.0, 1500), (70, 70, None), (70, 70.3, None)]
)
def test_replace_about_1_5_l_per_kg_lost(before, after, expected):
    assert replace_ml(before, after) == expected


@pytest.mark.parametrize(
    ("color", "status"),
    [
        (1, "fine"),
        (3, "fine"),
        (4, "borderline"),
        (5, "dehydrated"),
        (6, "dehydrated"),
        (7, "very_dehydrated"),
        (None, None),
    ],
)
def test_urine_chart(color, status):
    assert urine_status(color) == status


# --- clean ------------------------------------------------------------------------------


def test_clean_keeps_valid_values():
    answers = {
        "date": "2025-07-01",
        "distance_km": 10,
        "effort": 7,
        "run_type": "race",
        "twitching": True,
        "muscles": ["calves", "face"],
        "symptoms": ("thirst",),
        "medications": {"statins", "diuretics"},
        "temperature_c": Decimal("31.5"),
    }
    assert clean(answers) == {
        "date": dt.date(2025, 7, 1),
        "distance_km": 10.0,
        "effort": 7,
        "run_type": "race",
        "twitching": True,
        "muscles": ("calves", "face"),
        "symptoms": ("thirst",),
        "medications": ("diuretics", "statins"),  # a set comes back in code order
        "temperature_c": 31.5,
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("distance_km", 0),
        ("distance_km", 300.01),
        ("duration_min", -5),
        ("effort", 0),
        ("effort", 11),
        ("effort", 7.5),
        ("effort", True),
        ("temperature_c", float("nan")),
        ("temperature_c", float("inf")),
        ("temperature_c", 51),
        ("humidity_pct", "lots"),
        ("fluid_ml", 6001),
        ("weight_before_kg", 24.9),
        ("urine_color", 9),
        ("days_since_rest", -1),
        ("twitching", 1),
        ("twitching", "yes"),
        ("cramps", None),
        ("run_type", "sprint"),
        ("cooldown", ["none"]),
        ("muscles", "calves"),
        ("symptoms", 3),
        ("date", "yesterday"),
        ("date", 20250701),
    ],
)
def test_clean_drops_invalid_values(key, value):
    assert key not in clean({key: value})


def test_clean_accepts_numeric_strings_and_integral_floats():
    assert clean({"distance_km": "12.5", "effort": 7.0, "fluid_ml": "250"}) == {
        "distance_km": 12.5,
        "effort": 7,
        "fluid_ml": 250,
    }


def test_clean_filters_lists():
    cleaned = clean({"muscles": ["calves", "ears", "calves", ["quads"], None, "quads"]})
    assert cleaned["muscles"] == ("calves", "quads")


def test_clean_takes_a_datetime_as_its_day():
    assert clean({"date": dt.datetime(2025, 7, 1, 18, 30)})["date"] == dt.date(2025, 7, 1)
    assert clean({"date": "2025-07-01T18:30:00"})["date"] == dt.date(2025, 7, 1)


@pytest.mark.parametrize("answers", [None, 42, "twitching", ["twitching"], {1: 2, None: 3, ("a",): 4}])
def test_clean_of_odd_input_is_empty(answers):
    assert clean(answers) == {}


def test_clean_survives_a_hostile_mapping():
    class Broken(dict):
        def items(self):
            raise RuntimeError("no")

    class Hostile:
        def __eq__(self, other):
            raise RuntimeError("no")

        __hash__ = object.__hash__

        def __float__(self):
            raise RuntimeError("no")

    assert clean(Broken(effort=5)) == {}
    assert clean({"effort": Hostile(), "muscles": [Hostile(), "calves"], "cramps": True}) == {
        "muscles": ("calves",),
        "cramps": True,
    }


def test_every_range_key_is_cleaned():
    for key, (low, high) in RANGES.items():
        if key not in {"distance_km", "duration_min"}:
            assert clean({key: low})[key] == low
        assert clean({key: high})[key] == high
