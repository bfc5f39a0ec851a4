"""Tailored plans for the tips pages: a cool-down, a hydration plan and fuel plans.

Each reads the runner's whole log (a list of answer mappings, as
`scan_history` takes) and returns immutable values whose texts already use the
runner's units. Like the rest of the engine these never raise: entries that are
not mappings, and values that are invalid, are skipped (entries_of and
clean_some, as history.py does). Every result depends only on the entries, not
on their order. Plain Python: no Django import.

    routine = cooldown_routine(entries, units=profile_units)
    plan = hydration_plan(entries, duration_min=60, temperature_c=28, humidity_pct=70)
    plans = fuel_plans(entries, body_weight_kg=68)
"""

from __future__ import annotations

import statistics

from .clean import clean_some, clean_value
from .heat import HEAT_BAND_NAMES, heat_band, heat_index_or_air_f
from .history import entries_of, twitched
from .hydration import REPLACE_ML_PER_KG, replace_ml_for_loss, sweat_rate_l_per_h
from .knowledge import (
    COOLDOWN_CAVEAT,
    COOLDOWN_EASE_S,
    COOLDOWN_EASE_STEP,
    COOLDOWN_EASE_TITLE,
    COOLDOWN_FALLBACK,
    COOLDOWN_REFERENCE,
    DEHYDRATION_SIGNS,
    DRINK_TO_THIRST_TEXT,
    FUEL_LADDER_TEXT,
    FUEL_REFERENCE,
    HIGH_CARBS_TEXT,
    HYDRATION_REFERENCE,
    HYDRATION_THIN_TEXT,
    MEASURE_SWEAT_TEXT,
    MIDRUN_CARBS_TEXT,
    MOUTH_RINSE_TEXT,
    NO_FUEL_TEXT,
    OVERDRINKING_CARE,
    OVERDRINKING_SIGNS,
    STRETCH_INFO,
    TIPS,
)
from .results import FuelPlan, HydrationPlan, Routine, Step
from .sentences import (
    DRINK_CAP_ML_PER_H,
    FUEL_RUN_MIN,
    LONG_DRINK_MIN,
    MIDRUN_FUEL_MIN,
    PREHYDRATE_ML_PER_KG,
    TOP_UP_ML_PER_KG,
    a_or_an,
    article_carbs_sentence,
    big_carbs_sentence,
    carbs_before,
    drink_rate_ml_per_h,
    drink_rate_sentence,
    feels_like,
    ml_per_kg,
    muscle_words,
    per_kg_carbs_sentence,
    per_weight_carbs_sentence,
    replace_per_weight,
    volume_range,
)
from .units import METRIC, Units, f_to_c, units_or_metric
from .vocabulary import MUSCLE_LABELS, MUSCLES, RUN_NOUNS, RUN_TYPE_LABELS, RUN_TYPES

# --- cool-down ---------------------------------------------------------------------------

COOLDOWN_TOP = 4
COOLDOWN_MIN_CHECKINS = 3  # fewer twitching check-ins with muscles: the routine is generic
_COOLDOWN_KEYS = ("twitching", "muscles")


def _stretch_step(code: str) -> Step:
    stretch = STRETCH_INFO[code]
    text = stretch.text
    return Step(MUSCLE_LABELS[code], f"{text[0].upper()}{text[1:]}.", stretch.seconds, stretch.sides)


_EASE_STEP = Step(COOLDOWN_EASE_TITLE, COOLDOWN_EASE_STEP, COOLDOWN_EASE_S, "")


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def cooldown_routine(entries: object, *, units: Units = METRIC, top: int = COOLDOWN_TOP) -> Routine:
    """A cool-down for the muscles that twitch most for this runner.

    Counts the twitching check-ins per muscle group and takes the `top` groups
    with the most (ties: running muscles first, then MUSCLES order). With fewer
    than 3 twitching check-ins that name muscles, the routine is `thin` and
    covers calves, hamstrings and quads instead. `units` is accepted for
    symmetry with the other plans: the routine quotes times, not measurements.
    """
    if type(top) is not int:
        top = COOLDOWN_TOP
    top = max(0, top)
    counts = dict.fromkeys(MUSCLES, 0)
    checkins = 0
    for entry in entries_of(entries):
        answers = clean_some(entry, _COOLDOWN_KEYS)
        muscles = answers.get("muscles")
        if muscles and twitched(answers):
            checkins += 1
            for code in muscles:
                counts[code] += 1
    thin = checkins < COOLDOWN_MIN_CHECKINS
    if thin:
        muscles = COOLDOWN_FALLBACK[:top]
    else:
        # MUSCLES order (running muscles first) breaks ties: the sort is stable.
        ranked = sorted((code for code in MUSCLES if counts[code]), key=lambda code: -counts[code])
        muscles = tuple(ranked[:top])
    muscle_counts = tuple(counts[code] for code in muscles)
    return Routine(
        muscles=muscles,
        counts=muscle_counts,
        steps=(_EASE_STEP, *(_stretch_step(code) for code in muscles)),
        thin=thin,
        note=_cooldown_note(checkins, thin, muscles, muscle_counts),
        caveat=COOLDOWN_CAVEAT,
        evidence="limited",
        reference=COOLDOWN_REFERENCE,
    )


def _cooldown_note(checkins: int, thin: bool, muscles: tuple[str, ...], counts: tuple[int, ...]) -> str:
    if not thin:
        checkin_words = "check-in" if checkins == 1 else "check-ins"
        based = f"Based on your {checkins} {checkin_words} with twitching"
        if not muscles:
            return f"{based}."
        tally = ", ".join(
            f"{muscle_words([code])} {_times(count)}" for code, count in zip(muscles, counts, strict=True)
        )
        return f"{based}: {tally}."
    if checkins == 0:
        so_far = "No check-ins with twitching muscles yet"
    else:
        so_far = f"Only {checkins} check-in{'' if checkins == 1 else 's'} with twitching muscles so far"
    covers = ""
    if muscles:
        covers = f", so this routine covers the {muscle_words(muscles)}, where runners twitch most"
    return (
        f"{so_far}{covers}. After {COOLDOWN_MIN_CHECKINS} check-ins that say where you "
        "twitched, it follows your own log."
    )


# --- shared readings of the log --------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _run_phrase(minutes: int, noun: str = "run") -> str:
    """'a 60-min run', 'an 80-min long run'."""
    return f"{a_or_an(minutes)} {minutes}-min {noun}"


# --- hydration ------------------------------------------------------------------------------

_HYDRATION_KEYS = ("duration_min", "fluid_ml", "weight_before_kg", "weight_after_kg")
EXAMPLE_WEIGHT = {"kg": 70, "lb": 150}  # in the display unit, when the runner's weight is unknown
_CAREFUL_BANDS = ("danger", "extreme_danger")


def hydration_plan(
    entries: object,
    *,
    duration_min: object = None,
    temperature_c: object = None,
    humidity_pct: object = None,
    body_weight_kg: object = None,
    units: Units = METRIC,
) -> HydrationPlan:
    """Drinking before, during and after a planned run, from the runner's sweat rate.

    The sweat rate is the mean of the runs with both weights, fluid drunk and
    duration. The planned run's duration defaults to the median of the runner's
    runs; its weather (temperature, humidity) gives the heat band. The body
    weight is the profile's, else the median weight logged before runs.
    """
    u = units_or_metric(units)
    rates: list[float] = []
    durations: list[float] = []
    weights: list[float] = []
    weighed = 0
    for entry in entries_of(entries):
        a = clean_some(entry, _HYDRATION_KEYS)
        duration = a.get("duration_min")
        before = a.get("weight_before_kg")
        after = a.get("weight_after_kg")
        if duration is not None:
            durations.append(duration)
        if before is not None:
            weights.append(before)
            if after is not None:
                weighed += 1
                rate = sweat_rate_l_per_h(before, after, a.get("fluid_ml"), duration)
                if rate is not None:
                    rates.append(rate)
    sweat_rate = round(statistics.fmean(rates), 2) if rates else None
    body_weight = clean_value("weight_before_kg", body_weight_kg)
    if body_weight is None:
        body_weight = _median(weights)
    duration = clean_value("duration_min", duration_min)
    if duration is None:
        duration = _median(durations)
    humidity = clean_value("humidity_pct", humidity_pct)
    hi_f = heat_index_or_air_f(clean_value("temperature_c", temperature_c), humidity)
    band = heat_band(hi_f)

    drink_rate = None
    if sweat_rate is not None and body_weight is not None and duration is not None:
        drink_rate = drink_rate_ml_per_h(sweat_rate, body_weight, duration)
    thin_text = HYDRATION_THIN_TEXT if sweat_rate is None else ""
    return HydrationPlan(
        sweat_rate_l_per_h=sweat_rate,
        sweat_runs=len(rates),
        heat_index_c=round(f_to_c(hi_f), 1) if hi_f is not None else None,
        heat_band=band,
        duration_min=duration,
        before_text=_before_text(u, body_weight),
        during_text=_during_text(u, sweat_rate, len(rates), duration, drink_rate, hi_f, band, humidity),
        after_text=_after_text(u, sweat_rate, duration, drink_rate),
        dehydration_signs=DEHYDRATION_SIGNS,
        overdrinking_signs=OVERDRINKING_SIGNS,
        overdrinking_care=OVERDRINKING_CARE,
        thin=weighed == 0,
        thin_text=thin_text,
        evidence="high",
        reference=HYDRATION_REFERENCE,
    )


def _before_text(u: Units, body_weight: float | None) -> str:
    """ACSM 2007: 5-7 ml/kg at least 4 h before; 3-5 ml/kg more about 2 h before if urine is dark."""
    weight = body_weight
    if weight is None:
        weight = u.weight_to_kg(EXAMPLE_WEIGHT[u.weight_label])
    first = volume_range(u, *ml_per_kg(weight, PREHYDRATE_ML_PER_KG))
    more = volume_range(u, *ml_per_kg(weight, TOP_UP_ML_PER_KG))
    top_up = f"If your urine is still dark about 2 hours before, drink another {more}."
    if body_weight is not None:
        return f"About 4 hours before the run, drink {first} (ACSM 2007). {top_up}"
    return (
        f"About 4 hours before the run, drink about {first} if you weigh {u.fmt_weight(weight)}: more "
        f"if you are heavier, less if you are lighter (ACSM 2007). {top_up} Add your weight to your "
        "profile for figures of your own."
    )


def _during_text(
    u: Units,
    sweat_rate: float | None,
    sweat_runs: int,
    duration: float | None,
    drink_rate: int | None,
    hi_f: float | None,
    band: str | None,
    humidity: float | None,
) -> str:
    """From the measured sweat rate: under a 2% loss, at most the sweat rate and
    1 l an hour, to thirst, never a weight gain (ACSM 2007; Hew-Butler 2015)."""
    parts = []
    if sweat_rate is not None:
        runs = "run" if sweat_runs == 1 else f"{sweat_runs} runs"
        parts.append(
            f"You sweat about {u.fmt_volume(sweat_rate * 1000)} an hour, from the {runs} you "
            "weighed yourself for."
        )
        if drink_rate is not None:
            parts.append(
                drink_rate_sentence(
                    u,
                    drink_rate,
                    _run_phrase(round(duration)),
                    hot=band is not None,
                    long=duration >= LONG_DRINK_MIN,
                )
            )
            parts.append("That keeps your loss under 2% of your body weight (ACSM 2007; Hew-Butler 2015).")
        else:
            most = min(sweat_rate * 1000, DRINK_CAP_ML_PER_H)
            parts.append(
                f"Drink to thirst, no more than about {u.fmt_volume(most)} an hour, and never so much "
                "that you gain weight (Hew-Butler 2015)."
            )
    else:
        parts.append(DRINK_TO_THIRST_TEXT)
        parts.append("Never drink so much that you gain weight (Hew-Butler 2015).")
        parts.append(MEASURE_SWEAT_TEXT)
    if band is not None:
        # Without humidity the air temperature stands in for the heat index.
        when = (
            f"When it feels like {feels_like(u, hi_f)}"
            if humidity is not None
            else f"At {u.fmt_temperature(f_to_c(hi_f))}"
        )
        parts.append(
            f"{when} ({HEAT_BAND_NAMES[band]}), start well hydrated and carry water: you will sweat "
            "more than usual."
        )
        if band in _CAREFUL_BANDS:
            parts.append("In heat like this, think about a shorter, easier run or a cooler time of day.")
    return " ".join(parts)


def _after_text(u: Units, sweat_rate: float | None, duration: float | None, drink_rate: int | None) -> str:
    """ACSM 2007: about 1.5 l per kg lost, with salt from food or drink."""
    per_weight = replace_per_weight(u, REPLACE_ML_PER_KG)
    parts = [
        f"After the run, sip about {per_weight} lost over the next 2–4 hours, with a salty snack "
        "or meal (ACSM 2007), and stop once your urine is pale."
    ]
    if sweat_rate is not None and duration is not None and drink_rate is not None:
        lost_kg = (sweat_rate - drink_rate / 1000) * duration / 60
        replace = replace_ml_for_loss(lost_kg)
        if replace > 0:
            parts.append(
                f"Drinking as planned on {_run_phrase(round(duration))}, you would lose about "
                f"{u.fmt_weight(lost_kg)}: that is about {u.fmt_volume(replace)} to sip afterwards."
            )
    else:
        parts.append("Weigh yourself before and after the run to know how much you lost.")
    return " ".join(parts)


# --- fuel --------------------------------------------------------------------------------

_FUEL_KEYS = ("run_type", "duration_min", "weight_before_kg", "spicy_meal")
FUEL_MIN_RUNS = 3  # fewer runs of a type: the plan is `thin`
NO_FUEL_BELOW_MIN = 45  # Jeukendrup 2014: under 45 min, nothing needed
HIGH_CARBS_ABOVE_MIN = 150  # Jeukendrup 2014: over 2.5 h, up to 90 g/h glucose + fructose
ANY_RUN_LABEL = "Any run"
_MEAL_TEXT = TIPS["balanced_meal"].text
# Only for runners who have reported spicy food before a run.
_SPICY_MEAL_TEXT = f"{_MEAL_TEXT} {TIPS['skip_spicy'].text}"


def fuel_plans(
    entries: object, *, body_weight_kg: object = None, units: Units = METRIC
) -> tuple[FuelPlan, ...]:
    """One fuel plan per run type the runner has logged (RUN_TYPES order), or one
    plan for any run when no run type is logged.

    Each plan is sized to the median duration of that type's runs. The body
    weight is the profile's, else the median weight logged before runs.
    """
    u = units_or_metric(units)
    runs: dict[str, int] = {}
    durations: dict[str | None, list[float]] = {None: []}
    weights: list[float] = []
    total = 0
    spicy = False
    for entry in entries_of(entries):
        a = clean_some(entry, _FUEL_KEYS)
        total += 1
        spicy = spicy or a.get("spicy_meal") is True
        run_type = a.get("run_type")
        duration = a.get("duration_min")
        if run_type is not None:
            runs[run_type] = runs.get(run_type, 0) + 1
            if duration is not None:
                durations.setdefault(run_type, []).append(duration)
        if duration is not None:
            durations[None].append(duration)
        weight = a.get("weight_before_kg")
        if weight is not None:
            weights.append(weight)
    body_weight = clean_value("weight_before_kg", body_weight_kg)
    if body_weight is None:
        body_weight = _median(weights)
    kinds = [(run_type, runs[run_type]) for run_type in RUN_TYPES if run_type in runs] or [(None, total)]
    plans = []
    for run_type, count in kinds:
        typical = _median(durations.get(run_type, []))
        typical = round(typical) if typical is not None else None
        plans.append(
            FuelPlan(
                run_type=run_type,
                label=RUN_TYPE_LABELS[run_type] if run_type is not None else ANY_RUN_LABEL,
                runs=count,
                typical_min=typical,
                before_text=_carbs_before_text(u, typical, RUN_NOUNS[run_type], body_weight),
                during_text=_carbs_during_text(typical),
                meal_text=_SPICY_MEAL_TEXT if spicy else _MEAL_TEXT,
                thin=count < FUEL_MIN_RUNS,
                evidence="moderate",
                reference=FUEL_REFERENCE,
            )
        )
    return tuple(plans)


def _carbs_before_text(u: Units, typical: int | None, noun: str, body_weight: float | None) -> str:
    """The article's 30-60 g about an hour before; Thomas et al. 2016's 1-4 g/kg
    1-4 h before runs over an hour (per kg when the weight is unknown)."""
    if typical is None:
        return f"{article_carbs_sentence(f'a {noun}')} {per_weight_carbs_sentence(u, body_weight)}"
    run = _run_phrase(typical, noun)
    carbs_g, carbs_min, by_weight = carbs_before(typical, body_weight)
    if by_weight:
        return big_carbs_sentence(carbs_g, carbs_min, run)
    text = article_carbs_sentence(run)
    if typical > FUEL_RUN_MIN:
        text = per_kg_carbs_sentence(u, typical, run)
    return text


def _carbs_during_text(typical: int | None) -> str:
    """Jeukendrup 2014; Thomas et al. 2016."""
    if typical is None:
        return FUEL_LADDER_TEXT
    if typical < NO_FUEL_BELOW_MIN:
        return NO_FUEL_TEXT
    if typical <= MIDRUN_FUEL_MIN:
        return MOUTH_RINSE_TEXT
    if typical <= HIGH_CARBS_ABOVE_MIN:
        return MIDRUN_CARBS_TEXT
    return HIGH_CARBS_TEXT
