"""Sentences with the runner's own figures that `assess` and the tips pages
(plans.py) both say, and the words they are built from: each is built here, in
one place.

Fixed sentences live in knowledge.py; these fill in numbers, in the runner's
units, and codes as words. Plain Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable

from .hydration import SIGNIFICANT_LOSS_PCT, round_to
from .units import Units, f_to_c, fmt_number
from .vocabulary import MUSCLE_LABELS, SYMPTOM_LABELS

PREHYDRATE_ML_PER_KG = (5, 7)  # ACSM 2007: 5-7 ml/kg at least 4 h before
TOP_UP_ML_PER_KG = (3, 5)  # ACSM 2007: 3-5 ml/kg more about 2 h before, if urine is dark
# The most to drink in an hour: the rate the overhydration flag watches for
# (Hew-Butler et al. 2015 name no figure; deliberately generous).
DRINK_CAP_ML_PER_H = 1000
LONG_DRINK_MIN = 60  # ACSM 2007: on runs over an hour, carry something to drink
FUEL_RUN_MIN = 60  # Thomas et al. 2016: 1-4 g/kg 1-4 h before runs over 60 min
MIDRUN_FUEL_MIN = 75  # sports drink mid-run beyond about 60-75 min
ARTICLE_CARBS_G = (30, 60)  # the article: 30-60 g about an hour before
ARTICLE_CARBS_MIN = (45, 75)
BIG_CARBS_MIN = (60, 240)
NWS_CHART_TOP_F = 137.0  # the highest value on the NWS heat index chart


def join_words(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def muscle_words(codes: Iterable[str]) -> str:
    """'calves, quads and face': muscle codes as words, in the order given."""
    return join_words([MUSCLE_LABELS[code].lower() for code in codes])


def symptom_words(codes: Iterable[str]) -> str:
    """'thirst and dizziness': symptom codes as words, in the order given."""
    return join_words([SYMPTOM_LABELS[code].lower() for code in codes])


def with_article(noun: str) -> str:
    """'a race', 'an interval session'."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def hours_text(hours: float) -> str:
    """'1.5 h'."""
    return f"{fmt_number(hours, 1)} h"


def feels_like(u: Units, heat_index_f: float) -> str:
    """'39 °C', or 'more than 58 °C' past the top of the NWS chart: how hot it felt."""
    if heat_index_f > NWS_CHART_TOP_F:
        return f"more than {u.fmt_temperature(f_to_c(NWS_CHART_TOP_F))}"
    return u.fmt_temperature(f_to_c(heat_index_f))


def a_or_an(number: int) -> str:
    """'an' before numbers read with a vowel sound: 8, 11, 18, 80-89, 800-899 ..."""
    digits = str(number)
    return "an" if digits[0] == "8" or digits in ("11", "18") else "a"


def volume_range(u: Units, low_ml: float, high_ml: float) -> str:
    """'350–490 ml': the unit once when both ends share it."""
    low, high = u.fmt_volume(low_ml), u.fmt_volume(high_ml)
    number, _, unit = low.partition(" ")
    return f"{number}–{high}" if high.endswith(f" {unit}") else f"{low}–{high}"


def ml_per_kg(body_weight_kg: float, per_kg: tuple[int, int]) -> tuple[int, int]:
    """A per-kg range for this body weight, to the nearest 10 ml."""
    low, high = per_kg
    return round_to(low * body_weight_kg, 10), round_to(high * body_weight_kg, 10)


def prehydrate_sentence(u: Units, volumes: tuple[int, int], run: str = "your next run") -> str:
    return f"About 4 hours before {run}, drink {volume_range(u, *volumes)}."


def drink_rate_ml_per_h(sweat_rate_l_per_h: float, body_weight_kg: float, duration_min: float) -> int:
    """Enough to stay under a 2% loss (ACSM 2007), never more than is sweated, and
    never past the rate the overhydration flag watches for; to the nearest 50 ml."""
    hours = duration_min / 60
    allowed_l = SIGNIFICANT_LOSS_PCT / 100 * body_weight_kg
    needed_l_per_h = max(0.0, sweat_rate_l_per_h * hours - allowed_l) / hours
    return round_to(min(needed_l_per_h, sweat_rate_l_per_h, DRINK_CAP_ML_PER_H / 1000) * 1000, 50)


def drink_rate_sentence(
    u: Units, drink_rate_ml: int, run: str = "a run like this", *, hot: bool = False, long: bool = False
) -> str:
    """How much to drink an hour on a run. With no set amount needed, a hot or long run
    still gets 'carry water' (ACSM 2007): a sweat rate measured on cooler runs
    underestimates a hot one's."""
    if drink_rate_ml:
        return (
            f"On {run}, drink about {u.fmt_volume(drink_rate_ml)} an hour, to thirst, and never "
            "so much that you gain weight."
        )
    if hot:
        return (
            f"On {run}, carry water and drink to thirst: in the heat you sweat more than on cooler "
            "runs. Never drink so much that you gain weight."
        )
    if long:
        return f"On {run}, carry water and drink to thirst, never so much that you gain weight."
    return f"On {run}, drinking to thirst is enough."


def replace_per_weight(u: Units, replace_ml_per_kg: float) -> str:
    """'1.5 l per kg' or '23 fl oz per lb'."""
    return f"{u.fmt_volume(replace_ml_per_kg * u.weight_to_kg(1))} per {u.weight_label}"


def carbs_per_kg(duration_min: float) -> int:
    """Grams per kg before a run over an hour: 1 g/kg for up to 90 min, 2 g/kg up to
    2.5 h, 3 g/kg beyond. Thomas et al. 2016 give 1-4 g/kg 1-4 h before; the more
    eaten, the earlier, so about one hour per g/kg."""
    if duration_min <= 90:
        return 1
    return 2 if duration_min <= 150 else 3


def carbs_before(duration_min: float | None, body_weight_kg: float | None) -> tuple[tuple, tuple, bool]:
    """(grams, minutes before the start, grams from body weight?) for a run this long.

    With the body weight known, runs over 60 min get one figure (low == high) from
    carbs_per_kg, eaten per_kg to per_kg + 1 hours before (Thomas et al. 2016);
    otherwise the article's 30-60 g about an hour before.
    """
    if duration_min is not None and duration_min > FUEL_RUN_MIN and body_weight_kg is not None:
        per_kg = carbs_per_kg(duration_min)
        grams = round(per_kg * body_weight_kg / 5) * 5
        return (grams, grams), (per_kg * 60, (per_kg + 1) * 60), True
    return ARTICLE_CARBS_G, ARTICLE_CARBS_MIN, False


def big_carbs_sentence(carbs_g: tuple[int, int], carbs_min: tuple[int, int], run: str) -> str:
    low, high = (minutes // 60 for minutes in carbs_min)
    return (
        f"Before {run}, eat about {carbs_g[0]} g of carbohydrate {low}–{high} hours before the start, "
        "low in fibre and fat."
    )


def article_carbs_sentence(run: str = "your next run") -> str:
    return (
        f"Eat 30–60 g of carbohydrate about an hour before {run}, for example a banana and a slice of toast."
    )


def per_weight_carbs_sentence(u: Units, body_weight_kg: float | None = None) -> str:
    """1-4 g per kg (or lb) before runs over an hour; with a body weight, the grams too."""
    per_unit = u.weight_to_kg(1)
    grams = f" ({round(body_weight_kg)}–{round(4 * body_weight_kg)} g for you)" if body_weight_kg else ""
    return (
        f"Before runs over an hour, more helps: {fmt_number(per_unit, 1)}–{fmt_number(4 * per_unit, 1)} g "
        f"per {u.weight_label} of body weight{grams}, 1–4 hours before."
    )


def per_kg_carbs_sentence(u: Units, duration_min: float, run: str = "a run of this length") -> str:
    """carbs_per_kg for a run over an hour when the body weight is not known: one figure,
    per kg or lb (Thomas et al. 2016)."""
    per_kg = carbs_per_kg(duration_min)
    per_unit = per_kg * u.weight_to_kg(1)
    return (
        f"Before {run}, more helps: about {fmt_number(per_unit, 1)} g per {u.weight_label} of body weight, "
        f"{per_kg}–{per_kg + 1} hours before the start. Add your weight in Settings for a figure in grams."
    )
