"""Simulations with known truth for the history's patterns (advice.patterns): prints a
markdown table, asserts nothing (tests/advice/test_patterns_simulation.py asserts).

    .venv/bin/python bench/simulate_patterns.py            # about a minute
    .venv/bin/python bench/simulate_patterns.py --runners 500   # quicker, rougher

1. No real effect: many simulated runners, each with 12 triggers and twitching that
   follows none of them (two of the triggers move together, as long and hot runs do).
   The share of runners told that any trigger "went with" twitching is the family-wise
   error rate; Holm's correction promises at most 5%.
2. A real, realistic effect: twitching after 60% of runs with one trigger and 25%
   without (the other 11 have no effect). How often the app names that trigger, more
   often after it, after two, four, eight ... weeks of 3 to 5 runs a week.
3. The real engine end to end: random check-ins (the 8 real triggers judged from the
   answers, dates, distances and streaks), twitching independent of everything.

Every figure comes from random.Random(seed): the same numbers every run. The
Monte-Carlo error of a share s over n runners is about sqrt(s(1-s)/n), printed beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advice import TRIGGERS, Trigger, honest_patterns
from advice.patterns import patterns_from_combos

SEED = 20261205
TRIGGER_COUNT = 12
SIM_TRIGGERS = {
    f"t{n}": Trigger(
        code=f"t{n}",
        label=f"Trigger {n}",
        with_words=f"runs with trigger {n}",
        without_words="without it",
        short=f"trigger {n}",
    )
    for n in range(1, TRIGGER_COUNT + 1)
}
UNANSWERED = 0.1  # share of runs where a trigger cannot be judged (its question unanswered)
EFFECT_WITH, EFFECT_WITHOUT = 0.60, 0.25  # twitching after runs with / without the real trigger
WEEKS = (2, 4, 8, 12, 26, 52)


def runs_in(rng: random.Random, weeks: int) -> int:
    """3 to 5 runs a week."""
    return sum(rng.randint(3, 5) for _ in range(weeks))


def simulated_combos(rng: random.Random, weeks: int, *, effect: bool) -> dict:
    """One runner's log as history.trigger_combos would tally it, with 12 triggers.

    Each trigger is present on a share of runs drawn per runner (15-60%); trigger 2
    copies trigger 1 on 70% of runs (they move together); any answer is missing on
    UNANSWERED of runs. Without `effect`, twitching follows a runner's own base rate
    (15-50%) and nothing else; with it, 60% after runs with trigger 1, 25% without.
    """
    prevalence = [rng.uniform(0.15, 0.6) for _ in range(TRIGGER_COUNT)]
    base = rng.uniform(0.15, 0.5)
    combos: dict = {}
    for _ in range(runs_in(rng, weeks)):
        truth = [rng.random() < share for share in prevalence]
        if rng.random() < 0.7:
            truth[1] = truth[0]
        if effect:
            twitching = rng.random() < (EFFECT_WITH if truth[0] else EFFECT_WITHOUT)
        else:
            twitching = rng.random() < base
        judged = tuple(None if rng.random() < UNANSWERED else has_it for has_it in truth)
        key = (judged, twitching)
        combos[key] = combos.get(key, 0) + 1
    return combos


def false_alarm_share(runners: int, weeks: int, seed: int = SEED) -> float:
    """Share of runners with no real effect told that some trigger went with twitching."""
    rng = random.Random(seed)
    alarms = 0
    for _ in range(runners):
        patterns = patterns_from_combos(simulated_combos(rng, weeks, effect=False), SIM_TRIGGERS)
        alarms += bool(patterns.standing_out)
    return alarms / runners


def found_share(runners: int, weeks: int, seed: int = SEED) -> tuple[float, float, float]:
    """(share of runners told the real trigger went with more twitching; share told so of
    trigger 2, which moves with it and so truly goes with twitching too; share told that
    one of the 10 unrelated triggers went with twitching: a false claim)."""
    rng = random.Random(seed)
    found = companion = wrong = 0
    for _ in range(runners):
        patterns = patterns_from_combos(simulated_combos(rng, weeks, effect=True), SIM_TRIGGERS)
        out = {p.code: p for p in patterns.standing_out}
        found += "t1" in out and out["t1"].direction == "more"
        companion += "t2" in out
        wrong += any(code not in ("t1", "t2") for code in out)
    return found / runners, companion / runners, wrong / runners


def random_checkins(rng: random.Random, weeks: int) -> list[dict]:
    """A runner's check-ins with the answers the real triggers read; twitching independent."""
    base = rng.uniform(0.15, 0.5)
    start = dt.date(2026, 1, 5)
    days = sorted(
        {
            start + dt.timedelta(days=7 * week + day)
            for week in range(weeks)
            for day in rng.sample(range(7), rng.randint(3, 5))
        }
    )
    entries, streak, before = [], 0, None
    for day in days:
        streak = streak + 1 if before is not None and (day - before).days == 1 else 1
        before = day
        duration = rng.choice([30, 45, 60, 75, 90, 120])
        entries.append(
            {
                "date": day,
                "distance_km": round(duration / rng.uniform(5, 7), 1),
                "duration_min": duration,
                "cooldown": rng.choice(["none", "walk", "walk_stretch"]),
                "temperature_c": rng.uniform(5, 33),
                "humidity_pct": rng.uniform(30, 90),
                "fluid_ml": rng.choice([0, 150, 300, 500]),
                "carbs_before_g": rng.choice([0, 20, 40, 60]),
                "spicy_meal": rng.random() < 0.2,
                "days_since_rest": streak,
                "twitching": rng.random() < base,
            }
        )
    return entries


def engine_false_alarm_share(runners: int, weeks: int, seed: int = SEED) -> tuple[float, float]:
    """(share of runners with any claim, mean triggers compared) through honest_patterns."""
    rng = random.Random(seed)
    alarms = tested = 0
    for _ in range(runners):
        patterns = honest_patterns(random_checkins(rng, weeks))
        alarms += bool(patterns.standing_out)
        tested += patterns.tested
    return alarms / runners, tested / runners


def error(share: float, n: int) -> float:
    return math.sqrt(max(share * (1 - share), 1e-12) / n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=2000)
    args = parser.parse_args()
    n = args.runners
    started = time.perf_counter()
    print(f"{n:,} simulated runners per row, 3-5 runs a week, seed {SEED}.\n")
    print(f"No real effect, {TRIGGER_COUNT} triggers (stated family-wise error rate 5%):\n")
    print("| weeks | runners with any claim | ± (1 s.e.) |")
    print("|---|---|---|")
    for weeks in WEEKS:
        share = false_alarm_share(n, weeks)
        print(f"| {weeks} | {share:.1%} | {error(share, n):.1%} |")
    print(
        f"\nA real effect (twitching after {EFFECT_WITH:.0%} of runs with trigger 1, "
        f"{EFFECT_WITHOUT:.0%} without), {TRIGGER_COUNT} triggers:\n"
    )
    print("| weeks | found it | ± | named trigger 2 (moves with it) | named an unrelated one |")
    print("|---|---|---|---|---|")
    for weeks in WEEKS:
        found, companion, wrong = found_share(n, weeks)
        print(f"| {weeks} | {found:.1%} | {error(found, n):.1%} | {companion:.1%} | {wrong:.1%} |")
    engine_n = max(n // 4, 1)
    print(f"\nThe real engine, random check-ins, no real effect ({engine_n:,} runners):\n")
    print("| weeks | runners with any claim | ± | triggers compared (mean) |")
    print("|---|---|---|---|")
    for weeks in (8, 26, 52):
        share, tested = engine_false_alarm_share(engine_n, weeks)
        print(f"| {weeks} | {share:.1%} | {error(share, engine_n):.1%} | {tested:.1f} of {len(TRIGGERS)} |")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
