"""The plan after one run: how much to drink now, drinking and fuel for the next
run of this kind, and stretches for the muscles that twitched.

Each text already uses the runner's units; the figures come from the facts
(facts.py) and the shared sentences (sentences.py). Plain Python: no Django import.
"""

from __future__ import annotations

from .causes import MEAL_LONG_AGO_H, MEAL_TOO_CLOSE_H
from .facts import Facts
from .hydration import REPLACE_ML_PER_KG, round_to
from .knowledge import (
    COOLDOWN_GENERAL_STEP,
    DRINK_TO_THIRST_TEXT,
    MEAL_TIMING_TEXT,
    MIDRUN_CARBS_TEXT,
    STRETCHES,
)
from .results import Plan
from .sentences import (
    FUEL_RUN_MIN,
    LONG_DRINK_MIN,
    MIDRUN_FUEL_MIN,
    PREHYDRATE_ML_PER_KG,
    big_carbs_sentence,
    carbs_before,
    drink_rate_ml_per_h,
    drink_rate_sentence,
    ml_per_kg,
    per_kg_carbs_sentence,
    prehydrate_sentence,
    replace_per_weight,
)
from .vocabulary import MUSCLE_LABELS

# Without scales, a rough sweat rate by the run's heat level (none, caution ... extreme
# danger): typical rates run 0.5-2 l/h (ACSM 2007).
SWEAT_RATE_BY_HEAT_L_PER_H = (0.5, 0.8, 1.0, 1.2, 1.2)
ESTIMATE_CAP_ML = 2000  # the most a rough estimate suggests


def rehydrate(f: Facts) -> tuple[int | None, str]:
    """How much to drink over the next 2-4 hours, and the sentence that says so."""
    u = f.units
    if f.body_mass_change_pct is not None:
        if f.replace_ml:
            return f.replace_ml, (
                f"Over the next 2–4 hours, sip about {u.fmt_volume(f.replace_ml)} in all, with "
                f"a salty snack or meal. That replaces the {f.lost_text} you lost (about "
                f"{replace_per_weight(u, REPLACE_ML_PER_KG)}, ACSM 2007). After that, drink to thirst."
            )
        if f.body_mass_change_pct > 0:
            return None, "Your weight went up during the run: drink only to thirst for now."
        return None, "Your weight held steady during the run: drink to thirst."
    duration = f.answers.get("duration_min")
    if duration is None:
        return None, (
            "Drink to thirst over the next hours. Weigh yourself before and after a run "
            "to see how much you lose."
        )
    # No scales: a rough sweat loss from the run's length and heat, less what was drunk,
    # replaced 1.5 times over (ACSM 2007).
    deficit_ml = SWEAT_RATE_BY_HEAT_L_PER_H[f.heat_level] * 1000 * duration / 60 - f.answers.get(
        "fluid_ml", 0
    )
    estimate = round_to(min(ESTIMATE_CAP_ML, 1.5 * deficit_ml), 50) if deficit_ml > 0 else 0
    if not estimate:
        return None, "You drank about what a run like this takes: drink to thirst."
    return estimate, (
        "A rough estimate from the run's length and heat: over the next 2–4 hours, "
        f"sip about {u.fmt_volume(estimate)}, with some salty food, and stop once "
        "your urine is pale. Weigh yourself before and after your next run for a "
        "figure that fits you."
    )


def drinking(f: Facts) -> tuple[tuple[int, int] | None, int | None, str]:
    """Before the next run (ACSM 2007: 5-7 ml/kg about 4 h before) and during it."""
    u = f.units
    body_weight = f.body_weight_kg
    duration = f.answers.get("duration_min")
    parts = []
    prehydrate = None
    if body_weight is not None:
        prehydrate = ml_per_kg(body_weight, PREHYDRATE_ML_PER_KG)
        parts.append(prehydrate_sentence(u, prehydrate))
    drink_rate = None
    sweat_rate = f.sweat_rate_l_per_h
    if sweat_rate is not None:
        parts.append(
            f"You sweated about {u.fmt_volume(sweat_rate * 1000)} an hour (not counting any urine passed)."
        )
        if body_weight is not None:
            drink_rate = drink_rate_ml_per_h(sweat_rate, body_weight, duration)
            long_run = duration >= LONG_DRINK_MIN
            parts.append(drink_rate_sentence(u, drink_rate, hot=f.heat_level > 0, long=long_run))
    else:
        parts.append(DRINK_TO_THIRST_TEXT)
    return prehydrate, drink_rate, " ".join(parts)


def fuel(f: Facts) -> tuple[tuple[int, int], tuple[int, int], str]:
    """Carbohydrate before the next run of this kind, in g and minutes before the start.

    The text adds to the carbs_before tip what is the runner's own: one figure for a
    run of this length (Thomas et al. 2016), fuel on the way, the meal's timing.
    """
    duration = f.answers.get("duration_min")
    carbs_g, carbs_min, by_weight = carbs_before(duration, f.body_weight_kg)
    parts = []
    if by_weight:
        parts.append(big_carbs_sentence(carbs_g, carbs_min, f"your next {f.minutes}-min run"))
    elif duration is not None and duration > FUEL_RUN_MIN:
        parts.append(per_kg_carbs_sentence(f.units, duration))
    if duration is not None and duration > MIDRUN_FUEL_MIN:
        parts.append(MIDRUN_CARBS_TEXT)
    meal = f.answers.get("meal_before_h")
    if meal is not None and (meal < MEAL_TOO_CLOSE_H or meal >= MEAL_LONG_AGO_H):  # as the fueling cause
        parts.append(MEAL_TIMING_TEXT)
    return carbs_g, carbs_min, " ".join(parts)


def cooldown_steps(f: Facts) -> tuple[str, ...]:
    """Stretches for now, after the run: one per muscle that twitched, running muscles
    first. Easing down is for the next run (the cooldown_walk tip)."""
    if not f.muscles:
        return (COOLDOWN_GENERAL_STEP,)
    return tuple(f"{MUSCLE_LABELS[code]}: {STRETCHES[code]}" for code in f.muscles)


def after_run_plan(f: Facts) -> Plan:
    rehydrate_ml, rehydrate_text = rehydrate(f)
    prehydrate_ml, drink_rate, drink_text = drinking(f)
    carbs_g, carbs_min, fuel_text = fuel(f)
    return Plan(
        rehydrate_ml=rehydrate_ml,
        rehydrate_text=rehydrate_text,
        prehydrate_ml=prehydrate_ml,
        drink_during_ml_per_h=drink_rate,
        drink_text=drink_text,
        carbs_before_g=carbs_g,
        carbs_before_min=carbs_min,
        fuel_text=fuel_text,
        cooldown_muscles=f.muscles,
        cooldown_steps=cooldown_steps(f),
    )
