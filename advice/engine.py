"""`assess`: one check-in in, ranked causes, tips, red flags and a plan out.

Each cause is scored from the signals that support it: every signal adds a
fixed weight and the sum is capped at 1, so adding a signal never lowers a
score. Each signal quotes the runner's own figures in their units. The
thresholds and their sources are in shared/evidence.md; the texts are in
knowledge.py. Plain Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .clean import CLEANERS, clean
from .heat import HEAT_BAND_NAMES, heat_band, heat_index_f, heat_level
from .history import (
    LITTLE_FLUID_MIN_DURATION,
    LITTLE_FLUID_ML_PER_H,
    LOW_CARBS_G,
    NO_REST_DAYS,
    SPIKE_PCT,
    dated_runs,
    entries_of,
    join_words,
    longest_run_spike,
    many_groups,
    scan_history,
    twitched,
    weekly_distance_jump,
)
from .hydration import (
    MILD_LOSS_PCT,
    REPLACE_ML_PER_KG,
    SIGNIFICANT_LOSS_PCT,
    body_mass_change_pct,
    replace_ml,
    round_to,
    sweat_rate_l_per_h,
)
from .knowledge import (
    CAUSES,
    COOLDOWN_EASE_STEP,
    COOLDOWN_GENERAL_STEP,
    DRINK_TO_THIRST_TEXT,
    MEAL_TIMING_TEXT,
    MIDRUN_CARBS_TEXT,
    RED_FLAGS,
    RELIEF_TIPS,
    STRETCHES,
    TIPS,
    WHEN,
)
from .results import Assessment, Cause, Metrics, Plan, RedFlag
from .sentences import (
    DRINK_CAP_ML_PER_H,
    FUEL_RUN_MIN,
    MIDRUN_FUEL_MIN,
    PREHYDRATE_ML_PER_KG,
    a_or_an,
    article_carbs_sentence,
    big_carbs_sentence,
    carbs_before,
    drink_rate_ml_per_h,
    drink_rate_sentence,
    heat_index_phrase,
    ml_per_kg,
    per_weight_carbs_sentence,
    prehydrate_sentence,
    replace_per_weight,
)
from .units import METRIC, Units, _num, c_to_f
from .vocabulary import MUSCLE_LABELS, MUSCLES, SYMPTOM_LABELS

HARD_RUN_TYPES = ("race", "intervals", "tempo")
RUN_TYPE_NOUNS = {"race": "a race", "intervals": "an interval session", "tempo": "a tempo run"}
MEDICATION_NOUNS = {
    "diuretics": "a diuretic",
    "statins": "a statin",
    "asthma_inhaler": "an asthma inhaler",
    "blood_pressure": "a blood-pressure medicine",
    "stimulants": "a stimulant",
    "blood_thinners": "a blood thinner",
}
# Merck Manual's cramp-causes table lists these; blood thinners are not on it
# (evidence.md row 20), so they weigh less.
MEDICATION_WEIGHTS = {
    "diuretics": 0.3,
    "statins": 0.3,
    "asthma_inhaler": 0.25,
    "blood_pressure": 0.25,
    "stimulants": 0.25,
    "blood_thinners": 0.1,
}
HEAT_WEIGHTS = (0.0, 0.15, 0.3, 0.4, 0.5)  # by heat level: none, caution ... extreme danger
HOT_RUN_C = 27.0  # heat-illness flag without humidity: about the caution band's 80 °F
LONG_RUN_MIN = 90
VERY_LONG_RUN_MIN = 150
HARD_EFFORT = 8
WARN_WEEKLY_JUMP_PCT = 30.0  # Nielsen et al. 2014
NUDGE_WEEKLY_JUMP_PCT = 10.0
# Drinking this much, with headache, nausea or confusion: the overhydration flag
# (Hew-Butler et al. 2015 name no figure; these are deliberately generous).
OVERDRINK_ML_PER_H = DRINK_CAP_ML_PER_H
OVERDRINK_ML = 3000  # when the run's duration is not known
SWEAT_RATE_BY_HEAT_L_PER_H = (0.5, 0.8, 1.0, 1.2, 1.2)  # a rough guess, typical 0.5-2 (ACSM)
ESTIMATE_CAP_ML = 2000

_DEHYDRATION_SIGNS = (("thirst", 0.1), ("dark_urine", 0.2), ("dizziness", 0.1))
_LOW_FUEL_SIGNS = (("shaky", 0.15), ("lightheaded", 0.15), ("hungry", 0.15))
_SEVERE_CRAMP_SIGNS = ("dizziness", "collapse", "nausea", "vomiting", "dark_urine", "confusion")
_OVERHYDRATION_SIGNS = ("headache", "nausea", "vomiting", "confusion")
_BREAKDOWN_SIGNS = ("severe_pain", "swelling")
Signal = tuple[float, str | None, tuple[str, ...]]
_WHEN_ORDER = {when: index for index, when in enumerate(WHEN)}
# (when, position in TIPS) per tip: the fixed parts of the tips' order.
_TIP_KEYS = {code: (_WHEN_ORDER[tip.when], index, tip) for index, (code, tip) in enumerate(TIPS.items())}


def _hours(hours: float) -> str:
    return f"{_num(hours, 1)} h"


_SYMPTOM_WORDS = {code: label.lower() for code, label in SYMPTOM_LABELS.items()}
_MUSCLE_WORDS = {code: label.lower() for code, label in MUSCLE_LABELS.items()}
_MUSCLE_ORDER = {code: index for index, code in enumerate(MUSCLES)}


def _symptom_words(codes: Iterable[str]) -> str:
    return join_words([_SYMPTOM_WORDS[code] for code in codes])


class _Facts:
    """The cleaned answers plus every figure worked out from them, computed once."""

    __slots__ = (
        "a",
        "body_weight",
        "change_pct",
        "cramps",
        "duration",
        "effort",
        "fluid",
        "hard",
        "heat_band",
        "heat_index_f",
        "heat_level",
        "jump",
        "load",
        "long_or_hard",
        "lost_kg",
        "min_text",
        "muscles",
        "replace_ml",
        "run_type",
        "spike",
        "sweat_rate",
        "symptoms",
        "temperature",
        "twitched",
        "units",
    )

    def __init__(self, answers: dict, units: Units, body_weight_kg: float | None) -> None:
        get = answers.get
        self.a = answers
        self.units = units
        self.duration = get("duration_min")
        self.min_text = f"{round(self.duration)} min" if self.duration is not None else None
        self.effort = get("effort")
        self.run_type = get("run_type")
        self.fluid = get("fluid_ml")
        self.symptoms = frozenset(get("symptoms", ()))
        self.muscles = get("muscles", ())
        self.cramps = get("cramps") is True
        self.twitched = twitched(answers) is True
        temperature = get("temperature_c")
        humidity = get("humidity_pct")
        self.temperature = temperature
        self.heat_index_f = None
        self.heat_band = None
        if temperature is not None and humidity is not None:
            self.heat_index_f = heat_index_f(c_to_f(temperature), humidity)
            self.heat_band = heat_band(self.heat_index_f)
            self.heat_level = heat_level(self.heat_band)
        elif temperature is not None:  # no humidity: the air temperature stands in
            self.heat_level = heat_level(heat_band(c_to_f(temperature)))
        else:
            self.heat_level = 0
        before = get("weight_before_kg")
        after = get("weight_after_kg")
        self.change_pct = body_mass_change_pct(before, after)
        self.lost_kg = before - after if self.change_pct is not None else None
        self.sweat_rate = sweat_rate_l_per_h(before, after, self.fluid, self.duration)
        self.replace_ml = replace_ml(before, after)
        self.body_weight = body_weight_kg if body_weight_kg is not None else before
        effort = self.effort
        self.load = round(effort * self.duration) if effort and self.duration else None
        self.hard = (effort is not None and effort >= HARD_EFFORT) or self.run_type in (
            "race",
            "intervals",
        )
        self.spike: tuple[float, float] | None = None  # set from the history by assess
        self.jump: tuple[float, float, float] | None = None
        self.long_or_hard = (
            (self.duration is not None and self.duration >= FUEL_RUN_MIN)
            or (effort is not None and effort >= 7)
            or self.run_type in (*HARD_RUN_TYPES, "long")
        )


# --- the signals, one generator per cause ----------------------------------------
# Each yields (weight, reason quoting the runner's figures or None, tip codes).


def _dehydration(f: _Facts) -> Iterator[Signal]:
    u = f.units
    a = f.a
    fluid_quoted = False
    if f.heat_level:
        weight = HEAT_WEIGHTS[f.heat_level]
        subject = f.min_text if f.duration is not None else "a run"
        if f.heat_band is not None:
            where = f"at a heat index {_heat_index_text(f)} ({HEAT_BAND_NAMES[f.heat_band]} band)"
        else:
            where = f"at {u.fmt_temperature(f.temperature)}"
        because = f"{subject} {where}"
        if f.fluid is not None:
            because += f" with {u.fmt_volume(f.fluid)} drunk" if f.fluid else " with nothing to drink"
            fluid_quoted = True
        tips = ("rehydrate_after", "watch_dehydration_signs", "hydrate_before", "hydrate_during")
        yield (weight, because, tips)
        if f.duration is not None and f.duration >= 60:
            yield (0.1, None, ())
    if (
        f.fluid is not None
        and f.duration is not None
        and f.duration >= LITTLE_FLUID_MIN_DURATION
        and f.fluid / (f.duration / 60) < LITTLE_FLUID_ML_PER_H
    ):
        if fluid_quoted:
            because = None
        elif f.fluid:
            because = f"only {u.fmt_volume(f.fluid)} drunk in {f.min_text}"
        else:
            because = f"nothing to drink in {f.min_text}"
        yield (0.15, because, ("rehydrate_after", "hydrate_during"))
    if f.change_pct is not None and -f.change_pct > MILD_LOSS_PCT:
        weight = 0.4 if -f.change_pct > SIGNIFICANT_LOSS_PCT else 0.15
        because = f"lost {-f.change_pct:.1f}% of body weight ({u.fmt_weight(f.lost_kg)})"
        tips = ("rehydrate_after", "hydrate_before", "hydrate_during")
        yield (weight, because, tips)
    urine = a.get("urine_color")
    if urine is not None and urine >= 4:
        weight = 0.1 if urine == 4 else 0.25 if urine <= 6 else 0.35
        because = f"urine colour {urine} of 8 on the chart"
        yield (weight, because, ("rehydrate_after", "watch_dehydration_signs"))
    signs = [(code, weight) for code, weight in _DEHYDRATION_SIGNS if code in f.symptoms]
    if signs:
        because = f"{_symptom_words(code for code, _ in signs)} after the run"
        weight = sum(weight for _, weight in signs)
        tips = ("rehydrate_after", "watch_dehydration_signs", "hydrate_before")
        yield (weight, because, tips)
    if a.get("rehydrated") is False and (f.heat_level or (f.duration is not None and f.duration >= 60)):
        yield (0.1, "no water or electrolytes yet after the run", ("rehydrate_after",))


def _electrolytes(f: _Facts) -> Iterator[Signal]:
    u = f.units
    during = f.a.get("electrolytes_during")
    without = " without an electrolyte drink" if during is False else ""
    hot_long = False
    if during is not True and f.duration is not None:
        if f.heat_level and f.duration >= LONG_RUN_MIN:
            hot_long = True
            weight = 0.3 if during is False else 0.2
            because = f"{f.min_text} in the heat{without}"
            yield (weight, because, ("electrolyte_foods", "electrolyte_drink"))
        if f.duration >= 120:
            because = None if hot_long else f"a long run of {f.min_text}{without}"
            yield (0.1, because, ("electrolyte_foods", "electrolyte_drink"))
    if during is not True and f.change_pct is not None and -f.change_pct > SIGNIFICANT_LOSS_PCT:
        because = f"heavy sweating: {u.fmt_weight(f.lost_kg)} lost{without}"
        yield (0.2, because, ("electrolyte_foods", "electrolyte_drink"))
    if f.cramps and len(f.muscles) >= 2:
        because = f"cramps, with twitching in {len(f.muscles)} muscle groups"
        yield (0.15, because, ("electrolyte_foods",))


def _fatigue(f: _Facts) -> Iterator[Signal]:
    u = f.units
    effort = f.effort
    listen = ("listen_to_body",)
    if effort is not None and effort >= 7:
        weight = 0.25 if effort >= HARD_EFFORT else 0.1
        tips = ("rest_days", "listen_to_body") if effort >= HARD_EFFORT else listen
        yield (weight, f"effort {effort} of 10", tips)
    if f.duration is not None and f.duration >= LONG_RUN_MIN:
        weight = 0.3 if f.duration >= VERY_LONG_RUN_MIN else 0.2
        yield (weight, f"a long run: {f.min_text}", ("rest_days", "listen_to_body"))
    if f.run_type in HARD_RUN_TYPES:
        yield (0.15, RUN_TYPE_NOUNS[f.run_type], listen)
    days = f.a.get("days_since_rest")
    if days is not None and days >= NO_REST_DAYS:
        because = f"{days} days in a row without a rest day"
        yield (0.25, because, ("rest_days", "cross_training", "listen_to_body"))
    spike = f.spike
    if spike is not None and spike[0] > SPIKE_PCT:
        pct, longest = spike
        weight = 0.3 if pct > 100 else 0.2
        because = (
            f"this run was {pct:.0f}% longer than your longest in the previous 30 days "
            f"({u.fmt_distance(longest)})"
        )
        yield (weight, because, ("gradual_progression", "listen_to_body"))
    jump = f.jump
    if jump is not None and jump[2] > NUDGE_WEEKLY_JUMP_PCT:
        this_week, last_week, pct = jump
        weight = 0.2 if pct > WARN_WEEKLY_JUMP_PCT else 0.1
        because = (
            f"{u.fmt_distance(this_week)} in the last 7 days, {pct:.0f}% more than the "
            f"week before ({u.fmt_distance(last_week)})"
        )
        tips = ("gradual_progression", "cross_training", "listen_to_body")
        yield (weight, because, tips)
    # Session load (Foster 2001) is a secondary signal: small weight only.
    if f.load is not None and f.load >= 600:
        weight = 0.1 if f.load >= 1000 else 0.05
        yield (weight, f"session load {f.load} (effort × minutes)", ("rest_days",))
    if "fatigue" in f.symptoms:
        yield (0.1, "unusual tiredness", ("rest_days", "listen_to_body"))
    if f.cramps and ((effort is not None and effort >= 7) or f.run_type in HARD_RUN_TYPES):
        # Schwellnus 2011: cramps late in fast, hard running point to fatigue.
        yield (0.15, "cramps after a hard effort", listen)


def _circulation(f: _Facts) -> Iterator[Signal]:
    cooldown = f.a.get("cooldown")
    if cooldown == "none":
        if f.effort is not None and f.effort >= HARD_EFFORT:
            weight = 0.55
            because = f"you stopped straight after a hard effort ({f.effort} of 10)"
        else:
            weight = 0.4
            because = "you stopped straight after the run, with no easy jog or walk"
        yield (weight, because, ("cooldown_walk", "cooldown_stretch"))
    elif cooldown == "walk":
        yield (0.1, "you eased down but did not stretch", ("cooldown_stretch",))


def _blood_sugar(f: _Facts) -> Iterator[Signal]:
    a = f.a
    carbs = a.get("carbs_before_g")
    tips = ("carbs_before",)
    if f.long_or_hard and ((f.duration is not None and f.duration >= MIDRUN_FUEL_MIN) or f.hard):
        tips = ("carbs_before", "sports_drink_midrun")
    if f.duration is not None:
        run = f"{a_or_an(round(f.duration))} {round(f.duration)}-min run"
    else:
        run = RUN_TYPE_NOUNS.get(f.run_type, "a hard run")
    if carbs is not None and carbs < LOW_CARBS_G and f.long_or_hard:
        because = (
            f"no carbohydrate before {run}" if carbs == 0 else f"only {carbs} g of carbohydrate before {run}"
        )
        yield (0.3, because, tips)
    meal = a.get("meal_before_h")
    if meal is not None and meal >= 5 and (carbs is None or carbs < LOW_CARBS_G):
        yield (0.2, f"{_hours(meal)} since your last proper meal", tips)
    carbs_min = a.get("carbs_before_min")
    # Enough carbohydrate, but eaten more than 4 h before (too little is the signal above).
    if (
        carbs_min is not None
        and carbs_min > 240
        and (carbs is None or carbs >= LOW_CARBS_G)
        and f.long_or_hard
    ):
        because = f"your carbohydrate came {_hours(carbs_min / 60)} before the start"
        yield (0.1, because, tips)
    signs = [(code, weight) for code, weight in _LOW_FUEL_SIGNS if code in f.symptoms]
    if signs:
        because = f"{_symptom_words(code for code, _ in signs)} after the run"
        yield (sum(weight for _, weight in signs), because, tips)


def _fueling(f: _Facts) -> Iterator[Signal]:
    a = f.a
    if a.get("spicy_meal") is True:
        yield (0.25, "a spicy meal before the run", ("skip_spicy",))
    meal = a.get("meal_before_h")
    if meal is not None:
        if meal < 2:
            when = "less than an hour" if meal < 1 else f"only {_hours(meal)}"
            yield (0.15, f"a proper meal {when} before the start", ("balanced_meal",))
        elif meal >= 6:
            because = f"a long gap ({_hours(meal)}) between your last proper meal and the run"
            yield (0.15, because, ("balanced_meal",))


def _medication(f: _Facts) -> Iterator[Signal]:
    for code in f.a.get("medications", ()):
        noun = MEDICATION_NOUNS[code]
        if code == "blood_thinners":
            because = f"you take {noun}: the article names them, standard cramp lists do not"
        else:
            because = f"you take {noun}, one of the medicines linked to cramps"
        yield (MEDICATION_WEIGHTS[code], because, ("review_medication",))
    if f.a.get("medication_changed") is True:
        because = "you started or changed a medicine lately"
        yield (0.3, because, ("review_medication",))


def _f_to_c(temperature_f: float) -> float:
    return (temperature_f - 32) * 5 / 9


def _heat_index_text(f: _Facts) -> str:
    return heat_index_phrase(f.units, f.heat_index_f)


_RULES = (
    ("dehydration", _dehydration),
    ("electrolytes", _electrolytes),
    ("fatigue", _fatigue),
    ("circulation", _circulation),
    ("blood_sugar", _blood_sugar),
    ("fueling", _fueling),
    ("medication", _medication),
)


def _cause_rank(cause: Cause) -> tuple[float, str]:
    """Highest score first; ties by code, so the order never depends on the input's."""
    return -cause.score, cause.code


# --- red flags ------------------------------------------------------------------------


def _red_flags(f: _Facts, history_flags: tuple) -> list[RedFlag]:
    u = f.units
    a = f.a
    symptoms = f.symptoms
    found: dict[str, list[str]] = {}
    if f.cramps:
        reasons = [_SYMPTOM_WORDS[code] for code in _SEVERE_CRAMP_SIGNS if code in symptoms]
        urine = a.get("urine_color")
        if urine is not None and urine >= 7 and "dark_urine" not in symptoms:
            reasons.append(f"urine colour {urine} of 8")
        if reasons:
            found["severe_cramps"] = [f"cramps together with {join_words(reasons)}"]
    hot = f.heat_level > 0 or (f.temperature is not None and f.temperature >= HOT_RUN_C)
    signs = [code for code in ("confusion", "collapse") if code in symptoms]
    if hot and signs:
        if f.heat_band is not None:
            where = f"a heat index {_heat_index_text(f)}"
        else:
            where = u.fmt_temperature(f.temperature)
        found["heat_illness"] = [f"{_symptom_words(signs)} after a run at {where}"]
    signs = [code for code in _OVERHYDRATION_SIGNS if code in symptoms]
    if signs:
        reasons = []
        if f.change_pct is not None and f.change_pct > 0:
            gained = u.fmt_weight(-f.lost_kg)
            reasons.append(f"your weight went up by {gained} during the run")
        fluid, duration = f.fluid, f.duration
        # A lot for the time it took (or, with no duration, a lot in all).
        if fluid is not None and (
            fluid / (duration / 60) >= OVERDRINK_ML_PER_H if duration else fluid >= OVERDRINK_ML
        ):
            when = f" in {f.min_text}" if duration else ""
            reasons.append(f"{u.fmt_volume(fluid)} drunk{when}")
        if reasons:
            found["overhydration"] = [*reasons, f"with {_symptom_words(signs)}"]
    if "cola_urine" in symptoms:
        signs = [SYMPTOM_LABELS[code].lower() for code in _BREAKDOWN_SIGNS if code in symptoms]
        if a.get("weakness") is True:
            signs.append("muscle weakness")
        if signs:
            found["muscle_breakdown"] = [f"cola-brown urine with {join_words(signs)}"]
    if "blood_thinners" in a.get("medications", ()):
        signs = [code for code in ("swelling", "bruising") if code in symptoms]
        if signs:
            found["bleeding"] = [f"{_symptom_words(signs)} while on a blood thinner"]
    if f.twitched:
        muscles = f.muscles
        reasons = []
        if many_groups(muscles):
            labels = join_words([_MUSCLE_WORDS[code] for code in sorted(muscles, key=_MUSCLE_ORDER.get)])
            reasons.append(f"twitching in {len(muscles)} muscle groups: {labels}")
        if a.get("daily_life_disrupted") is True:
            reasons.append("the twitching disrupts your daily life")
        if reasons:
            found["widespread"] = reasons
        if a.get("weakness") is True:
            found["weakness"] = ["twitching together with muscle weakness"]
        if a.get("sleep_disrupted") is True:
            found["sleep"] = ["the twitching disturbed your sleep"]
    for flag in history_flags:
        found.setdefault(flag.code, list(flag.because))
    flags = []
    for code, info in RED_FLAGS.items():  # declaration order: urgent ones first
        if code in found:
            flags.append(
                RedFlag(
                    code=code,
                    because=tuple(found[code]),
                    urgent=info.urgent,
                    title=info.title,
                    care=info.care,
                    reference=info.reference,
                )
            )
    flags.sort(key=lambda flag: not flag.urgent)
    return flags


# --- the plan -------------------------------------------------------------------------


def _rehydrate(f: _Facts) -> tuple[int | None, str]:
    """How much to drink over the next 2-4 hours, and the sentence that says so."""
    u = f.units
    if f.change_pct is not None:
        if f.replace_ml:
            return f.replace_ml, (
                f"Over the next 2–4 hours, sip about {u.fmt_volume(f.replace_ml)} in all, with "
                f"a salty snack or meal. That replaces the {u.fmt_weight(f.lost_kg)} you "
                f"lost (about {replace_per_weight(u, REPLACE_ML_PER_KG)}, ACSM 2007). After "
                "that, drink to thirst."
            )
        if f.change_pct > 0:
            return None, "Your weight went up during the run: drink only to thirst for now."
        return None, "Your weight held steady during the run: drink to thirst."
    if f.duration is None:
        return None, (
            "Drink to thirst over the next hours. Weigh yourself before and after a run "
            "to see how much you lose."
        )
    # No scales: a rough sweat loss from the run's length and heat, less what was drunk.
    rate = SWEAT_RATE_BY_HEAT_L_PER_H[f.heat_level]
    deficit_ml = rate * 1000 * f.duration / 60 - (f.fluid or 0)
    rehydrate = round_to(min(ESTIMATE_CAP_ML, 1.5 * deficit_ml), 50) if deficit_ml > 0 else 0
    if not rehydrate:
        return None, "You drank about what a run like this takes: drink to thirst."
    return rehydrate, (
        "A rough estimate from the run's length and heat: over the next 2–4 hours, "
        f"sip about {u.fmt_volume(rehydrate)}, with some salty food, and stop once "
        "your urine is pale. Weigh yourself before and after your next run for a "
        "figure that fits you."
    )


def _drinking(f: _Facts) -> tuple[tuple[int, int] | None, int | None, str]:
    """Before the next run (ACSM 2007: 5-7 ml/kg about 4 h before) and during it."""
    u = f.units
    body_weight = f.body_weight
    parts = []
    prehydrate = None
    if body_weight is not None:
        prehydrate = ml_per_kg(body_weight, PREHYDRATE_ML_PER_KG)
        parts.append(prehydrate_sentence(u, prehydrate))
    drink_rate = None
    sweat_rate = f.sweat_rate
    if sweat_rate is not None:
        parts.append(
            f"You sweated about {u.fmt_volume(sweat_rate * 1000)} an hour (not counting any urine passed)."
        )
        if body_weight is not None:
            drink_rate = drink_rate_ml_per_h(sweat_rate, body_weight, f.duration)
            parts.append(drink_rate_sentence(u, drink_rate))
    else:
        parts.append(DRINK_TO_THIRST_TEXT)
    return prehydrate, drink_rate, " ".join(parts)


def _fuel(f: _Facts) -> tuple[tuple[int, int], tuple[int, int], str]:
    """Carbohydrate before the next run of this kind, in g and minutes before the start."""
    duration = f.duration
    carbs_g, carbs_min, by_weight = carbs_before(duration, f.body_weight)
    if by_weight:
        parts = [big_carbs_sentence(carbs_g, f"your next {round(duration)}-min run")]
    else:
        parts = [article_carbs_sentence()]
        if duration is not None and duration > FUEL_RUN_MIN:
            parts.append(per_weight_carbs_sentence(f.units))
    if duration is not None and duration > MIDRUN_FUEL_MIN:
        parts.append(MIDRUN_CARBS_TEXT)
    meal = f.a.get("meal_before_h")
    if meal is not None and (meal < 2 or meal >= 6):
        parts.append(MEAL_TIMING_TEXT)
    return carbs_g, carbs_min, " ".join(parts)


_STRETCH_STEPS = {code: f"{MUSCLE_LABELS[code]}: {STRETCHES[code]}" for code in MUSCLES}


def _plan(f: _Facts) -> Plan:
    rehydrate, rehydrate_text = _rehydrate(f)
    prehydrate, drink_rate, drink_text = _drinking(f)
    carbs_g, carbs_min, fuel_text = _fuel(f)
    # The cool-down: ease down, then one stretch per muscle that twitched,
    # running muscles first (MUSCLES order).
    muscles = tuple(sorted(f.muscles, key=_MUSCLE_ORDER.__getitem__)) if f.twitched else ()
    if muscles:
        steps = (COOLDOWN_EASE_STEP, *(_STRETCH_STEPS[code] for code in muscles))
    else:
        steps = (COOLDOWN_EASE_STEP, COOLDOWN_GENERAL_STEP)
    return Plan(
        rehydrate_ml=rehydrate,
        rehydrate_text=rehydrate_text,
        prehydrate_ml=prehydrate,
        drink_during_ml_per_h=drink_rate,
        drink_text=drink_text,
        carbs_before_g=carbs_g,
        carbs_before_min=carbs_min,
        fuel_text=fuel_text,
        cooldown_muscles=muscles,
        cooldown_steps=steps,
    )


# --- assess -----------------------------------------------------------------------------


def _training_load(f: _Facts, history: list | None) -> tuple[tuple | None, tuple | None]:
    day = f.a.get("date")
    distance = f.a.get("distance_km")
    if not history or day is None or distance is None:
        return None, None
    runs = [(d, km) for d, km in dated_runs(history) if d < day]
    return longest_run_spike(distance, day, runs), weekly_distance_jump(distance, day, runs)


def _persistent_from_history(f: _Facts, answers: object, history: list | None) -> tuple:
    """`persistent` for this check-in, when its history shows it (scan_history)."""
    day = f.a.get("date")
    if not history or day is None or not f.twitched:
        return ()
    flags = scan_history([*history, answers], today=day)
    return tuple(flag for flag in flags if flag.code == "persistent")


def assess(
    answers: object,
    *,
    history: object = None,
    units: Units = METRIC,
    body_weight_kg: object = None,
) -> Assessment:
    """Assess one check-in: ranked causes, ordered tips, red flags, metrics, plan.

    `answers` is any mapping with the keys of domain.md; invalid values are
    ignored. `history` (earlier answer mappings) feeds the overuse rules and
    `persistent`. `units` is used for every quoted figure. `body_weight_kg`
    (the profile's) sets g/kg and ml/kg targets; weight_before_kg stands in.
    """
    a = clean(answers)
    history = entries_of(history) if history is not None else None
    if not isinstance(units, Units):
        units = METRIC
    body_weight = CLEANERS["weight_before_kg"](body_weight_kg)
    f = _Facts(a, units, body_weight if type(body_weight) is float else None)

    causes: list[Cause] = []
    tip_codes: set[str] = set()
    if f.twitched or f.cramps:
        f.spike, f.jump = _training_load(f, history)
        for code, rule in _RULES:
            score = 0.0
            because = []
            for weight, reason, tips in rule(f):
                score += weight
                if reason:
                    because.append(reason)
                tip_codes.update(tips)
            if score:
                info = CAUSES[code]
                causes.append(
                    Cause(
                        code,
                        round(min(1.0, score), 2),
                        tuple(because),
                        info.title,
                        info.text,
                        info.evidence,
                        info.reference,
                    )
                )
        causes.sort(key=_cause_rank)
    if f.cramps:
        tip_codes.update(RELIEF_TIPS)
    if f.change_pct is not None and f.change_pct > 0:
        tip_codes.add("avoid_overdrinking")

    red_flags = _red_flags(f, _persistent_from_history(f, answers, history))
    # Tips: by when (now, before the next run, this week), then by their cause's
    # rank (tips for no cause last), then in TIPS order; see_doctor before all.
    rank = {cause.code: index for index, cause in enumerate(causes)}
    last = len(rank)
    keyed = []
    for code in tip_codes:
        when, index, tip = _TIP_KEYS[code]
        keyed.append((when, rank.get(tip.cause, last), index, tip))
    keyed.sort()
    ordered = [TIPS["see_doctor"]] if red_flags else []
    ordered.extend(key[3] for key in keyed)

    metrics = Metrics(
        heat_index_c=round(_f_to_c(f.heat_index_f), 1) if f.heat_index_f is not None else None,
        heat_band=f.heat_band,
        body_mass_change_pct=round(f.change_pct, 1) if f.change_pct is not None else None,
        sweat_rate_l_per_h=round(f.sweat_rate, 2) if f.sweat_rate is not None else None,
        replace_ml=f.replace_ml,
        load=f.load,
    )
    twitching = a.get("twitching")
    return Assessment(
        causes=tuple(causes),
        tips=tuple(ordered),
        red_flags=tuple(red_flags),
        metrics=metrics,
        plan=_plan(f),
        twitching=twitching,
    )
