"""advice.stats against independent reference values: scipy.stats (installed for the
tests only) for Fisher's exact test, Holm's worked example and brute force for Holm.
Pure Python, no database."""

import itertools
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
from scipy import stats as scipy_stats

from advice.stats import (
    ALPHA,
    MIN_RUNS_PER_SIDE,
    RateComparison,
    association,
    compare_rates,
    fisher_exact_p,
    holm,
    strongly_associated,
)


def scipy_p(a, b, c, d):
    return scipy_stats.fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue


# --- Fisher's exact test ---------------------------------------------------------------


def test_fisher_matches_scipy_on_every_small_table():
    """Every 2x2 table with up to 9 runs a side: the p-value agrees with scipy's."""
    worst = 0.0
    for n1, n2 in itertools.product(range(1, 10), repeat=2):
        for a in range(n1 + 1):
            for c in range(n2 + 1):
                ours = fisher_exact_p(a, n1 - a, c, n2 - c)
                theirs = scipy_p(a, n1 - a, c, n2 - c)
                worst = max(worst, abs(ours - theirs) / theirs)
    assert worst < 1e-9


@pytest.mark.parametrize("seed", range(4))
def test_fisher_matches_scipy_on_year_long_logs(seed):
    """Random tables of a year's runs (up to 400), lopsided and balanced alike."""
    rng = random.Random(seed)
    for _ in range(150):
        n1, n2 = rng.randint(1, 400), rng.randint(1, 400)
        a, c = rng.randint(0, n1), rng.randint(0, n2)
        ours = fisher_exact_p(a, n1 - a, c, n2 - c)
        theirs = scipy_p(a, n1 - a, c, n2 - c)
        assert ours == pytest.approx(theirs, rel=1e-8, abs=1e-300), (a, n1, c, n2)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # Fisher's tea-tasting lady (Fisher 1935; Agresti 2013 table 3.8): one-sided 0.243,
        # two-sided 0.486.
        ((3, 1, 1, 3), 0.4857142857142857),
        # A tie: a symmetric table's mirror image is exactly as likely and counts.
        ((2, 3, 3, 2), 1.0),
        ((5, 0, 0, 5), 2 / 252),
        ((0, 0, 0, 0), 1.0),
        ((0, 5, 0, 5), 1.0),  # no twitching at all: nothing to tell apart
        ((5, 0, 5, 0), 1.0),  # twitching after every run
    ],
)
def test_fisher_known_values(table, expected):
    assert fisher_exact_p(*table) == pytest.approx(expected, rel=1e-12)
    assert scipy_p(*table) == pytest.approx(expected, rel=1e-12)


def test_fisher_is_symmetric_in_rows_and_columns():
    rng = random.Random(3)
    for _ in range(200):
        a, b, c, d = (rng.randint(0, 30) for _ in range(4))
        p = fisher_exact_p(a, b, c, d)
        assert fisher_exact_p(c, d, a, b) == pytest.approx(p, rel=1e-9)
        assert fisher_exact_p(a, c, b, d) == pytest.approx(p, rel=1e-9)
        assert 0.0 < p <= 1.0


# --- the minimum per side, and compare_rates -------------------------------------------


def test_minimum_per_side_is_where_fisher_can_first_show_something():
    """The comment beside MIN_RUNS_PER_SIDE: 3 a side can never reach 5%, 4 only with a
    perfect split, 5 with one run of slack."""
    assert MIN_RUNS_PER_SIDE == 5
    assert scipy_p(3, 0, 0, 3) == pytest.approx(0.1)
    assert scipy_p(4, 0, 0, 4) == pytest.approx(2 / 70)
    assert scipy_p(4, 0, 1, 3) > ALPHA
    assert scipy_p(5, 0, 1, 4) == pytest.approx(12 / 252)
    assert scipy_p(5, 0, 1, 4) < ALPHA


def test_compare_rates_the_issue_example():
    """Twitching after 7 of 9 runs without a cool-down and 3 of 10 with one."""
    result = compare_rates(with_events=7, with_runs=9, without_events=3, without_runs=10)
    assert isinstance(result, RateComparison)
    assert result.enough
    assert result.with_rate == pytest.approx(7 / 9)
    assert result.without_rate == pytest.approx(0.3)
    assert result.more_often_with is True
    assert result.p_value == pytest.approx(scipy_p(7, 2, 3, 7), rel=1e-12)


@pytest.mark.parametrize(
    ("with_runs", "without_runs", "enough"),
    [(4, 20, False), (20, 4, False), (5, 5, True), (0, 30, False), (30, 0, False), (0, 0, False)],
)
def test_compare_rates_says_too_few_below_the_minimum(with_runs, without_runs, enough):
    result = compare_rates(
        with_events=with_runs, with_runs=with_runs, without_events=0, without_runs=without_runs
    )
    assert result.enough is enough
    assert (result.p_value is None) is (not enough)


def test_compare_rates_rates_of_an_empty_side_are_none():
    result = compare_rates(with_events=0, with_runs=0, without_events=2, without_runs=6)
    assert result.with_rate is None
    assert result.without_rate == pytest.approx(1 / 3)
    assert result.more_often_with is None


@pytest.mark.parametrize(
    "counts",
    [
        {"with_events": 9, "with_runs": 5, "without_events": -1, "without_runs": 5},
        {"with_events": "3", "with_runs": 5.5, "without_events": None, "without_runs": True},
    ],
)
def test_compare_rates_never_raises_on_odd_counts(counts):
    result = compare_rates(**counts)
    assert 0 <= result.with_events <= result.with_runs
    assert 0 <= result.without_events <= result.without_runs


# --- Holm ------------------------------------------------------------------------------


def holm_by_closed_testing(p_values, alpha):
    """Holm's procedure as the closed testing of Bonferroni tests (Marcus, Peritz & Gabriel
    1976; Holm 1979): hypothesis i is rejected when every subset containing it has a
    p-value <= alpha / (subset size). Exponential, so only for short lists."""
    tested = [i for i, p in enumerate(p_values) if p is not None]
    out = []
    for i, p in enumerate(p_values):
        if p is None:
            out.append(False)
            continue
        others = [j for j in tested if j != i]
        ok = True
        for size in range(len(others) + 1):
            for subset in itertools.combinations(others, size):
                members = (i, *subset)
                if min(p_values[j] for j in members) > alpha / len(members):
                    ok = False
                    break
            if not ok:
                break
        out.append(ok)
    return out


def test_holm_matches_closed_testing_on_random_lists():
    rng = random.Random(5)
    for _ in range(300):
        m = rng.randint(0, 7)
        ps = [rng.choice([None, rng.random() * 0.1, rng.random()]) for _ in range(m)]
        assert holm(ps) == holm_by_closed_testing(ps, ALPHA), ps


def test_holm_worked_example():
    """Four p-values at alpha 0.05: 0.01 <= 0.05/4, 0.015 <= 0.05/3, 0.03 > 0.05/2 stops."""
    assert holm([0.03, 0.01, 0.2, 0.015]) == [False, True, False, True]


def test_holm_stops_at_the_first_failure():
    # 0.03 > 0.05/2 stops the walk, so 0.04 is not rejected although it is below 0.05 / 1
    assert holm([0.03, 0.04]) == [False, False]
    assert holm([0.024, 0.05]) == [True, True]


def test_holm_none_is_never_rejected_and_not_counted():
    assert holm([None, 0.04, None]) == [False, True, False]
    assert holm([]) == []
    assert holm([None]) == [False]


def test_holm_rejects_no_more_than_bonferroni_rejects_at_least():
    rng = random.Random(8)
    for _ in range(200):
        ps = [rng.random() * 0.05 for _ in range(rng.randint(1, 12))]
        rejected = holm(ps)
        bonferroni = [p <= ALPHA / len(ps) for p in ps]
        unadjusted = [p <= ALPHA for p in ps]
        assert all(r >= b for r, b in zip(rejected, bonferroni, strict=True))
        assert all(u >= r for r, u in zip(rejected, unadjusted, strict=True))


# --- association between two triggers --------------------------------------------------


def test_association_phi_matches_pearson_r_of_the_runs():
    rng = random.Random(2)
    for _ in range(50):
        cells = [rng.randint(1, 20) for _ in range(4)]
        first = [1] * cells[0] + [1] * cells[1] + [0] * cells[2] + [0] * cells[3]
        second = [1] * cells[0] + [0] * cells[1] + [1] * cells[2] + [0] * cells[3]
        result = association(both=cells[0], first_only=cells[1], second_only=cells[2], neither=cells[3])
        assert result.phi == pytest.approx(scipy_stats.pearsonr(first, second).statistic, abs=1e-12)
        assert result.p_value == pytest.approx(scipy_p(*cells), rel=1e-9)
        assert result.runs == sum(cells)


def test_association_undefined_when_a_trigger_never_varies():
    result = association(both=0, first_only=0, second_only=4, neither=6)
    assert result.phi is None
    assert not strongly_associated(result)


def test_strong_association_needs_size_and_more_than_chance():
    # long runs are the hot ones: 9 of 10 long runs hot, 1 of 10 short runs
    assert strongly_associated(association(both=9, first_only=1, second_only=1, neither=9))
    # large phi on 4 runs is not more than chance
    assert not strongly_associated(association(both=2, first_only=0, second_only=0, neither=2))
    assert not strongly_associated(association(both=6, first_only=4, second_only=4, neither=6))
    assert math.isclose(association(both=1, first_only=1, second_only=1, neither=1).phi, 0.0)


def test_the_engine_runs_without_scipy():
    """scipy is for the tests only: importing the engine and judging a log never loads it."""
    code = (
        "import sys, advice; advice.honest_patterns([{'twitching': True, 'spicy_meal': True}]); "
        "assert not any(name.split('.')[0] in ('scipy', 'numpy') for name in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
