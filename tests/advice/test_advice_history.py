"""scan_history, trigger_counts and the training-load helpers, on hand-built histories.
Pure Python, no database."""

import datetime as dt
import random

import pytest

from advice import RED_FLAGS, TRIGGERS, longest_run_spike, scan_history, trigger_counts, weekly_distance_jump

TODAY = dt.date(2025, 7, 31)


def day(days_ago):
    return TODAY - dt.timedelta(days=days_ago)


def twitch(days_ago, **answers):
    return {"date": day(days_ago), "twitching": True, "muscles": ["calves"], **answers}


def calm(days_ago, **answers):
    return {"date": day(days_ago), "twitching": False, **answers}


def flags_by_code(entries, **kwargs):
    return {flag.code: flag for flag in scan_history(entries, **kwargs)}


# --- persistent ---------------------------------------------------------------------------------


def test_persistent_twitching_over_more_than_two_weeks():
    entries = [twitch(0), calm(3), twitch(8), twitch(16)]
    flag = flags_by_code(entries)["persistent"]
    assert flag.because == ("twitching after 3 runs between 15 Jul and 31 Jul, over 16 days",)
    assert flag.dates == (day(0), day(8), day(16))  # newest first
    assert (flag.title, flag.care, flag.urgent) == (
        RED_FLAGS["persistent"].title,
        RED_FLAGS["persistent"].care,
        False,
    )


@pytest.mark.parametrize(
    "entries",
    [
        [twitch(0), twitch(7), twitch(14)],  # exactly two weeks: not more than two
        [twitch(0), twitch(20)],  # only two twitching check-ins
        [twitch(0), calm(8), twitch(20)],
        [twitch(15), twitch(22), twitch(27), calm(0)],  # stopped more than two weeks ago
        [twitch(0), twitch(10), twitch(30)],  # the oldest is outside the last 28 days
    ],
)
def test_not_persistent(entries):
    assert "persistent" not in flags_by_code(entries)


def test_persistent_says_so_when_the_tips_were_followed():
    followed = {"cooldown": "walk_stretch", "rehydrated": True, "carbs_before_g": 40}
    entries = [twitch(0, **followed), twitch(8, **followed), twitch(16, cooldown="none")]
    because = flags_by_code(entries)["persistent"].because
    assert because[1] == "it came back even on 2 runs where you eased down, drank and ate beforehand"


# --- widespread -------------------------------------------------------------------------------


def test_widespread_outside_the_legs_on_two_checkins_within_30_days():
    """evidence.md R1a: across the history, twitching outside the legs on two or more
    check-ins within 30 days."""
    entries = [twitch(29, muscles=["calves", "neck"]), twitch(10), twitch(2, muscles=["arms"])]
    flag = flags_by_code(entries)["widespread"]
    assert flag.because == (
        "twitching outside the legs (arms and neck) after 2 runs in 30 days: 29 Jul and 2 Jul",
    )
    assert flag.dates == (day(2), day(29))
    assert (flag.title, flag.care, flag.urgent) == (
        RED_FLAGS["widespread"].title,
        RED_FLAGS["widespread"].care,
        False,
    )


def test_widespread_lists_three_dates_at_most():
    entries = [twitch(days, muscles=["face"]) for days in (1, 3, 5, 7, 9)]
    (reason,) = flags_by_code(entries)["widespread"].because
    assert reason.endswith("after 5 runs in 30 days: 30 Jul, 28 Jul and 26 Jul and earlier")
    assert len(flags_by_code(entries)["widespread"].dates) == 5


@pytest.mark.parametrize(
    "entries",
    [
        # Every leg muscle, run after run, is one region: expected after running, never widespread.
        [
            twitch(days, muscles=["calves", "shins", "feet", "quads", "hamstrings", "glutes", "hips"])
            for days in range(20)
        ],
        [twitch(1, muscles=["calves", "face"])],  # two regions once: assess's flag, not the history's
        [twitch(1, muscles=["neck"]), twitch(31, muscles=["neck"])],  # 30 days apart
        [twitch(1, muscles=["neck"]), calm(3, muscles=["face"])],  # the second did not twitch
        [twitch(40, muscles=["arms", "face", "neck"]), twitch(35, muscles=["arms"]), twitch(1)],  # long ago
    ],
)
def test_not_widespread(entries):
    assert "widespread" not in flags_by_code(entries)


# --- sleep --------------------------------------------------------------------------------------


def test_sleep_disturbed_again_and_again():
    entries = [twitch(1, sleep_disrupted=True), twitch(9, sleep_disrupted=True), twitch(5)]
    flag = flags_by_code(entries)["sleep"]
    assert flag.because == ("twitching disturbed your sleep after 2 runs in the last 14 days",)
    assert flag.dates == (day(1), day(9))


@pytest.mark.parametrize(
    "entries",
    [
        [twitch(1, sleep_disrupted=True)],
        [twitch(1, sleep_disrupted=True), twitch(20, sleep_disrupted=True)],
        [twitch(1, sleep_disrupted=True), calm(3, sleep_disrupted=True)],
    ],
)
def test_not_sleep(entries):
    assert "sleep" not in flags_by_code(entries)


# --- the history itself ----------------------------------------------------------------------------


def test_order_dates_and_odd_entries_do_not_matter():
    entries = [twitch(0), twitch(8), twitch(16, muscles=["calves", "face"]), twitch(3, sleep_disrupted=True)]
    entries.append(twitch(2, sleep_disrupted=True, muscles=["neck"]))
    expected = scan_history(entries)
    assert [flag.code for flag in expected] == ["persistent", "widespread", "sleep"]
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    as_strings = [{**entry, "date": entry["date"].isoformat()} for entry in shuffled]
    noise = [None, 5, "x", {"twitching": True}, {"date": "someday", "twitching": True}, {"date": None}]
    assert scan_history(as_strings + noise) == expected


def test_today_sets_the_window():
    entries = [twitch(0), twitch(8), twitch(16)]
    assert "persistent" in flags_by_code(entries, today=TODAY)
    assert "persistent" not in flags_by_code(entries, today=day(-30))
    assert "persistent" not in flags_by_code(entries, today=day(2))  # the newest is after today
    assert flags_by_code(entries, today="not a date") == flags_by_code(entries)


@pytest.mark.parametrize("entries", [None, [], 3, "abc", {"date": TODAY}, [None, 1, "x"]])
def test_nothing_to_scan(entries):
    assert scan_history(entries) == ()
    assert all(count.with_runs == count.without_runs == 0 for count in trigger_counts(entries))


# --- trigger_counts -------------------------------------------------------------------------------


def test_trigger_counts_exact():
    entries = [
        # date, twitching and the triggers' keys; a missing key cannot be judged
        {"date": day(9), "twitching": True, "cooldown": "none", "temperature_c": 31, "humidity_pct": 60},
        {"date": day(8), "twitching": True, "cooldown": "none", "spicy_meal": True, "days_since_rest": 7},
        {"date": day(7), "twitching": False, "cooldown": "walk", "temperature_c": 12, "humidity_pct": 60},
        {"date": day(6), "twitching": False, "cooldown": "walk_stretch", "carbs_before_g": 50},
        {"date": day(5), "twitching": True, "duration_min": 90, "fluid_ml": 200, "carbs_before_g": 0},
        {"date": day(4), "twitching": False, "duration_min": 60, "fluid_ml": 500, "spicy_meal": False},
        {"date": day(3), "twitching": True, "duration_min": 30, "fluid_ml": 0, "days_since_rest": 2},
        {"date": day(2), "cooldown": "none"},  # twitching not answered: never counted
        {"date": day(1), "twitching": "yes", "cooldown": "none"},  # not a yes/no: never counted
    ]
    counts = {count.code: count for count in trigger_counts(entries)}
    assert list(counts) == list(TRIGGERS)

    def row(code):
        count = counts[code]
        return count.with_runs, count.with_twitch, count.without_runs, count.without_twitch

    assert row("no_cooldown") == (2, 2, 2, 0)
    assert row("hot_humid") == (1, 1, 1, 0)
    assert row("little_fluid") == (1, 1, 1, 0)  # the 30-min run cannot be judged
    assert row("no_carbs") == (1, 1, 1, 0)
    assert row("spicy_meal") == (1, 1, 1, 0)
    assert row("no_rest_day") == (1, 1, 1, 1)
    assert row("long_run_spike") == (0, 0, 0, 0)  # no distances
    assert all(count.too_few for count in counts.values())
    assert counts["no_cooldown"].label == TRIGGERS["no_cooldown"].label


def test_long_run_spike_counts_against_the_30_days_before():
    entries = [
        {"date": day(41), "distance_km": 30, "twitching": False},  # too long ago to count
        {"date": day(20), "distance_km": 10},  # twitching not answered, but its distance counts
        {"date": day(10), "distance_km": 10.5, "twitching": False},  # +5%: no spike
        {"date": day(5), "distance_km": 12, "twitching": True},  # +14%: spike
        {"date": day(5), "distance_km": 5, "twitching": False},  # same day: compared with day 10
        {"date": day(1), "distance_km": 20, "twitching": True},  # +67%: spike
        {"date": day(0), "distance_km": 8, "twitching": True},
    ]
    count = {c.code: c for c in trigger_counts(entries)}["long_run_spike"]
    assert (count.with_runs, count.with_twitch, count.without_runs, count.without_twitch) == (2, 2, 3, 1)


def test_too_few_needs_five_runs_on_each_side():
    entries = [{"date": day(n), "twitching": n % 2 == 0, "spicy_meal": n < 5} for n in range(10)]
    count = {c.code: c for c in trigger_counts(entries)}["spicy_meal"]
    assert (count.with_runs, count.without_runs, count.too_few) == (5, 5, False)
    assert {c.code: c for c in trigger_counts(entries[:9])}["spicy_meal"].too_few


def test_trigger_counts_take_odd_values_like_clean_does():
    entries = [
        {"twitching": True, "temperature_c": "31", "humidity_pct": 60.0, "cooldown": "none"},
        {"twitching": False, "temperature_c": float("nan"), "humidity_pct": 60, "cooldown": ["none"]},
        {"twitching": True, "carbs_before_g": 10.0, "days_since_rest": True, "fluid_ml": -1},
    ]
    counts = {count.code: count for count in trigger_counts(entries)}
    assert counts["hot_humid"].with_runs == 1 and counts["hot_humid"].without_runs == 0
    assert counts["no_cooldown"].with_runs == 1 and counts["no_cooldown"].without_runs == 0
    assert counts["no_carbs"].with_runs == 1
    assert counts["no_rest_day"].with_runs == counts["no_rest_day"].without_runs == 0


# --- training-load helpers --------------------------------------------------------------------------


def test_longest_run_spike():
    runs = [(day(40), 30.0), (day(20), 10.0), (day(5), 8.0), (day(0), 50.0), (day(-1), 99.0)]
    pct, longest = longest_run_spike(12.0, TODAY, runs)
    assert (pct, longest) == (pytest.approx(20.0), 10.0)
    assert longest_run_spike(12.0, TODAY, [(day(31), 5.0)]) is None


def test_weekly_distance_jump():
    runs = [(day(1), 10.0), (day(6), 5.0), (day(7), 10.0), (day(13), 10.0), (day(14), 99.0)]
    this_week, last_week, pct = weekly_distance_jump(10.0, TODAY, runs)
    assert (this_week, last_week) == (25.0, 20.0)
    assert pct == pytest.approx(25.0)
    assert weekly_distance_jump(10.0, TODAY, [(day(1), 10.0)]) is None
