"""The words a page puts around the engine's advice, in one place (Django side).

`{% load advice_words %}`, then `{{ cause.score|signal_words }}`, `{{ tip.when|when_label }}`
and `{{ assessment|advice_summary }}`. The labels of when to act come from the knowledge
(advice.WHEN_LABELS).
"""

from __future__ import annotations

from django import template

from advice import WHEN_LABELS, Assessment

register = template.Library()

# How strongly a cause's score (0..1) shows: the words of the first threshold it reaches.
SIGNAL_WORDS = ((0.6, "strong signs"), (0.3, "some signs"), (0.0, "a few signs"))


@register.filter
def signal_words(score: float) -> str:
    return next((words for threshold, words in SIGNAL_WORDS if score >= threshold), SIGNAL_WORDS[-1][1])


@register.filter
def when_label(when: str) -> str:
    """ "Now", "Before your next run", "This week"."""
    return WHEN_LABELS.get(when, "")


@register.filter
def advice_summary(assessment: Assessment | None) -> str:
    """The live preview's one line beside Save: an urgent flag first, else what the advice holds."""
    if not isinstance(assessment, Assessment):  # none yet (a missing variable is "" in a template)
        return "Advice so far: it appears here as you answer"
    if assessment.urgent:
        return f"Urgent: {assessment.urgent_flags[0].title}. See what to do"
    parts = []
    for items, one, many in (
        (assessment.red_flags, "reason to see a doctor", "reasons to see a doctor"),
        (assessment.causes, "possible cause", "possible causes"),
        (assessment.tips, "tip", "tips"),
    ):
        if items:
            parts.append(f"{len(items)} {one if len(items) == 1 else many}")
    return "Advice so far: " + (" · ".join(parts) if parts else "nothing to show yet")
