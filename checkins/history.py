"""The history's queries: a runner's log as the engine's answers (with the running
streaks it derives), and everything the history page shows above its list of runs.
A fixed number of queries whatever the log's length.
"""

from __future__ import annotations

import datetime as dt

from advice import MUSCLE_LABELS, TRIGGERS, Units, scan_history
from advice.history import TRIGGER_KEYS, counts_from_combos, trigger_combos
from advice.patterns import patterns_from_combos

from .charts import (
    CALENDAR_KEY,
    CALENDAR_WEEKS,
    CELL,
    CHART_KEYS,
    default_chart_start,
    intensity_chart,
    muscle_heat,
    twitch_calendar,
)
from .models import CHECKIN_ANSWER_KEYS, RUN_ANSWER_KEYS, Run
from .plausible import day_range

ANSWER_FIELDS = (
    "pk",
    "date",
    *RUN_ANSWER_KEYS,
    *(f"checkin__{key}" for key in CHECKIN_ANSWER_KEYS),
)


ANSWER_NAMES = tuple(name.removeprefix("checkin__") for name in ANSWER_FIELDS)
FIELD_OF = dict(zip(ANSWER_NAMES, ANSWER_FIELDS, strict=True))

# What the trigger counts and the charts read of every run of the log: the history
# fetches only these of a long log, and every answer of the last four weeks only.
COUNTED_NAMES = tuple(name for name in ANSWER_NAMES if name in {*TRIGGER_KEYS, *CHART_KEYS})


def history_entries(runner, *, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The runner's runs as the domain's answers, oldest first (one query).

    `days_since_rest` is derived from the whole log where the runner did not give
    it, so a run at the edge of the period still counts the days before it.
    """
    entries = answers(runner, ANSWER_NAMES)
    add_streaks(entries, running_streaks({entry["date"] for entry in entries}))
    return in_period(entries, start, end)


def answers(runner, names: tuple[str, ...], *, since: dt.date | None = None) -> list[dict]:
    """These answers of the runner's runs (from `since` on), oldest first, each left out
    where it is not given (one query)."""
    # A day off the plausible calendar (stored before checkins.plausible held the rule) is
    # no day of the log: the days and weeks before it would overflow the calendar.
    first, last = day_range()
    runs = Run.objects.filter(runner_id=getattr(runner, "pk", runner), date__gte=first, date__lte=last)
    if since is not None:
        runs = runs.filter(date__gte=since)
    rows = runs.order_by("date", "started_at").values_list(*(FIELD_OF[name] for name in names))
    return [
        {
            key: value
            for key, value in zip(names, row, strict=True)
            if value is not None and value != "" and value != []
        }
        for row in rows
    ]


def add_streaks(entries: list[dict], streaks: dict[dt.date, int]) -> None:
    """Each entry's days in a row with a run, where the runner did not give it."""
    for entry in entries:
        entry.setdefault("days_since_rest", streaks[entry["date"]])


def in_period(entries: list[dict], start: dt.date | None, end: dt.date | None) -> list[dict]:
    if start is None and end is None:
        return entries
    return [e for e in entries if (start is None or e["date"] >= start) and (end is None or e["date"] <= end)]


def running_streaks(dates: set[dt.date]) -> dict[dt.date, int]:
    """For each day with a run: days in a row with a run, ending that day (one pass)."""
    streaks: dict[dt.date, int] = {}
    for day in sorted(dates):
        before = day - dt.timedelta(days=1) if day > dt.date.min else None
        streaks[day] = streaks.get(before, 0) + 1
    return streaks


# The patterns only a history shows look at the last four weeks (advice.history).
FLAG_WINDOW_DAYS = 28


def history_overview(
    runner, *, start: dt.date | None, end: dt.date | None, units: Units, today: dt.date
) -> dict:
    """Everything above the run list, for a period (open at either end): the banners of
    patterns in the last four weeks, trigger counts and charts (two queries: what the
    counts and charts read of every run, and every answer of the last four weeks)."""
    everything = answers(runner, COUNTED_NAMES)
    recent = answers(runner, ANSWER_NAMES, since=today - dt.timedelta(days=FLAG_WINDOW_DAYS))
    streaks = running_streaks({entry["date"] for entry in (*everything, *recent)})
    add_streaks(everything, streaks)
    add_streaks(recent, streaks)
    entries = in_period(everything, start, end)
    flags = []
    for flag in scan_history(recent, today=today, units=units):
        days = set(flag.dates)
        links = [{"pk": e["pk"], "day": e["date"]} for e in reversed(recent) if e["date"] in days]
        flags.append(
            {**{name: getattr(flag, name) for name in ("code", "title", "because", "care")}, "links": links}
        )
    combos = trigger_combos(entries)
    patterns = patterns_from_combos(combos, TRIGGERS)
    chart_end = end or today
    chart_start = start or default_chart_start(entries, chart_end)
    counts_by_muscle, shades, twitching_runs = muscle_heat(entries)
    calendar = twitch_calendar(entries, end=chart_end, today=today)
    return {
        "flags": flags,
        "counts": counts_from_combos(combos),
        "patterns": patterns,
        "chart": intensity_chart(entries, start=chart_start, end=chart_end, units=units, today=today),
        "calendar": calendar,
        "calendar_key": CALENDAR_KEY,
        "calendar_weeks": CALENDAR_WEEKS,
        "calendar_width": CELL * CALENDAR_WEEKS + 30,  # room for a month named in the last column
        "shades": shades,
        "twitching_runs": twitching_runs,
        "muscle_rows": [
            {"code": code, "label": MUSCLE_LABELS[code], "count": count}
            for code, count in sorted(counts_by_muscle.items(), key=lambda item: -item[1])
            if count
        ],
    }
