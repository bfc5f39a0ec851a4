"""When to see a doctor, and how soon: one rule per red flag.

A rule reads the facts (facts.py) and yields the reasons it finds, each quoting
the runner's own figures; a flag with a reason is raised. The flag's title,
care and urgency come from the knowledge (RED_FLAGS). Urgent flags come first
and, in `assess`, leave no other tip beside them (evidence.md part C). Plain
Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .facts import Facts
from .history import WIDESPREAD_REGIONS, regions_of, regions_phrase, scan_history
from .hydration import drunk_ml_per_h, urine_status
from .knowledge import RED_FLAGS
from .results import RedFlag
from .sentences import DRINK_CAP_ML_PER_H, join_words, symptom_words

Reasons = Iterator[str]

# Miller et al. 2022, Table 1: cramps with any of these are severe.
SEVERE_CRAMP_SIGNS = ("dizziness", "collapse", "nausea", "vomiting", "dark_urine", "confusion")
# Collapse or confusion after a run (Asplund et al. 2011; Roberts 2021).
COLLAPSE_SIGNS = ("collapse", "confusion")
# Roberts 2021: in the heat these mean heat illness. Without humidity, 27 °C is about
# the caution band's 80 °F.
HOT_RUN_C = 27.0
# Hew-Butler et al. 2015: headache, nausea or confusion after drinking a lot. They
# name no amount; these are deliberately generous.
OVERHYDRATION_SIGNS = ("headache", "nausea", "vomiting", "confusion")
OVERDRINK_ML_PER_H = DRINK_CAP_ML_PER_H
OVERDRINK_ML = 3000  # when the run's duration is not known
# NHS, clinical consensus: cola-brown urine with these points to muscle breakdown.
BREAKDOWN_SIGNS = ("severe_pain", "swelling")
# Anticoagulant warnings: sudden painful swelling or bruising in a muscle.
BLEEDING_SIGNS = ("swelling", "bruising")


def severe_cramps(f: Facts) -> Reasons:
    if f.answers.get("cramps") is not True:
        return
    signs = [symptom_words([code]) for code in SEVERE_CRAMP_SIGNS if code in f.symptoms]
    urine = f.answers.get("urine_color")
    if urine_status(urine) == "very_dehydrated" and "dark_urine" not in f.symptoms:  # 7 or 8 of 8
        signs.append(f"urine colour {urine} of 8")
    if signs:
        yield f"cramps together with {join_words(signs)}"


def _hot(f: Facts) -> bool:
    temperature = f.answers.get("temperature_c")
    return f.heat_band is not None or (temperature is not None and temperature >= HOT_RUN_C)


def heat_illness(f: Facts) -> Reasons:
    """Collapse or confusion after a hot run: cool first (evidence.md R5)."""
    signs = [code for code in COLLAPSE_SIGNS if code in f.symptoms]
    if signs and _hot(f):
        yield f"{symptom_words(signs)} after a run at {f.weather_text}"


def collapse(f: Facts) -> Reasons:
    """Collapse or confusion after any other run, whatever the weather and whether or
    not there was twitching (evidence.md R3b)."""
    signs = [code for code in COLLAPSE_SIGNS if code in f.symptoms]
    if signs and not _hot(f):
        weather = f" at {f.weather_text}" if "temperature_c" in f.answers else ""
        run = f"a run of {f.minutes_text}{weather}" if f.minutes_text else f"a run{weather}"
        yield f"{symptom_words(signs)} after {run}"


def overhydration(f: Facts) -> Reasons:
    signs = [code for code in OVERHYDRATION_SIGNS if code in f.symptoms]
    if not signs:
        return
    reasons = []
    change = f.body_mass_change_pct
    if change is not None and change > 0:  # any weight gain is drinking more than was sweated
        reasons.append(f"your weight went up by {f.units.fmt_weight(-f.lost_kg)} during the run")
    fluid = f.answers.get("fluid_ml")
    drunk = drunk_ml_per_h(fluid, f.answers.get("duration_min"))
    # A lot for the time it took, or with no duration, a lot in all.
    if drunk is not None and drunk >= OVERDRINK_ML_PER_H:
        reasons.append(f"{f.units.fmt_volume(fluid)} drunk in {f.minutes_text}")
    elif drunk is None and fluid is not None and fluid >= OVERDRINK_ML:
        reasons.append(f"{f.units.fmt_volume(fluid)} drunk")
    if reasons:
        yield from reasons
        yield f"with {symptom_words(signs)}"


def muscle_breakdown(f: Facts) -> Reasons:
    """Cola-brown urine is enough on its own (evidence.md R4, NHS): it is not dehydration."""
    if "cola_urine" not in f.symptoms:
        return
    signs = [symptom_words([code]) for code in BREAKDOWN_SIGNS if code in f.symptoms]
    if f.answers.get("weakness") is True:
        signs.append("muscle weakness")
    yield f"cola-brown urine with {join_words(signs)}" if signs else "cola-brown urine after the run"


def bleeding(f: Facts) -> Reasons:
    signs = [code for code in BLEEDING_SIGNS if code in f.symptoms]
    if signs and "blood_thinners" in f.answers.get("medications", ()):
        yield f"{symptom_words(signs)} while on a blood thinner"


def persistent(f: Facts) -> Reasons:
    """Twitching that keeps coming back, as this check-in's history shows (scan_history)."""
    day = f.answers.get("date")
    if not f.history or day is None or not f.twitched:
        return
    for flag in scan_history([*f.history, f.answers], today=day):
        if flag.code == "persistent":
            yield from flag.because


def widespread(f: Facts) -> Reasons:
    if not f.twitched:
        return
    # Body regions, not muscles (evidence.md R1a): many leg muscles after a run are one region.
    regions = regions_of(f.muscles)
    if len(regions) >= WIDESPREAD_REGIONS:
        yield f"twitching in {len(regions)} body regions: {regions_phrase(f.muscles)}"
    if f.answers.get("daily_life_disrupted") is True:
        yield "the twitching disrupts your daily life"


def weakness(f: Facts) -> Reasons:
    if f.twitched and f.answers.get("weakness") is True:
        yield "twitching together with muscle weakness"


def sleep(f: Facts) -> Reasons:
    if f.twitched and f.answers.get("sleep_disrupted") is True:
        yield "the twitching disturbed your sleep"


RULES: dict[str, Callable[[Facts], Reasons]] = {
    "severe_cramps": severe_cramps,
    "heat_illness": heat_illness,
    "collapse": collapse,
    "overhydration": overhydration,
    "muscle_breakdown": muscle_breakdown,
    "bleeding": bleeding,
    "persistent": persistent,
    "widespread": widespread,
    "weakness": weakness,
    "sleep": sleep,
}


def find_red_flags(f: Facts) -> list[RedFlag]:
    """The red flags raised, urgent ones first, then in RED_FLAGS order."""
    flags = []
    for code, info in sorted(RED_FLAGS.items(), key=lambda item: not item[1].urgent):
        because = tuple(RULES[code](f))
        if because:
            flags.append(
                RedFlag(
                    code=code,
                    because=because,
                    urgent=info.urgent,
                    title=info.title,
                    care=info.care,
                    reference=info.reference,
                )
            )
    return flags
