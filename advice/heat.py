"""The US National Weather Service heat index, and its caution bands.

The formula is the NWS's own (Weather Prediction Center, "The Heat Index
Equation", https://www.wpc.ncep.noaa.gov/html/heatindex_equation.shtml):
Rothfusz's 9-term regression (Rothfusz 1990, NWS Southern Region Technical
Attachment SR 90-23; fit error about ±1.3 °F) with its low- and high-humidity
adjustments, and the simple formula where the result is below about 80 °F.
MetPy's `heat_index` implements the same steps. Values are for shade; full sun
can add up to 15 °F.
"""

from __future__ import annotations

import math

from .units import c_to_f, f_to_c

# (code, lowest heat index in °F, what it means for a runner in plain words), NWS bands:
# caution, extreme caution, danger, extreme danger. The codes keep the NWS names; the
# runner reads the plain words, never "band".
HEAT_BANDS = (
    ("caution", 80.0, "warm for running"),
    ("extreme_caution", 90.0, "hot for running"),
    ("danger", 103.0, "dangerously hot for running"),
    ("extreme_danger", 125.0, "too hot to run safely"),
)
HEAT_BAND_CODES = tuple(code for code, _, _ in HEAT_BANDS)
HEAT_BAND_NAMES = {code: name for code, _, name in HEAT_BANDS}


def heat_index_f(temperature_f: float, humidity_pct: float) -> float:
    """The NWS heat index in °F from air temperature (°F) and relative humidity (%)."""
    t = temperature_f
    rh = humidity_pct
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    if (simple + t) / 2.0 < 80.0:
        return simple
    hi = (
        -42.379
        + 2.04901523 * t
        + 10.14333127 * rh
        - 0.22475541 * t * rh
        - 0.00683783 * t * t
        - 0.05481717 * rh * rh
        + 0.00122874 * t * t * rh
        + 0.00085282 * t * rh * rh
        - 0.00000199 * t * t * rh * rh
    )
    if rh < 13.0 and 80.0 <= t <= 112.0:
        hi -= ((13.0 - rh) / 4.0) * math.sqrt((17.0 - abs(t - 95.0)) / 17.0)
    elif rh > 85.0 and 80.0 <= t <= 87.0:
        hi += ((rh - 85.0) / 10.0) * ((87.0 - t) / 5.0)
    return hi


def heat_index_c(temperature_c: float, humidity_pct: float) -> float:
    """The NWS heat index in °C from °C and relative humidity (%)."""
    return f_to_c(heat_index_f(c_to_f(temperature_c), humidity_pct))


def heat_index_or_air_f(temperature_c: float | None, humidity_pct: float | None) -> float | None:
    """The heat index in °F; without the humidity the air temperature (°F) stands in for it."""
    if temperature_c is None:
        return None
    if humidity_pct is None:
        return c_to_f(temperature_c)
    return heat_index_f(c_to_f(temperature_c), humidity_pct)


def heat_band(heat_index_in_f: float | None) -> str | None:
    """The NWS band code for a heat index in °F, or None below 'caution' (80 °F)."""
    if heat_index_in_f is None:
        return None
    band = None
    for code, lowest, _ in HEAT_BANDS:
        if heat_index_in_f >= lowest:
            band = code
    return band


def heat_level(band: str | None) -> int:
    """0 below the caution band, then 1 (caution) to 4 (extreme danger)."""
    return 0 if band is None else HEAT_BAND_CODES.index(band) + 1
