"""Honest patterns: which triggers went with twitching in one runner's log, and how sure
the app can be.

For each trigger, the runs with it and without it are compared by Fisher's exact test
(stats.compare_rates), and Holm's correction is applied across every trigger compared
(stats.holm), so that with eight triggers and a few dozen runs the app does not name a
pattern that is luck. Below stats.MIN_RUNS_PER_SIDE runs on a side it says "too few
runs to tell", once for all such triggers. Where two triggers moved together across the
runs (long runs are the hot ones), the pattern says so. The words describe, never claim
cause: "went with", "more often after".

    patterns = honest_patterns(entries)
    patterns.compared   # Pattern per trigger with enough runs, those that stand out first
    patterns.too_few    # the rest, with their counts so far
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from .history import tally_combos, trigger_combos
from .knowledge import TRIGGERS, Trigger
from .stats import (
    ALPHA,
    MIN_RUNS_PER_SIDE,
    STRONG_PHI,
    Association,
    RateComparison,
    association,
    compare_rates,
    holm,
    phi_coefficient,
    strongly_associated,
)

# Said again beside every pattern that stands out.
OTHER_EXPLANATIONS = "Something else that came with these runs may explain it as well."
CAUTION = (
    "A pattern in one person's log can have other explanations: hotter months, longer runs, "
    "a harder block of training, or another trigger that came along at the same time. They "
    "show what went together with twitching; they cannot show that one thing led to the other."
)


class Pattern(NamedTuple):
    """One trigger against twitching, in words and figures."""

    code: str
    label: str
    comparison: RateComparison
    stands_out: bool  # the difference is more than chance after Holm's correction
    direction: str | None  # 'more' or 'less' twitching after runs with it; None if the same
    headline: str  # "Twitching came more often after ...": only when it stands out, else ''
    counts: str  # "Twitching after 7 of 9 runs without a cool-down, and after 3 of 10 with one."
    verdict: str  # how sure: '' for a trigger with too few runs
    caveat: str  # beside a pattern that stands out: it may have other explanations; else ''
    together: tuple[str, ...]  # other triggers that moved with this one, in a sentence each


class Patterns(NamedTuple):
    compared: tuple[Pattern, ...]  # enough runs on both sides: those that stand out first
    too_few: tuple[Pattern, ...]  # below the minimum on a side, but with runs to count
    tested: int  # how many triggers Holm's correction allowed for
    too_few_text: str  # said once for all of `too_few` ('' when none)
    caution: str
    method: str  # the small print: how the app judges

    @property
    def standing_out(self) -> tuple[Pattern, ...]:
        return tuple(pattern for pattern in self.compared if pattern.stands_out)

    @property
    def could_be_chance(self) -> tuple[Pattern, ...]:
        """Compared, but no difference beyond chance."""
        return tuple(pattern for pattern in self.compared if not pattern.stands_out)

    @property
    def none_stands_out(self) -> str:
        """Said when triggers were compared and none stood out ('' otherwise)."""
        if not self.compared or self.standing_out:
            return ""
        which = "the one trigger" if self.tested == 1 else f"the {self.tested} triggers"
        return f"None of {which} compared went with twitching more than chance would easily give."

    @property
    def shown(self) -> bool:
        return bool(self.compared or self.too_few)


def honest_patterns(entries: object, *, alpha: float = ALPHA) -> Patterns:
    """The patterns of a log (answer mappings, any order); never raises."""
    return patterns_from_combos(trigger_combos(entries), TRIGGERS, alpha=alpha)


def patterns_from_combos(
    combos: Mapping[tuple[tuple[bool | None, ...], bool], int],
    triggers: Mapping[str, Trigger],
    *,
    alpha: float = ALPHA,
) -> Patterns:
    """The patterns from runs tallied by their judgements (history.trigger_combos's form:
    {(one True/False/None per trigger in `triggers` order, twitched): runs}).
    The simulation (bench/simulate_patterns.py) calls this with triggers of its own."""
    codes = tuple(triggers)
    comparisons = {
        code: compare_rates(
            with_events=tally[1], with_runs=tally[0], without_events=tally[3], without_runs=tally[2]
        )
        for code, tally in zip(codes, tally_combos(combos, len(codes)), strict=True)
    }
    enough = [code for code in codes if comparisons[code].enough]
    rejected = dict(zip(enough, holm([comparisons[code].p_value for code in enough], alpha), strict=True))
    tested = len(enough)
    compared = []
    for code in enough:
        together = tuple(
            _together_sentence(triggers[other], pair)
            for other, pair in _pairs(combos, codes, code).items()
            if strongly_associated(pair, alpha)
        )
        compared.append(_pattern(triggers[code], comparisons[code], rejected[code], tested, alpha, together))
    compared.sort(key=lambda p: (not p.stands_out, p.comparison.p_value if p.stands_out else 0.0))
    too_few = tuple(
        _pattern(triggers[code], comparisons[code], False, tested, alpha, ())
        for code in codes
        if not comparisons[code].enough and (comparisons[code].with_runs or comparisons[code].without_runs)
    )
    return Patterns(
        compared=tuple(compared),
        too_few=too_few,
        tested=tested,
        too_few_text=_too_few_text(bool(too_few), bool(compared)),
        caution=CAUTION,
        method=method_text(tested, alpha),
    )


def _pairs(combos: Mapping, codes: tuple[str, ...], code: str) -> dict[str, Association]:
    """This trigger against each other one it may move with (|phi| >= STRONG_PHI), over
    the runs where both could be judged."""
    index = codes.index(code)
    cells = {other: [0, 0, 0, 0] for other in codes if other != code}  # both, this only, other only, neither
    for (judged, _), runs in combos.items():
        mine = judged[index]
        if mine is None:
            continue
        for other, theirs in zip(codes, judged, strict=True):
            if other != code and theirs is not None:
                cells[other][(0 if theirs else 1) if mine else (2 if theirs else 3)] += runs
    # Fisher's test only where phi is large: the other pairs cannot be strong.
    return {
        other: association(both=c[0], first_only=c[1], second_only=c[2], neither=c[3])
        for other, c in cells.items()
        if abs(phi_coefficient(*c) or 0.0) >= STRONG_PHI
    }


def _runs(count: int, words: str) -> str:
    """'1 run without a cool-down', '9 runs without a cool-down'."""
    return f"1 run{words[4:]}" if count == 1 and words.startswith("runs") else f"{count} {words}"


def counts_sentence(trigger: Trigger, c: RateComparison) -> str:
    """The two rates side by side, in the runner's words."""
    if c.with_runs and c.without_runs:
        return (
            f"Twitching after {c.with_events} of {_runs(c.with_runs, trigger.with_words)}, "
            f"and after {c.without_events} of {c.without_runs} {trigger.without_words}."
        )
    if c.with_runs:
        return (
            f"Twitching after {c.with_events} of {_runs(c.with_runs, trigger.with_words)}; "
            "every run so far was like that."
        )
    return (
        f"No {trigger.with_words} yet; twitching after {c.without_events} of {_runs(c.without_runs, 'runs')}."
    )


def one_time_in(p: float) -> str:
    """A p-value as 'about 1 time in 250', rounded as a person would say it."""
    if p < 1e-4:
        return "less than 1 time in 10,000"
    k = 1 / p
    if k >= 100:  # two significant figures: 250, 1,200
        k = round(k, 1 - math.floor(math.log10(k)))
    return f"about 1 time in {round(k):,}"


def _pattern(
    trigger: Trigger,
    c: RateComparison,
    stands_out: bool,
    tested: int,
    alpha: float,
    together: tuple[str, ...],
) -> Pattern:
    direction = None
    if c.more_often_with is not None:
        direction = "more" if c.more_often_with else "less"
    headline = f"Twitching came {direction} often after {trigger.short}" if stands_out else ""
    return Pattern(
        code=trigger.code,
        label=trigger.label,
        comparison=c,
        stands_out=stands_out,
        direction=direction,
        headline=headline,
        counts=counts_sentence(trigger, c),
        verdict=verdict_sentence(c, stands_out, tested, alpha),
        caveat=OTHER_EXPLANATIONS if stands_out else "",
        together=together,
    )


def verdict_sentence(c: RateComparison, stands_out: bool, tested: int, alpha: float = ALPHA) -> str:
    """How sure the app is, in plain words ('' without a test)."""
    p = c.p_value
    if p is None:
        return ""
    if c.more_often_with is None:
        if c.with_events == 0:
            return "No difference: no twitching after any of these runs."
        if c.with_events == c.with_runs:
            return "No difference: twitching after every one of these runs."
        return "No difference: twitching came as often either way."
    allowing = f" even among all {tested} triggers compared" if tested > 1 else ""
    if stands_out:
        return (
            f"More than chance, it seems: if it made no difference, a split at least this uneven "
            f"would come by luck {one_time_in(p)}, rare enough to stand out{allowing}."
        )
    if p <= alpha:
        return (
            f"Could be chance: on its own a split this uneven comes by luck {one_time_in(p)}, "
            f"but with {tested} triggers compared at once, one like it is not unusual."
        )
    if p >= 0.5:
        return "Could well be chance: a split like this often comes by luck alone."
    return f"Could be chance: a split at least this uneven comes by luck {one_time_in(p)}."


def _together_sentence(other: Trigger, pair: Association) -> str:
    if pair.phi is not None and pair.phi > 0:
        return (
            f"In your log it went together with {other.short}: {pair.both + pair.neither} of "
            f"{pair.runs} runs had both or neither, so the two are hard to tell apart."
        )
    return (
        f"In your log it seldom came with {other.short}: {pair.first_only + pair.second_only} of "
        f"{pair.runs} runs had one without the other, so the two are hard to tell apart."
    )


def _too_few_text(any_too_few: bool, any_compared: bool) -> str:
    if not any_too_few:
        return ""
    lead = "For the rest, too few runs to tell yet" if any_compared else "Too few runs to tell yet"
    return (
        f"{lead}: a comparison needs at least {MIN_RUNS_PER_SIDE} runs with each one "
        f"and {MIN_RUNS_PER_SIDE} without."
    )


def method_text(tested: int, alpha: float = ALPHA) -> str:
    """The small print: the method, named, in plain words."""
    percent = f"{alpha * 100:g}%"
    if tested >= 2:
        many = (
            f"With {tested} triggers compared at once, one would often look uneven by luck alone, "
            f"so Holm's correction is applied across all {tested}: "
        )
    else:
        many = (
            "When several triggers can be compared, one would often look uneven by luck alone, "
            "so Holm's correction is applied across all of them: "
        )
    return (
        f"How the app judges: for each trigger with at least {MIN_RUNS_PER_SIDE} runs with it and "
        f"{MIN_RUNS_PER_SIDE} without, Fisher's exact test gives the chance that twitching would "
        f"split at least this unevenly if the trigger made no difference. {many}"
        f"a pattern is named only when the chance of naming even one by luck stays at {percent} "
        "or less. A trigger counts only on runs where you answered what it needs."
    )
