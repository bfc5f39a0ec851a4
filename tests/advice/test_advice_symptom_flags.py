"""Every symptom code of domain.md, and the red flags it raises alone and in the
combinations evidence.md names (part B). A symptom that raises nothing alone is a
deliberate choice, said beside it. Pure Python, no database."""

import datetime as dt

import pytest

from advice import RED_FLAGS, SYMPTOMS, assess

DAY = dt.date(2025, 7, 1)

# symptom -> the flags it raises on its own, after a mild run (15 °C, 70 min), with or
# without twitching. Why those that raise nothing do not:
SYMPTOM_ALONE = {
    # Signs of running dry (evidence.md A5, A6): they weigh toward the dehydration cause.
    # Dark urine is the chart's dark yellow; cola-brown is its own code (R4).
    "thirst": set(),
    "dark_urine": set(),
    # Common after a hard run and usually passes with rest and a drink; urgent with
    # cramps (R3). Collapse or confusion, its serious forms, have their own codes.
    "dizziness": set(),
    "lightheaded": set(),
    # Overuse and low-fuel signs (A11, A21): causes to explain, not emergencies.
    "fatigue": set(),
    "shaky": set(),
    "hungry": set(),
    # Urgent with cramps (R3) or with a weight gain or heavy drinking (R6); alone they
    # are common after hard efforts and point to no one condition.
    "headache": set(),
    "nausea": set(),
    "vomiting": set(),
    # R3b: after any run, whatever the weather or the twitching.
    "confusion": {"collapse"},
    "collapse": {"collapse"},
    # R4: cola-brown urine on its own needs care the same day.
    "cola_urine": {"muscle_breakdown"},
    # R4 names pain, swelling and weakness *with* cola-brown urine; alone, after a run,
    # they are most often soreness or a strain. Swelling and bruising are urgent on a
    # blood thinner (R8).
    "severe_pain": set(),
    "swelling": set(),
    "bruising": set(),
}

MILD_RUN = {"date": DAY, "duration_min": 70, "temperature_c": 15, "humidity_pct": 50}
HOT_RUN = {"date": DAY, "duration_min": 70, "temperature_c": 31, "humidity_pct": 60}


def flag_codes(answers):
    return {flag.code for flag in assess(answers).red_flags}


def test_the_table_covers_every_symptom_code():
    assert set(SYMPTOM_ALONE) == set(SYMPTOMS)


@pytest.mark.parametrize("symptom", SYMPTOMS)
@pytest.mark.parametrize(
    "twitch",
    [{}, {"twitching": False}, {"twitching": True, "muscles": ["calves"]}],
    ids=["twitching unanswered", "no twitching", "twitching"],
)
def test_each_symptom_alone(symptom, twitch):
    assert flag_codes({**MILD_RUN, **twitch, "symptoms": [symptom]}) == SYMPTOM_ALONE[symptom]


@pytest.mark.parametrize("symptom", ["collapse", "confusion"])
def test_collapse_or_confusion_on_a_hot_run_is_heat_illness(symptom):
    """R5: cool first. On a hot run the heat-illness flag takes the place of collapse."""
    assert flag_codes({**HOT_RUN, "symptoms": [symptom]}) == {"heat_illness"}
    # Hot without humidity: the air temperature alone (27 °C, about the caution band).
    assert flag_codes({"temperature_c": 29, "symptoms": [symptom]}) == {"heat_illness"}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # R3: cramps with dizziness, collapse, nausea/vomiting, dark urine or confusion.
        ({"cramps": True, "symptoms": ["dizziness"]}, {"severe_cramps"}),
        ({"cramps": True, "symptoms": ["nausea"]}, {"severe_cramps"}),
        ({"cramps": True, "symptoms": ["vomiting"]}, {"severe_cramps"}),
        ({"cramps": True, "symptoms": ["dark_urine"]}, {"severe_cramps"}),
        ({"cramps": True, "urine_color": 7}, {"severe_cramps"}),
        ({"cramps": True, "symptoms": ["collapse"]}, {"severe_cramps", "collapse"}),
        ({"cramps": True, "symptoms": ["confusion"]}, {"severe_cramps", "collapse"}),
        ({"cramps": True, "symptoms": ["thirst", "hungry"]}, set()),
        # R4: cola-brown urine with pain, swelling or weakness: one flag, its reasons named.
        ({"symptoms": ["cola_urine", "severe_pain"]}, {"muscle_breakdown"}),
        ({"symptoms": ["cola_urine", "swelling"]}, {"muscle_breakdown"}),
        ({"symptoms": ["cola_urine"], "weakness": True}, {"muscle_breakdown"}),
        ({"symptoms": ["severe_pain", "swelling"]}, set()),
        # R6: headache, nausea, vomiting or confusion with a weight gain or heavy drinking.
        ({"weight_before_kg": 70, "weight_after_kg": 70.5, "symptoms": ["headache"]}, {"overhydration"}),
        ({"weight_before_kg": 70, "weight_after_kg": 70.5, "symptoms": ["vomiting"]}, {"overhydration"}),
        ({"fluid_ml": 2500, "symptoms": ["nausea"]}, {"overhydration"}),  # 2.1 l an hour
        (
            {"weight_before_kg": 70, "weight_after_kg": 70.5, "symptoms": ["confusion"]},
            {"overhydration", "collapse"},
        ),
        ({"weight_before_kg": 70, "weight_after_kg": 70.5}, set()),  # no sign: the tip, not a flag
        # R8: on a blood thinner, swelling or bruising in a muscle.
        ({"medications": ["blood_thinners"], "symptoms": ["swelling"]}, {"bleeding"}),
        ({"medications": ["blood_thinners"], "symptoms": ["bruising"]}, {"bleeding"}),
        ({"medications": ["blood_thinners"], "symptoms": ["severe_pain"]}, set()),
        ({"medications": ["statins"], "symptoms": ["bruising"]}, set()),
    ],
)
def test_combinations_evidence_names(answers, expected):
    assert flag_codes({**MILD_RUN, **answers}) == expected


def test_the_issue_case_collapse_cola_urine_and_confusion_after_a_cool_run():
    """70 min, no temperature entered, no twitching answer: two urgent flags, and no
    other advice beside them."""
    for extra in ({}, {"temperature_c": 15}, {"twitching": False}):
        result = assess({"duration_min": 70, "symptoms": ["collapse", "cola_urine", "confusion"], **extra})
        assert [flag.code for flag in result.red_flags] == ["collapse", "muscle_breakdown"]
        assert result.urgent
        assert [tip.code for tip in result.tips] == ["see_doctor"]
    (reason,) = (
        assess({"duration_min": 70, "temperature_c": 15, "symptoms": ["collapse"]}).red_flags[0].because
    )
    assert reason == "collapse or fainting after a run of 70 min at 15 °C"


def test_an_urgent_flag_leaves_no_other_tip_and_keeps_other_flags_after_it():
    """Red flags override all other advice (evidence.md C): an overhydrated runner is never
    told to rehydrate; non-urgent flags stay in the list, after the urgent ones."""
    answers = {
        **MILD_RUN,
        "twitching": True,
        "muscles": ["calves"],
        "weakness": True,
        "cooldown": "none",
        "weight_before_kg": 70,
        "weight_after_kg": 70.6,
        "symptoms": ["headache", "thirst"],
    }
    result = assess(answers)
    assert [flag.code for flag in result.red_flags] == ["overhydration", "weakness"]
    assert [flag.code for flag in result.urgent_flags] == ["overhydration"]
    assert [tip.code for tip in result.tips] == ["see_doctor"]
    # Without the urgent sign the same answers get their tips again.
    calm = assess({**answers, "symptoms": ["thirst"]})
    assert not calm.urgent
    assert len(calm.tips) > 1 and calm.tips[0].code == "see_doctor"


@pytest.mark.parametrize("code", [code for code, info in RED_FLAGS.items() if info.urgent])
def test_every_urgent_flag_is_reached_from_symptoms_alone_without_twitching(code):
    """Urgent flags never wait for twitching to be answered."""
    routes = {
        "severe_cramps": {"cramps": True, "symptoms": ["vomiting"]},
        "heat_illness": {**HOT_RUN, "symptoms": ["collapse"]},
        "collapse": {"symptoms": ["collapse"]},
        "overhydration": {"fluid_ml": 3500, "symptoms": ["confusion"]},
        "muscle_breakdown": {"symptoms": ["cola_urine"]},
        "bleeding": {"medications": ["blood_thinners"], "symptoms": ["bruising"]},
    }
    assert code in flag_codes({"twitching": False, **routes[code]})
