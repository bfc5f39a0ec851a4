"""Is a difference in twitching rates more than chance? The statistics behind the patterns.

Pure Python (standard library only): the engine runs without scipy; the tests
check every figure here against scipy.stats.

- `compare_rates`: twitching after runs with a trigger and after runs without
  it, and the two-sided p-value of Fisher's exact test on that 2x2 table.
- `holm`: which of several p-values stay below the 5% level once the number of
  triggers looked at is taken into account (Holm's step-down correction).
- `association`: how strongly two yes/no triggers move together across runs
  (phi coefficient and Fisher's test on their 2x2 table).

A p-value says how surprising the split would be if the trigger made no
difference at all; it never says the trigger causes anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many runs on either side the app says "too few runs to tell".
# Why 5: with Fisher's exact test (two-sided), 3 runs a side can never reach the
# 5% level (the most lopsided split, 3 of 3 against 0 of 3, gives p = 0.10), and
# 4 a side only with a perfect split (p = 0.029); from 5 a side one run of slack
# is allowed (5 of 5 against 1 of 5: p = 0.048). It is also the classic "at
# least 5 in each group" rule of thumb for 2x2 tables (Cochran 1954, Biometrics
# 10:417). The tests check these figures.
MIN_RUNS_PER_SIDE: int = 5

# Family-wise error rate: the chance of showing even one pattern that is pure
# chance, over all the triggers shown together (Holm 1979).
ALPHA: float = 0.05

# Two hypergeometric probabilities within this relative distance count as a tie
# (they are equal in exact arithmetic and differ only by rounding). The value
# is R's fisher.test (relErr = 1 + 1e-7); scipy.stats.fisher_exact uses 1e-14.
# For tables of whole runs the two give the same p-values (tests/advice/test_stats.py).
TIE_TOLERANCE = 1e-7


@dataclass(frozen=True)
class RateComparison:
    """Twitching after `with_events` of `with_runs` runs with a trigger, and after
    `without_events` of `without_runs` without it."""

    with_events: int
    with_runs: int
    without_events: int
    without_runs: int
    p_value: float | None  # two-sided Fisher's exact test; None when not enough runs
    enough: bool  # at least MIN_RUNS_PER_SIDE runs on each side

    @property
    def with_rate(self) -> float | None:
        return self.with_events / self.with_runs if self.with_runs else None

    @property
    def without_rate(self) -> float | None:
        return self.without_events / self.without_runs if self.without_runs else None

    @property
    def more_often_with(self) -> bool | None:
        """True when twitching followed runs with the trigger more often; None on a tie
        or with a side empty."""
        if self.with_rate is None or self.without_rate is None or self.with_rate == self.without_rate:
            return None
        return self.with_rate > self.without_rate


def _count(value: object) -> int:
    """A count as a non-negative int; anything else is 0 (the engine never raises)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return value


def compare_rates(
    *, with_events: int, with_runs: int, without_events: int, without_runs: int
) -> RateComparison:
    """Compare the twitching rate after runs with and without a trigger.

    Events above the runs are capped at the runs; negative or non-integer counts
    count as 0. The p-value is None unless both sides have MIN_RUNS_PER_SIDE runs.
    """
    with_runs, without_runs = _count(with_runs), _count(without_runs)
    with_events = min(_count(with_events), with_runs)
    without_events = min(_count(without_events), without_runs)
    enough = with_runs >= MIN_RUNS_PER_SIDE and without_runs >= MIN_RUNS_PER_SIDE
    p_value = (
        fisher_exact_p(with_events, with_runs - with_events, without_events, without_runs - without_events)
        if enough
        else None
    )
    return RateComparison(
        with_events=with_events,
        with_runs=with_runs,
        without_events=without_events,
        without_runs=without_runs,
        p_value=p_value,
        enough=enough,
    )


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the 2x2 table [[a, b], [c, d]].

    Fisher 1922 (J R Stat Soc 85:87) / 1935; Agresti, Categorical Data Analysis
    (3rd ed. 2013, section 3.5.1): with the row and column totals fixed, the
    top-left cell follows the hypergeometric distribution; the two-sided p-value
    is the total probability of every table no more likely than the one seen
    (the "minimum likelihood" rule used by R's fisher.test and scipy). The
    probabilities are computed in log space (lgamma), so long logs do not overflow.
    """
    row1, col1, total = a + b, a + c, a + b + c + d
    low, high = max(0, col1 - (total - row1)), min(row1, col1)
    if high <= low:
        return 1.0
    log_denominator = _log_comb(total, col1)

    def log_pmf(x: int) -> float:
        return _log_comb(row1, x) + _log_comb(total - row1, col1 - x) - log_denominator

    logs = [log_pmf(x) for x in range(low, high + 1)]
    cutoff = logs[a - low] + math.log1p(TIE_TOLERANCE)
    top = max(logs)
    # Sum relative to the largest term, then scale back: no underflow of small terms.
    inside = sum(math.exp(value - top) for value in logs if value <= cutoff)
    everything = sum(math.exp(value - top) for value in logs)
    return min(1.0, inside / everything)


def holm(p_values: Sequence[float | None], alpha: float = ALPHA) -> list[bool]:
    """Which hypotheses Holm's step-down procedure rejects, in the input order.

    Holm 1979 (Scand J Statist 6:65): sort the m p-values from smallest; the
    i-th smallest (i from 1) is rejected while p <= alpha / (m - i + 1), and
    the first that fails stops the walk. It keeps the chance of any false
    claim among the m at or below alpha, whatever their dependence. None (too
    few runs to test) is never rejected and does not count in m.
    """
    tested = sorted((p, index) for index, p in enumerate(p_values) if p is not None and not math.isnan(p))
    rejected = [False] * len(p_values)
    m = len(tested)
    for rank, (p, index) in enumerate(tested):
        if p > alpha / (m - rank):
            break
        rejected[index] = True
    return rejected


@dataclass(frozen=True)
class Association:
    """How two yes/no triggers went together over the runs where both were known."""

    both: int
    first_only: int
    second_only: int
    neither: int
    phi: float | None  # phi coefficient (Pearson's r for two 0/1 variables); None if undefined
    p_value: float  # two-sided Fisher's exact test on the same 2x2 table

    @property
    def runs(self) -> int:
        return self.both + self.first_only + self.second_only + self.neither


# Phi at or above this (|phi| >= 0.5) counts as a strong association: Cohen 1988
# ("large" effect for phi/w is 0.5).
STRONG_PHI = 0.5


def association(*, both: int, first_only: int, second_only: int, neither: int) -> Association:
    """Phi coefficient and Fisher's p for two triggers' 2x2 table across runs.

    phi = (ad - bc) / sqrt((a+b)(c+d)(a+c)(b+d)) (Yule 1912; Agresti 2013,
    section 2.4). None when a margin is empty (one trigger never or always present).
    """
    a, b, c, d = (_count(both), _count(first_only), _count(second_only), _count(neither))
    return Association(a, b, c, d, phi_coefficient(a, b, c, d), fisher_exact_p(a, b, c, d))


def phi_coefficient(a: int, b: int, c: int, d: int) -> float | None:
    """phi of the 2x2 table [[a, b], [c, d]]; None when a row or column is empty."""
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    return (a * d - b * c) / math.sqrt(margins) if margins else None


def strongly_associated(assoc: Association, alpha: float = ALPHA) -> bool:
    """The two triggers clearly go together: large phi and more than chance."""
    return assoc.phi is not None and abs(assoc.phi) >= STRONG_PHI and assoc.p_value <= alpha
