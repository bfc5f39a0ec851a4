"""Time zones a runner can pick: places, not the tz database's internals.

The list leaves out non-geographic names ("Factory", "Etc/GMT+5", "EST5EDT") and the
legacy aliases kept for old systems ("US/Eastern", "Asia/Calcutta", "GB"): only
Area/Location names and UTC. Where the system's tz database has `zone.tab` (one
entry per country and region, present on Debian and in the `tzdata` package), it
decides which Area/Location names are current, so "Asia/Calcutta" gives way to
"Asia/Kolkata" while "Europe/Oslo" stays. A zone the runner already has stays valid
and shown, listed or not (a browser may still report an alias).
"""

from __future__ import annotations

import contextlib
import functools
import zoneinfo
from importlib import resources
from pathlib import Path

from django import forms

AREAS = frozenset(
    [
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
)
# Zones most runners of this app live in, first in the list (each a current name).
COMMON = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "UTC",
)


@functools.cache
def known_zones() -> frozenset[str]:
    """Every name of the tz database, aliases included (read once)."""
    return frozenset(zoneinfo.available_timezones())


def _zone_tab() -> set[str] | None:
    """The zone names of the tz database's zone.tab, wherever it is found, else None."""
    candidates = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError, TypeError):  # the tzdata package (Windows)
        candidates.append(resources.files("tzdata").joinpath("zoneinfo", "zone.tab"))
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError):
            continue
        rows = (line.split("\t") for line in text.splitlines() if not line.startswith("#"))
        names = {row[2] for row in rows if len(row) >= 3}
        if names:
            return names
    return None


def is_place(name: str) -> bool:
    """An Area/Location name ("Europe/Paris", "America/Argentina/Salta")."""
    area, _, rest = name.partition("/")
    return area in AREAS and bool(rest)


@functools.cache
def listed_zones() -> tuple[str, ...]:
    """Every zone the picker lists: current Area/Location names, sorted, then UTC."""
    places = {name for name in known_zones() if is_place(name)}
    current = _zone_tab()
    if current:
        places &= current
    return (*sorted(places), "UTC")


def label(name: str) -> str:
    return name.replace("_", " ")


@functools.cache
def zone_choices() -> tuple:
    """The picker's groups: the common zones, then all of them by area."""
    listed = set(listed_zones())
    common = [(name, label(name)) for name in COMMON if name in listed]
    everything = [(name, label(name)) for name in listed_zones()]
    return (("Common", common), ("All, A to Z", everything))


class ZoneSelect(forms.Select):
    """A select that always shows the runner's stored zone, even one the list leaves out."""

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        chosen = [v for v in value if v]
        listed = set(listed_zones())
        missing = [v for v in chosen if v not in listed]
        if missing:
            option = self.create_option(name, missing[0], label(missing[0]), True, 0, attrs=attrs)
            groups.insert(0, (None, [option], 0))
        return groups


class TimeZoneField(forms.ChoiceField):
    """The zone picker. Any zone of the tz database is a valid value (a stored one, or the
    browser's); the form decides whether one outside the list is allowed (ProfileForm keeps
    the runner's own)."""

    widget = ZoneSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", zone_choices)
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault(
            "help_text",
            "Your runs' days and times are shown in it. Changing it never moves old runs to another day.",
        )
        super().__init__(**kwargs)

    def valid_value(self, value) -> bool:
        return value in known_zones()


NOT_LISTED = "Choose a time zone from the list."
