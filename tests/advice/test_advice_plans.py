"""The tips pages' plans: cooldown_routine, hydration_plan, fuel_plans.

Exact figures on hand-built logs (counts, ordering, sweat-rate means, medians,
timer seconds, thin flags), texts in the runner's units, the wording rules, and
fuzzing that nothing raises. Pure Python, no database.
"""

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advice import (
    HEAT_BAND_NAMES,
    METRIC,
    MUSCLES,
    RUN_TYPES,
    FuelPlan,
    HydrationPlan,
    Routine,
    Step,
    assess,
    cooldown_routine,
    fuel_plans,
    hydration_plan,
)
from advice.knowledge import (
    COOLDOWN_EASE_STEP,
    FUEL_LADDER_TEXT,
    HIGH_CARBS_TEXT,
    MIDRUN_CARBS_TEXT,
    MOUTH_RINSE_TEXT,
    NO_FUEL_TEXT,
    STRETCH_INFO,
    STRETCHES,
    TIPS,
)
from tests.advice.helpers import FORBIDDEN, IMPERIAL, Hostile, broken_entries, sweep
from tests.advice.strategies import FUZZ, PROPERTY, odd_mappings, odd_values, valid_checkins

DAY = dt.date(2025, 7, 1)


def run(days_ago=0, **answers):
    return {"date": DAY - dt.timedelta(days=days_ago), **answers}


def twitch(*muscles, **answers):
    return run(twitching=True, muscles=list(muscles), **answers)


# --- cooldown_routine ------------------------------------------------------------------------

COOLDOWN_CASES = {
    "most check-ins first": (
        [twitch("quads"), twitch("calves", "quads"), twitch("calves"), twitch("calves", "hamstrings")],
        {},
        ("calves", "quads", "hamstrings"),
        (3, 2, 1),
        False,
    ),
    "ties: running muscles first, then MUSCLES order": (
        [
            twitch("face", "neck", "hips"),
            twitch("face", "neck", "hips"),
            twitch("arms", "neck", "face", "hips"),
        ],
        {},
        ("hips", "neck", "face", "arms"),
        (3, 3, 3, 1),
        False,
    ),
    "at most `top`": (
        [twitch("calves", "shins", "feet", "quads", "hamstrings")] * 3,
        {"top": 2},
        ("calves", "shins"),
        (3, 3),
        False,
    ),
    "twitching no is not counted; unanswered with muscles is": (
        [
            twitch("calves"),
            run(twitching=False, muscles=["quads", "feet"]),
            run(muscles=["feet"]),
            run(twitching=None, muscles=["feet"]),
        ],
        {},
        ("feet", "calves"),
        (2, 1),
        False,
    ),
    "thin: too few check-ins with muscles": (
        [twitch("neck"), twitch("calves", "neck"), run(twitching=True), run(twitching=True, muscles=[])],
        {},
        ("calves", "hamstrings", "quads"),
        (1, 0, 0),
        True,
    ),
    "thin, top 2": ([], {"top": 2}, ("calves", "hamstrings"), (0, 0), True),
    "odd top falls back to 4": ([twitch("calves")] * 3, {"top": "3"}, ("calves",), (3,), False),
    "negative top: no muscles": ([twitch("calves")] * 3, {"top": -1}, (), (), False),
}


@pytest.mark.parametrize(
    ("entries", "kwargs", "muscles", "counts", "thin"), COOLDOWN_CASES.values(), ids=COOLDOWN_CASES
)
def test_cooldown_routine_picks_the_muscles(entries, kwargs, muscles, counts, thin):
    routine = cooldown_routine(entries, **kwargs)
    assert isinstance(routine, Routine)
    assert (routine.muscles, routine.counts, routine.thin) == (muscles, counts, thin)
    assert [step.title for step in routine.steps[1:]] == [
        code.replace("_", " ").capitalize() for code in muscles
    ]
    assert routine.evidence == "limited"
    assert "Van Hooren" in routine.reference
    assert "does little for soreness" in routine.caveat and "gentle way" in routine.caveat


def test_cooldown_notes():
    log = [twitch("calves")] * 9 + [twitch("quads")] * 3 + [twitch("calves", "quads", "face")]
    assert cooldown_routine(log).note == (
        "Based on your 13 check-ins with twitching: calves 10 times, quads 4 times, face once."
    )
    assert cooldown_routine([twitch("calves", "shins")] * 2 + [twitch("shins")]).note == (
        "Based on your 3 check-ins with twitching: shins 3 times, calves twice."
    )
    assert cooldown_routine([twitch("calves")]).note == (
        "Only 1 check-in with twitching muscles so far, so this routine covers the calves, "
        "hamstrings and quads, where runners twitch most. After 3 check-ins that say where you "
        "twitched, it follows your own log."
    )
    assert cooldown_routine([]).note.startswith("No check-ins with twitching muscles yet, so this")


STEP_SECONDS = {
    "calves": (120, "each leg"),
    "shins": (60, ""),
    "feet": (120, "each foot"),
    "quads": (120, "each leg"),
    "hamstrings": (120, "each leg"),
    "glutes": (120, "each side"),
    "hips": (120, "each side"),
    "lower_back": (60, ""),
    "abs": (40, ""),
    "arms": (40, "each arm"),
    "hands": (40, ""),
    "shoulders": (60, "each side"),
    "neck": (80, "each side"),
    "face": (60, ""),
}


def test_steps_time_every_set_on_every_side():
    assert set(STEP_SECONDS) == set(MUSCLES)
    log = [twitch(*MUSCLES)] * 3
    routine = cooldown_routine(log, top=len(MUSCLES))
    ease, *stretches = routine.steps
    assert ease == Step("Easy jog or walk", COOLDOWN_EASE_STEP, 300, "")
    assert "5–10 min" in ease.text
    assert routine.muscles == MUSCLES
    for code, step in zip(MUSCLES, stretches, strict=True):
        assert (step.seconds, step.repeat_note) == STEP_SECONDS[code], code
        text = STRETCHES[code]
        assert step.text == f"{text[0].upper()}{text[1:]}."  # from knowledge, one short sentence
        assert step.text.count(".") == 1


def test_stretch_figures_match_their_text():
    """The timer's figures and the text the runner reads say the same thing."""
    assert dict(STRETCHES) == {code: stretch.text for code, stretch in STRETCH_INFO.items()}
    for stretch in STRETCH_INFO.values():
        if stretch.sets > 1:
            assert f"{stretch.sets}×{stretch.hold_s} s" in stretch.text, stretch.code
        elif stretch.hold_s == 60:
            assert re.search(r"\b(1 min|a minute)\b", stretch.text), stretch.code
        else:
            assert f" {stretch.hold_s} s" in stretch.text, stretch.code
        assert ("each" in stretch.text.split(", ")[-1]) == bool(stretch.sides), stretch.code


def test_engine_cooldown_steps_still_quote_the_stretches():
    plan = assess({"twitching": True, "muscles": ["feet"]}).plan
    # Stretches only: easing down belongs to the next run, not to "now" after this one.
    assert plan.cooldown_steps == ("Feet: roll each foot slowly over a ball, 1 min each",)
    assert COOLDOWN_EASE_STEP not in plan.cooldown_steps


# --- hydration_plan ------------------------------------------------------------------------

WEIGHED = [
    run(1, weight_before_kg=70, weight_after_kg=69, fluid_ml=500, duration_min=60),  # 1.5 l/h
    run(2, weight_before_kg=72, weight_after_kg=71.6, fluid_ml=0, duration_min=60),  # 0.4 l/h
    run(3, weight_before_kg=70, weight_after_kg=69.5, duration_min=40),  # no fluid: no rate
    run(4, duration_min=50, fluid_ml=250),
    run(5, weight_before_kg=68),
    "not a mapping",
    run(6, weight_before_kg=70, weight_after_kg=69, fluid_ml=500, duration_min=0),  # invalid duration
]


def test_sweat_rate_is_the_mean_of_fully_logged_runs():
    plan = hydration_plan(WEIGHED)
    assert isinstance(plan, HydrationPlan)
    assert (plan.sweat_rate_l_per_h, plan.sweat_runs) == (0.95, 2)
    assert plan.duration_min == 55.0  # median of 60, 60, 40, 50
    assert plan.thin is False and plan.thin_text == ""
    assert (plan.heat_index_c, plan.heat_band) == (None, None)
    assert plan.evidence == "high"
    assert "ACSM" in plan.reference and "Hew-Butler" in plan.reference


def test_drinking_is_planned_from_the_sweat_rate():
    # Body weight: the median weight logged before runs (70 kg). 120 min at 0.95 l/h is
    # 1.9 l; a 2% loss allows 1.4 l, so 0.5 l over 2 h: 250 ml an hour.
    plan = hydration_plan(WEIGHED, duration_min=120)
    assert plan.duration_min == 120.0
    assert "You sweat about 950 ml an hour, from the 2 runs you weighed yourself for." in plan.during_text
    assert "On a 120-min run, drink about 250 ml an hour, to thirst, and never so much" in plan.during_text
    assert "under 2% of your body weight" in plan.during_text
    assert "Hew-Butler 2015" in plan.during_text
    assert "About 4 hours before the run, drink 350–490 ml (ACSM 2007)." in plan.before_text
    assert "still dark about 2 hours before, drink another 210–350 ml." in plan.before_text
    # (0.95 - 0.25) l/h x 2 h = 1.4 kg lost: 2.1 l to replace
    assert "1.5 l per kg lost" in plan.after_text and "salty" in plan.after_text
    assert "you would lose about 1.4 kg: that is about 2.1 l to sip afterwards" in plan.after_text


def test_drinking_is_capped_at_a_litre_and_at_the_sweat_rate():
    heavy = [run(weight_before_kg=60, weight_after_kg=58, fluid_ml=1000, duration_min=60)]  # 3 l/h
    assert "drink about 1 l an hour" in hydration_plan(heavy, duration_min=240).during_text
    light = [run(weight_before_kg=60, weight_after_kg=59.6, fluid_ml=0, duration_min=60)]  # 0.4 l/h
    # 2,000 min: 0.4 - 1.2 l / 33.3 h = 364 ml an hour, to the nearest 50, under the sweat rate
    assert "drink about 350 ml an hour" in hydration_plan(light, duration_min=2000).during_text
    assert "drinking to thirst is enough" in hydration_plan(light, duration_min=30).during_text


def test_the_profile_weight_wins():
    plan = hydration_plan(WEIGHED, duration_min=120, body_weight_kg=50)
    # 2% of 50 kg = 1 l allowed: (1.9 - 1.0) / 2 = 450 ml an hour
    assert "drink about 450 ml an hour" in plan.during_text
    assert "drink 250–350 ml (ACSM 2007)" in plan.before_text


HYDRATION_THIN = {
    "no weights at all": ([run(duration_min=45, fluid_ml=200)], True, None),
    "one weight only": ([run(weight_before_kg=70, duration_min=45)], True, None),
    "both weights, no fluid": ([run(weight_before_kg=70, weight_after_kg=69, duration_min=45)], False, None),
    "implausible loss": (
        [run(weight_before_kg=70, weight_after_kg=50, fluid_ml=0, duration_min=45)],
        False,
        None,
    ),
    "fully logged": ([run(weight_before_kg=70, weight_after_kg=69, fluid_ml=0, duration_min=30)], False, 2.0),
}


@pytest.mark.parametrize(("entries", "thin", "rate"), HYDRATION_THIN.values(), ids=HYDRATION_THIN)
def test_thin_data_says_what_to_log(entries, thin, rate):
    plan = hydration_plan(entries)
    assert (plan.thin, plan.sweat_rate_l_per_h) == (thin, rate)
    if rate is None:
        assert "Log your weight before and after a run" in plan.thin_text
        assert "drink to thirst" in plan.during_text
        assert "without clothes" in plan.during_text and "towelled dry" in plan.during_text
    else:
        assert plan.thin_text == ""


def test_without_any_weight_the_before_text_gives_an_example():
    plan = hydration_plan([])
    assert plan.duration_min is None and plan.sweat_runs == 0
    assert "drink about 350–490 ml if you weigh 70 kg" in plan.before_text
    assert "Add your weight to your profile" in plan.before_text
    imperial = hydration_plan([], units=IMPERIAL)
    assert "if you weigh 150 lb" in imperial.before_text


HEAT = {
    "temperature and humidity": ({"temperature_c": 32, "humidity_pct": 60}, 37.1, "extreme_caution"),
    "temperature only": ({"temperature_c": 30}, 30.0, "caution"),
    "cool": ({"temperature_c": 12, "humidity_pct": 90}, 11.6, None),
    "danger": ({"temperature_c": 36, "humidity_pct": 60}, 48.1, "danger"),
    "extreme danger": ({"temperature_c": 38, "humidity_pct": 60}, 55.0, "extreme_danger"),
    "humidity only": ({"humidity_pct": 60}, None, None),
    "out of range": ({"temperature_c": 80, "humidity_pct": 60}, None, None),
}


@pytest.mark.parametrize(("kwargs", "index", "band"), HEAT.values(), ids=HEAT)
def test_heat_band_of_the_planned_run(kwargs, index, band):
    plan = hydration_plan(WEIGHED, **kwargs)
    assert (plan.heat_index_c, plan.heat_band) == (index, band)
    if band:
        # Plain words for how hot it is, never the NWS jargon of "bands".
        assert f"({HEAT_BAND_NAMES[band]})" in plan.during_text
        assert "band" not in plan.during_text
        where = "When it feels like" if "humidity_pct" in kwargs else "At 30 °C"
        assert where in plan.during_text
    else:
        assert "band" not in plan.during_text
    assert ("cooler time of day" in plan.during_text) == (band in ("danger", "extreme_danger"))


def test_odd_planned_figures_are_ignored():
    assert hydration_plan(WEIGHED, duration_min=0).duration_min == 55.0
    assert hydration_plan(WEIGHED, duration_min="90").duration_min == 90.0
    assert hydration_plan(WEIGHED, duration_min=True) == hydration_plan(WEIGHED)
    assert hydration_plan(WEIGHED, body_weight_kg=10) == hydration_plan(WEIGHED)
    assert hydration_plan(WEIGHED, units="imperial") == hydration_plan(WEIGHED)


def test_signs_to_watch():
    plan = hydration_plan([])
    signs = " ".join(plan.dehydration_signs).lower()
    for word in ("thirst", "dark urine", "5 or darker", "8-point", "dizziness", "tiredness"):
        assert word in signs
    signs = " ".join(plan.overdrinking_signs).lower()
    for word in ("weighing more", "headache", "nausea", "confusion", "swollen hands"):
        assert word in signs
    assert "emergency care" in plan.overdrinking_care and "no more water" in plan.overdrinking_care


def test_hydration_in_imperial_units():
    plan = hydration_plan(WEIGHED, duration_min=120, temperature_c=32, humidity_pct=60, units=IMPERIAL)
    texts = (plan.before_text, plan.during_text, plan.after_text)
    assert "drink 12–17 fl oz" in plan.before_text
    assert "32 fl oz an hour" in plan.during_text and "8 fl oz an hour" in plan.during_text
    assert "When it feels like 99 °F (hot for running)" in plan.during_text
    assert "23 fl oz per lb lost" in plan.after_text and "3.1 lb" in plan.after_text
    for text in texts:
        assert not re.search(r"\d\s*(ml|l|kg|°C)\b", text), text


# --- fuel_plans ------------------------------------------------------------------------------

FUEL_LOG = [
    run(run_type="long", duration_min=100),
    run(run_type="easy", duration_min=40),
    run(run_type="long", duration_min=110),
    run(run_type="race", duration_min=200),
    run(run_type="easy", duration_min=50),
    run(run_type="easy"),
    run(run_type="long", duration_min=130),
    run(run_type="jog", duration_min=10),  # not a run type: counts for no plan
    run(duration_min=20),
]


def test_one_plan_per_logged_run_type_in_run_types_order():
    plans = fuel_plans(FUEL_LOG)
    assert all(isinstance(plan, FuelPlan) for plan in plans)
    got = [(p.run_type, p.label, p.runs, p.typical_min, p.thin) for p in plans]
    assert got == [
        ("easy", "Easy run", 3, 45, False),
        ("long", "Long run", 3, 110, False),
        ("race", "Race", 1, 200, True),
    ]
    assert [plan.run_type for plan in plans] == [
        code for code in RUN_TYPES if code in ("easy", "long", "race")
    ]


def test_no_run_type_logged_gives_one_plan_for_any_run():
    (plan,) = fuel_plans([run(duration_min=30), run(duration_min=41), run(), "junk"])
    assert (plan.run_type, plan.label, plan.runs, plan.typical_min, plan.thin) == (
        None,
        "Any run",
        3,
        36,
        False,
    )
    (plan,) = fuel_plans([])
    assert (plan.runs, plan.typical_min, plan.thin) == (0, None, True)
    assert plan.during_text == FUEL_LADDER_TEXT
    assert "30–60 g" in plan.before_text and "1–4 g per kg of body weight" in plan.before_text


def test_before_the_run():
    easy, long, race = fuel_plans(FUEL_LOG, body_weight_kg=70)
    assert easy.before_text == (
        "Eat 30–60 g of carbohydrate about an hour before a 45-min easy run, for example a "
        "banana and a slice of toast."
    )
    # One figure for the runner's run: 2 g/kg for 90-150 min, 2-3 h before (Thomas et al. 2016).
    assert long.before_text.startswith("Before a 110-min long run, eat about 140 g of carbohydrate 2–3 hours")
    assert "Before a 200-min race, eat about 210 g of carbohydrate 3–4 hours" in race.before_text
    for plan in (easy, long, race):
        assert "–280 g" not in plan.before_text  # never the whole 1-4 g/kg range
    # Without a weight: one figure per kg for the run's length, as assess says it.
    _, long, _ = fuel_plans(FUEL_LOG)
    assert long.before_text.startswith("Before a 110-min long run, more helps: about 2 g per kg")
    assert "2–3 hours before the start" in long.before_text
    _, long, _ = fuel_plans(FUEL_LOG, units=IMPERIAL)
    assert "about 0.9 g per lb of body weight" in long.before_text
    # The weight logged before runs stands in for the profile's.
    _, long, _ = fuel_plans([*FUEL_LOG, run(weight_before_kg=60), run(weight_before_kg=64)])
    assert "eat about 125 g" in long.before_text


DURING = {
    30: NO_FUEL_TEXT,
    44: NO_FUEL_TEXT,
    45: MOUTH_RINSE_TEXT,
    75: MOUTH_RINSE_TEXT,
    76: MIDRUN_CARBS_TEXT,
    150: MIDRUN_CARBS_TEXT,
    151: HIGH_CARBS_TEXT,
}


@pytest.mark.parametrize(("minutes", "text"), DURING.items())
def test_during_the_run_by_length(minutes, text):
    (plan,) = fuel_plans([run(run_type="tempo", duration_min=minutes)])
    assert plan.during_text == text


def test_during_texts_quote_the_sources_figures():
    assert "45" in NO_FUEL_TEXT
    assert "45–75 min" in MOUTH_RINSE_TEXT and "rinse" in MOUTH_RINSE_TEXT
    assert "30–60 g of carbohydrate an hour" in MIDRUN_CARBS_TEXT
    assert "90 g" in HIGH_CARBS_TEXT and "glucose and fructose" in HIGH_CARBS_TEXT


def test_a_sentence_lives_in_one_place():
    """The page and assess share their sentences rather than rewording them."""
    fuel_text = assess({"twitching": True, "duration_min": 95}).plan.fuel_text
    (plan,) = fuel_plans([run(run_type="long", duration_min=95)])
    assert plan.during_text in fuel_text
    drink_text = assess({"twitching": True, "weight_before_kg": 70, "weight_after_kg": 69}).plan.drink_text
    assert "About 4 hours before your next run, drink 350–490 ml." in drink_text
    assert "drink 350–490 ml" in hydration_plan([run(weight_before_kg=70)]).before_text


def test_meal_text():
    (plan,) = fuel_plans([])
    assert plan.meal_text == TIPS["balanced_meal"].text
    assert "3 to 4 hours" in plan.meal_text and "fibre and fat low" in plan.meal_text
    (plan,) = fuel_plans([{"spicy_meal": True}])
    assert plan.meal_text == f"{TIPS['balanced_meal'].text} {TIPS['skip_spicy'].text}"
    assert "spicy" in plan.meal_text and "Evidence is limited" in plan.meal_text
    assert plan.evidence == "moderate"
    assert "Thomas" in plan.reference and "Jeukendrup" in plan.reference


# --- wording, determinism, robustness -------------------------------------------------------


def plan_texts(entries, units):
    routine = cooldown_routine(entries, units=units)
    yield from (routine.note, routine.caveat, routine.reference)
    for step in routine.steps:
        yield from (step.title, step.text)
    for duration in (None, 30, 95, 200):
        for weather in ({}, {"temperature_c": 33, "humidity_pct": 70}, {"temperature_c": 44}):
            plan = hydration_plan(entries, duration_min=duration, units=units, **weather)
            yield from (plan.before_text, plan.during_text, plan.after_text, plan.thin_text)
            yield from (*plan.dehydration_signs, *plan.overdrinking_signs, plan.overdrinking_care)
    for weight in (None, 65):
        for plan in fuel_plans(entries, body_weight_kg=weight, units=units):
            yield from (plan.label, plan.before_text, plan.during_text, plan.meal_text)


@pytest.fixture(scope="module")
def texts():
    entries = list(sweep(120))
    logs = (entries, entries[:2], [], [{"run_type": "easy", "duration_min": 20}])
    return [text for units in (METRIC, IMPERIAL) for log in logs for text in plan_texts(log, units)]


@pytest.mark.parametrize("rule", FORBIDDEN)
def test_plan_texts_keep_the_wording_rules(rule, texts):
    offending = sorted({text for text in texts if FORBIDDEN[rule].search(text)})
    assert not offending, f"{rule}: {offending[:5]}"


def test_plan_texts_are_plain(texts):
    for text in texts:
        assert text == text.strip() and "  " not in text
        assert "None" not in text and "nan" not in text.lower().split()
        assert len(text) < 600


@FUZZ
@given(
    entries=st.one_of(st.lists(odd_mappings, max_size=6), odd_values),
    figure=odd_values,
    top=odd_values,
    units=st.sampled_from([METRIC, IMPERIAL, None, "mi"]),
)
def test_plans_take_any_entries(entries, figure, top, units):
    routine = cooldown_routine(entries, units=units, top=top)
    assert len(routine.muscles) == len(routine.counts) == len(routine.steps) - 1
    plan = hydration_plan(
        entries,
        duration_min=figure,
        temperature_c=figure,
        humidity_pct=figure,
        body_weight_kg=figure,
        units=units,
    )
    assert plan.sweat_runs >= 0
    assert all(isinstance(text, str) for text in (plan.before_text, plan.during_text, plan.after_text))
    plans = fuel_plans(entries, body_weight_kg=figure, units=units)
    assert plans and all(plan.runs >= 0 for plan in plans)


@PROPERTY
@given(entries=st.lists(valid_checkins, max_size=8))
def test_plans_do_not_depend_on_the_order_of_entries(entries):
    backwards = list(reversed(entries))
    assert cooldown_routine(entries) == cooldown_routine(backwards)
    assert hydration_plan(entries, temperature_c=25) == hydration_plan(backwards, temperature_c=25)
    assert fuel_plans(entries, units=IMPERIAL) == fuel_plans(backwards, units=IMPERIAL)


def test_hostile_entries_do_not_raise():
    hostile = Hostile({"twitching": True, "muscles": ["calves"], "duration_min": 30})
    assert cooldown_routine([hostile] * 5).thin
    assert hydration_plan([hostile]).duration_min is None
    assert fuel_plans([hostile])[0].runs == 1
    assert cooldown_routine(broken_entries()).counts == (1, 0, 0)
    assert hydration_plan(broken_entries()).sweat_runs == 0
    assert fuel_plans(broken_entries())[0].label == "Any run"


@pytest.mark.parametrize(
    ("planned", "enough"),
    [
        ({"duration_min": 90, "temperature_c": 31, "humidity_pct": 55}, False),  # feels like 34 °C
        ({"duration_min": 90}, False),  # long: carry water
        ({"duration_min": 40, "temperature_c": 30}, False),  # short but hot
        ({"duration_min": 40, "temperature_c": 15}, True),
    ],
)
def test_drinking_to_thirst_is_enough_only_on_short_cool_runs(planned, enough):
    """A sweat rate weighed on one cool hour says no set amount is needed; a long or hot
    run still gets 'carry water', never 'drinking to thirst is enough'."""
    log = [
        {
            "date": dt.date(2025, 7, 1),
            "duration_min": 60,
            "weight_before_kg": 70,
            "weight_after_kg": 69.6,
            "fluid_ml": 0,
        }
    ]
    text = hydration_plan(log, body_weight_kg=70, **planned).during_text
    assert ("drinking to thirst is enough" in text) == enough
    assert ("carry water" in text) == (not enough)
    answers = {"twitching": True, "weight_before_kg": 70, "weight_after_kg": 69.8, "fluid_ml": 0, **planned}
    drink_text = assess(answers, body_weight_kg=70).plan.drink_text
    assert ("drinking to thirst is enough" in drink_text) == enough


def test_the_spicy_food_tip_only_for_runners_who_reported_spicy_food():
    (plan,) = fuel_plans([{"duration_min": 50}, {"duration_min": 40, "spicy_meal": False}])
    assert "spicy" not in plan.meal_text
    assert plan.meal_text.startswith("Have a proper meal 3 to 4 hours before")
    (plan,) = fuel_plans([{"duration_min": 50}, {"duration_min": 40, "spicy_meal": True}])
    assert "Leave out spicy food" in plan.meal_text
