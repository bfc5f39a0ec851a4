"""The signals behind each cause are complete and consistent with its tips, and
every cause and red flag has its rule (pure Python, no database)."""

import pytest

from advice import CAUSES, MEDICATIONS, RED_FLAGS, TIPS
from advice.causes import RULES as CAUSE_RULES
from advice.heat import HEAT_BAND_CODES
from advice.hydration import urine_status
from advice.red_flags import RULES as FLAG_RULES


def test_every_cause_and_red_flag_has_a_rule():
    assert set(CAUSE_RULES) == set(CAUSES)
    assert set(FLAG_RULES) == set(RED_FLAGS)


@pytest.mark.parametrize("cause", CAUSES.values(), ids=lambda cause: cause.code)
def test_a_causes_signals_call_for_every_tip_of_that_cause_and_no_other(cause):
    assert set(cause.tips) == {tip.code for tip in TIPS.values() if tip.cause == cause.code}


@pytest.mark.parametrize("cause", CAUSES.values(), ids=lambda cause: cause.code)
def test_signals_weigh_between_nothing_and_a_whole_score(cause):
    assert cause.signals
    assert all(0 <= signal.weight <= 1 for signal in cause.signals.values())
    assert all(code == signal.code for code, signal in cause.signals.items())


def test_signals_named_after_other_codes_exist_for_each_of_them():
    """causes.py builds these codes from a heat band, a urine reading or a medicine."""
    assert {f"heat_{code}" for code in HEAT_BAND_CODES} <= set(CAUSES["dehydration"].signals)
    readings = {urine_status(color) for color in range(1, 9)} - {"fine"}
    assert {f"urine_{reading}" for reading in readings} <= set(CAUSES["dehydration"].signals)
    assert {f"on_{code}" for code in MEDICATIONS} <= set(CAUSES["medication"].signals)
