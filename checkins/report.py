"""A report for a doctor: what happened over a chosen period, on one or two A4 pages."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from advice import (
    MEDICATION_LABELS,
    MUSCLE_LABELS,
    SYMPTOM_LABELS,
    Units,
    assess,
    scan_history,
    trigger_counts,
)

from .history import DateRangeForm, history_entries

DEFAULT_DAYS = 90


class PeriodForm(DateRangeForm):
    """The report's period; by default the last 90 days."""

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        return start, end


def doctor_report(runner, profile, *, start: dt.date, end: dt.date) -> dict:
    """The figures of the report, from the runner's own check-ins in [start, end]."""
    units: Units = profile.units
    entries = history_entries(runner, start=start, end=end)
    answered = [e for e in entries if "twitching" in e]
    twitching = [e for e in answered if e.get("twitching")]
    flags = []
    for entry in entries:
        for flag in assess(entry, units=units).red_flags:
            flags.append(
                {"date": entry["date"], "title": flag.title, "because": flag.because, "urgent": flag.urgent}
            )
    patterns = scan_history(entries, today=end, units=units)
    muscles = Counter(m for e in twitching for m in e.get("muscles", ()))
    symptoms = Counter(s for e in twitching for s in e.get("symptoms", ()))
    intensities = [e["intensity"] for e in twitching if "intensity" in e]
    medicines = sorted({m for e in entries for m in e.get("medications", ())} | set(profile.medications))
    changed_on = [e["date"] for e in entries if e.get("medication_changed")]
    return {
        "start": start,
        "end": end,
        "runs": len(entries),
        "answered": len(answered),
        "twitching": len(twitching),
        "twitch_days": sorted({e["date"] for e in twitching}),
        "intensity_median": statistics.median(intensities) if intensities else None,
        "intensity_max": max(intensities, default=None),
        "cramps": sum(1 for e in twitching if e.get("cramps")),
        "weakness": sum(1 for e in entries if e.get("weakness")),
        "sleep": sum(1 for e in entries if e.get("sleep_disrupted")),
        "daily_life": sum(1 for e in entries if e.get("daily_life_disrupted")),
        "muscles": [(MUSCLE_LABELS[m], n) for m, n in muscles.most_common()],
        "symptoms": [(SYMPTOM_LABELS[s], n) for s, n in symptoms.most_common()],
        "flags": flags,
        "patterns": patterns,
        "triggers": [c for c in trigger_counts(entries) if c.with_runs or c.without_runs],
        "medicines": [MEDICATION_LABELS.get(m, m) for m in medicines],
        "medicine_changed_on": changed_on,
        "medicine_changed_now": profile.medication_changed,
    }
