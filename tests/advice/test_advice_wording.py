"""Every runner-facing text, written or generated, stays within the wording rules:
never a diagnosis, never a supplement dose, never "stop taking", never "drink as
much". Pure Python, no database."""

import pytest

from advice import (
    CAUSES,
    COOLDOWN_LABELS,
    DISCLAIMER,
    MEDICATION_LABELS,
    METRIC,
    MUSCLE_LABELS,
    RED_FLAGS,
    REFERENCES,
    RUN_TYPE_LABELS,
    SYMPTOM_LABELS,
    TIPS,
    TRIGGERS,
    WHEN_LABELS,
    assess,
    scan_history,
    trigger_counts,
)
from advice.knowledge import COOLDOWN_EASE_STEP, COOLDOWN_GENERAL_STEP, STRETCHES
from tests.advice.helpers import FORBIDDEN, IMPERIAL, sweep


def written_texts():
    for cause in CAUSES.values():
        yield from (cause.title, cause.text, cause.reference)
    for tip in TIPS.values():
        yield from (tip.title, tip.text, tip.reference)
    for flag in RED_FLAGS.values():
        yield from (flag.title, flag.care, flag.reference)
    for reference in REFERENCES.values():
        yield from (reference.short, reference.full)
    yield from (trigger.label for trigger in TRIGGERS.values())
    for labels in (MUSCLE_LABELS, SYMPTOM_LABELS, MEDICATION_LABELS, RUN_TYPE_LABELS, COOLDOWN_LABELS):
        yield from labels.values()
    yield from WHEN_LABELS.values()
    yield from STRETCHES.values()
    yield from (COOLDOWN_EASE_STEP, COOLDOWN_GENERAL_STEP, DISCLAIMER)


def generated_texts():
    entries = list(sweep())
    for units in (METRIC, IMPERIAL):
        for index, answers in enumerate(entries):
            result = assess(answers, history=entries[index + 1 : index + 30], units=units, body_weight_kg=65)
            for cause in result.causes:
                yield from cause.because
            for flag in result.red_flags:
                yield from flag.because
            plan = result.plan
            yield from (plan.rehydrate_text, plan.drink_text, plan.fuel_text, *plan.cooldown_steps)
        for flag in scan_history(entries, units=units):
            yield from (*flag.because, flag.title, flag.care)
    yield from (count.label for count in trigger_counts(entries))


@pytest.fixture(scope="module")
def generated():
    return list(generated_texts())


def test_the_sweep_reaches_every_code():
    entries = list(sweep())
    results = [assess(answers, history=entries[i + 1 : i + 30]) for i, answers in enumerate(entries)]
    assert {cause.code for result in results for cause in result.causes} == set(CAUSES)
    assert {tip.code for result in results for tip in result.tips} == set(TIPS)
    assert {flag.code for result in results for flag in result.red_flags} == set(RED_FLAGS)


@pytest.mark.parametrize("rule", FORBIDDEN)
def test_written_texts_keep_the_wording_rules(rule):
    offending = [text for text in written_texts() if FORBIDDEN[rule].search(text)]
    assert not offending, f"{rule}: {offending}"


@pytest.mark.parametrize("rule", FORBIDDEN)
def test_generated_texts_keep_the_wording_rules(rule, generated):
    offending = sorted({text for text in generated if FORBIDDEN[rule].search(text)})
    assert not offending, f"{rule}: {offending[:5]}"


def test_generated_texts_are_plain_and_short(generated):
    assert len(generated) > 2000
    for text in generated:
        assert text == text.strip() and "  " not in text
        assert "None" not in text and "nan" not in text.lower().split()
        assert len(text) < 400


def test_causes_are_worded_as_possible_links():
    for cause in CAUSES.values():
        assert "may be linked" in cause.text or "linked to" in cause.text
