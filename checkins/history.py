"""A runner's history: filters, the answer mappings behind patterns and trigger counts,
and the figures the charts draw. A fixed number of queries whatever the log's length.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.template.loader import render_to_string

from advice import MUSCLE_LABELS, MUSCLES, Units, scan_history, trigger_counts
from advice.history import MIN_RUNS_PER_SIDE

from .models import CHECKIN_ANSWER_KEYS, RUN_ANSWER_KEYS, Profile, Run
from .templatetags.run_dates import format_run_date

CALENDAR_WEEKS = 12
LATEST_DATE = dt.date(2100, 12, 31)  # the last day a period may name
CHART_DAYS = 90  # the intensity chart's longest default span when no period is chosen
CHART_MIN_DAYS = 14  # ... and its shortest: a new runner's few runs are not squeezed to a sliver


class DateRangeForm(forms.Form):
    """A period: from and to, both optional, to not before from.

    A "To" before "From" is named at "To" and neither date is used, so a page never
    shows a period the runner did not ask for as if it were the one they chose. Fields
    with an error carry `aria-invalid` and point at their message (`err-<name>`).
    """

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    range_reversed = False  # set by clean(): "To" before "From"

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            day = cleaned.get(name)
            first, last = Run.EARLIEST_START, LATEST_DATE
            if day is not None and not first.date() <= day <= last:
                self.add_error(
                    name, f"Enter a date from {first.day} {first:%b %Y} up to {last.day} {last:%b %Y}."
                )
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                f"“To” is before “From”: choose a day on or after {start.day} {start:%b %Y}, "
                "or change “From”.",
            )
            cleaned.pop("start", None)  # neither date applies while the period is the wrong way round
            self.range_reversed = True
        return cleaned

    def full_clean(self):
        super().full_clean()
        invalid = {name: f"err-{name}" for name in self.errors if name in self.fields}
        if self.range_reversed:
            invalid.setdefault("start", "err-end")
        for name, message_id in invalid.items():
            widget = self.fields[name].widget
            widget.attrs = {
                **widget.attrs,
                "aria-invalid": "true",
                "aria-describedby": message_id,
                "class": f"{widget.attrs.get('class', '')} is-invalid".strip(),
            }

    @property
    def dates_refused(self) -> bool:
        """True when a date was given but cannot be used (shown at its field)."""
        return self.is_bound and not self.is_valid() and any(n in self.errors for n in ("start", "end"))


class HistoryFilter(DateRangeForm):
    """Filters live in the query string, so a filtered view can be bookmarked and shared."""

    field_order = ["twitching", "muscle", "start", "end"]

    twitching = forms.BooleanField(
        label="Only runs with twitching",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    muscle = forms.ChoiceField(
        label="Muscle group",
        required=False,
        choices=[("", "Any"), *MUSCLE_LABELS.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def _usable(self) -> dict:
        """The filters that can be applied: an invalid one is left out (its error is shown)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def apply(self, runs):
        """Narrow a Run queryset by every valid filter; invalid ones show their errors instead."""
        data = self._usable()
        if data.get("twitching"):
            runs = runs.filter(checkin__twitching=True)
        if data.get("muscle"):
            runs = runs.filter(checkin__muscles__contains=f",{data['muscle']},")
        if data.get("start"):
            runs = runs.filter(date__gte=data["start"])
        if data.get("end"):
            runs = runs.filter(date__lte=data["end"])
        return runs

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        data = self._usable()
        return data.get("start"), data.get("end")

    def query_string(self) -> str:
        """The filters in use as a query string, without the page number."""
        from urllib.parse import urlencode

        data = self._usable()
        pairs = [(name, self.data[name]) for name in self.fields if data.get(name) and self.data.get(name)]
        return urlencode(pairs)


ANSWER_FIELDS = (
    "pk",
    "date",
    *RUN_ANSWER_KEYS,
    *(f"checkin__{key}" for key in CHECKIN_ANSWER_KEYS),
)


ANSWER_NAMES = tuple(name.removeprefix("checkin__") for name in ANSWER_FIELDS)


def history_entries(runner, *, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """The runner's runs as the domain's answers, oldest first (one query).

    `days_since_rest` is derived from the whole log where the runner did not give
    it, so a run at the edge of the period still counts the days before it.
    """
    rows = (
        Run.objects.filter(runner_id=getattr(runner, "pk", runner))
        .order_by("date", "started_at")
        .values_list(*ANSWER_FIELDS)
    )
    entries = [
        {key: value for key, value in zip(ANSWER_NAMES, row, strict=True) if value not in (None, "", [])}
        for row in rows
    ]
    streaks = running_streaks({entry["date"] for entry in entries})
    for entry in entries:
        entry.setdefault("days_since_rest", streaks[entry["date"]])
    return in_period(entries, start, end)


def in_period(entries: list[dict], start: dt.date | None, end: dt.date | None) -> list[dict]:
    if start is None and end is None:
        return entries
    return [e for e in entries if (start is None or e["date"] >= start) and (end is None or e["date"] <= end)]


def running_streaks(dates: set[dt.date]) -> dict[dt.date, int]:
    """For each day with a run: days in a row with a run, ending that day (one pass)."""
    streaks: dict[dt.date, int] = {}
    for day in sorted(dates):
        streaks[day] = streaks.get(day - dt.timedelta(days=1), 0) + 1
    return streaks


# --- Chart figures -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    day: dt.date
    intensity: int | None  # None: no twitching answered, 0: answered no
    temperature_c: float | None
    x: float
    bar_x: float
    bar_y: float
    bar_h: float
    temp_y: float | None
    temp_text: str


@dataclass(frozen=True, slots=True)
class IntensityChart:
    points: tuple[Point, ...]
    width: int
    height: int
    start: dt.date
    end: dt.date
    temp_low: float
    temp_high: float
    temp_path: str
    temp_labels: tuple[str, str]


CHART_W, CHART_H, PAD_L, PAD_R, PAD_T, PAD_B = 340, 150, 24, 34, 8, 18


def intensity_chart(
    entries: list[dict], *, start: dt.date, end: dt.date, units: Units
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
                intensity=intensity,
                temperature_c=temp,
                x=round(x, 1),
                bar_x=round(x - 2, 1),
                bar_y=round(PAD_T + inner_h - bar_h, 1),
                bar_h=round(bar_h, 1),
                temp_y=None if temp_y is None else round(temp_y, 1),
                temp_text=units.fmt_temperature(temp) if temp is not None else "",
            )
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{p.x},{p.temp_y}"
        for i, p in enumerate(p for p in points if p.temp_y is not None)
    )
    # No temperature among the runs: no temperature axis to label.
    label = units.temperature_label
    labels = (f"{high:.0f}{label}", f"{low:.0f}{label}") if temps else ("", "")
    return IntensityChart(tuple(points), CHART_W, CHART_H, start, end, low, high, path, labels)


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: dt.date
    x: int
    y: int
    state: str  # "none", "run", "twitch-1" .. "twitch-3"
    label: str
    strongest: int | None = None  # the strongest twitching that day, 0-10


# The calendar's colours, each named in its legend and in the table (the thresholds of `state`).
CALENDAR_KEY = (
    ("none", "No run"),
    ("run", "Run, no twitching"),
    ("twitch-1", "Twitching 0–3"),
    ("twitch-2", "Twitching 4–6"),
    ("twitch-3", "Twitching 7–10"),
)
CELL = 14  # a day's square and its gap, in SVG units


@dataclass(frozen=True, slots=True)
class CalendarTick:
    x: int
    text: str


@dataclass(frozen=True, slots=True)
class Calendar:
    cells: tuple[CalendarDay, ...]
    start: dt.date
    end: dt.date
    months: tuple[CalendarTick, ...]  # above the column where a month begins
    mondays: tuple[CalendarTick, ...]  # the day of the month of each column's Monday, below it

    def __iter__(self):  # the cells, as before the dates were added
        return iter(self.cells)

    def __len__(self) -> int:
        return len(self.cells)


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
        cells.append(CalendarDay(day, CELL * (offset // 7), CELL * (offset % 7), state, label, strongest))
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


# The patterns only a history shows look at the last four weeks (advice.history).
FLAG_WINDOW_DAYS = 28


def history_overview(runner, *, filters: HistoryFilter, units: Units, today: dt.date) -> dict:
    """Everything above the run list: banners, trigger counts and charts (one query)."""
    start, end = filters.period
    everything = history_entries(runner)
    entries = in_period(everything, start, end)
    recent = in_period(everything, today - dt.timedelta(days=FLAG_WINDOW_DAYS), None)
    flags = []
    for flag in scan_history(recent, today=today, units=units):
        days = set(flag.dates)
        links = [{"pk": e["pk"], "day": e["date"]} for e in reversed(recent) if e["date"] in days]
        flags.append(
            {**{name: getattr(flag, name) for name in ("code", "title", "because", "care")}, "links": links}
        )
    counts = trigger_counts(entries)
    shown = [c for c in counts if c.with_runs or c.without_runs]
    chart_end = end or today
    chart_start = start or default_chart_start(entries, chart_end)
    counts_by_muscle, shades, twitching_runs = muscle_heat(entries)
    calendar = twitch_calendar(entries, end=chart_end, today=today)
    return {
        "flags": flags,
        "counts": counts,
        "counts_shown": bool(shown),
        "counts_compared": [c for c in shown if not c.too_few],
        "counts_too_few": [c for c in shown if c.too_few],
        "min_runs_per_side": MIN_RUNS_PER_SIDE,
        "chart": intensity_chart(entries, start=chart_start, end=chart_end, units=units),
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


# --- Rendered once per version of the log ------------------------------------------

OVERVIEW_SECONDS = 3600


def cache_key(*parts) -> str:
    """A short key safe for every cache backend, whatever the parts contain."""
    return "aftermath:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def history_fragments(
    request, *, profile: Profile, filters: HistoryFilter, units: Units, today: dt.date
) -> dict:
    """The banners and the overview (counts, charts) as HTML, cached per revision of the log.

    The whole page is cached too (checkins.pagecache); these parts outlive it when
    only the filters change. The keys hold everything the HTML depends on (the
    log's revision, the day, the units and the period), so a cached fragment is
    never stale and every app server may keep its own cache.
    """
    start, end = filters.period
    base = ("history", request.user.pk, profile.log_revision, today.isoformat())
    keys = {
        "banners_html": cache_key(*base, "banners"),
        "overview_html": cache_key(*base, units, start, end, "overview"),
    }
    found = cache.get_many(list(keys.values()))
    if len(found) == len(keys):
        return {name: found[key] for name, key in keys.items()}
    context = history_overview(request.user, filters=filters, units=units, today=today)
    rendered = {
        name: render_to_string(
            f"checkins/history.html#{name.removesuffix('_html')}", context, request=request
        )
        for name in keys
    }
    cache.set_many({keys[name]: html for name, html in rendered.items()}, OVERVIEW_SECONDS)
    return rendered
