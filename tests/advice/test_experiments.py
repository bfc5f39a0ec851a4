"""The experiments' engine: the list of changes, the plans' weeks and the result."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from scipy.stats import fisher_exact

from advice.experiments import (
    CHANGES,
    WEEKS_CHOICES,
    baseline_period,
    changes_for_tips,
    changes_for_trigger,
    experiment_result,
    last_planned_day,
    phase_on,
)
from advice.knowledge import TIPS, TRIGGERS
from advice.stats import ALPHA, MIN_RUNS_PER_SIDE

START = dt.date(2026, 3, 2)  # a Monday


def run(day_offset: int, *, twitching=None, intensity=None, kept=None) -> dict:
    entry: dict = {"date": START + dt.timedelta(days=day_offset)}
    if twitching is not None:
        entry["twitching"] = twitching
    if intensity is not None:
        entry["intensity"] = intensity
    if kept is not None:
        entry["experiment_kept"] = kept
    return entry


# --- The list --------------------------------------------------------------------------


def test_the_list_is_the_four_changes_of_the_issue():
    assert set(CHANGES) == {
        "electrolytes_long_runs",
        "cooldown_walk",
        "carbs_before",
        "rest_after_two_hard_days",
    }
    assert WEEKS_CHOICES == (2, 3, 4)


@pytest.mark.parametrize("change", CHANGES.values(), ids=lambda c: c.code)
def test_each_change_names_known_tips_and_triggers(change):
    assert change.tips and set(change.tips) <= set(TIPS)
    assert change.triggers and set(change.triggers) <= set(TRIGGERS)
    assert change.question.endswith("?") and change.usual_question.endswith("?")


MEDICINE_WORDS = re.compile(
    r"medic|drug|pill|tablet of|supplement|dose|dosage|mg\b|magnesium|potassium|stop taking", re.I
)


@pytest.mark.parametrize("change", CHANGES.values(), ids=lambda c: c.code)
def test_no_change_touches_a_medicine_or_a_supplement_dose(change):
    for text in (change.title, change.doing, change.question, change.usual_question):
        assert not MEDICINE_WORDS.search(text), text


def test_the_carbohydrate_change_is_worded_as_food():
    change = CHANGES["carbs_before"]
    assert "30 to 60 g" in change.doing and "eat" in change.doing.lower()
    assert "banana" in change.doing


def test_changes_are_found_from_patterns_and_tips():
    assert [c.code for c in changes_for_trigger("no_cooldown")] == ["cooldown_walk"]
    assert [c.code for c in changes_for_trigger("no_rest_day")] == ["rest_after_two_hard_days"]
    assert changes_for_trigger("spicy_meal") == ()
    assert [c.code for c in changes_for_tips(["carbs_before", "foam_roll"])] == ["carbs_before"]


# --- The weeks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "alternating", "on"),
    [
        (0, False, True),
        (13, False, True),
        (0, True, True),
        (6, True, True),
        (7, True, False),
        (13, True, False),
        (14, True, True),
        (21, True, False),
    ],
)
def test_alternating_plans_switch_every_week(offset, alternating, on):
    assert phase_on(START + dt.timedelta(days=offset), START, alternating) is on


def test_the_plans_days():
    assert last_planned_day(START, 2) == START + dt.timedelta(days=13)
    assert baseline_period(START, 3) == (START - dt.timedelta(days=21), START - dt.timedelta(days=1))


# --- The result ---------------------------------------------------------------------------


def result(entries, *, weeks=2, alternating=False, last_day=None):
    return experiment_result(
        entries,
        start=START,
        weeks=weeks,
        alternating=alternating,
        last_day=last_day or START + dt.timedelta(days=60),
    )


def test_no_runs_at_all_is_not_enough_to_tell():
    found = result([])
    assert found.verdict == "not_enough"
    assert found.headline.startswith("Not enough to tell")
    assert found.with_change.runs == found.without_change.runs == 0
    assert found.adherence == "No runs logged in the experiment yet."
    assert found.comparison.p_value is None


def test_all_runs_on_one_side_is_not_enough_to_tell():
    entries = [run(day, twitching=day % 2 == 0, kept=True) for day in range(14)]
    found = result(entries)
    assert (found.with_change.runs, found.without_change.runs) == (14, 0)
    assert found.verdict == "not_enough"


def test_a_few_runs_each_side_is_not_enough_to_tell():
    before = [run(-day, twitching=True) for day in range(1, MIN_RUNS_PER_SIDE)]  # one short
    during = [run(day, twitching=False) for day in range(10)]
    found = result(before + during)
    assert found.without_change.runs == MIN_RUNS_PER_SIDE - 1
    assert found.verdict == "not_enough"


def test_a_clear_drop_is_less_and_its_p_value_is_fishers():
    before = [run(-day, twitching=True, intensity=6) for day in range(1, 9)]  # 8 of 8 before
    during = [run(day, twitching=day == 3, intensity=2 if day == 3 else None, kept=True) for day in range(8)]
    found = result(before + during)
    assert (found.with_change.twitching, found.with_change.runs) == (1, 8)
    assert (found.without_change.twitching, found.without_change.runs) == (8, 8)
    expected = fisher_exact([[1, 7], [8, 0]], alternative="two-sided").pvalue
    assert found.comparison.p_value == pytest.approx(expected)
    assert expected < ALPHA and found.verdict == "less"
    assert "less often" in found.headline and "other things may explain it" in found.headline
    assert "causes" not in found.headline
    assert found.with_change.mean_intensity == 2 and found.without_change.mean_intensity == 6
    assert "6/10 on average" in found.without_change.sentence


def test_the_same_rate_is_no_clear_difference():
    before = [run(-day, twitching=day % 2 == 0) for day in range(1, 9)]
    during = [run(day, twitching=day % 2 == 0) for day in range(8)]
    found = result(before + during)
    assert found.verdict == "no_clear_difference"
    assert found.comparison.p_value > ALPHA
    assert "could well be chance" in found.headline


def test_no_twitching_at_all_and_twitching_after_every_run_are_no_clear_difference():
    for twitching in (False, True):
        entries = [run(day, twitching=twitching) for day in range(-10, 10)]
        assert result(entries).verdict == "no_clear_difference"


def test_alternating_compares_the_weeks_with_and_without_not_the_weeks_before():
    before = [run(-day, twitching=False) for day in range(1, 15)]  # never counted
    on = [run(day, twitching=False, kept=True) for day in (0, 2, 4, 5, 6, 14, 16)]
    off = [run(day, twitching=True, intensity=5, kept=day != 9) for day in (7, 8, 9, 11, 13, 21)]
    found = result(before + on + off, weeks=4, alternating=True)
    assert (found.with_change.twitching, found.with_change.runs) == (0, 7)
    assert (found.without_change.twitching, found.without_change.runs) == (6, 6)
    assert found.verdict == "less"
    assert "weeks without the change" in found.without_what
    assert (found.kept, found.answered, found.runs_in_plan) == (12, 13, 13)


def test_the_baseline_is_stated_with_its_dates():
    found = result([], weeks=2)
    assert found.without_what == "Without: your runs in the 2 weeks before you started (16 Feb to 1 Mar)."


def test_adherence_counts_only_what_the_runner_said():
    entries = [
        run(0, twitching=False, kept=True),
        run(1, twitching=True, kept=False),
        run(2, twitching=False),
    ]
    found = result(entries)
    assert (found.kept, found.answered, found.runs_in_plan) == (1, 2, 3)
    assert found.adherence == (
        "You kept to the plan on 1 of 2 runs you answered the question for (1 run without an answer)."
    )


def test_adherence_without_a_single_answer_says_it_is_not_known():
    found = result([run(0, twitching=False), run(1, twitching=True)])
    assert found.adherence == (
        "The question was not answered on any of the 2 runs so far, "
        "so how well you kept to the plan is not known."
    )


def test_a_running_view_stops_at_its_last_day_and_runs_without_the_question_are_left_out():
    entries = [run(0, twitching=True), run(1), run(5, twitching=False)]  # run(1): twitching not answered
    found = result(entries, last_day=START + dt.timedelta(days=2))
    assert found.with_change.runs == 1 and found.runs_in_plan == 2


def test_odd_entries_are_ignored_not_trusted():
    found = result(
        [None, "x", {"date": "nonsense", "twitching": True}, {"twitching": True}, run(0, twitching="yes")]
    )
    assert found.with_change.runs == 0 and found.verdict == "not_enough"


def test_the_weeks_before_start_after_an_earlier_experiments_last_day():
    """Runs made during an earlier experiment were made with its change: never "without"."""
    entries = [run(-12, twitching=True), run(-10, twitching=True), run(-3, twitching=False)]
    whole = result(entries, weeks=2)
    assert whole.without_change.runs == 3 and "2 weeks before you started" in whole.without_what
    not_before = START - dt.timedelta(days=5)  # an earlier experiment ended six days before
    clipped = experiment_result(
        entries, start=START, weeks=2, alternating=False, last_day=START, not_before=not_before
    )
    assert clipped.without_change.runs == 1 and clipped.without_change.twitching == 0
    assert "between your previous experiment and this one" in clipped.without_what
    none = experiment_result(
        entries, start=START, weeks=2, alternating=False, last_day=START, not_before=START
    )
    assert none.without_change.runs == 0 and "no days between" in none.without_what
