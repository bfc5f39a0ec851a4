"""The check-in's vocabulary (shared/domain.md): codes, labels and ranges.

One source of truth for the engine, the forms and the models. Codes may be
added, never renamed or dropped. Plain Python: no Django import.
"""

from __future__ import annotations

from types import MappingProxyType

# --- Code lists, each with its runner-facing label ---------------------------

# The running muscles come first: the cool-down lists them in this order, and
# twitching outside them counts toward `widespread` sooner (domain.md).
MUSCLE_LABELS = MappingProxyType(
    {
        "calves": "Calves",
        "shins": "Shins",
        "feet": "Feet",
        "quads": "Quads",
        "hamstrings": "Hamstrings",
        "glutes": "Glutes",
        "hips": "Hips",
        "lower_back": "Lower back",
        "abs": "Abs",
        "arms": "Arms",
        "hands": "Hands",
        "shoulders": "Shoulders",
        "neck": "Neck",
        "face": "Face",
    }
)
MUSCLES = tuple(MUSCLE_LABELS)
RUNNING_MUSCLES = ("calves", "shins", "feet", "quads", "hamstrings", "glutes", "hips")

# Body regions, for `widespread` (domain.md; evidence.md R1a): the region grouping of
# the revised El Escorial criteria (Brooks et al. 2000) and Awaji (de Carvalho et al.
# 2008), used only to count regions. The muscles a run works are one region: twitching
# in several of them after a run is expected, not widespread.
BODY_REGIONS = MappingProxyType(
    {
        "head": ("face",),
        "upper": ("neck", "shoulders", "arms", "hands"),
        "trunk": ("abs", "lower_back"),
        "legs": RUNNING_MUSCLES,
    }
)
REGION_LABELS = MappingProxyType(
    {"head": "the face", "upper": "the neck, shoulders or arms", "trunk": "the trunk", "legs": "the legs"}
)
MUSCLE_REGIONS = MappingProxyType(
    {muscle: region for region, muscles in BODY_REGIONS.items() for muscle in muscles}
)

SYMPTOM_LABELS = MappingProxyType(
    {
        "thirst": "Thirst",
        "dark_urine": "Dark urine",
        "dizziness": "Dizziness",
        "fatigue": "Unusual tiredness",
        "shaky": "Shakiness",
        "lightheaded": "Light-headedness",
        "hungry": "Hunger",
        "headache": "Headache",
        "nausea": "Nausea",
        "vomiting": "Vomiting",
        "confusion": "Confusion or odd behaviour",
        "collapse": "Collapse or fainting",
        "cola_urine": "Cola-brown urine",
        "severe_pain": "Severe muscle pain",
        "swelling": "Swelling in a muscle",
        "bruising": "Bruising in a muscle",
    }
)
SYMPTOMS = tuple(SYMPTOM_LABELS)

MEDICATION_LABELS = MappingProxyType(
    {
        "blood_thinners": "Blood thinners (anticoagulants)",
        "diuretics": "Diuretics (water tablets)",
        "statins": "Statins (for cholesterol)",
        "asthma_inhaler": "Asthma inhaler",
        "blood_pressure": "Blood-pressure medicine",
        "stimulants": "Stimulants (for example for ADHD)",
    }
)
MEDICATIONS = tuple(MEDICATION_LABELS)

RUN_TYPE_LABELS = MappingProxyType(
    {
        "easy": "Easy run",
        "long": "Long run",
        "tempo": "Tempo run",
        "intervals": "Intervals",
        "race": "Race",
        "trail": "Trail run",
    }
)
RUN_TYPES = tuple(RUN_TYPE_LABELS)
# A run type as a noun in a sentence ('before your next tempo run'); None: any run.
RUN_NOUNS = MappingProxyType(
    {
        "easy": "easy run",
        "long": "long run",
        "tempo": "tempo run",
        "intervals": "interval session",
        "race": "race",
        "trail": "trail run",
        None: "run",
    }
)

COOLDOWN_LABELS = MappingProxyType(
    {
        "none": "Stopped straight away",
        "walk": "Jogged or walked easily",
        "walk_stretch": "Jogged or walked, then stretched",
    }
)
COOLDOWNS = tuple(COOLDOWN_LABELS)

# --- Numeric ranges -------------------------------------------------------------

# key -> (min, max), inclusive, metric. `distance_km` and `duration_min` must
# also be above zero (EXCLUSIVE_MIN). domain.md gives `days_since_rest` no upper
# bound; 3650 (ten years of daily running) matches the model's validator.
RANGES = MappingProxyType(
    {
        "distance_km": (0, 300),
        "duration_min": (0, 2000),
        "effort": (1, 10),
        "temperature_c": (-40, 50),
        "humidity_pct": (0, 100),
        "fluid_ml": (0, 6000),
        "carbs_before_g": (0, 400),
        "carbs_before_min": (0, 1440),
        "meal_before_h": (0, 48),
        "weight_before_kg": (25, 250),
        "weight_after_kg": (25, 250),
        "days_since_rest": (0, 3650),
        "intensity": (0, 10),
        "urine_color": (1, 8),
    }
)
EXCLUSIVE_MIN = frozenset({"distance_km", "duration_min"})
INT_KEYS = frozenset(
    {
        "effort",
        "fluid_ml",
        "carbs_before_g",
        "carbs_before_min",
        "days_since_rest",
        "intensity",
        "urine_color",
    }
)
BOOL_KEYS = (
    "electrolytes_during",
    "spicy_meal",
    "twitching",
    "visible",
    "cramps",
    "weakness",
    "sleep_disrupted",
    "daily_life_disrupted",
    "rehydrated",
    "medication_changed",
)
ENUM_KEYS = MappingProxyType({"run_type": RUN_TYPES, "cooldown": COOLDOWNS})
LIST_KEYS = MappingProxyType({"muscles": MUSCLES, "symptoms": SYMPTOMS, "medications": MEDICATIONS})

# Every key of a check-in, in domain.md's order.
ANSWER_KEYS = (
    "date",
    "distance_km",
    "duration_min",
    "effort",
    "run_type",
    "temperature_c",
    "humidity_pct",
    "fluid_ml",
    "electrolytes_during",
    "carbs_before_g",
    "carbs_before_min",
    "meal_before_h",
    "spicy_meal",
    "cooldown",
    "weight_before_kg",
    "weight_after_kg",
    "days_since_rest",
    "twitching",
    "muscles",
    "intensity",
    "visible",
    "cramps",
    "weakness",
    "sleep_disrupted",
    "daily_life_disrupted",
    "symptoms",
    "urine_color",
    "rehydrated",
    "medications",
    "medication_changed",
)

DISCLAIMER = (
    "Aftermath is not a medical device: it shares general information about running "
    "and wellbeing, it cannot tell what is behind your symptoms, and it does not "
    "replace a doctor."
)
