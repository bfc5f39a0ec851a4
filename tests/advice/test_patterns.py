"""The history's honest patterns (advice.patterns) on hand-built logs: the edge cases,
the words, Holm across triggers, triggers that move together, the weekly jump.
Pure Python, no database."""

import datetime as dt
import re

import pytest
from scipy import stats as scipy_stats

from advice import TRIGGERS, honest_patterns, trigger_counts
from advice.patterns import method_text, one_time_in
from advice.stats import MIN_RUNS_PER_SIDE

from .helpers import CAUSE_WORDS, FORBIDDEN

START = dt.date(2026, 3, 2)


def log(*runs):
    """Check-ins two days apart (no streaks, no weekly sums unless distances are given)."""
    return [{"date": START + dt.timedelta(days=2 * n), **answers} for n, answers in enumerate(runs)]


def hot(twitching, **more):
    return {"temperature_c": 32, "humidity_pct": 60, "twitching": twitching, **more}


def cool(twitching, **more):
    return {"temperature_c": 10, "humidity_pct": 60, "twitching": twitching, **more}


def by_code(patterns):
    return {p.code: p for p in (*patterns.compared, *patterns.too_few)}


def every_text(patterns):
    yield patterns.caution
    yield patterns.method
    yield patterns.too_few_text
    yield patterns.none_stands_out
    for p in (*patterns.compared, *patterns.too_few):
        yield from (p.label, p.headline, p.counts, p.verdict, p.caveat, *p.together)


# --- edge cases ---------------------------------------------------------------------------


def test_an_empty_log_shows_nothing_and_says_nothing_is_too_few():
    patterns = honest_patterns([])
    assert (patterns.compared, patterns.too_few, patterns.tested, patterns.too_few_text) == ((), (), 0, "")
    assert not patterns.shown
    assert honest_patterns(None) == patterns


def test_one_run_is_too_few_once_for_every_trigger():
    patterns = honest_patterns(log(hot(True, cooldown="none")))
    assert not patterns.compared
    assert {p.code for p in patterns.too_few} == {"hot_humid", "no_cooldown"}
    assert patterns.too_few_text.startswith("Too few runs to tell yet")
    assert all(p.verdict == "" and not p.stands_out for p in patterns.too_few)
    assert by_code(patterns)["hot_humid"].counts == (
        "Twitching after 1 of 1 run in warm or humid weather; every run so far was like that."
    )


def test_all_runs_on_one_side_cannot_be_compared():
    patterns = honest_patterns(log(*[hot(n % 2 == 0) for n in range(20)]))
    pattern = by_code(patterns)["hot_humid"]
    assert pattern in patterns.too_few
    assert pattern.comparison.p_value is None and pattern.direction is None
    assert (
        pattern.counts
        == "Twitching after 10 of 20 runs in warm or humid weather; every run so far was like that."
    )


def test_a_side_with_no_runs_says_so_without_zero_of_zero():
    patterns = honest_patterns(log(*[cool(n < 3) for n in range(12)]))
    pattern = by_code(patterns)["hot_humid"]
    assert pattern.counts == "No runs in warm or humid weather yet; twitching after 3 of 12 runs."
    assert "0 of 0" not in " ".join(every_text(patterns))


@pytest.mark.parametrize(
    ("twitching", "verdict"),
    [
        (False, "No difference: no twitching after any of these runs."),
        (True, "No difference: twitching after every one of these runs."),
    ],
)
def test_no_twitching_at_all_or_every_run_twitching_is_no_pattern(twitching, verdict):
    patterns = honest_patterns(log(*[hot(twitching) for _ in range(8)], *[cool(twitching) for _ in range(8)]))
    pattern = by_code(patterns)["hot_humid"]
    assert pattern in patterns.compared
    assert pattern.comparison.p_value == 1.0
    assert not patterns.standing_out
    assert pattern.verdict == verdict


def test_exactly_the_minimum_on_each_side_is_compared():
    runs = [hot(True)] * MIN_RUNS_PER_SIDE + [cool(False)] * MIN_RUNS_PER_SIDE
    assert by_code(honest_patterns(log(*runs)))["hot_humid"] in honest_patterns(log(*runs)).compared
    assert by_code(honest_patterns(log(*runs[1:])))["hot_humid"] in honest_patterns(log(*runs[1:])).too_few


def test_odd_and_hostile_entries_never_raise():
    entries = [
        {"date": "2026-13-45", "twitching": "yes", "temperature_c": "hot"},
        {"date": dt.date.min, "distance_km": 5, "twitching": True},
        {"date": dt.date(1, 1, 2), "distance_km": 5, "twitching": False},
        42,
        None,
    ]
    patterns = honest_patterns(entries)
    assert not patterns.standing_out


# --- a real pattern, Holm and the words -----------------------------------------------------


def test_a_clear_pattern_stands_out_in_plain_words():
    runs = [hot(n < 9) for n in range(10)] + [cool(n < 2) for n in range(10)]
    patterns = honest_patterns(log(*runs))
    pattern = patterns.compared[0]
    assert pattern.code == "hot_humid" and pattern.stands_out and pattern.direction == "more"
    assert pattern.caveat == "Something else that came with these runs may explain it as well."
    assert patterns.none_stands_out == ""
    assert pattern.headline == "Twitching came more often after warm or humid weather"
    assert pattern.counts == (
        "Twitching after 9 of 10 runs in warm or humid weather, and after 2 of 10 in cooler or drier weather."
    )
    p = scipy_stats.fisher_exact([[9, 1], [2, 8]]).pvalue
    assert pattern.comparison.p_value == pytest.approx(p, rel=1e-9)
    assert pattern.verdict == (
        f"More than chance, it seems: if it made no difference, a split at least this uneven would come "
        f"by luck {one_time_in(p)}, rare enough to stand out."
    )
    assert patterns.tested == 1


def test_less_twitching_after_a_trigger_is_said_that_way():
    runs = [hot(n < 1) for n in range(10)] + [cool(n < 9) for n in range(10)]
    pattern = honest_patterns(log(*runs)).compared[0]
    assert pattern.stands_out and pattern.direction == "less"
    assert pattern.headline == "Twitching came less often after warm or humid weather"


def test_holm_allows_for_every_trigger_compared():
    """Alone, p = 0.023 would pass the 5% level; beside three more triggers Holm needs 0.0125."""
    split = [hot(n < 8, spicy_meal=n % 2 == 0) for n in range(10)] + [
        cool(n < 2, spicy_meal=n % 2 == 1) for n in range(10)
    ]
    alone = honest_patterns(log(*[{k: v for k, v in run.items() if k != "spicy_meal"} for run in split]))
    assert alone.tested == 1 and alone.standing_out
    runs = [
        {**run, "cooldown": "none" if n % 3 else "walk", "carbs_before_g": 10 * (n % 4)}
        for n, run in enumerate(split)
    ]
    patterns = honest_patterns(log(*runs))
    assert patterns.tested == 4
    pattern = by_code(patterns)["hot_humid"]
    assert pattern.comparison.p_value == pytest.approx(scipy_stats.fisher_exact([[8, 2], [2, 8]]).pvalue)
    assert 0.0125 < pattern.comparison.p_value < 0.05
    assert not pattern.stands_out
    assert pattern.verdict.startswith(
        "Could be chance: on its own a split this uneven comes by luck about 1 time in"
    )
    assert pattern.verdict.endswith("but with 4 triggers compared at once, one like it is not unusual.")
    assert "Holm's correction is applied across all 4" in patterns.method


def test_patterns_that_stand_out_come_first():
    spicy = [(hot if n % 2 == 0 else cool)(n < 9, spicy_meal=True) for n in range(10)]
    plain = [(hot if n % 2 == 0 else cool)(n < 1, spicy_meal=False) for n in range(10)]
    patterns = honest_patterns(log(*spicy, *plain))
    assert [p.code for p in patterns.compared] == ["spicy_meal", "hot_humid"]  # TRIGGERS order: hot first
    assert [p.stands_out for p in patterns.compared] == [True, False]


def test_a_second_trigger_that_moves_with_the_first_is_named():
    """Hot runs were the spicy ones: each pattern names the other."""
    runs = [hot(n < 8, spicy_meal=n != 0) for n in range(10)] + [
        cool(n < 1, spicy_meal=n == 0) for n in range(10)
    ]
    patterns = honest_patterns(log(*runs))
    heat, spicy = by_code(patterns)["hot_humid"], by_code(patterns)["spicy_meal"]
    assert heat.together == (
        "In your log it went together with spicy food before: 18 of 20 runs had both or neither, "
        "so the two are hard to tell apart.",
    )
    assert spicy.together[0].startswith("In your log it went together with warm or humid weather")


def test_a_trigger_that_runs_opposite_is_named_too():
    runs = [hot(n < 8, spicy_meal=n == 0) for n in range(10)] + [
        cool(n < 1, spicy_meal=n != 0) for n in range(10)
    ]
    heat = by_code(honest_patterns(log(*runs)))["hot_humid"]
    assert heat.together == (
        "In your log it seldom came with spicy food before: 18 of 20 runs had one without the other, "
        "so the two are hard to tell apart.",
    )


def test_unrelated_triggers_are_not_named_together():
    runs = [hot(n < 8, spicy_meal=n % 2 == 0) for n in range(10)] + [
        cool(n < 1, spicy_meal=n % 2 == 0) for n in range(10)
    ]
    assert by_code(honest_patterns(log(*runs)))["hot_humid"].together == ()


def test_the_words_describe_and_never_claim_cause():
    runs = [hot(n < 8, spicy_meal=n != 0, cooldown="none") for n in range(10)] + [
        cool(n < 1, spicy_meal=n == 0, cooldown="walk") for n in range(10)
    ]
    texts = [text for text in every_text(honest_patterns(log(*runs))) if text]
    assert texts
    for text in texts:
        assert not CAUSE_WORDS.search(text), text
        for name, pattern in FORBIDDEN.items():
            assert not pattern.search(text), (name, text)
    assert CAUSE_WORDS.search("the heat causes it") and CAUSE_WORDS.search("that is why")


def test_the_small_print_names_the_method():
    text = method_text(8)
    for words in (
        "Fisher's exact test",
        "Holm's correction",
        "all 8",
        "5%",
        f"at least {MIN_RUNS_PER_SIDE} runs",
    ):
        assert words in text
    for tested in (0, 1):
        assert "Fisher's exact test" in method_text(tested) and "Holm's correction" in method_text(tested)
        assert "all of them" in method_text(tested)


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.5, "about 1 time in 2"),
        (0.3, "about 1 time in 3"),
        (0.04, "about 1 time in 25"),
        (1 / 253, "about 1 time in 250"),
        (1 / 1234, "about 1 time in 1,200"),
        (0.00001, "less than 1 time in 10,000"),
    ],
)
def test_one_time_in(p, words):
    assert one_time_in(p) == words


# --- the weekly distance jump -----------------------------------------------------------------


def test_weekly_jump_compares_the_seven_days_to_the_seven_before():
    monday = dt.date(2026, 3, 2)
    entries = [
        {"date": monday, "distance_km": 10, "twitching": False},  # no week before: not judged
        {"date": monday + dt.timedelta(days=7), "distance_km": 10, "twitching": False},  # 10 vs 10: no
        {"date": monday + dt.timedelta(days=9), "distance_km": 4, "twitching": True},  # 14 vs 10: +40%
        {"date": monday + dt.timedelta(days=14), "distance_km": 10, "twitching": False},  # 14 vs 10: +40%
        {"date": monday + dt.timedelta(days=22), "distance_km": 5, "twitching": True},  # 5 vs 14: no
    ]
    count = {c.code: c for c in trigger_counts(entries)}["weekly_jump"]
    assert (count.with_runs, count.with_twitch, count.without_runs, count.without_twitch) == (2, 1, 2, 1)


def test_weekly_jump_ignores_later_runs_and_needs_a_week_before():
    entries = [
        {"date": dt.date(2026, 3, 9), "distance_km": 10, "twitching": True},
        {
            "date": dt.date(2026, 3, 9),
            "distance_km": 50,
            "twitching": True,
        },  # same day: neither counts the other
    ]
    assert {c.code: c for c in trigger_counts(entries)}["weekly_jump"].with_runs == 0


def test_every_trigger_has_its_counts_in_the_patterns():
    runs = [hot(n < 5, cooldown="none", distance_km=5 + n) for n in range(6)]
    assert {p.code for p in honest_patterns(log(*runs)).too_few} <= set(TRIGGERS)
    assert re.search(r"\d+ of \d+", by_code(honest_patterns(log(*runs)))["no_cooldown"].counts)
