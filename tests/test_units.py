"""Unit conversions both ways, and the figures a runner reads."""

import math

import pytest

from advice.units import (
    METRIC,
    QUANTITIES,
    Units,
    c_to_f,
    f_to_c,
    floz_to_ml,
    kg_to_lb,
    km_to_mi,
    lb_to_kg,
    mi_to_km,
    ml_to_floz,
)


@pytest.mark.parametrize(
    ("forward", "back", "metric", "imperial"),
    [
        (km_to_mi, mi_to_km, 42.195, 26.2188),
        (c_to_f, f_to_c, 31.0, 87.8),
        (c_to_f, f_to_c, -40.0, -40.0),
        (ml_to_floz, floz_to_ml, 500.0, 16.907),
        (kg_to_lb, lb_to_kg, 70.0, 154.324),
    ],
)
def test_conversions_match_known_values_and_round_trip(forward, back, metric, imperial):
    assert forward(metric) == pytest.approx(imperial, abs=0.001)
    assert back(imperial) == pytest.approx(metric, abs=0.001)
    assert back(forward(metric)) == pytest.approx(metric, rel=1e-12)


@pytest.mark.parametrize("value", [0.0, 1.0, 12.345, 299.9, -12.0])
def test_units_round_trip_every_quantity(value):
    imperial = Units(distance="mi", temperature="f", volume="floz", weight="lb")
    for to_display, to_metric in (
        (imperial.distance_from_km, imperial.distance_to_km),
        (imperial.temperature_from_c, imperial.temperature_to_c),
        (imperial.volume_from_ml, imperial.volume_to_ml),
        (imperial.weight_from_kg, imperial.weight_to_kg),
    ):
        assert math.isclose(to_metric(to_display(value)), value, abs_tol=1e-9)


def test_metric_units_leave_values_alone():
    assert METRIC.distance_from_km(10) == 10
    assert METRIC.temperature_to_c(31) == 31
    assert METRIC.volume_to_ml(250) == 250
    assert METRIC.weight_to_kg(70) == 70


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (METRIC, ("10 km", "31 °C", "250 ml", "70 kg")),
        (Units("mi", "f", "floz", "lb"), ("6.2 mi", "88 °F", "8 fl oz", "154.3 lb")),
    ],
)
def test_formatted_figures_carry_their_unit(units, expected):
    got = (
        units.fmt_distance(10),
        units.fmt_temperature(31),
        units.fmt_volume(250),
        units.fmt_weight(70),
    )
    assert got == expected


def test_large_volumes_read_in_litres():
    assert METRIC.fmt_volume(1500) == "1.5 l"


@pytest.mark.parametrize(
    ("quantity", "to_display", "label"),
    [
        ("distance", km_to_mi, "mi"),
        ("temperature", c_to_f, "°F"),
        ("volume", ml_to_floz, "fl oz"),
        ("weight", kg_to_lb, "lb"),
    ],
)
def test_from_metric_and_to_metric_by_quantity_name(quantity, to_display, label):
    imperial = Units(distance="mi", temperature="f", volume="floz", weight="lb")
    assert imperial.from_metric(quantity, 10.0) == pytest.approx(to_display(10.0))
    assert imperial.to_metric(quantity, to_display(10.0)) == pytest.approx(10.0)
    assert imperial.label(quantity) == label
    assert METRIC.from_metric(quantity, 10.0) == METRIC.to_metric(quantity, 10.0) == 10.0
    assert quantity in QUANTITIES
