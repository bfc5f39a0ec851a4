"""What only a history of check-ins shows, and the training-load helpers.

- `scan_history`: twitching that keeps coming back (`persistent`), spreads or
  shows up in several places (`widespread`), or keeps disturbing sleep
  (`sleep`).
- `trigger_counts`: for each trigger, how often twitching followed runs with
  and without it.
- `longest_run_spike` and `weekly_distance_jump`: the overuse signals the
  engine reads from a run log.

Entries may come in any order, dates as `datetime.date` or ISO strings; an
entry without a usable date is skipped where a date is needed. Nothing here
raises, and nothing reads the clock: `today` defaults to the newest entry.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping

from . import stats as _stats
from .clean import clean_date, clean_some
from .heat import heat_band, heat_index_f
from .hydration import drunk_ml_per_h
from .knowledge import RED_FLAGS, TRIGGERS
from .results import HistoryFlag, TriggerCount
from .sentences import join_words, muscle_words
from .units import METRIC, Units, c_to_f
from .vocabulary import BODY_REGIONS, MUSCLE_REGIONS, MUSCLES, REGION_LABELS

# NHS "Twitching eyes and muscles": see a GP if twitching lasts more than two
# weeks. Here: twitching check-ins spread over more than 14 days, at least
# PERSISTENT_MIN_CHECKINS of them within the last 28 days, the newest within
# the last 14 days (it is still coming back).
WINDOW_DAYS = 28
PERSISTENT_SPAN_DAYS = 14
PERSISTENT_MIN_CHECKINS = 3
RECENT_DAYS = 14
# Widespread (evidence.md R1a): twitching in two or more body regions in one
# check-in (assess), or, across the history, twitching outside the legs after
# WIDESPREAD_MIN_CHECKINS runs within WIDESPREAD_DAYS days.
WIDESPREAD_REGIONS = 2
WIDESPREAD_MIN_CHECKINS = 2
WIDESPREAD_DAYS = 30
# Sleep disturbed by twitching after this many runs within RECENT_DAYS.
SLEEP_MIN_CHECKINS = 2

# Frandsen, Nielsen et al. 2025 (BJSM): a run >10% longer than the longest of
# the previous 30 days raises injury risk (HRR 1.64 for >10-30%, 2.28 >100%).
SPIKE_LOOKBACK_DAYS = 30
SPIKE_PCT = 10.0
# Nielsen et al. 2014 (JOSPT, n=873 novices): week-on-week increases over 30% went with
# more running injuries (evidence.md A15; causes.py warns at the same figure). The
# `weekly_jump` trigger: the 7 days ending with a run over this much above the 7 before.
WEEKLY_JUMP_PCT = 30.0
# trigger_counts: under this many runs on either side, the page says "too few"
# (why 5: advice.stats, beside the same constant).
MIN_RUNS_PER_SIDE = _stats.MIN_RUNS_PER_SIDE
# Thresholds shared with the engine's rules (causes.py).
NO_REST_DAYS = 6  # the rest_days tip: at least one full rest day a week
# ACSM 2007: on runs over an hour, drink; under 250 ml an hour is this app's "little".
LITTLE_FLUID_ML_PER_H = 250
LITTLE_FLUID_MIN_DURATION = 60
LOW_CARBS_G = 30  # the article: 30-60 g about an hour before

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FLAG_KEYS = (
    "twitching",
    "muscles",
    "sleep_disrupted",
    "cooldown",
    "rehydrated",
    "fluid_ml",
    "carbs_before_g",
)


def fmt_date(day: dt.date) -> str:
    """'3 May': a date as the pages write it, independent of the locale."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def twitched(answers: Mapping) -> bool:
    """Twitching answered yes, or not answered but muscles named (cleaned answers)."""
    twitching = answers.get("twitching")
    if twitching is None:
        return bool(answers.get("muscles"))
    return twitching


def entries_of(entries: object) -> list[Mapping]:
    """The mappings among `entries`; a broken iterable yields what came before it broke."""
    out: list[Mapping] = []
    if entries is None or isinstance(entries, str | bytes | Mapping):
        return out
    try:
        for entry in entries:
            if isinstance(entry, Mapping):
                out.append(entry)
    except Exception:  # noqa: S110 - a hostile iterable: keep what it gave
        pass
    return out


def _date_of(entry: Mapping) -> dt.date | None:
    try:
        day = clean_date(entry.get("date"))
    except Exception:  # a hostile mapping
        return None
    return day if isinstance(day, dt.date) else None


def dated_runs(entries: object) -> list[tuple[dt.date, float]]:
    """(date, distance in km) for every entry with both, oldest first."""
    out = []
    for entry in entries_of(entries):
        a = clean_some(entry, ("date", "distance_km"))
        if "date" in a and "distance_km" in a:
            out.append((a["date"], a["distance_km"]))
    out.sort(key=lambda run: run[0])
    return out


def longest_run_spike(
    distance_km: float, run_date: dt.date, runs: Iterable[tuple[dt.date, float]]
) -> tuple[float, float] | None:
    """(% longer than the longest run of the 30 days before, that longest in km).

    Runs on or after `run_date` are ignored. None without an earlier run.
    """
    start = run_date - dt.timedelta(days=SPIKE_LOOKBACK_DAYS)
    longest = max((km for day, km in runs if start <= day < run_date), default=None)
    if not longest:
        return None
    return (distance_km / longest - 1.0) * 100.0, longest


def weekly_distance_jump(
    distance_km: float, run_date: dt.date, runs: Iterable[tuple[dt.date, float]]
) -> tuple[float, float, float] | None:
    """(km in the 7 days ending with this run, km in the 7 days before, % change).

    Nielsen et al. 2014: week-on-week increases over 30% went with more injuries
    in novices; the 10% rule itself is weakly supported (Buist et al. 2008).
    Runs on or after `run_date` are ignored. None when the week before is empty.
    """
    this_start = run_date - dt.timedelta(days=6)
    last_start = run_date - dt.timedelta(days=13)
    this_week = distance_km
    last_week = 0.0
    for day, km in runs:
        if this_start <= day < run_date:
            this_week += km
        elif last_start <= day < this_start:
            last_week += km
    if last_week <= 0:
        return None
    return this_week, last_week, (this_week / last_week - 1.0) * 100.0


# --- scan_history -------------------------------------------------------------------


def scan_history(entries: object, *, today: object = None, units: Units = METRIC) -> tuple[HistoryFlag, ...]:
    """The red flags only a history shows: persistent, widespread, sleep.

    Looks at the WINDOW_DAYS (28) days up to `today` (default: the newest
    entry's date), and at WIDESPREAD_DAYS (30) for twitching outside the legs.
    `units` is accepted for symmetry with `assess`; these reasons quote dates
    and counts, not measurements.
    """
    dated = []
    for index, entry in enumerate(entries_of(entries)):
        day = _date_of(entry)
        if day is not None:
            dated.append((day, index, entry))
    if not dated:
        return ()
    end = clean_date(today) if today is not None else None
    if not isinstance(end, dt.date):
        end = max(day for day, _, _ in dated)
    start = end - dt.timedelta(days=max(WINDOW_DAYS, WIDESPREAD_DAYS) - 1)
    recent = sorted((day, index, entry) for day, index, entry in dated if start <= day <= end)
    checkins = [(day, clean_some(entry, _FLAG_KEYS)) for day, _, entry in recent]
    twitches = [(day, answers) for day, answers in checkins if twitched(answers)]
    window_start = end - dt.timedelta(days=WINDOW_DAYS - 1)
    in_window = [(day, answers) for day, answers in twitches if day >= window_start]
    flags = []
    for flag in (
        _persistent(in_window, end),
        _widespread(twitches, end),
        _sleep(in_window, end),
    ):
        if flag is not None:
            flags.append(flag)
    return tuple(flags)


def _history_flag(code: str, because: list[str], days: Iterable[dt.date]) -> HistoryFlag:
    info = RED_FLAGS[code]
    return HistoryFlag(
        code=code,
        because=tuple(because),
        dates=tuple(sorted(set(days), reverse=True)),
        title=info.title,
        care=info.care,
    )


def _followed_tips(answers: Mapping) -> bool:
    """Eased down, drank (during or after) and ate carbohydrate before the run."""
    drank = answers.get("rehydrated") is True or answers.get("fluid_ml", 0) > 0
    return (
        answers.get("cooldown") in ("walk", "walk_stretch")
        and drank
        and (answers.get("carbs_before_g", 0) > 0)
    )


def _persistent(twitches: list, end: dt.date) -> HistoryFlag | None:
    if len(twitches) < PERSISTENT_MIN_CHECKINS:
        return None
    first, last = twitches[0][0], twitches[-1][0]
    span = (last - first).days
    if span <= PERSISTENT_SPAN_DAYS or (end - last).days > RECENT_DAYS:
        return None
    because = [
        f"twitching after {len(twitches)} runs between {fmt_date(first)} and "
        f"{fmt_date(last)}, over {span} days"
    ]
    followed = sum(1 for _, answers in twitches if _followed_tips(answers))
    if followed >= 2:
        because.append(f"it came back even on {followed} runs where you eased down, drank and ate beforehand")
    return _history_flag("persistent", because, (day for day, _ in twitches))


def _labels(codes: Iterable[str]) -> str:
    """Muscle groups as words, running muscles first (MUSCLES order)."""
    codes = set(codes)
    return muscle_words(code for code in MUSCLES if code in codes)


def regions_of(muscles: Iterable[str]) -> tuple[str, ...]:
    """The body regions (BODY_REGIONS order) these muscle codes lie in."""
    found = {MUSCLE_REGIONS[code] for code in muscles if code in MUSCLE_REGIONS}
    return tuple(region for region in BODY_REGIONS if region in found)


def regions_phrase(muscles: Iterable[str]) -> str:
    """'the legs (calves and quads) and the face (face)': each region with its muscles."""
    by_region: dict[str, list[str]] = {}
    for code in muscles:
        by_region.setdefault(MUSCLE_REGIONS[code], []).append(code)
    return join_words(
        [
            f"{REGION_LABELS[region]} ({_labels(by_region[region])})"
            for region in BODY_REGIONS
            if region in by_region
        ]
    )


def _widespread(twitches: list, end: dt.date) -> HistoryFlag | None:
    """Twitching outside the legs after two or more runs within 30 days (evidence.md R1a)."""
    start = end - dt.timedelta(days=WIDESPREAD_DAYS - 1)
    outside = [
        (day, [code for code in answers["muscles"] if MUSCLE_REGIONS.get(code) != "legs"])
        for day, answers in twitches
        if day >= start and answers.get("muscles")
    ]
    outside = [(day, codes) for day, codes in outside if codes]
    if len(outside) < WIDESPREAD_MIN_CHECKINS:
        return None
    where = _labels({code for _, codes in outside for code in codes})
    days = sorted({day for day, _ in outside}, reverse=True)
    on = join_words([fmt_date(day) for day in days[:3]]) + (" and earlier" if len(days) > 3 else "")
    because = [
        f"twitching outside the legs ({where}) after {len(outside)} runs in {WIDESPREAD_DAYS} days: {on}"
    ]
    return _history_flag("widespread", because, (day for day, _ in outside))


def _sleep(twitches: list, end: dt.date) -> HistoryFlag | None:
    nights = [
        day
        for day, answers in twitches
        if answers.get("sleep_disrupted") is True and (end - day).days < RECENT_DAYS
    ]
    if len(nights) < SLEEP_MIN_CHECKINS:
        return None
    because = [f"twitching disturbed your sleep after {len(nights)} runs in the last 14 days"]
    return _history_flag("sleep", because, nights)


# --- trigger_counts -------------------------------------------------------------------


# The answers trigger_counts reads of each run (the history page fetches no more of a long log).
TRIGGER_KEYS = (
    "date",
    "distance_km",
    "twitching",
    "cooldown",
    "temperature_c",
    "humidity_pct",
    "fluid_ml",
    "duration_min",
    "carbs_before_g",
    "spicy_meal",
    "days_since_rest",
)


def trigger_counts(entries: object) -> tuple[TriggerCount, ...]:
    """For each trigger (TRIGGERS order): runs with it and without it, and how
    many of each were followed by twitching.

    A run counts for a trigger only when the trigger can be judged (its keys
    answered with valid values) and twitching was answered yes or no.
    """
    return counts_from_combos(trigger_combos(entries))


def counts_from_combos(combos: Mapping[tuple, int]) -> tuple[TriggerCount, ...]:
    """trigger_counts from runs already tallied by trigger_combos."""
    tallies = tally_combos(combos, len(TRIGGERS))
    return tuple(
        TriggerCount(
            code=code,
            label=trigger.label,
            with_runs=tally[0],
            with_twitch=tally[1],
            without_runs=tally[2],
            without_twitch=tally[3],
            too_few=tally[0] < MIN_RUNS_PER_SIDE or tally[2] < MIN_RUNS_PER_SIDE,
        )
        for (code, trigger), tally in zip(TRIGGERS.items(), tallies, strict=True)
    )


def tally_combos(combos: Mapping[tuple, int], count: int) -> list[list[int]]:
    """For each of `count` triggers: [runs with it, of them twitching, runs without it,
    of them twitching], from runs tallied by trigger_combos."""
    tallies = [[0, 0, 0, 0] for _ in range(count)]
    for (judged, twitching), runs in combos.items():
        for tally, has_it in zip(tallies, judged, strict=True):
            if has_it is not None:
                offset = 0 if has_it else 2
                tally[offset] += runs
                tally[offset + 1] += runs if twitching else 0
    return tallies


def trigger_combos(entries: object) -> dict[tuple[tuple[bool | None, ...], bool], int]:
    """Runs tallied by what was judged of them: {(judgements in TRIGGERS order, twitched): runs}.

    Each judgement is True, False or None (cannot be judged). Only runs with twitching
    answered yes or no count. A log has a few dozen kinds of run, so what reads the
    tallies (counts per trigger, pairs of triggers) costs little whatever its length.
    """
    all_runs = []  # (date, km) of every dated run: the 30-day longest and the weeks count them all
    judged = []  # [single-run judgements, twitching, date, km] of runs with twitching answered
    for entry in entries_of(entries):
        a = clean_some(entry, TRIGGER_KEYS)
        twitching = a.get("twitching")
        day, km = a.get("date"), a.get("distance_km")
        if day is not None and km is not None:
            all_runs.append((day, km))
        if twitching is not None:
            judged.append((_judge(a), twitching, day, km))
    load = _load_judgements(all_runs, [(day, km) for _, _, day, km in judged])
    combos: dict[tuple, int] = {}
    for (single, twitching, _, _), (spike, jump) in zip(judged, load, strict=True):
        values = {**single, "long_run_spike": spike, "weekly_jump": jump}
        key = (tuple(values.get(code) for code in TRIGGERS), twitching)
        combos[key] = combos.get(key, 0) + 1
    return combos


def _judge(a: Mapping) -> dict[str, bool | None]:
    """True, False or None (cannot judge) for each trigger one run's answers decide,
    from cleaned answers."""
    cooldown = a.get("cooldown")
    temperature = a.get("temperature_c")
    humidity = a.get("humidity_pct")
    carbs = a.get("carbs_before_g")
    days = a.get("days_since_rest")
    hot = None
    if temperature is not None and humidity is not None:  # caution or worse (NWS heat index)
        hot = heat_band(heat_index_f(c_to_f(temperature), humidity)) is not None
    little_fluid = None
    drunk = drunk_ml_per_h(a.get("fluid_ml"), a.get("duration_min"))
    if drunk is not None and a["duration_min"] >= LITTLE_FLUID_MIN_DURATION:
        little_fluid = drunk < LITTLE_FLUID_ML_PER_H
    return {
        "no_cooldown": None if cooldown is None else cooldown == "none",
        "hot_humid": hot,
        "little_fluid": little_fluid,
        "no_carbs": None if carbs is None else carbs < LOW_CARBS_G,
        "spicy_meal": a.get("spicy_meal"),
        "no_rest_day": None if days is None else days >= NO_REST_DAYS,
    }


def _load_judgements(all_runs: list, runs: list) -> list[tuple[bool | None, bool | None]]:
    """(long-run spike?, weekly jump?) for each of `runs` ((date, km), either may be None),
    against every dated run of the log before its day; None where it cannot be judged.

    Spike: over SPIKE_PCT longer than the longest run of the 30 days before (needs an
    earlier run in those days). Weekly jump: the 7 days ending with this run over
    WEEKLY_JUMP_PCT above the 7 days before (needs distance in the week before), the
    rule of `weekly_distance_jump`. A sliding-window maximum and prefix sums over the
    runs sorted by date: O(n log n).
    """
    out: list[tuple[bool | None, bool | None]] = [(None, None)] * len(runs)
    all_runs = sorted(all_runs, key=lambda run: run[0])
    days = [day for day, _ in all_runs]
    totals = [0.0]
    for _, km in all_runs:
        totals.append(totals[-1] + km)

    def km_between(first: dt.date, last: dt.date) -> float:
        """Distance of the runs dated first .. last - 1 day."""
        return totals[bisect_left(days, last)] - totals[bisect_left(days, first)]

    order = sorted(
        (run[0], index) for index, run in enumerate(runs) if run[0] is not None and run[1] is not None
    )
    earliest = dt.date.min + 2 * dt.timedelta(days=max(SPIKE_LOOKBACK_DAYS, 14))
    window: deque = deque()  # (date, km), km strictly decreasing
    added = 0
    lookback = dt.timedelta(days=SPIKE_LOOKBACK_DAYS)
    week = dt.timedelta(days=7)
    for day, index in order:
        km = runs[index][1]
        if day < earliest:  # no weeks before it on the calendar: nothing to compare with
            continue
        while added < len(all_runs) and all_runs[added][0] < day:
            run = all_runs[added]
            while window and window[-1][1] <= run[1]:
                window.pop()
            window.append(run)
            added += 1
        while window and window[0][0] < day - lookback:
            window.popleft()
        spike = km > window[0][1] * (1 + SPIKE_PCT / 100) if window else None
        this_week = km + km_between(day - week + dt.timedelta(days=1), day)
        last_week = km_between(day - 2 * week + dt.timedelta(days=1), day - week + dt.timedelta(days=1))
        jump = this_week > last_week * (1 + WEEKLY_JUMP_PCT / 100) if last_week > 0 else None
        out[index] = (spike, jump)
    return out
