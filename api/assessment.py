"""The advice for a run as the API gives it: what the run's page shows, in the same order.

Red flags first; with an urgent one, only the urgent flags (the care to seek), and no
causes or tips beside them (templates/advice/guidance.html has the same rule). The texts
come from the engine; this module only picks and orders them, and writes the headline.
"""

from __future__ import annotations

from advice import DISCLAIMER, Assessment, Tip
from checkins.assessing import assess_run, general_tips_for, to_record_next_time
from checkins.models import Profile, Run

# The tailored figures the run's page shows under a tip (Assessment.plan's fields).
PLAN_OF_TIP = {
    "rehydrate_after": "rehydrate_text",
    "hydrate_before": "drink_text",
    "carbs_before": "fuel_text",
    "cooldown_stretch": "cooldown_steps",
}


def tip_out(tip: Tip, assessment: Assessment | None = None) -> dict:
    plan = getattr(assessment.plan, PLAN_OF_TIP[tip.code]) if assessment and tip.code in PLAN_OF_TIP else None
    return {
        "code": tip.code,
        "cause": tip.cause,
        "title": tip.title,
        "text": tip.text,
        "when": tip.when,
        "evidence": tip.evidence,
        "reference": tip.reference,
        "plan": [plan] if isinstance(plan, str) and plan else list(plan or ()),
    }


def headline(assessment: Assessment) -> str:
    """One line for a phone's notification; never a diagnosis ("may be linked to")."""
    if assessment.urgent:
        flag = assessment.urgent_flags[0]
        return f"Urgent: {flag.title}. {flag.care}"
    parts = []
    if assessment.red_flags:
        parts.append("See a doctor: " + "; ".join(flag.title for flag in assessment.red_flags) + ".")
    if assessment.causes:
        parts.append("May be linked to: " + ", ".join(cause.title for cause in assessment.causes) + ".")
    elif assessment.twitching:
        parts.append("Nothing in your answers points to a cause this time.")
    elif assessment.twitching is False and not parts:
        parts.append("No twitching after this run: nothing to explain.")
    return " ".join(parts) or "No advice yet: say whether anything twitched after the run."


def assessment_out(assessment: Assessment, answers: dict) -> dict:
    urgent = assessment.urgent
    flags = (
        assessment.urgent_flags if urgent else sorted(assessment.red_flags, key=lambda flag: not flag.urgent)
    )
    no_cause = not urgent and assessment.twitching and not assessment.causes
    return {
        "urgent": urgent,
        "headline": headline(assessment),
        "red_flags": [flag._asdict() for flag in flags],
        "causes": [] if urgent else [cause._asdict() for cause in assessment.causes],
        "tips": [] if urgent else [tip_out(tip, assessment) for tip in assessment.tips],
        "general_tips": [tip_out(tip) for tip in general_tips_for(answers)] if no_cause else [],
        "to_record_next_time": to_record_next_time(answers) if no_cause else [],
        "notice": DISCLAIMER,
    }


def run_advice(run: Run, profile: Profile) -> dict:
    """The advice for a saved run (one query: its recent history)."""
    return assessment_out(assess_run(run, profile), run.answers())
