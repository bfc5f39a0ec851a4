"""Which causes a check-in points to, and why: one rule per cause.

A rule reads the facts (facts.py) and yields each signal it finds as
(signal, reason): the signal's code in its cause's `signals` (knowledge.py), or
a tuple of codes that one reason covers (symptoms named together); the reason
quotes the runner's own figures, or is None where an earlier reason already
says it. The signal's weight and tips come from the knowledge, never from here.
Thresholds and their sources stand beside the rules; shared/evidence.md has the
rest. Plain Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .facts import Facts
from .history import (
    LITTLE_FLUID_MIN_DURATION,
    LITTLE_FLUID_ML_PER_H,
    LOW_CARBS_G,
    NO_REST_DAYS,
    SPIKE_PCT,
    dated_runs,
    longest_run_spike,
    weekly_distance_jump,
)
from .hydration import MILD_LOSS_PCT, SIGNIFICANT_LOSS_PCT, drunk_ml_per_h, urine_status
from .knowledge import CAUSES
from .results import Cause
from .sentences import (
    FUEL_RUN_MIN,
    LONG_DRINK_MIN,
    MIDRUN_FUEL_MIN,
    a_or_an,
    hours_text,
    muscle_words,
    symptom_words,
    with_article,
)
from .vocabulary import RUN_NOUNS

# What a rule yields: (a signal code or a tuple of them, the reason or None).
Found = Iterator[tuple[str | tuple[str, ...], str | None]]

# Hard or long running tires muscles and nerves: fatigue is the leading explanation
# for cramps (Schwellnus 2009; Schwellnus et al. 2011: faster pace predicted them).
# The cut-offs are this app's own: effort on the 1-10 scale (RPE), run length in min.
FAIRLY_HARD_EFFORT = 7
HARD_EFFORT = 8
HARD_RUN_TYPES = ("race", "intervals", "tempo")
LONG_RUN_MIN = 90
VERY_LONG_RUN_MIN = 150


def dehydration(f: Facts) -> Found:
    a = f.answers
    duration = a.get("duration_min")
    fluid = a.get("fluid_ml")
    # ACSM 2007: drinking matters most on runs over an hour and in the heat.
    long_run = duration is not None and duration >= LONG_DRINK_MIN
    fluid_quoted = False
    if f.heat_band:  # caution or worse (NWS heat index, evidence.md row 7)
        reason = f"{f.minutes_text or 'a run'} at {f.weather_text}"
        if fluid is not None:
            reason += f", with {f.units.fmt_volume(fluid)} drunk" if fluid else ", with nothing to drink"
            fluid_quoted = True
        yield f"heat_{f.heat_band}", reason
        if long_run:
            yield "hot_run_over_an_hour", None
    drunk = drunk_ml_per_h(fluid, duration)
    if drunk is not None and duration >= LITTLE_FLUID_MIN_DURATION and drunk < LITTLE_FLUID_ML_PER_H:
        if fluid_quoted:
            reason = None
        elif fluid:
            reason = f"only {f.units.fmt_volume(fluid)} drunk in {f.minutes_text}"
        else:
            reason = f"nothing to drink in {f.minutes_text}"
        yield "little_fluid", reason
    change = f.body_mass_change_pct
    if change is not None and -change > MILD_LOSS_PCT:  # WUT: >1%; ACSM 2007: >2% is too much
        signal = "mass_loss_over_2pct" if -change > SIGNIFICANT_LOSS_PCT else "mass_loss"
        yield signal, f"lost {-change:.1f}% of body weight ({f.lost_text})"
    urine = a.get("urine_color")
    status = urine_status(urine)  # the 8-point chart (Armstrong 1994): 4 borderline, 5+ dehydrated
    if status is not None and status != "fine":
        yield f"urine_{status}", f"urine colour {urine} of 8 on the chart"
    signs = tuple(code for code in ("thirst", "dark_urine", "dizziness") if code in f.symptoms)
    if signs:
        yield signs, f"{symptom_words(signs)} after the run"
    if a.get("rehydrated") is False and (f.heat_band or long_run):
        yield "not_rehydrated", "no water or electrolytes yet after the run"


# Bergeron 2008; ACSM 2007: salt lost in sweat on runs over an hour in the heat.
SALT_HEAT_MIN = 60
SALT_LONG_RUN_MIN = 120


def electrolytes(f: Facts) -> Found:
    a = f.answers
    during = a.get("electrolytes_during")
    without = ", with no electrolyte drink or tablets" if during is False else ""
    duration = a.get("duration_min")
    if during is not True and duration is not None:
        hot_run = f.heat_band is not None and duration >= SALT_HEAT_MIN
        if hot_run:
            signal = "hot_long_run" if duration >= LONG_RUN_MIN else "hot_run"
            if during is False:
                signal += "_without_electrolytes"
            yield signal, f"{f.minutes_text} at {f.weather_text}{without}"
        if duration >= SALT_LONG_RUN_MIN:
            yield "run_over_2_hours", None if hot_run else f"a long run of {f.minutes_text}{without}"
    change = f.body_mass_change_pct
    if during is not True and change is not None and -change > SIGNIFICANT_LOSS_PCT:
        yield "heavy_sweating", f"heavy sweating: {f.lost_text} lost{without}"
    if a.get("cramps") is True and len(f.muscles) >= 2:
        yield "cramps_in_several_muscles", f"cramps as well as twitching in the {muscle_words(f.muscles)}"


# Nielsen et al. 2014: week-on-week increases over 30% went with more injuries in
# novices; the 10% rule itself is weakly supported (Buist et al. 2008).
NUDGE_WEEKLY_JUMP_PCT = 10.0
WARN_WEEKLY_JUMP_PCT = 30.0
# Frandsen, Nielsen et al. 2025: HRR 1.64 for a spike of 10-30%, 2.28 beyond 100%.
BIG_SPIKE_PCT = 100.0
# Session load, effort x minutes (Foster 2001); the cut-offs are this app's own.
SESSION_LOAD = 600
HIGH_SESSION_LOAD = 1000


def fatigue(f: Facts) -> Found:
    a = f.answers
    effort = a.get("effort")
    duration = a.get("duration_min")
    run_type = a.get("run_type")
    if effort is not None and effort >= FAIRLY_HARD_EFFORT:
        yield "hard_effort" if effort >= HARD_EFFORT else "fairly_hard_effort", f"effort {effort} of 10"
    if duration is not None and duration >= LONG_RUN_MIN:
        yield (
            "very_long_run" if duration >= VERY_LONG_RUN_MIN else "long_run",
            f"a long run: {f.minutes_text}",
        )
    hard_type = run_type in HARD_RUN_TYPES
    if hard_type:
        yield "hard_session", with_article(RUN_NOUNS[run_type])
    days = a.get("days_since_rest")
    if days is not None and days >= NO_REST_DAYS:
        yield "no_rest_day", f"{days} days in a row without a rest day"
    spike, jump = _training_load(f)
    if spike is not None and spike[0] > SPIKE_PCT:
        pct, longest = spike
        yield (
            "distance_spike_over_100pct" if pct > BIG_SPIKE_PCT else "distance_spike",
            f"this run was {pct:.0f}% longer than your longest in the previous 30 days "
            f"({f.units.fmt_distance(longest)})",
        )
    if jump is not None and jump[2] > NUDGE_WEEKLY_JUMP_PCT:
        this_week, last_week, pct = jump
        u = f.units
        yield (
            "weekly_jump_over_30pct" if pct > WARN_WEEKLY_JUMP_PCT else "weekly_jump",
            f"{u.fmt_distance(this_week)} in the last 7 days, {pct:.0f}% more than the "
            f"week before ({u.fmt_distance(last_week)})",
        )
    load = f.load
    if load is not None and load >= SESSION_LOAD:
        yield (
            "high_session_load" if load >= HIGH_SESSION_LOAD else "session_load",
            (f"session load {load} (effort × minutes)"),
        )
    if "fatigue" in f.symptoms:
        yield "fatigue", "unusual tiredness"
    if a.get("cramps") is True and ((effort is not None and effort >= FAIRLY_HARD_EFFORT) or hard_type):
        # Schwellnus 2011: cramps late in fast, hard running point to fatigue.
        yield "cramps_after_hard_effort", "cramps after a hard effort"


def _training_load(f: Facts) -> tuple[tuple | None, tuple | None]:
    """This run against the earlier ones: (longest_run_spike, weekly_distance_jump)."""
    day = f.answers.get("date")
    distance = f.answers.get("distance_km")
    if not f.history or day is None or distance is None:
        return None, None
    runs = [(d, km) for d, km in dated_runs(f.history) if d < day]
    return longest_run_spike(distance, day, runs), weekly_distance_jump(distance, day, runs)


def circulation(f: Facts) -> Found:
    # Only stopping dead counts: an easy walk or jog is easing down, with or without a stretch.
    if f.answers.get("cooldown") == "none":
        effort = f.answers.get("effort")
        if effort is not None and effort >= HARD_EFFORT:
            yield (
                "stopped_dead_after_hard_effort",
                f"you stopped straight after a hard effort ({effort} of 10)",
            )
        else:
            yield "stopped_dead", "you stopped straight after the run, with no easy jog or walk"


# Thomas et al. 2016: carbohydrate 1-4 h before runs over an hour, a main meal 3-4 h before.
LONG_SINCE_MEAL_H = 5
CARBS_LONG_BEFORE_MIN = 240


def blood_sugar(f: Facts) -> Found:
    a = f.answers
    carbs = a.get("carbs_before_g")
    meal = a.get("meal_before_h")
    carbs_min = a.get("carbs_before_min")
    duration = a.get("duration_min")
    effort = a.get("effort")
    run_type = a.get("run_type")
    long_or_hard = (
        (duration is not None and duration >= FUEL_RUN_MIN)
        or (effort is not None and effort >= FAIRLY_HARD_EFFORT)
        or run_type in (*HARD_RUN_TYPES, "long")
    )
    low_carbs = carbs is not None and carbs < LOW_CARBS_G
    underfed_run = low_carbs and long_or_hard
    long_since_meal = meal is not None and meal >= LONG_SINCE_MEAL_H and (carbs is None or low_carbs)
    # Enough carbohydrate, but eaten more than 4 h before (too little is the signal above).
    carbs_long_before = (
        carbs_min is not None and carbs_min > CARBS_LONG_BEFORE_MIN and not low_carbs and long_or_hard
    )
    signs = tuple(code for code in ("shaky", "lightheaded", "hungry") if code in f.symptoms)
    if underfed_run:
        if duration is not None:
            run = f"{a_or_an(f.minutes)} {f.minutes}-min run"
        else:
            run = with_article(RUN_NOUNS[run_type]) if run_type in HARD_RUN_TYPES else "a hard run"
        eaten = "no carbohydrate" if carbs == 0 else f"only {carbs} g of carbohydrate"
        yield "low_carbs", f"{eaten} before {run}"
    if long_since_meal:
        yield "long_since_meal", f"{hours_text(meal)} since your last proper meal"
    if carbs_long_before:
        yield "carbs_long_before", f"your carbohydrate came {hours_text(carbs_min / 60)} before the start"
    if signs:
        yield signs, f"{symptom_words(signs)} after the run"
    # Fuel on the way for long runs, or hard sessions (Thomas et al. 2016; Jeukendrup 2014).
    hard = (effort is not None and effort >= HARD_EFFORT) or run_type in ("race", "intervals")
    if (underfed_run or long_since_meal or carbs_long_before or signs) and (
        long_or_hard and ((duration is not None and duration >= MIDRUN_FUEL_MIN) or hard)
    ):
        yield "fuel_on_the_way", None


# Thomas et al. 2016: a main meal 3-4 h before the run.
MEAL_TOO_CLOSE_H = 2
MEAL_LONG_AGO_H = 6


def fueling(f: Facts) -> Found:
    a = f.answers
    if a.get("spicy_meal") is True:
        yield "spicy_meal", "a spicy meal before the run"
    meal = a.get("meal_before_h")
    if meal is not None and meal < MEAL_TOO_CLOSE_H:
        when = "less than an hour" if meal < 1 else f"only {hours_text(meal)}"
        yield "meal_too_close", f"a proper meal {when} before the start"
    elif meal is not None and meal >= MEAL_LONG_AGO_H:
        yield "meal_long_ago", f"a long gap ({hours_text(meal)}) between your last proper meal and the run"


MEDICATION_NOUNS = {
    "diuretics": "a diuretic",
    "statins": "a statin",
    "asthma_inhaler": "an asthma inhaler",
    "blood_pressure": "a blood-pressure medicine",
    "stimulants": "a stimulant",
    "blood_thinners": "a blood thinner",
}


def medication(f: Facts) -> Found:
    for code in f.answers.get("medications", ()):
        noun = MEDICATION_NOUNS[code]
        if code == "blood_thinners":  # the article names them; the Merck Manual's table does not
            yield "on_blood_thinners", f"you take {noun}: the article names them, standard cramp lists do not"
        else:
            yield f"on_{code}", f"you take {noun}, one of the medicines linked to cramps"
    if f.answers.get("medication_changed") is True:
        yield "medication_changed", "you started or changed a medicine lately"


RULES: dict[str, Callable[[Facts], Found]] = {
    "dehydration": dehydration,
    "electrolytes": electrolytes,
    "fatigue": fatigue,
    "circulation": circulation,
    "blood_sugar": blood_sugar,
    "fueling": fueling,
    "medication": medication,
}


def find_causes(f: Facts) -> tuple[list[Cause], set[str]]:
    """The causes with a score, highest first (ties by code), and the tips their signals call for."""
    causes = []
    tips: set[str] = set()
    for code, rule in RULES.items():
        info = CAUSES[code]
        score = 0.0
        because = []
        for found, reason in rule(f):
            signals = (found,) if isinstance(found, str) else found
            score += sum(info.signals[signal].weight for signal in signals)
            for signal in signals:
                tips.update(info.signals[signal].tips)
            if reason is not None:
                because.append(reason)
        if score:
            causes.append(
                Cause(
                    code=code,
                    score=round(min(1.0, score), 2),
                    because=tuple(because),
                    title=info.title,
                    text=info.text,
                    evidence=info.evidence,
                    reference=info.reference,
                )
            )
    causes.sort(key=lambda cause: (-cause.score, cause.code))
    return causes, tips
