"""The measures a runner types in their own units, and Aftermath stores in metric: one table.

A row names the form field, the domain key it is stored under (shared/domain.md), its
label, the quantity whose unit the runner picks in their profile (or the fixed unit of
one that has none), the decimals it is shown with, and whether it is stored whole.
Conversions go through the Units API (advice.units); ranges come from the domain's
RANGES. The check-in, the profile's body weight and the drinking plan's weather all
read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from advice.units import Units
from advice.vocabulary import EXCLUSIVE_MIN, RANGES


def as_typed(value: float) -> float | int:
    """12.0 -> 12, so inputs and messages show what a person would type."""
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True, slots=True)
class Measure:
    name: str  # the form field
    key: str  # the domain key, and the model field, it is stored under (metric)
    label: str
    quantity: str | None = None  # one of advice.units.QUANTITIES: shown in the runner's unit
    unit: str = ""  # the unit of a measure without a quantity
    decimals: int = 1
    integer: bool = False  # stored as a whole number

    def unit_label(self, units: Units) -> str:
        return units.label(self.quantity) if self.quantity else self.unit

    def label_in(self, units: Units, label: str | None = None) -> str:
        """ "Distance (km)", "Weight before (lb)"; a fixed unit is in the label already."""
        label = label or self.label
        return f"{label} ({self.unit_label(units)})" if self.quantity else label

    def shown(self, units: Units, metric: float) -> float | int:
        """A stored value as the runner reads and types it."""
        value = units.from_metric(self.quantity, metric) if self.quantity else metric
        return as_typed(round(value, self.decimals))

    def metric(self, units: Units, shown: float) -> float:
        """A typed value in metric (stored rounded where the measure is whole)."""
        return units.to_metric(self.quantity, shown) if self.quantity else shown

    @property
    def range(self) -> tuple[float, float]:
        """The domain's range, metric; an open minimum (above zero) shows as 0."""
        low, high = RANGES[self.key]
        return (0 if self.key in EXCLUSIVE_MIN else low), high

    def in_range(self, metric: float) -> bool:
        low, high = RANGES[self.key]
        too_low = metric <= low if self.key in EXCLUSIVE_MIN else metric < low
        return not too_low and metric <= high

    def refusal(self, units: Units, limits: tuple[float, float] | None = None) -> str:
        """ "Enter a number from 25 up to 250 kg." for a value out of the range (or `limits`);
        "above 0" where the domain's minimum is open."""
        low, high = limits or self.range
        above = "above" if limits is None and self.key in EXCLUSIVE_MIN else "from"
        shown_low, shown_high = self.shown(units, low), self.shown(units, high)
        return f"Enter a number {above} {shown_low} up to {shown_high} {self.unit_label(units)}."

    def field(self, **kwargs) -> forms.FloatField:
        """An optional number field for the form (labelled and bounded per runner by the form)."""
        whole = self.integer and self.quantity is None  # grams, minutes: whole on every keyboard
        attrs = {"inputmode": "numeric", "step": "1"} if whole else {"inputmode": "decimal", "step": "any"}
        return forms.FloatField(required=False, widget=forms.NumberInput(attrs=attrs), **kwargs)


MEASURES = {
    measure.name: measure
    for measure in (
        Measure("distance", "distance_km", "Distance", quantity="distance", decimals=2),
        Measure("duration_min", "duration_min", "Time (minutes)", unit="min"),
        Measure("temperature", "temperature_c", "Temperature", quantity="temperature"),
        Measure("humidity_pct", "humidity_pct", "Humidity (%)", unit="%", decimals=0),
        Measure("fluid", "fluid_ml", "Drunk during the run", quantity="volume", decimals=0, integer=True),
        Measure(
            "carbs_before_g", "carbs_before_g", "Carbohydrate before (g)", unit="g", decimals=0, integer=True
        ),
        Measure(
            "carbs_before_min",
            "carbs_before_min",
            "Eaten how long before the start (minutes)",
            unit="min",
            decimals=0,
            integer=True,
        ),
        Measure("meal_before_h", "meal_before_h", "Hours since your last proper meal", unit="h"),
        Measure("weight_before", "weight_before_kg", "Weight before", quantity="weight"),
        Measure("weight_after", "weight_after_kg", "Weight after", quantity="weight"),
    )
}


def show_measures(form: forms.Form, units: Units, labels: dict[str, str] | None = None) -> None:
    """Label the form's measure fields in the runner's units, and bound their inputs."""
    for name, field in form.fields.items():
        measure = MEASURES.get(name)
        if measure is not None:
            field.label = measure.label_in(units, (labels or {}).get(name))
            low, high = measure.range
            field.widget.attrs.update(min=measure.shown(units, low), max=measure.shown(units, high))


def metric_measures(form: forms.Form, cleaned: dict, units: Units) -> dict[str, float]:
    """The form's typed measures in metric, by domain key; one out of range is refused at
    its field (and left out)."""
    metric = {}
    for name in form.fields:
        measure = MEASURES.get(name)
        value = cleaned.get(name)
        if measure is None or value is None:
            continue
        value = measure.metric(units, value)
        if measure.in_range(value):
            metric[measure.key] = round(value) if measure.integer else value
        else:
            form.add_error(name, measure.refusal(units))
    return metric
