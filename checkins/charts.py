"""The history's charts, as figures the templates draw: twitch intensity and temperature
per run, a calendar of twitch days, and how often each muscle twitched. Plain Python on
the engine's answer mappings (checkins.history gathers them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from advice import MUSCLES, Units

from .templatetags.run_dates import format_run_date

CALENDAR_WEEKS = 12
# The answers the charts read of each run.
CHART_KEYS = ("date", "twitching", "intensity", "temperature_c", "muscles")
CHART_DAYS = 90  # the intensity chart's longest default span when no period is chosen
CHART_MIN_DAYS = 14  # ... and its shortest: a new runner's few runs are not squeezed to a sliver


# The figures are frozen dataclasses without slots: the history's overview is cached
# (checkins.pagecache.from_log), and a slotted frozen dataclass unpickles field by field
# in Python where a plain one fills its __dict__ at once.
@dataclass(frozen=True)
class Point:
    day: dt.date
    day_text: str  # "3 Mar" (with the year when it is not this year's): the table's label
    intensity: int | None  # None: no twitching answered, 0: answered no
    temperature_c: float | None
    x: float
    bar_x: float
    bar_y: float
    bar_h: float
    temp_y: float | None
    temp_text: str  # the table's cells: the temperature in the runner's unit, or "–"
    intensity_text: str  # ... the intensity, or "not answered"


# The intensity chart's box and its plot area, in SVG units; bars are BAR_W wide.
CHART_W, CHART_H, PAD_L, PAD_R, PAD_T, PAD_B = 340, 150, 24, 34, 8, 18
BAR_W = 4
TICK_GAP = 4  # between an axis and its labels


@dataclass(frozen=True)
class IntensityChart:
    points: tuple[Point, ...]
    start: dt.date
    end: dt.date
    temp_low: float
    temp_high: float
    temp_path: str
    temp_labels: tuple[str, str]
    # The geometry the template draws with (templates/checkins/_chart_intensity.html).
    width: int = CHART_W
    height: int = CHART_H
    left: int = PAD_L  # the plot area: intensity 10 at `top`, 0 on the axis at `baseline`
    right: int = CHART_W - PAD_R
    top: int = PAD_T
    baseline: int = CHART_H - PAD_B
    bar_width: int = BAR_W
    left_labels_x: int = PAD_L - TICK_GAP  # intensity, right-aligned
    right_labels_x: int = CHART_W - PAD_R + TICK_GAP  # temperature
    top_label_y: int = PAD_T + 6  # the label beside the top line, its baseline a little below it
    bottom_label_y: int = CHART_H - PAD_B + 2
    dates_y: int = CHART_H - 2  # the first and last day, under the axis

    @property
    def bars(self) -> tuple[Point, ...]:
        """The points drawn as a bar: twitching stronger than 0."""
        return tuple(point for point in self.points if point.bar_h)


def intensity_chart(
    entries: list[dict], *, start: dt.date, end: dt.date, units: Units, today: dt.date | None = None
) -> IntensityChart | None:
    """Bars of twitch intensity (0-10, left) and a line of temperature (right) per run."""
    chosen = [e for e in entries if start <= e["date"] <= end]
    if not chosen:
        return None
    span = max((end - start).days, 1)
    inner_w, inner_h = CHART_W - PAD_L - PAD_R, CHART_H - PAD_T - PAD_B
    temps = [units.temperature_from_c(e["temperature_c"]) for e in chosen if "temperature_c" in e]
    low = min(temps, default=0.0)
    high = max(temps, default=1.0)
    low, high = (low - 1, high + 1) if high - low < 2 else (low, high)
    points = []
    for entry in chosen:
        x = PAD_L + inner_w * (entry["date"] - start).days / span
        intensity = (
            entry.get("intensity")
            if entry.get("twitching")
            else (0 if entry.get("twitching") is False else None)
        )
        bar_h = inner_h * (intensity or 0) / 10
        temp = entry.get("temperature_c")
        temp_y = None
        if temp is not None:
            shown = units.temperature_from_c(temp)
            temp_y = PAD_T + inner_h * (1 - (shown - low) / (high - low))
        points.append(
            Point(
                day=entry["date"],
                day_text=format_run_date(entry["date"], "short", today=today),
                intensity=intensity,
                temperature_c=temp,
                x=round(x, 1),
                bar_x=round(x - BAR_W / 2, 1),
                bar_y=round(PAD_T + inner_h - bar_h, 1),
                bar_h=round(bar_h, 1),
                temp_y=None if temp_y is None else round(temp_y, 1),
                temp_text=units.fmt_temperature(temp) if temp is not None else "–",
                intensity_text="not answered" if intensity is None else str(intensity),
            )
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{p.x},{p.temp_y}"
        for i, p in enumerate(p for p in points if p.temp_y is not None)
    )
    # No temperature among the runs: no temperature axis to label.
    label = units.temperature_label
    labels = (f"{high:.0f}{label}", f"{low:.0f}{label}") if temps else ("", "")
    return IntensityChart(tuple(points), start, end, low, high, path, labels)


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    x: int
    y: int
    state: str  # "none", "run", "twitch-1" .. "twitch-3"
    label: str
    day_text: str  # "Tue 3 Mar" (with the year when it is not this year's): the table's label
    strongest: int | None = None  # the strongest twitching that day, 0-10

    @property
    def strongest_text(self) -> str:
        """The table's cell: the strongest twitching, or "none"."""
        return "none" if self.strongest is None else str(self.strongest)


# The calendar's colours, each named in its legend and in the table (the thresholds of `state`).
CALENDAR_KEY = (
    ("none", "No run"),
    ("run", "Run, no twitching"),
    ("twitch-1", "Twitching 0–3"),
    ("twitch-2", "Twitching 4–6"),
    ("twitch-3", "Twitching 7–10"),
)
CELL = 14  # a day's square and its gap, in SVG units


@dataclass(frozen=True)
class CalendarTick:
    x: int
    text: str


@dataclass(frozen=True)
class Calendar:
    cells: tuple[CalendarDay, ...]
    start: dt.date
    end: dt.date
    months: tuple[CalendarTick, ...]  # above the column where a month begins
    mondays: tuple[CalendarTick, ...]  # the day of the month of each column's Monday, below it

    @property
    def days_run(self) -> tuple[CalendarDay, ...]:
        """The days with a run, the rows of the calendar's table."""
        return tuple(cell for cell in self.cells if cell.state != "none")


def twitch_calendar(
    entries: list[dict], *, end: dt.date, weeks: int = CALENDAR_WEEKS, today: dt.date | None = None
) -> Calendar:
    """Weeks as columns (Monday on top), the last `weeks` weeks up to `end`, with dates."""
    today = today or end
    first = end - dt.timedelta(days=end.weekday() + 7 * (weeks - 1))
    by_day: dict[dt.date, list[dict]] = {}
    for entry in entries:
        if first <= entry["date"] <= end:
            by_day.setdefault(entry["date"], []).append(entry)
    cells = []
    for offset in range((end - first).days + 1):
        day = first + dt.timedelta(days=offset)
        runs = by_day.get(day, [])
        twitches = [e.get("intensity") or 0 for e in runs if e.get("twitching")]
        when = format_run_date(day, today=today)
        strongest = None
        if twitches:
            strongest = max(twitches)
            state = f"twitch-{1 + (strongest >= 4) + (strongest >= 7)}"
            label = f"{when}: twitching, strongest {strongest}/10"
        elif runs:
            state, label = "run", f"{when}: ran, no twitching"
        else:
            state, label = "none", f"{when}: no run"
        cells.append(
            CalendarDay(day, CELL * (offset // 7), CELL * (offset % 7), state, label, when, strongest)
        )
    months: list[CalendarTick] = []
    mondays = []
    fallback = False  # the first column's label when no month begins in it
    for week in range(weeks):
        monday = first + dt.timedelta(days=7 * week)
        mondays.append(CalendarTick(CELL * week + 6, str(monday.day)))
        begins = [d for d in (monday + dt.timedelta(days=i) for i in range(7)) if d.day == 1]
        if not begins and week:
            continue
        if months and CELL * week - months[-1].x < 3 * CELL:  # it would run into the label before
            if not fallback:
                continue
            months.pop()  # a month that begins here beats the first column's fallback
        month = begins[0] if begins else monday
        with_year = month.year != today.year and (not months or month.month == 1)
        months.append(CalendarTick(CELL * week, f"{month:%b %Y}" if with_year else f"{month:%b}"))
        fallback = not begins
    return Calendar(tuple(cells), first, end, tuple(months), tuple(mondays))


def muscle_heat(entries: list[dict]) -> tuple[dict[str, int], dict[str, int], int]:
    """How often each group twitched: (count per muscle, shade 0-4 per muscle, twitching runs)."""
    counts = Counter(m for e in entries if e.get("twitching") for m in e.get("muscles", ()))
    twitching_runs = sum(1 for e in entries if e.get("twitching"))
    top = max(counts.values(), default=0)
    shades = {m: (0 if not counts[m] else 1 + min(3, int(3 * counts[m] / top))) for m in MUSCLES}
    return {m: counts[m] for m in MUSCLES}, shades, twitching_runs


def default_chart_start(entries: list[dict], end: dt.date) -> dt.date:
    """From the first run shown, at least CHART_MIN_DAYS and at most CHART_DAYS before `end`."""
    first = min((e["date"] for e in entries if e["date"] <= end), default=end)
    return max(end - dt.timedelta(days=CHART_DAYS), min(first, end - dt.timedelta(days=CHART_MIN_DAYS)))
