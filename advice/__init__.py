"""Aftermath's advice engine: causes, tips and red flags for post-run twitching.

The engine is plain Python with no Django import (a test enforces it); the
Django side (apps.py, views, templates) only shows what it returns.

    from advice import assess, scan_history, trigger_counts
    assessment = assess(answers, history=earlier, units=profile_units)
    flags = scan_history(entries)
    counts = trigger_counts(entries)
    patterns = honest_patterns(entries)  # the same, judged: Fisher's test, Holm

The tips pages' plans (plans.py) read the whole log the same way:

    routine = cooldown_routine(entries, units=profile_units)
    plan = hydration_plan(entries, duration_min=60, temperature_c=28, humidity_pct=70)
    plans = fuel_plans(entries, body_weight_kg=68)
"""

from .clean import clean
from .engine import assess
from .heat import HEAT_BAND_NAMES, HEAT_BANDS, heat_band, heat_index_c, heat_index_f
from .history import longest_run_spike, scan_history, trigger_counts, weekly_distance_jump
from .hydration import body_mass_change_pct, replace_ml, sweat_rate_l_per_h
from .knowledge import (
    CAUSES,
    EVIDENCE_GRADES,
    RED_FLAGS,
    REFERENCES,
    RELIEF_TIPS,
    TIPS,
    TRIGGERS,
    WHEN,
    WHEN_LABELS,
    CauseInfo,
    RedFlagInfo,
    Reference,
    Stretch,
    Tip,
    Trigger,
)
from .patterns import Pattern, Patterns, honest_patterns
from .plans import cooldown_routine, fuel_plans, hydration_plan
from .results import (
    Assessment,
    Cause,
    FuelPlan,
    HistoryFlag,
    HydrationPlan,
    Metrics,
    Plan,
    RedFlag,
    Routine,
    Step,
    TriggerCount,
)
from .units import METRIC, Units
from .vocabulary import (
    ANSWER_KEYS,
    COOLDOWN_LABELS,
    COOLDOWNS,
    DISCLAIMER,
    EXCLUSIVE_MIN,
    MEDICATION_LABELS,
    MEDICATIONS,
    MUSCLE_LABELS,
    MUSCLES,
    RANGES,
    RUN_TYPE_LABELS,
    RUN_TYPES,
    RUNNING_MUSCLES,
    SYMPTOM_LABELS,
    SYMPTOMS,
)

__all__ = [
    "ANSWER_KEYS",
    "CAUSES",
    "COOLDOWNS",
    "COOLDOWN_LABELS",
    "DISCLAIMER",
    "EVIDENCE_GRADES",
    "EXCLUSIVE_MIN",
    "HEAT_BANDS",
    "HEAT_BAND_NAMES",
    "MEDICATIONS",
    "MEDICATION_LABELS",
    "METRIC",
    "MUSCLES",
    "MUSCLE_LABELS",
    "RANGES",
    "RED_FLAGS",
    "REFERENCES",
    "RELIEF_TIPS",
    "RUNNING_MUSCLES",
    "RUN_TYPES",
    "RUN_TYPE_LABELS",
    "SYMPTOMS",
    "SYMPTOM_LABELS",
    "TIPS",
    "TRIGGERS",
    "WHEN",
    "WHEN_LABELS",
    "Assessment",
    "Cause",
    "CauseInfo",
    "FuelPlan",
    "HistoryFlag",
    "HydrationPlan",
    "Metrics",
    "Pattern",
    "Patterns",
    "Plan",
    "RedFlag",
    "RedFlagInfo",
    "Reference",
    "Routine",
    "Step",
    "Stretch",
    "Tip",
    "Trigger",
    "TriggerCount",
    "Units",
    "assess",
    "body_mass_change_pct",
    "clean",
    "cooldown_routine",
    "fuel_plans",
    "heat_band",
    "heat_index_c",
    "heat_index_f",
    "honest_patterns",
    "hydration_plan",
    "longest_run_spike",
    "replace_ml",
    "scan_history",
    "sweat_rate_l_per_h",
    "trigger_counts",
    "weekly_distance_jump",
]
