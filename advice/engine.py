"""`assess`: one check-in in; ranked causes, ordered tips, red flags, metrics and
a plan out.

The rules live by what they decide: causes.py (which causes, from which signals),
red_flags.py (when to see a doctor), after_run.py (the plan). This module glues
them: facts from the cleaned answers, then causes, red flags, the tips in order,
metrics and the plan. Plain Python: no Django import.
"""

from __future__ import annotations

from .after_run import after_run_plan
from .causes import find_causes
from .clean import clean, clean_value
from .facts import Facts, read_facts
from .heat import heat_band
from .history import entries_of
from .knowledge import RELIEF_TIPS, TIPS, WHEN, Tip
from .red_flags import find_red_flags
from .results import Assessment, Cause, Metrics, RedFlag
from .units import METRIC, Units, f_to_c, units_or_metric


def assess(
    answers: object,
    *,
    history: object = None,
    units: Units = METRIC,
    body_weight_kg: object = None,
) -> Assessment:
    """Assess one check-in: ranked causes, ordered tips, red flags, metrics, plan.

    `answers` is any mapping with the keys of domain.md; invalid values are
    ignored. `history` (earlier answer mappings) feeds the overuse rules and
    `persistent`. `units` is used for every quoted figure. `body_weight_kg`
    (the profile's) sets g/kg and ml/kg targets; weight_before_kg stands in.
    """
    f = read_facts(
        clean(answers),
        units=units_or_metric(units),
        history=tuple(entries_of(history)),
        body_weight_kg=clean_value("weight_before_kg", body_weight_kg),
    )
    causes: list[Cause] = []
    tip_codes: set[str] = set()
    if f.twitched or f.answers.get("cramps") is True:
        causes, tip_codes = find_causes(f)
    tip_codes |= tips_without_a_cause(f)
    red_flags = find_red_flags(f)
    return Assessment(
        causes=tuple(causes),
        tips=ordered_tips(tip_codes, causes, red_flags),
        red_flags=tuple(red_flags),
        metrics=metrics(f),
        plan=after_run_plan(f),
        twitching=f.answers.get("twitching"),
    )


def tips_without_a_cause(f: Facts) -> set[str]:
    """Relief for cramps, whatever the cause; drinking less after a weight gain."""
    tips = set()
    if f.answers.get("cramps") is True:
        tips.update(RELIEF_TIPS)
    if f.body_mass_change_pct is not None and f.body_mass_change_pct > 0:
        tips.add("avoid_overdrinking")  # Hew-Butler et al. 2015: any gain is overdrinking
    return tips


def ordered_tips(codes: set[str], causes: list[Cause], red_flags: list[RedFlag]) -> tuple[Tip, ...]:
    """see_doctor first when there is a red flag; then by when (now, before the next run,
    this week), by their cause's rank (tips for no cause last), and in TIPS order.

    An urgent flag overrides all other advice (evidence.md part C): nothing beside it,
    no "drink more" next to "drink no more water".
    """
    see_doctor = (TIPS["see_doctor"],) if red_flags else ()
    if any(flag.urgent for flag in red_flags):
        return see_doctor
    rank = {cause.code: index for index, cause in enumerate(causes)}
    in_tips = list(TIPS)

    def order(tip: Tip) -> tuple[int, int, int]:
        return WHEN.index(tip.when), rank.get(tip.cause, len(causes)), in_tips.index(tip.code)

    return see_doctor + tuple(sorted((TIPS[code] for code in codes), key=order))


def metrics(f: Facts) -> Metrics:
    heat_index = f.heat_index_f
    change = f.body_mass_change_pct
    sweat_rate = f.sweat_rate_l_per_h
    return Metrics(
        heat_index_c=round(f_to_c(heat_index), 1) if heat_index is not None else None,
        heat_band=heat_band(heat_index),
        body_mass_change_pct=round(change, 1) if change is not None else None,
        sweat_rate_l_per_h=round(sweat_rate, 2) if sweat_rate is not None else None,
        replace_ml=f.replace_ml,
        load=f.load,
    )
