"""The signals behind each cause are complete and consistent with its tips, and
every cause and red flag has its rule (pure Python, no database)."""

import pytest

from advice import CAUSES, RED_FLAGS, TIPS
from advice.causes import RULES as CAUSE_RULES
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
