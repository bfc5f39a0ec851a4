"""Dates of runs as a runner reads them: the year only when it is not this year.

`{{ run.started_at|run_date }}` gives "Tue 3 Mar" this year and "Tue 3 Mar 2025" for an
older run; `run_date:"time"` adds the time ("Tue 3 Mar, 07:30"), `run_date:"short"`
leaves out the weekday ("3 Mar", "3 Mar 2025"). "This year" is the year of today in
the runner's time zone (the active zone of the request).

A time stored at the calendar's ends (year 1, year 9999) has no local time in some
zones: it is shown as stored (checkins.plausible.local_time), never a broken page. So
the filter takes the time as stored (not `expects_localtime`, whose conversion would
overflow before the filter is called) and converts it itself.
"""

from __future__ import annotations

import datetime as dt
import functools

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

from ..plausible import local_time

register = template.Library()

STYLES = {
    "": ("D j M", "D j M Y"),
    "time": ("D j M, H:i", "D j M Y, H:i"),
    "short": ("j M", "j M Y"),
}


def format_run_date(value: dt.date | dt.datetime, style: str = "", *, today: dt.date | None = None) -> str:
    """The day (and time) of a run; with its year only when that is not today's year."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = local_time(value)
    this_year = (today or timezone.localdate()).year
    same_year, other_year = STYLES.get(style, STYLES[""])
    pattern = same_year if value.year == this_year else other_year
    if type(value) is dt.date:  # a history shows hundreds of days: each worded once
        return _day_in_words(value, pattern, get_language())
    return date_format(value, pattern)


@functools.lru_cache(maxsize=4096)
def _day_in_words(day: dt.date, pattern: str, language: str | None) -> str:
    """A day in a pattern, as Django words it in `language` (the active one, so a key)."""
    return date_format(day, pattern)


@register.filter(is_safe=False)
def run_date(value, style: str = "") -> str:
    if not isinstance(value, dt.date):
        return ""
    return format_run_date(value, style)
