"""`assess`: one check-in in, ranked causes, tips, red flags and a plan out.

Each cause is scored from the signals that support it: every signal adds a
fixed weight and the sum is capped at 1, so adding a signal never lowers a
score. Each signal quotes the runner's own figures in their units. The
thresholds and their sources are in shared/evidence.md; the texts are in
knowledge.py. Plain Python: no Django import.

`assess` runs once per check-in and on every live preview, within a budget of
about 50 µs (bench/bench_advice.py), so the code below favours few calls:
figures worked out once in _Facts, tips collected as int keys and sorted as
ints, NamedTuples built with tuple.__new__, and tables for the fixed sign lists.
tests/advice/test_advice_speed.py checks each shortcut against the plain
version, and test_advice_pinned.py pins whole outputs.
"""

from __future__ import annotations

from operator import itemgetter

from .clean import clean, clean_value
from .heat import HEAT_BANDS, heat_index_f
from .history import (
    LITTLE_FLUID_MIN_DURATION,
    LITTLE_FLUID_ML_PER_H,
    LOW_CARBS_G,
    NO_REST_DAYS,
    SPIKE_PCT,
    WIDESPREAD_REGIONS,
    dated_runs,
    entries_of,
    join_words,
    longest_run_spike,
    regions_of,
    regions_phrase,
    scan_history,
    weekly_distance_jump,
)
from .hydration import (
    MILD_LOSS_PCT,
    PLAUSIBLE_CHANGE_PCT,
    PLAUSIBLE_SWEAT_L_PER_H,
    REPLACE_ML_PER_KG,
    SIGNIFICANT_LOSS_PCT,
    round_to,
)
from .knowledge import (
    CAUSES,
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
    LONG_DRINK_MIN,
    MIDRUN_FUEL_MIN,
    PREHYDRATE_ML_PER_KG,
    a_or_an,
    big_carbs_sentence,
    carbs_before,
    drink_rate_ml_per_h,
    drink_rate_sentence,
    feels_like,
    ml_per_kg,
    per_kg_carbs_sentence,
    prehydrate_sentence,
    replace_per_weight,
)
from .units import METRIC, Units, fmt_number
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
ELECTROLYTE_HEAT_MIN = 60  # a hot run this long counts toward the electrolytes cause
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
_SEVERE_CRAMP_CODES = frozenset(_SEVERE_CRAMP_SIGNS)
_OVERHYDRATION_SIGNS = ("headache", "nausea", "vomiting", "confusion")
_BREAKDOWN_SIGNS = ("severe_pain", "swelling")
# Without one of these, _symptom_flags finds nothing.
_URGENT_SIGNS = frozenset(
    ("confusion", "collapse", *_OVERHYDRATION_SIGNS, "cola_urine", "swelling", "bruising")
)

_WHEN_ORDER = {when: index for index, when in enumerate(WHEN)}
# Tips are ordered by (when, their cause's rank, position in TIPS), packed into
# one int per tip so that the sort compares ints: when * 1024 + rank * 64 + position.
_TIP_LIST = tuple(TIPS.values())
if len(_TIP_LIST) > 64 or len(CAUSES) > 14:  # the packing needs room
    raise RuntimeError("too many tips or causes for the tips' sort keys")
# A tip's key: its fixed part, when * 1024 + position. The rules collect keys, not codes.
_TIP_KEY = {tip.code: _WHEN_ORDER[tip.when] * 1024 + index for index, tip in enumerate(_TIP_LIST)}
# Causes as small ints, no cause last; each tip's cause by its position.
_CAUSE_ID = {code: index for index, code in enumerate(CAUSES)}
_NO_CAUSE = len(CAUSES)
_TIP_CAUSE_ID = tuple(_CAUSE_ID[tip.cause] if tip.cause is not None else _NO_CAUSE for tip in _TIP_LIST)
_RELIEF_KEYS = frozenset(_TIP_KEY[code] for code in RELIEF_TIPS)


def _keys(*codes: str) -> frozenset[int]:
    return frozenset(_TIP_KEY[code] for code in codes)


_SCORE = itemgetter(1)  # Cause.score
_SEE_DOCTOR = TIPS["see_doctor"]
_new = tuple.__new__  # builds a NamedTuple without a Python-level __new__ call
# round(score, 2) for the few sums the weights can make, worked out once each.
_ROUNDED_SCORES: dict[float, float] = {}


def _hours(hours: float) -> str:
    return f"{fmt_number(hours, 1)} h"


_SYMPTOM_WORDS = {code: label.lower() for code, label in SYMPTOM_LABELS.items()}
_MUSCLE_WORDS = {code: label.lower() for code, label in MUSCLE_LABELS.items()}
_MUSCLE_ORDER = {code: index for index, code in enumerate(MUSCLES)}


def _symptom_words(codes: list[str]) -> str:
    return join_words([_SYMPTOM_WORDS[code] for code in codes])


def _sign_table(signs: tuple[tuple[str, float], ...]) -> dict[frozenset, tuple[float, str]]:
    """For every combination of these weighted signs: (the weights' sum, the signs in
    words), each in the signs' order, keyed by the set of signs present."""
    table = {}
    for mask in range(1, 2 ** len(signs)):
        present = [sign for bit, sign in enumerate(signs) if mask >> bit & 1]
        table[frozenset(code for code, _ in present)] = (
            sum(weight for _, weight in present),
            _symptom_words([code for code, _ in present]),
        )
    return table


_DEHYDRATION_CODES = frozenset(code for code, _ in _DEHYDRATION_SIGNS)
_DEHYDRATION_TABLE = _sign_table(_DEHYDRATION_SIGNS)
_LOW_FUEL_CODES = frozenset(code for code, _ in _LOW_FUEL_SIGNS)
_LOW_FUEL_TABLE = _sign_table(_LOW_FUEL_SIGNS)
# The severe-cramp signs present, in words and in their order, for every combination.
_SEVERE_CRAMP_WORDS = {
    frozenset(present): tuple(_SYMPTOM_WORDS[code] for code in present)
    for mask in range(1, 2 ** len(_SEVERE_CRAMP_SIGNS))
    for present in [[code for bit, code in enumerate(_SEVERE_CRAMP_SIGNS) if mask >> bit & 1]]
}


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
        "heat_band",
        "heat_index_f",
        "heat_level",
        "jump",
        "load",
        "lost_kg",
        "lost_text",
        "meal_text",
        "min_text",
        "minutes",
        "muscles",
        "muscles_in_order",
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
        # The hydration figures are worked out inline, as hydration.py's functions
        # (body_mass_change_pct, sweat_rate_l_per_h, replace_ml) do; a test checks
        # that they agree.
        get = answers.get
        self.a = answers
        self.units = units
        duration = get("duration_min")
        self.duration = duration
        minutes = round(duration) if duration is not None else None
        self.minutes = minutes
        self.min_text = f"{minutes} min" if duration is not None else None
        effort = get("effort")
        self.effort = effort
        run_type = get("run_type")
        self.run_type = run_type
        fluid = get("fluid_ml")
        self.fluid = fluid
        self.symptoms = frozenset(get("symptoms", ()))
        muscles = get("muscles", ())
        self.muscles = muscles
        self.cramps = get("cramps") is True
        twitching = get("twitching")  # twitched(): not answered, but muscles named
        twitched = bool(muscles) if twitching is None else twitching is True
        self.twitched = twitched
        # Running muscles first (MUSCLES order), for the widespread flag and the cool-down.
        if not twitched:
            self.muscles_in_order = ()
        elif len(muscles) > 1:
            self.muscles_in_order = tuple(sorted(muscles, key=_MUSCLE_ORDER.get))
        else:
            self.muscles_in_order = muscles  # a tuple (clean): () or one muscle
        temperature = get("temperature_c")
        self.temperature = temperature
        heat_index = band = None
        level = 0
        if temperature is not None:
            temperature_f = temperature * 9 / 5 + 32  # c_to_f
            humidity = get("humidity_pct")
            if humidity is not None:
                heat_index = heat_index_f(temperature_f, humidity)
                band, level = _heat_band_level(heat_index)
            else:  # no humidity: the air temperature stands in
                level = _heat_band_level(temperature_f)[1]
        self.heat_index_f = heat_index
        self.heat_band = band
        self.heat_level = level
        before = get("weight_before_kg")
        after = get("weight_after_kg")
        change = lost = sweat_rate = replace = None
        if before is not None and after is not None and before > 0:
            change = (after - before) / before * 100.0
            if abs(change) > PLAUSIBLE_CHANGE_PCT:
                change = None
            else:
                lost = before - after
                if fluid is not None and duration:
                    rate = ((before - after) + fluid / 1000.0) / (duration / 60.0)
                    if not (rate < 0 or rate > PLAUSIBLE_SWEAT_L_PER_H):
                        sweat_rate = rate
                if lost > 0:
                    replace = round_to(lost * REPLACE_ML_PER_KG, 50)
        self.change_pct = change
        self.lost_kg = lost
        # The weight lost, as the reasons and the plan quote it (up to three times).
        self.lost_text = units.fmt_weight(lost) if lost is not None and lost > 0 else None
        self.sweat_rate = sweat_rate
        self.replace_ml = replace
        self.body_weight = body_weight_kg if body_weight_kg is not None else before
        # Hours since the last meal, as the meal rules quote it (when one of them can).
        meal = get("meal_before_h")
        self.meal_text = _hours(meal) if meal is not None and (meal >= 5 or 1 <= meal < 2) else None
        self.load = round(effort * duration) if effort and duration else None
        self.spike: tuple[float, float] | None = None  # set from the history by assess
        self.jump: tuple[float, float, float] | None = None


_LONG_OR_HARD_TYPES = (*HARD_RUN_TYPES, "long")
# (lowest heat index in °F, band code, level), highest first: heat_band and heat_level in one.
_BANDS_DOWN = tuple(
    (lowest, code, level) for level, (code, lowest, _) in reversed(list(enumerate(HEAT_BANDS, start=1)))
)


def _heat_band_level(heat_index_in_f: float) -> tuple[str | None, int]:
    for lowest, code, level in _BANDS_DOWN:
        if heat_index_in_f >= lowest:
            return code, level
    return None, 0


# Tips the signals add together, as sets of tip keys: `tips |= _SALT` is quicker than update().
_DRINK_ALL = _keys("rehydrate_after", "watch_dehydration_signs", "hydrate_before", "hydrate_during")
_DRINK_MORE = _keys("rehydrate_after", "hydrate_during")
_DRINK_LOSS = _keys("rehydrate_after", "hydrate_before", "hydrate_during")
_DRINK_URINE = _keys("rehydrate_after", "watch_dehydration_signs")
_DRINK_SIGNS = _keys("rehydrate_after", "watch_dehydration_signs", "hydrate_before")
_SALT = _keys("electrolyte_foods", "electrolyte_drink")
_REST = _keys("rest_days", "listen_to_body")
_REST_SWAP = _keys("rest_days", "cross_training", "listen_to_body")
_BUILD_UP = _keys("gradual_progression", "listen_to_body")
_BUILD_UP_SWAP = _keys("gradual_progression", "cross_training", "listen_to_body")
_COOLDOWN = _keys("cooldown_walk", "cooldown_stretch")
_FUEL_LONG = _keys("carbs_before", "sports_drink_midrun")


# --- the signals, one function per cause ------------------------------------------
# Each adds the weights of the signals it finds, in a fixed order, and returns the
# sum; it appends each signal's reason (quoting the runner's figures) to `because`
# and its tip codes to `tips`.


def _dehydration(f: _Facts, because: list, tips: set) -> float:
    u = f.units
    a = f.a
    duration = f.duration
    fluid = f.fluid
    score = 0.0
    fluid_quoted = False
    heat = f.heat_level
    if heat:
        score += HEAT_WEIGHTS[heat]
        subject = f.min_text if duration is not None else "a run"
        reason = f"{subject} at {_weather(f)}"
        if fluid is not None:
            reason += f", with {u.fmt_volume(fluid)} drunk" if fluid else ", with nothing to drink"
            fluid_quoted = True
        because.append(reason)
        tips |= _DRINK_ALL
        if duration is not None and duration >= 60:
            score += 0.1
    if (
        fluid is not None
        and duration is not None
        and duration >= LITTLE_FLUID_MIN_DURATION
        and fluid / (duration / 60) < LITTLE_FLUID_ML_PER_H
    ):
        score += 0.15
        if fluid_quoted:
            pass
        elif fluid:
            because.append(f"only {u.fmt_volume(fluid)} drunk in {f.min_text}")
        else:
            because.append(f"nothing to drink in {f.min_text}")
        tips |= _DRINK_MORE
    change = f.change_pct
    if change is not None and -change > MILD_LOSS_PCT:
        score += 0.4 if -change > SIGNIFICANT_LOSS_PCT else 0.15
        because.append(f"lost {-change:.1f}% of body weight ({f.lost_text})")
        tips |= _DRINK_LOSS
    urine = a.get("urine_color")
    if urine is not None and urine >= 4:
        score += 0.1 if urine == 4 else 0.25 if urine <= 6 else 0.35
        because.append(f"urine colour {urine} of 8 on the chart")
        tips |= _DRINK_URINE
    symptoms = f.symptoms
    if symptoms:
        signs = _DEHYDRATION_TABLE.get(symptoms & _DEHYDRATION_CODES)
        if signs is not None:
            weight, words = signs
            because.append(f"{words} after the run")
            score += weight
            tips |= _DRINK_SIGNS
    if a.get("rehydrated") is False and (heat or (duration is not None and duration >= 60)):
        score += 0.1
        because.append("no water or electrolytes yet after the run")
        tips.add(_TIP_KEY["rehydrate_after"])
    return score


def _electrolytes(f: _Facts, because: list, tips: set) -> float:
    during = f.a.get("electrolytes_during")
    without = ", with no electrolyte drink or tablets" if during is False else ""
    duration = f.duration
    score = 0.0
    if during is not True and duration is not None:
        # Salt lost in sweat on runs over an hour in the heat (Bergeron 2008; ACSM 2007).
        hot_run = f.heat_level and duration >= ELECTROLYTE_HEAT_MIN
        if hot_run:
            if duration >= LONG_RUN_MIN:
                score += 0.3 if during is False else 0.2
            else:
                score += 0.2 if during is False else 0.1
            because.append(f"{f.min_text} at {_weather(f)}{without}")
            tips |= _SALT
        if duration >= 120:
            score += 0.1
            if not hot_run:
                because.append(f"a long run of {f.min_text}{without}")
            tips |= _SALT
    change = f.change_pct
    if during is not True and change is not None and -change > SIGNIFICANT_LOSS_PCT:
        score += 0.2
        because.append(f"heavy sweating: {f.lost_text} lost{without}")
        tips |= _SALT
    if f.cramps and len(f.muscles_in_order) >= 2:  # muscles that twitched
        score += 0.15
        labels = join_words([_MUSCLE_WORDS[code] for code in f.muscles_in_order])
        because.append(f"cramps as well as twitching in the {labels}")
        tips.add(_TIP_KEY["electrolyte_foods"])
    return score


def _fatigue(f: _Facts, because: list, tips: set) -> float:
    effort = f.effort
    duration = f.duration
    score = 0.0
    if effort is not None and effort >= 7:
        if effort >= HARD_EFFORT:
            score += 0.25
            tips |= _REST
        else:
            score += 0.1
            tips.add(_TIP_KEY["listen_to_body"])
        because.append(f"effort {effort} of 10")
    if duration is not None and duration >= LONG_RUN_MIN:
        score += 0.3 if duration >= VERY_LONG_RUN_MIN else 0.2
        because.append(f"a long run: {f.min_text}")
        tips |= _REST
    hard_type = f.run_type in HARD_RUN_TYPES
    if hard_type:
        score += 0.15
        because.append(RUN_TYPE_NOUNS[f.run_type])
        tips.add(_TIP_KEY["listen_to_body"])
    days = f.a.get("days_since_rest")
    if days is not None and days >= NO_REST_DAYS:
        score += 0.25
        because.append(f"{days} days in a row without a rest day")
        tips |= _REST_SWAP
    spike = f.spike
    if spike is not None and spike[0] > SPIKE_PCT:
        pct, longest = spike
        score += 0.3 if pct > 100 else 0.2
        because.append(
            f"this run was {pct:.0f}% longer than your longest in the previous 30 days "
            f"({f.units.fmt_distance(longest)})"
        )
        tips |= _BUILD_UP
    jump = f.jump
    if jump is not None and jump[2] > NUDGE_WEEKLY_JUMP_PCT:
        this_week, last_week, pct = jump
        u = f.units
        score += 0.2 if pct > WARN_WEEKLY_JUMP_PCT else 0.1
        because.append(
            f"{u.fmt_distance(this_week)} in the last 7 days, {pct:.0f}% more than the "
            f"week before ({u.fmt_distance(last_week)})"
        )
        tips |= _BUILD_UP_SWAP
    # Session load (Foster 2001) is a secondary signal: small weight only.
    load = f.load
    if load is not None and load >= 600:
        score += 0.1 if load >= 1000 else 0.05
        because.append(f"session load {load} (effort × minutes)")
        tips.add(_TIP_KEY["rest_days"])
    if "fatigue" in f.symptoms:
        score += 0.1
        because.append("unusual tiredness")
        tips |= _REST
    if f.cramps and ((effort is not None and effort >= 7) or hard_type):
        # Schwellnus 2011: cramps late in fast, hard running point to fatigue.
        score += 0.15
        because.append("cramps after a hard effort")
        tips.add(_TIP_KEY["listen_to_body"])
    return score


def _circulation(f: _Facts, because: list, tips: set) -> float:
    cooldown = f.a.get("cooldown")
    if cooldown == "none":
        tips |= _COOLDOWN
        if f.effort is not None and f.effort >= HARD_EFFORT:
            because.append(f"you stopped straight after a hard effort ({f.effort} of 10)")
            return 0.55
        because.append("you stopped straight after the run, with no easy jog or walk")
        return 0.4
    # An easy walk or jog is easing down, with or without a stretch: no sign of this cause.
    return 0.0


def _blood_sugar(f: _Facts, because: list, tips: set) -> float:
    a = f.a
    get = a.get
    carbs = get("carbs_before_g")
    meal = get("meal_before_h")
    carbs_min = get("carbs_before_min")
    duration = f.duration
    effort = f.effort
    long_or_hard = (
        (duration is not None and duration >= FUEL_RUN_MIN)
        or (effort is not None and effort >= 7)
        or f.run_type in _LONG_OR_HARD_TYPES
    )
    low_carbs = carbs is not None and carbs < LOW_CARBS_G
    found_signs = _LOW_FUEL_TABLE.get(f.symptoms & _LOW_FUEL_CODES) if f.symptoms else None
    if not (
        (low_carbs and long_or_hard)
        or (meal is not None and meal >= 5 and (carbs is None or low_carbs))
        or (carbs_min is not None and carbs_min > 240 and not low_carbs and long_or_hard)
        or found_signs
    ):
        return 0.0
    score = 0.0
    hard = (effort is not None and effort >= HARD_EFFORT) or f.run_type in ("race", "intervals")
    if long_or_hard and ((duration is not None and duration >= MIDRUN_FUEL_MIN) or hard):
        tips |= _FUEL_LONG
    else:
        tips.add(_TIP_KEY["carbs_before"])
    if low_carbs and long_or_hard:
        if duration is not None:
            minutes = f.minutes
            run = f"{a_or_an(minutes)} {minutes}-min run"
        else:
            run = RUN_TYPE_NOUNS.get(f.run_type, "a hard run")
        score += 0.3
        because.append(
            f"no carbohydrate before {run}" if carbs == 0 else f"only {carbs} g of carbohydrate before {run}"
        )
    if meal is not None and meal >= 5 and (carbs is None or low_carbs):
        score += 0.2
        because.append(f"{f.meal_text} since your last proper meal")
    # Enough carbohydrate, but eaten more than 4 h before (too little is the signal above).
    if carbs_min is not None and carbs_min > 240 and not low_carbs and long_or_hard:
        score += 0.1
        because.append(f"your carbohydrate came {_hours(carbs_min / 60)} before the start")
    if found_signs:
        weight, words = found_signs
        because.append(f"{words} after the run")
        score += weight
    return score


def _fueling(f: _Facts, because: list, tips: set) -> float:
    a = f.a
    score = 0.0
    if a.get("spicy_meal") is True:
        score += 0.25
        because.append("a spicy meal before the run")
        tips.add(_TIP_KEY["skip_spicy"])
    meal = a.get("meal_before_h")
    if meal is not None:
        if meal < 2:
            when = "less than an hour" if meal < 1 else f"only {f.meal_text}"
            score += 0.15
            because.append(f"a proper meal {when} before the start")
            tips.add(_TIP_KEY["balanced_meal"])
        elif meal >= 6:
            score += 0.15
            because.append(f"a long gap ({f.meal_text}) between your last proper meal and the run")
            tips.add(_TIP_KEY["balanced_meal"])
    return score


def _medication(f: _Facts, because: list, tips: set) -> float:
    score = 0.0
    for code in f.a.get("medications", ()):
        score += MEDICATION_WEIGHTS[code]
        because.append(_MEDICATION_REASONS[code])
    if f.a.get("medication_changed") is True:
        score += 0.3
        because.append("you started or changed a medicine lately")
    if score:
        tips.add(_TIP_KEY["review_medication"])
    return score


_MEDICATION_REASONS = {
    code: (
        f"you take {noun}: the article names them, standard cramp lists do not"
        if code == "blood_thinners"
        else f"you take {noun}, one of the medicines linked to cramps"
    )
    for code, noun in MEDICATION_NOUNS.items()
}


_RULES = tuple(
    (code, rule, CAUSES[code].title, CAUSES[code].text, CAUSES[code].evidence, CAUSES[code].reference)
    for code, rule in sorted(
        (
            ("dehydration", _dehydration),
            ("electrolytes", _electrolytes),
            ("fatigue", _fatigue),
            ("circulation", _circulation),
            ("blood_sugar", _blood_sugar),
            ("fueling", _fueling),
            ("medication", _medication),
        )
    )
)


# --- red flags ------------------------------------------------------------------------


def _red_flags(f: _Facts, history_flags: tuple) -> list[RedFlag]:
    a = f.a
    symptoms = f.symptoms
    found: dict[str, list[str]] = {}
    if f.cramps:
        reasons = list(_SEVERE_CRAMP_WORDS.get(symptoms & _SEVERE_CRAMP_CODES, ())) if symptoms else []
        urine = a.get("urine_color")
        if urine is not None and urine >= 7 and "dark_urine" not in symptoms:
            reasons.append(f"urine colour {urine} of 8")
        if reasons:
            found["severe_cramps"] = [f"cramps together with {join_words(reasons)}"]
    if symptoms and not symptoms.isdisjoint(_URGENT_SIGNS):
        _symptom_flags(f, found)
    if f.twitched:
        reasons = []
        # Body regions, not muscles (evidence.md R1a): many leg muscles after a run are one region.
        regions = regions_of(f.muscles)
        if len(regions) >= WIDESPREAD_REGIONS:
            reasons.append(f"twitching in {len(regions)} body regions: {regions_phrase(f.muscles)}")
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
    if not found:
        return []
    # Urgent ones first, then in RED_FLAGS order.
    return [
        _new(RedFlag, (code, tuple(found[code])) + _FLAG_INFO[code])
        for code in sorted(found, key=_FLAG_ORDER.get)
    ]


_FLAG_ORDER = {code: (not info.urgent, index) for index, (code, info) in enumerate(RED_FLAGS.items())}
_FLAG_INFO = {code: (info.urgent, info.title, info.care, info.reference) for code, info in RED_FLAGS.items()}


def _weather(f: _Facts) -> str:
    """'31 °C and 75% humidity (feels like 39 °C)', or the air temperature alone."""
    u = f.units
    text = u.fmt_temperature(f.temperature)
    humidity = f.a.get("humidity_pct")
    if humidity is None:
        return text
    text = f"{text} and {fmt_number(humidity, 1)}% humidity"
    heat_index = f.heat_index_f
    # The heat index says how hot it feels; quote it only where it differs from the air.
    if heat_index is not None and abs((heat_index - 32) * 5 / 9 - f.temperature) >= 1:
        text += f" (feels like {feels_like(u, heat_index)})"
    return text


def _symptom_flags(f: _Facts, found: dict[str, list[str]]) -> None:
    """The urgent flags that need a symptom: heat illness, overhydration, muscle
    breakdown, bleeding."""
    u = f.units
    a = f.a
    symptoms = f.symptoms
    # Collapse, fainting or confusion after any run, whatever the weather and whether or
    # not there was twitching (evidence.md R3b): on a hot run it is heat illness (R5,
    # cool first); otherwise exercise-associated collapse (Asplund et al. 2011).
    signs = [code for code in ("collapse", "confusion") if code in symptoms]
    if signs:
        hot = f.heat_level > 0 or (f.temperature is not None and f.temperature >= HOT_RUN_C)
        if hot:
            found["heat_illness"] = [f"{_symptom_words(signs)} after a run at {_weather(f)}"]
        else:
            details = [f.min_text] if f.min_text else []
            if f.temperature is not None:
                details.append(f"at {_weather(f)}")
            run = f"a run of {' '.join(details)}" if f.min_text else " ".join(["a run", *details])
            found["collapse"] = [f"{_symptom_words(signs)} after {run}"]
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
        # On its own it is enough (evidence.md R4, NHS): cola-brown urine is not dehydration.
        signs = [SYMPTOM_LABELS[code].lower() for code in _BREAKDOWN_SIGNS if code in symptoms]
        if a.get("weakness") is True:
            signs.append("muscle weakness")
        found["muscle_breakdown"] = [
            f"cola-brown urine with {join_words(signs)}" if signs else "cola-brown urine after the run"
        ]
    if "blood_thinners" in a.get("medications", ()):
        signs = [code for code in ("swelling", "bruising") if code in symptoms]
        if signs:
            found["bleeding"] = [f"{_symptom_words(signs)} while on a blood thinner"]


# --- the plan -------------------------------------------------------------------------


_REPLACE_TEXTS: dict[tuple, str] = {}


def _replace_text(u: Units) -> str:
    """'1.5 l per kg' in the runner's units, built once per units."""
    key = (u.volume, u.weight)
    text = _REPLACE_TEXTS.get(key)
    if text is None:
        text = _REPLACE_TEXTS.setdefault(key, replace_per_weight(u, REPLACE_ML_PER_KG))
    return text


def _rehydrate(f: _Facts) -> tuple[int | None, str]:
    """How much to drink over the next 2-4 hours, and the sentence that says so."""
    u = f.units
    if f.change_pct is not None:
        if f.replace_ml:
            return f.replace_ml, (
                f"Over the next 2–4 hours, sip about {u.fmt_volume(f.replace_ml)} in all, with "
                f"a salty snack or meal. That replaces the {f.lost_text} you "
                f"lost (about {_replace_text(u)}, ACSM 2007). After "
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
            parts.append(
                drink_rate_sentence(
                    u,
                    drink_rate,
                    hot=f.heat_level > 0,
                    long=f.duration is not None and f.duration >= LONG_DRINK_MIN,
                )
            )
    else:
        parts.append(DRINK_TO_THIRST_TEXT)
    return prehydrate, drink_rate, " ".join(parts)


def _fuel(f: _Facts) -> tuple[tuple[int, int], tuple[int, int], str]:
    """Carbohydrate before the next run of this kind, in g and minutes before the start.

    The text adds to the carbs_before tip what is the runner's own: one figure for a
    run of this length (Thomas et al. 2016), fuel on the way, the meal's timing.
    """
    duration = f.duration
    carbs_g, carbs_min, by_weight = carbs_before(duration, f.body_weight)
    parts = []
    if by_weight:
        parts.append(big_carbs_sentence(carbs_g, carbs_min, f"your next {f.minutes}-min run"))
    elif duration is not None and duration > FUEL_RUN_MIN:
        parts.append(per_kg_carbs_sentence(f.units, duration))
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
    # Stretches for now, after the run: one per muscle that twitched, running muscles
    # first (MUSCLES order). Easing down is for the next run (the cooldown_walk tip).
    muscles = f.muscles_in_order
    steps = tuple(_STRETCH_STEPS[code] for code in muscles) if muscles else (COOLDOWN_GENERAL_STEP,)
    return _new(
        Plan,
        (
            rehydrate,
            rehydrate_text,
            prehydrate,
            drink_rate,
            drink_text,
            carbs_g,
            carbs_min,
            fuel_text,
            muscles,
            steps,
        ),
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
    if history is not None:
        history = entries_of(history)
    a = clean(answers)
    if units is not METRIC and not isinstance(units, Units):
        units = METRIC
    body_weight = clean_value("weight_before_kg", body_weight_kg)
    f = _Facts(a, units, body_weight)

    causes: list[Cause] = []
    tip_keys: set[int] = set()
    if f.twitched or f.cramps:
        if history:
            f.spike, f.jump = _training_load(f, history)
        for code, rule, title, text, evidence, reference in _RULES:  # in code order
            because: list[str] = []
            score = rule(f, because, tip_keys)
            if score:
                rounded = _ROUNDED_SCORES.get(score)
                if rounded is None:
                    rounded = round(min(1.0, score), 2)
                    if len(_ROUNDED_SCORES) < 4096:
                        _ROUNDED_SCORES[score] = rounded
                causes.append(_new(Cause, (code, rounded, tuple(because), title, text, evidence, reference)))
        # Highest score first; ties stay in code order (the sort is stable, reversed too),
        # so the order never depends on the input's.
        causes.sort(key=_SCORE, reverse=True)
    if f.cramps:
        tip_keys |= _RELIEF_KEYS
    if f.change_pct is not None and f.change_pct > 0:
        tip_keys.add(_TIP_KEY["avoid_overdrinking"])

    red_flags = _red_flags(f, _persistent_from_history(f, answers, history) if history else ())
    # Tips: by when (now, before the next run, this week), then by their cause's
    # rank (tips for no cause last), then in TIPS order; see_doctor before all.
    rank = [len(causes) * 64] * (_NO_CAUSE + 1)  # by cause id; causes not found last
    for index, cause in enumerate(causes):
        rank[_CAUSE_ID[cause.code]] = index * 64
    cause_of = _TIP_CAUSE_ID
    keys = [key + rank[cause_of[key & 63]] for key in tip_keys]
    keys.sort()
    tip_list = _TIP_LIST
    ordered = [_SEE_DOCTOR] if red_flags else []
    # An urgent flag overrides all other advice (evidence.md part C): nothing beside it,
    # no "drink more" next to "drink no more water".
    if not any(flag.urgent for flag in red_flags):
        ordered += [tip_list[key & 63] for key in keys]

    heat_index = f.heat_index_f
    change = f.change_pct
    sweat_rate = f.sweat_rate
    metrics = _new(
        Metrics,
        (
            round((heat_index - 32) * 5 / 9, 1) if heat_index is not None else None,  # f_to_c
            f.heat_band,
            round(change, 1) if change is not None else None,
            round(sweat_rate, 2) if sweat_rate is not None else None,
            f.replace_ml,
            f.load,
        ),
    )
    return _new(
        Assessment,
        (tuple(causes), tuple(ordered), tuple(red_flags), metrics, _plan(f), a.get("twitching")),
    )
