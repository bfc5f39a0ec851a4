"""assess(): every cause, tip and red flag is reached by a check-in, and not reached
when its conditions fail; ranking, ordering, reasons in the runner's units, the plan.
Pure Python, no database."""

import datetime as dt

import pytest

from advice import CAUSES, METRIC, RED_FLAGS, TIPS, assess
from tests.advice.helpers import IMPERIAL

DAY = dt.date(2025, 7, 1)


def checkin(**answers):
    """A twitching check-in with nothing else answered: no cause, tip or flag on its own."""
    return {"date": DAY, "twitching": True, "muscles": ["calves"], **answers}


def earlier(days_before, distance_km, **answers):
    return {"date": DAY - dt.timedelta(days=days_before), "distance_km": distance_km, **answers}


# A run log whose longest run in the 30 days before DAY is 10 km, with 20 km in the week before.
LOG = [earlier(days, 10) for days in (8, 10)] + [earlier(days, 5) for days in (15, 20)]
# Three twitching runs over more than two weeks: `persistent` for a fourth.
TWITCHY_LOG = [earlier(days, 8, twitching=True) for days in (20, 12, 5)]


def codes(items):
    return [item.code for item in items]


def test_a_bare_checkin_has_no_advice():
    result = assess(checkin())
    assert (result.causes, result.tips, result.red_flags) == ((), (), ())


# --- causes ---------------------------------------------------------------------------------

CAUSE_CASES = {
    "dehydration": (
        {"temperature_c": 31, "humidity_pct": 60, "duration_min": 85, "fluid_ml": 250},
        {"temperature_c": 15, "humidity_pct": 50, "duration_min": 85, "fluid_ml": 800},
    ),
    "electrolytes": (
        {"temperature_c": 30, "humidity_pct": 60, "duration_min": 100, "electrolytes_during": False},
        {"temperature_c": 30, "humidity_pct": 60, "duration_min": 100, "electrolytes_during": True},
    ),
    "fatigue": ({"effort": 9}, {"effort": 5}),
    "circulation": ({"cooldown": "none"}, {"cooldown": "walk_stretch"}),
    "blood_sugar": (
        {"carbs_before_g": 0, "duration_min": 90},
        {"carbs_before_g": 60, "duration_min": 90},
    ),
    "fueling": ({"spicy_meal": True}, {"spicy_meal": False}),
    "medication": ({"medications": ["diuretics"]}, {"medications": []}),
}


def test_the_cause_table_covers_every_cause():
    assert set(CAUSE_CASES) == set(CAUSES)


@pytest.mark.parametrize("code", CAUSE_CASES)
def test_cause_is_reached(code):
    reached, _ = CAUSE_CASES[code]
    cause = {c.code: c for c in assess(checkin(**reached)).causes}[code]
    assert 0 < cause.score <= 1 and cause.because
    assert (cause.title, cause.evidence, cause.reference) == (
        CAUSES[code].title,
        CAUSES[code].evidence,
        CAUSES[code].reference,
    )


@pytest.mark.parametrize("code", CAUSE_CASES)
def test_cause_is_not_reached_when_its_conditions_fail(code):
    _, not_reached = CAUSE_CASES[code]
    assert code not in codes(assess(checkin(**not_reached)).causes)


@pytest.mark.parametrize("code", CAUSE_CASES)
def test_no_cause_without_twitching_or_cramps(code):
    reached, _ = CAUSE_CASES[code]
    assert assess({**checkin(**reached), "twitching": False, "muscles": []}).causes == ()
    assert code in codes(assess({**checkin(**reached), "twitching": False, "cramps": True}).causes)


# --- tips -----------------------------------------------------------------------------------

TIP_CASES = {
    "see_doctor": ({"weakness": True}, {"weakness": False}),
    "rehydrate_after": ({"urine_color": 6}, {"urine_color": 2}),
    "watch_dehydration_signs": (
        {"symptoms": ["thirst"]},
        {"weight_before_kg": 70, "weight_after_kg": 68.4},
    ),
    "hydrate_before": ({"weight_before_kg": 70, "weight_after_kg": 68.4}, {"urine_color": 6}),
    "hydrate_during": ({"duration_min": 90, "fluid_ml": 100}, {"symptoms": ["thirst"]}),
    "electrolyte_foods": ({"cramps": True, "muscles": ["calves", "quads"]}, {"cramps": True}),
    "electrolyte_drink": ({"duration_min": 130}, {"cramps": True, "muscles": ["calves", "quads"]}),
    "rest_days": ({"days_since_rest": 7}, {"run_type": "tempo"}),
    "cross_training": ({"days_since_rest": 7}, {"effort": 9}),
    "gradual_progression": (
        {"distance_km": 12.4, "_history": LOG},
        {"distance_km": 10.5, "_history": LOG},
    ),
    "listen_to_body": ({"run_type": "tempo"}, {"cooldown": "none"}),
    "cooldown_walk": ({"cooldown": "none"}, {"cooldown": "walk"}),
    # An easy walk is easing down: no circulation signal, so no stretch tip from it.
    "cooldown_stretch": ({"cooldown": "none"}, {"cooldown": "walk"}),
    "carbs_before": (
        {"carbs_before_g": 10, "duration_min": 70},
        {"carbs_before_g": 10, "duration_min": 30, "effort": 4, "run_type": "easy"},
    ),
    "sports_drink_midrun": (
        {"carbs_before_g": 0, "duration_min": 90},
        {"carbs_before_g": 0, "duration_min": 65},
    ),
    "balanced_meal": ({"meal_before_h": 1}, {"meal_before_h": 3}),
    "skip_spicy": ({"spicy_meal": True}, {"spicy_meal": False}),
    "review_medication": ({"medication_changed": True}, {"medication_changed": False}),
    "stretch_cramp": ({"cramps": True}, {"cramps": False}),
    "foam_roll": ({"cramps": True}, {"cramps": False}),
    "trigger_release": ({"cramps": True}, {"cramps": False}),
    "cupping": ({"cramps": True}, {"cramps": False}),
    "avoid_overdrinking": (
        {"weight_before_kg": 70, "weight_after_kg": 70.5},
        {"weight_before_kg": 70, "weight_after_kg": 69.5},
    ),
}


def run(answers):
    answers = dict(answers)
    history = answers.pop("_history", None)
    return assess(checkin(**answers), history=history)


def test_the_tip_table_covers_every_tip():
    assert set(TIP_CASES) == set(TIPS)


@pytest.mark.parametrize("code", TIP_CASES)
def test_tip_is_reached(code):
    reached, _ = TIP_CASES[code]
    tips = {tip.code: tip for tip in run(reached).tips}
    assert tips[code] is TIPS[code]  # the one place its text lives


@pytest.mark.parametrize("code", TIP_CASES)
def test_tip_is_not_reached_when_its_conditions_fail(code):
    _, not_reached = TIP_CASES[code]
    assert code not in codes(run(not_reached).tips)


def test_tips_serve_only_causes_that_were_found():
    result = assess(checkin(cooldown="none", spicy_meal=True, effort=9, cramps=True))
    found = set(codes(result.causes))
    assert all(tip.cause is None or tip.cause in found for tip in result.tips)


def test_tips_are_ordered_by_when_then_cause_rank_without_duplicates():
    result = assess(
        checkin(
            cooldown="none",
            effort=9,
            days_since_rest=7,
            urine_color=7,
            spicy_meal=True,
            cramps=True,
            weakness=True,
        )
    )
    tips = result.tips
    assert tips[0].code == "see_doctor"
    assert len(set(codes(tips))) == len(tips)
    when_order = {"now": 0, "before_next_run": 1, "this_week": 2}
    rank = {cause.code: index for index, cause in enumerate(result.causes)}
    keys = [(when_order[tip.when], rank.get(tip.cause, len(rank))) for tip in tips[1:]]
    assert keys == sorted(keys)


# --- red flags ----------------------------------------------------------------------------------

FLAG_CASES = {
    "severe_cramps": (
        {"cramps": True, "symptoms": ["dizziness"]},
        {"cramps": True, "symptoms": ["thirst"]},
    ),
    "heat_illness": (
        {"temperature_c": 32, "humidity_pct": 50, "symptoms": ["confusion"]},
        {"temperature_c": 12, "humidity_pct": 50, "symptoms": ["confusion"]},
    ),
    "overhydration": (
        {"weight_before_kg": 70, "weight_after_kg": 70.6, "symptoms": ["headache"]},
        {"weight_before_kg": 70, "weight_after_kg": 69, "symptoms": ["headache"]},
    ),
    "muscle_breakdown": (
        {"symptoms": ["cola_urine", "severe_pain"]},
        {"symptoms": ["dark_urine", "severe_pain"]},
    ),
    "bleeding": (
        {"medications": ["blood_thinners"], "symptoms": ["bruising"]},
        {"medications": ["statins"], "symptoms": ["bruising"]},
    ),
    "persistent": (
        {"distance_km": 8, "_history": TWITCHY_LOG},
        {"distance_km": 8, "_history": TWITCHY_LOG[1:]},
    ),
    # Body regions, not muscles (evidence.md R1a): every leg muscle at once is one region.
    "widespread": (
        {"muscles": ["calves", "neck"]},
        {"muscles": ["calves", "shins", "feet", "quads", "hamstrings", "glutes", "hips"]},
    ),
    "collapse": (
        {"duration_min": 70, "symptoms": ["collapse"]},
        {"duration_min": 70, "symptoms": ["dizziness", "lightheaded"]},
    ),
    "weakness": ({"weakness": True}, {"weakness": True, "twitching": False, "muscles": []}),
    "sleep": ({"sleep_disrupted": True}, {"sleep_disrupted": True, "twitching": False, "muscles": []}),
}


def test_the_flag_table_covers_every_red_flag():
    assert set(FLAG_CASES) == set(RED_FLAGS)


@pytest.mark.parametrize("code", FLAG_CASES)
def test_red_flag_is_reached_with_see_doctor_first(code):
    reached, _ = FLAG_CASES[code]
    result = run(reached)
    flag = {flag.code: flag for flag in result.red_flags}[code]
    assert flag.because and all(isinstance(reason, str) for reason in flag.because)
    assert (flag.urgent, flag.title, flag.care) == (
        RED_FLAGS[code].urgent,
        RED_FLAGS[code].title,
        RED_FLAGS[code].care,
    )
    assert result.tips[0].code == "see_doctor"


@pytest.mark.parametrize("code", FLAG_CASES)
def test_red_flag_is_not_reached_when_its_conditions_fail(code):
    _, not_reached = FLAG_CASES[code]
    assert code not in codes(run(not_reached).red_flags)


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("severe_cramps", {"cramps": True, "urine_color": 8}),
        ("severe_cramps", {"cramps": True, "symptoms": ["vomiting", "confusion"]}),
        ("heat_illness", {"temperature_c": 29, "symptoms": ["collapse"]}),  # no humidity given
        ("overhydration", {"fluid_ml": 3500, "duration_min": 200, "symptoms": ["nausea"]}),
        ("overhydration", {"fluid_ml": 3500, "symptoms": ["confusion"]}),
        ("muscle_breakdown", {"symptoms": ["cola_urine"], "weakness": True}),
        ("muscle_breakdown", {"symptoms": ["cola_urine"]}),  # on its own (evidence.md R4)
        ("collapse", {"symptoms": ["confusion"]}),  # no weather, no duration
        ("collapse", {"temperature_c": 15, "humidity_pct": 50, "symptoms": ["confusion"]}),
        ("bleeding", {"medications": ["blood_thinners"], "symptoms": ["swelling"]}),
        ("widespread", {"muscles": ["calves", "face"]}),
        ("widespread", {"daily_life_disrupted": True}),
    ],
)
def test_red_flag_other_routes(code, answers):
    assert code in codes(run(answers).red_flags)


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("severe_cramps", {"cramps": False, "symptoms": ["dizziness", "vomiting"]}),
        ("heat_illness", {"temperature_c": 32, "humidity_pct": 50, "symptoms": ["headache"]}),
        ("overhydration", {"weight_before_kg": 70, "weight_after_kg": 70.6}),
        ("overhydration", {"fluid_ml": 500, "duration_min": 60, "symptoms": ["nausea"]}),
        ("overhydration", {"fluid_ml": 3500, "duration_min": 360, "symptoms": ["nausea"]}),
        ("bleeding", {"medications": ["blood_thinners"]}),
    ],
)
def test_red_flag_other_misses(code, answers):
    assert code not in codes(run(answers).red_flags)


def test_flags_are_checked_without_twitching_and_urgent_ones_come_first():
    answers = {
        "date": DAY,
        "twitching": False,
        "cramps": False,
        "weakness": True,
        "medications": ["blood_thinners"],
        "symptoms": ["swelling", "cola_urine"],
    }
    result = assess(answers)
    assert result.causes == ()
    assert codes(result.red_flags) == ["muscle_breakdown", "bleeding"]  # weakness needs twitching
    result = assess({**answers, "twitching": True})
    assert codes(result.red_flags) == ["muscle_breakdown", "bleeding", "weakness"]
    assert [flag.urgent for flag in result.red_flags] == [True, True, False]
    assert codes(result.tips)[0] == "see_doctor"


# --- ranking, reasons, metrics, plan ---------------------------------------------------------

HOT_RUN = checkin(
    distance_km=14,
    duration_min=85,
    effort=8,
    temperature_c=31,
    humidity_pct=60,
    fluid_ml=250,
    weight_before_kg=70,
    weight_after_kg=68.3,
    days_since_rest=6,
    cooldown="none",
    carbs_before_g=0,
)


def test_causes_are_ranked_by_score_then_code():
    causes = assess(HOT_RUN).causes
    keys = [(-cause.score, cause.code) for cause in causes]
    assert keys == sorted(keys)
    assert causes[0].code == "dehydration"
    assert all(cause.score == round(cause.score, 2) for cause in causes)


def test_equal_scores_rank_by_code():
    causes = assess(checkin(spicy_meal=True, medications=["stimulants"])).causes
    assert [(c.code, c.score) for c in causes] == [("fueling", 0.25), ("medication", 0.25)]


def test_scores_are_capped_at_one():
    answers = {**HOT_RUN, "urine_color": 8, "symptoms": ["thirst", "dark_urine", "dizziness"]}
    assert assess(answers).causes[0].score == 1.0


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (
            METRIC,
            [
                "85 min at 31 °C and 60% humidity (feels like 35 °C), with 250 ml drunk",
                "lost 2.4% of body weight (1.7 kg)",
                "6 days in a row without a rest day",
                "no carbohydrate before an 85-min run",
                "you stopped straight after a hard effort (8 of 10)",
            ],
        ),
        (
            IMPERIAL,
            [
                "85 min at 88 °F and 60% humidity (feels like 95 °F), with 8 fl oz drunk",
                "lost 2.4% of body weight (3.7 lb)",
                "6 days in a row without a rest day",
            ],
        ),
    ],
)
def test_reasons_quote_the_runners_figures_in_their_units(units, expected):
    reasons = [reason for cause in assess(HOT_RUN, units=units).causes for reason in cause.because]
    for text in expected:
        assert text in reasons


def test_reasons_without_humidity_quote_the_air_temperature():
    because = assess(checkin(temperature_c=31, duration_min=85, fluid_ml=250)).causes[0].because
    assert because[0] == "85 min at 31 °C, with 250 ml drunk"


@pytest.mark.parametrize(
    ("units", "spike", "jump"),
    [
        (
            METRIC,
            "this run was 40% longer than your longest in the previous 30 days (10 km)",
            "14 km in the last 7 days, 40% more than the week before (10 km)",
        ),
        (
            IMPERIAL,
            "this run was 40% longer than your longest in the previous 30 days (6.2 mi)",
            "8.7 mi in the last 7 days, 40% more than the week before (6.2 mi)",
        ),
    ],
)
def test_training_load_from_the_history(units, spike, jump):
    history = [
        earlier(8, 10),
        earlier(20, 6),
        earlier(0, 50),  # same day: ignored
        earlier(-3, 60),  # later: ignored
        earlier(40, 30),  # before the 30 days: ignored
        {"distance_km": 99},  # no date: ignored
        "not a mapping",
    ]
    fatigue = {c.code: c for c in assess(checkin(distance_km=14), history=history, units=units).causes}
    assert spike in fatigue["fatigue"].because
    assert jump in fatigue["fatigue"].because


def test_no_training_load_signal_without_a_spike():
    result = assess(checkin(distance_km=10.9), history=[earlier(8, 10), earlier(3, 0.5), earlier(10, 9.5)])
    assert result.causes == ()


def test_medication_reasons_are_honest_about_blood_thinners():
    cause = assess(checkin(medications=["blood_thinners", "statins"])).causes[0]
    assert cause.because == (
        "you take a blood thinner: the article names them, standard cramp lists do not",
        "you take a statin, one of the medicines linked to cramps",
    )
    alone = assess(checkin(medications=["blood_thinners"])).causes[0].score
    assert alone < assess(checkin(medications=["statins"])).causes[0].score


def test_metrics():
    metrics = assess({**HOT_RUN, "weight_after_kg": 68.4, "fluid_ml": 500, "duration_min": 90}).metrics
    assert metrics.heat_index_c == pytest.approx(34.8, abs=0.1)
    assert metrics.heat_band == "extreme_caution"
    assert metrics.body_mass_change_pct == -2.3
    assert metrics.sweat_rate_l_per_h == 1.4
    assert metrics.replace_ml == 2400
    assert metrics.load == 720


def test_metrics_are_none_when_not_computable():
    metrics = assess(checkin(temperature_c=30)).metrics
    assert metrics == (None, None, None, None, None, None)


def test_plan_after_weighing():
    plan = assess(HOT_RUN).plan
    assert plan.rehydrate_ml == 2550  # 1.7 kg x 1.5 l
    assert "sip about 2.5 l in all" in plan.rehydrate_text
    assert plan.prehydrate_ml == (350, 490)
    assert "drink 350–490 ml" in plan.drink_text
    # One figure for an 85-min run: 1 g/kg, 1-2 h before (Thomas et al. 2016).
    assert plan.carbs_before_g == (70, 70)
    assert plan.carbs_before_min == (60, 120)
    assert "eat about 70 g of carbohydrate 1–2 hours before" in plan.fuel_text


def test_plan_in_imperial_units():
    plan = assess(HOT_RUN, units=IMPERIAL).plan
    assert "86 fl oz" in plan.rehydrate_text and "3.7 lb" in plan.rehydrate_text
    assert "23 fl oz per lb" in plan.rehydrate_text


def test_plan_uses_the_profile_weight():
    plan = assess(checkin(duration_min=90), body_weight_kg=60).plan
    assert plan.carbs_before_g == (60, 60)
    assert plan.prehydrate_ml == (300, 420)


def test_plan_estimates_without_scales():
    plan = assess(checkin(duration_min=60, temperature_c=31, humidity_pct=60, fluid_ml=200)).plan
    # extreme caution: about 1 l/h sweated, 200 ml drunk -> 1.5 x 800 ml
    assert plan.rehydrate_ml == 1200
    assert "rough estimate" in plan.rehydrate_text


def test_plan_with_a_weight_gain_says_drink_to_thirst():
    plan = assess(checkin(weight_before_kg=70, weight_after_kg=70.4)).plan
    assert plan.rehydrate_ml is None
    assert "only to thirst" in plan.rehydrate_text


def test_plan_for_a_short_run_follows_the_article():
    plan = assess(checkin(duration_min=40)).plan
    assert (plan.carbs_before_g, plan.carbs_before_min) == ((30, 60), (45, 75))
    # The carbs_before tip already says the article's 30-60 g: the plan does not repeat it.
    assert plan.fuel_text == ""
    assert "30 to 60 g" in TIPS["carbs_before"].text


def test_cooldown_for_the_muscles_that_twitched_running_muscles_first():
    plan = assess(checkin(muscles=["face", "quads", "calves"])).plan
    assert plan.cooldown_muscles == ("calves", "quads", "face")
    # Stretches for now; easing down is advice for the next run (cooldown_walk).
    assert plan.cooldown_steps[0] == "Calves: wall calf stretch, 2×30 s each leg"
    assert len(plan.cooldown_steps) == 3
    assert not any(step.startswith("Jog or walk") for step in plan.cooldown_steps)


def test_no_twitching_no_cooldown_muscles():
    plan = assess({"twitching": False, "muscles": ["calves"]}).plan
    assert plan.cooldown_muscles == ()
    assert len(plan.cooldown_steps) == 1


def test_twitching_is_reported_as_answered():
    assert assess({"twitching": True}).twitching is True
    assert assess({"twitching": False}).twitching is False
    assert assess({}).twitching is None
    assert assess({"twitching": "yes"}).twitching is None


def test_bad_units_fall_back_to_metric():
    assert assess(HOT_RUN, units="imperial") == assess(HOT_RUN)


def test_history_may_be_a_generator():
    history = (entry for entry in TWITCHY_LOG)
    assert "persistent" in codes(assess(checkin(distance_km=8), history=history).red_flags)


def test_heat_beyond_the_nws_chart_is_quoted_as_above_it():
    because = assess(checkin(temperature_c=44, humidity_pct=90, duration_min=30)).causes[0].because
    assert because[0] == "30 min at 44 °C and 90% humidity (feels like more than 58 °C)"


def test_nothing_drunk_is_said_in_words():
    reasons = assess(checkin(temperature_c=31, duration_min=70, fluid_ml=0)).causes[0].because
    assert reasons[0] == "70 min at 31 °C, with nothing to drink"
    reasons = assess(checkin(duration_min=70, fluid_ml=0)).causes[0].because
    assert reasons == ("nothing to drink in 70 min",)


def test_drinking_advice_never_exceeds_a_litre_an_hour():
    plan = assess(checkin(weight_before_kg=70, weight_after_kg=67, fluid_ml=500, duration_min=60)).plan
    assert plan.drink_during_ml_per_h == 1000
    assert "1 l an hour, to thirst" in plan.drink_text
