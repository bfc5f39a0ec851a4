"""The patterns' statistics validated like code: simulated runners with a known truth
(bench/simulate_patterns.py), a fixed seed, so every run gives the same figures.
Pure Python, no database; a few seconds."""

import math
import random

from advice.patterns import patterns_from_combos
from advice.stats import ALPHA, holm
from bench.simulate_patterns import (
    SIM_TRIGGERS,
    engine_false_alarm_share,
    false_alarm_share,
    found_share,
    simulated_combos,
)

RUNNERS = 400


def allowed(n):
    """The stated error rate plus three Monte-Carlo standard errors at n runners."""
    return ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / n)


def test_no_real_effect_gives_few_false_claims_over_twelve_triggers():
    """Half a year of 3-5 runs a week, 12 triggers, twitching that follows none of them."""
    assert false_alarm_share(RUNNERS, 26) <= allowed(RUNNERS)


def test_without_holm_the_same_logs_would_cry_wolf():
    """The check above can fail: testing each trigger at 5% alone claims far more often."""
    rng = random.Random(7)
    alarms = 0
    for _ in range(200):
        patterns = patterns_from_combos(simulated_combos(rng, 26, effect=False), SIM_TRIGGERS)
        alarms += any(p.comparison.p_value <= ALPHA for p in patterns.compared)
    assert alarms / 200 > allowed(200)
    assert holm([ALPHA] * 12) == [False] * 12


def test_the_real_engine_on_random_check_ins_makes_few_false_claims():
    assert engine_false_alarm_share(150, 26)[0] <= allowed(150)


def test_a_real_effect_is_found_more_often_the_longer_the_log():
    """Twitching after 60% of runs with one trigger and 25% without: rarely found in two
    weeks (too few runs), mostly in a year."""
    two, _, _ = found_share(200, 2)
    four, _, _ = found_share(200, 4)
    year, _, unrelated = found_share(200, 52)
    assert two <= four < year
    assert two < 0.05
    assert year >= 0.85
    assert unrelated <= allowed(200)
