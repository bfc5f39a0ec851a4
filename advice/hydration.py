"""Body-mass change, sweat rate and fluid replacement from a runner's own figures.

ACSM Position Stand on exercise and fluid replacement (Sawka et al. 2007,
MSSE 39:377): losing more than 2% of body mass is too much; replace about
1.5 l of fluid per kg lost. Any weight gain means drinking more than was
sweated (Hew-Butler et al. 2015, EAH consensus).
"""

from __future__ import annotations

SIGNIFICANT_LOSS_PCT = 2.0  # ACSM 2007: >2% body-mass loss
MILD_LOSS_PCT = 1.0  # Cheuvront & Sawka 2005 (WUT): mass down >1%
REPLACE_ML_PER_KG = 1500  # ACSM 2007: ~1.5 l per kg lost
# A change above this in one run is a typing slip, not a measurement: ignored.
PLAUSIBLE_CHANGE_PCT = 10.0
# Sweat rates run 0.5-2 l/h, rarely over 3 (ACSM 2007); past this the figures disagree.
PLAUSIBLE_SWEAT_L_PER_H = 4.0


def body_mass_change_pct(before_kg: float | None, after_kg: float | None) -> float | None:
    """(after - before) / before x 100: negative is a loss. None if not usable."""
    if before_kg is None or after_kg is None or before_kg <= 0:
        return None
    change = (after_kg - before_kg) / before_kg * 100.0
    if abs(change) > PLAUSIBLE_CHANGE_PCT:
        return None
    return change


def sweat_rate_l_per_h(
    before_kg: float | None,
    after_kg: float | None,
    fluid_ml: float | None,
    duration_min: float | None,
) -> float | None:
    """(pre - post + fluid drunk) / hours, in l/h (ACSM 2007; NATA).

    Urine passed during the run is not collected, so this slightly overstates
    the rate when the runner stopped to pee. 1 kg of sweat is taken as 1 l.
    """
    if fluid_ml is None or not duration_min:
        return None
    if body_mass_change_pct(before_kg, after_kg) is None:
        return None
    litres = (before_kg - after_kg) + fluid_ml / 1000.0
    rate = litres / (duration_min / 60.0)
    if rate < 0 or rate > PLAUSIBLE_SWEAT_L_PER_H:  # e.g. weight up by more than was drunk
        return None
    return rate


def replace_ml(before_kg: float | None, after_kg: float | None) -> int | None:
    """About 1.5 l per kg lost, to the nearest 50 ml; None when nothing was lost."""
    if body_mass_change_pct(before_kg, after_kg) is None:
        return None
    lost_kg = before_kg - after_kg
    if lost_kg <= 0:
        return None
    return replace_ml_for_loss(lost_kg)


def replace_ml_for_loss(lost_kg: float) -> int:
    """ACSM 2007: about 1.5 l for each kg lost, to the nearest 50 ml."""
    return round_to(lost_kg * REPLACE_ML_PER_KG, 50)


def drunk_ml_per_h(fluid_ml: float | None, duration_min: float | None) -> float | None:
    """How fast the runner drank during the run, in ml an hour; None without both figures."""
    if fluid_ml is None or not duration_min:
        return None
    return fluid_ml / (duration_min / 60)


def urine_status(color: int | None) -> str | None:
    """The 8-point urine chart (Armstrong 1994): 1-3 fine, 4 borderline, 5-6 dehydrated,
    7-8 very dehydrated."""
    if color is None:
        return None
    if color <= 3:
        return "fine"
    if color == 4:
        return "borderline"
    if color <= 6:
        return "dehydrated"
    return "very_dehydrated"


def round_to(value: float, step: int) -> int:
    return round(value / step) * step  # round() of a float is an int already
