"""Unit conversions and display formatting, shared by the engine and the pages.

Storage is always metric (domain.md); a runner's profile picks what is shown.
Plain Python: no Django import, so the advice engine can use it too.
"""

from __future__ import annotations

from dataclasses import dataclass

KM_PER_MI = 1.609344  # international mile, exact
ML_PER_FL_OZ = 29.5735295625  # US customary fluid ounce, exact
KG_PER_LB = 0.45359237  # avoirdupois pound, exact


def km_to_mi(km: float) -> float:
    return km / KM_PER_MI


def mi_to_km(mi: float) -> float:
    return mi * KM_PER_MI


def c_to_f(c: float) -> float:
    return c * 9 / 5 + 32


def f_to_c(f: float) -> float:
    return (f - 32) * 5 / 9


def ml_to_floz(ml: float) -> float:
    return ml / ML_PER_FL_OZ


def floz_to_ml(floz: float) -> float:
    return floz * ML_PER_FL_OZ


def kg_to_lb(kg: float) -> float:
    return kg / KG_PER_LB


def lb_to_kg(lb: float) -> float:
    return lb * KG_PER_LB


@dataclass(frozen=True, slots=True)
class Units:
    """The display units a runner chose. Defaults are metric."""

    distance: str = "km"
    temperature: str = "c"
    volume: str = "ml"
    weight: str = "kg"

    # --- metric -> display -------------------------------------------------
    def distance_from_km(self, km: float) -> float:
        return km_to_mi(km) if self.distance == "mi" else km

    def temperature_from_c(self, c: float) -> float:
        return c_to_f(c) if self.temperature == "f" else c

    def volume_from_ml(self, ml: float) -> float:
        return ml_to_floz(ml) if self.volume == "floz" else ml

    def weight_from_kg(self, kg: float) -> float:
        return kg_to_lb(kg) if self.weight == "lb" else kg

    # --- display -> metric -------------------------------------------------
    def distance_to_km(self, value: float) -> float:
        return mi_to_km(value) if self.distance == "mi" else value

    def temperature_to_c(self, value: float) -> float:
        return f_to_c(value) if self.temperature == "f" else value

    def volume_to_ml(self, value: float) -> float:
        return floz_to_ml(value) if self.volume == "floz" else value

    def weight_to_kg(self, value: float) -> float:
        return lb_to_kg(value) if self.weight == "lb" else value

    # --- labels ------------------------------------------------------------
    @property
    def distance_label(self) -> str:
        return "mi" if self.distance == "mi" else "km"

    @property
    def temperature_label(self) -> str:
        return "°F" if self.temperature == "f" else "°C"

    @property
    def volume_label(self) -> str:
        return "fl oz" if self.volume == "floz" else "ml"

    @property
    def weight_label(self) -> str:
        return "lb" if self.weight == "lb" else "kg"

    # --- by quantity name: "distance", "temperature", "volume" or "weight" -----
    def from_metric(self, quantity: str, value: float) -> float:
        """A stored metric value in this runner's unit for `quantity`."""
        return _CONVERSIONS[quantity][0](self, value)

    def to_metric(self, quantity: str, value: float) -> float:
        """A value typed in this runner's unit for `quantity`, back to metric."""
        return _CONVERSIONS[quantity][1](self, value)

    def label(self, quantity: str) -> str:
        """This runner's unit for `quantity`: 'km', '°F', 'fl oz', 'kg' ..."""
        return _CONVERSIONS[quantity][2].fget(self)

    # --- formatted strings for runner-facing text ----------------------------
    def fmt_distance(self, km: float) -> str:
        return f"{fmt_number(self.distance_from_km(km), 1)} {self.distance_label}"

    def fmt_temperature(self, c: float) -> str:
        return f"{fmt_number(self.temperature_from_c(c), 0)} {self.temperature_label}"

    def fmt_volume(self, ml: float) -> str:
        """Fluid ounces whole; litres from 1000 ml, to one place; ml to the nearest 10 from 100 ml."""
        if self.volume == "floz":
            return f"{fmt_number(ml_to_floz(ml), 0)} fl oz"
        if ml >= 1000:
            return f"{fmt_number(ml / 1000, 1)} l"
        return f"{fmt_number(round(ml / 10) * 10 if ml >= 100 else ml, 0)} ml"

    def fmt_weight(self, kg: float) -> str:
        return f"{fmt_number(self.weight_from_kg(kg), 1)} {self.weight_label}"


METRIC = Units()


# quantity -> (metric to display, display to metric, label), for from_metric, to_metric, label.
_CONVERSIONS = {
    "distance": (Units.distance_from_km, Units.distance_to_km, Units.distance_label),
    "temperature": (Units.temperature_from_c, Units.temperature_to_c, Units.temperature_label),
    "volume": (Units.volume_from_ml, Units.volume_to_ml, Units.volume_label),
    "weight": (Units.weight_from_kg, Units.weight_to_kg, Units.weight_label),
}
QUANTITIES = tuple(_CONVERSIONS)


def fmt_number(value: float, digits: int) -> str:
    """A number as a runner reads it: `digits` places at most, no trailing '.0', no '-0'."""
    if digits == 0:
        return str(round(value))  # an int: never '-0'
    rounded = round(value, digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{digits}f}"


def units_or_metric(units: object) -> Units:
    """The runner's units, or metric for anything that is not a Units."""
    return units if isinstance(units, Units) else METRIC
