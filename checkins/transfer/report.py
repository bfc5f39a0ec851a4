"""A report for a doctor: what happened over a chosen period, on one or two A4 pages."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter

from django.utils import timezone

from advice import (
    MEDICATION_LABELS,
    MUSCLE_LABELS,
    MUSCLES,
    RED_FLAGS,
    SYMPTOM_LABELS,
    SYMPTOMS,
    Units,
    assess,
    honest_patterns,
    scan_history,
    trigger_counts,
)
from advice.sentences import join_words
from advice.stats import MIN_RUNS_PER_SIDE

from ..experiments.running import report_rows
from ..history import history_entries


def doctor_report(runner, profile, *, start: dt.date, end: dt.date) -> dict:
    """The figures of the report, from the runner's own check-ins in [start, end]."""
    units: Units = profile.units
    entries = history_entries(runner, start=start, end=end)
    answered = [e for e in entries if "twitching" in e]
    twitching = [e for e in answered if e.get("twitching")]
    flags = flag_groups(entries, units)
    patterns = [
        {
            "code": flag.code,
            "title": clinical_title(flag.code, flag.title),
            "dates": sorted(flag.dates),
            "because": [third_person(reason) for reason in flag.because],
        }
        for flag in scan_history(entries, today=end, units=units)
    ]
    # A warning of one kind is one line: what the history adds joins the runs' own.
    by_code = {group["code"]: group for group in flags}
    for pattern in patterns:
        if pattern["code"] in by_code:
            by_code[pattern["code"]]["across"] = pattern["because"]
    patterns = [pattern for pattern in patterns if pattern["code"] not in by_code]
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
        "triggers": [
            count._replace(label=third_person(count.label))
            for count in trigger_counts(entries)
            if count.with_runs or count.without_runs
        ],
        "trigger_patterns": clinical_patterns(entries),
        "notice": CLINICIAN_NOTICE,
        "medicines": [MEDICATION_LABELS.get(m, m) for m in medicines],
        "medicine_changed_on": changed_on,
        "medicine_changed_now": profile.medication_changed,
        "experiments": report_rows(
            runner, start=start, end=end, today=timezone.localdate(), words=third_person
        ),
    }


# --- Warnings, written for the clinician who reads the report ---------------------------

# The engine's titles address the runner; where one does, the report says it this way.
CLINICAL_TITLES = {"sleep": "Twitching that disturbs sleep"}
_FLAG_ORDER = {code: index for index, code in enumerate(RED_FLAGS)}
# What the runner answered that each warning rests on, in the order the report quotes it.
_FLAG_FACTS = {
    "severe_cramps": ("cramps", "symptoms", "urine"),
    "heat_illness": ("symptoms", "run"),
    "collapse": ("symptoms", "run"),
    "overhydration": ("symptoms", "weight", "fluid", "run"),
    "muscle_breakdown": ("symptoms", "weakness"),
    "bleeding": ("symptoms", "medicines"),
    "widespread": ("twitching", "daily_life"),
    "weakness": ("twitching", "weakness"),
    "sleep": ("twitching", "sleep"),
}
_DEFAULT_FACTS = ("twitching", "symptoms")
# The signs that need care soonest lead a list of symptoms; the rest follow in domain order.
_SERIOUS = ("collapse", "confusion", "cola_urine", "vomiting", "severe_pain", "swelling", "bruising")
_SYMPTOM_ORDER = _SERIOUS + tuple(code for code in SYMPTOMS if code not in _SERIOUS)
CLINICIAN_NOTICE = (
    "Aftermath is not a medical device: its warnings come from general rules applied to the "
    "runner's own answers, and are not a diagnosis."
)
_PRONOUNS = (
    (re.compile(r"\bYour\b"), "The runner's"),
    (re.compile(r"\byour\b"), "the runner's"),
    (re.compile(r"\bYou\b"), "The runner"),
    (re.compile(r"\byou\b"), "the runner"),
)


def third_person(text: str) -> str:
    """A sentence the engine wrote to the runner, about the runner instead."""
    for pattern, words in _PRONOUNS:
        text = pattern.sub(words, text)
    return text


def clinical_patterns(entries: list[dict]) -> dict:
    """The history's honest patterns (Fisher's test, Holm), worded about the runner."""
    patterns = honest_patterns(entries)
    rows = [
        pattern._replace(
            label=third_person(pattern.label),
            counts=third_person(pattern.counts),
            together=tuple(third_person(line) for line in pattern.together),
        )
        for pattern in (*patterns.compared, *patterns.too_few)
    ]
    return {
        "rows": rows,
        "tested": patterns.tested,
        "too_few_text": (
            f"–: too few runs to tell (a comparison needs at least {MIN_RUNS_PER_SIDE} runs with "
            f"a trigger and {MIN_RUNS_PER_SIDE} without)."
            if patterns.too_few
            else ""
        ),
        "caution": third_person(patterns.caution),
        "method": third_person(patterns.method),
    }


def clinical_title(code: str, title: str) -> str:
    return CLINICAL_TITLES.get(code) or third_person(title)


def _fact(name: str, entry: dict, units: Units) -> str:
    """One thing the runner reported after a run, in the third person ('' if not answered)."""
    if name == "twitching":
        muscles = [MUSCLE_LABELS[m].lower() for m in MUSCLES if m in entry.get("muscles", ())]
        return (
            f"twitching in {join_words(muscles)}"
            if muscles
            else "twitching"
            if entry.get("twitching")
            else ""
        )
    if name == "symptoms":
        labels = [SYMPTOM_LABELS[s].lower() for s in _SYMPTOM_ORDER if s in entry.get("symptoms", ())]
        return join_words(labels) if labels else ""
    if name == "run":
        parts = []
        if "duration_min" in entry:
            parts.append(f"of {entry['duration_min']:.0f} min")
        if "temperature_c" in entry:
            parts.append(f"at {units.fmt_temperature(entry['temperature_c'])}")
        if "humidity_pct" in entry:
            joint = "and" if "temperature_c" in entry else "at"
            parts.append(f"{joint} {entry['humidity_pct']:.0f} % humidity")
        return "after a run " + " ".join(parts) if parts else ""
    if name == "weight" and "weight_before_kg" in entry and "weight_after_kg" in entry:
        before, after = entry["weight_before_kg"], entry["weight_after_kg"]
        return f"weight {units.fmt_weight(before)} before and {units.fmt_weight(after)} after the run"
    if name == "fluid" and "fluid_ml" in entry:
        return f"{units.fmt_volume(entry['fluid_ml'])} drunk during the run"
    if name == "urine" and "urine_color" in entry:
        return f"urine colour {entry['urine_color']} of 8"
    if name == "medicines" and entry.get("medications"):
        return "taking " + join_words([MEDICATION_LABELS[m].lower() for m in entry["medications"]])
    if name in _YES_FACTS:
        key, words = _YES_FACTS[name]
        return words if entry.get(key) is True else ""
    return ""


# Facts that are a yes to one question: (answer key, words).
_YES_FACTS = {
    "cramps": ("cramps", "cramps"),
    "weakness": ("weakness", "muscle weakness"),
    "sleep": ("sleep_disrupted", "disturbed sleep"),
    "daily_life": ("daily_life_disrupted", "daily life affected"),
}


def reported(code: str, entry: dict, units: Units) -> str:
    """What the runner reported after the run that raised this warning, for a clinician."""
    facts = (_fact(name, entry, units) for name in _FLAG_FACTS.get(code, _DEFAULT_FACTS))
    return "; ".join(fact for fact in facts if fact)


def flag_groups(entries: list[dict], units: Units) -> list[dict]:
    """The warnings of each run, one line per kind: urgent first, then as the engine orders
    them; each with its runs' dates and what the runner reported (identical reports merged)."""
    groups: dict[str, dict] = {}
    for entry in entries:
        for flag in assess(entry, units=units).red_flags:
            group = groups.setdefault(
                flag.code,
                {
                    "code": flag.code,
                    "title": clinical_title(flag.code, flag.title),
                    "urgent": flag.urgent,
                    "dates": [],
                    "reported": {},
                },
            )
            group["dates"].append(entry["date"])
            words = reported(flag.code, entry, units)
            if words:
                group["reported"].setdefault(words, []).append(entry["date"])
    ordered = sorted(groups.values(), key=lambda g: (not g["urgent"], _FLAG_ORDER.get(g["code"], 99)))
    for group in ordered:
        group["count"] = len(group["dates"])
        group["reported"] = [{"words": words, "dates": dates} for words, dates in group["reported"].items()]
    return ordered
