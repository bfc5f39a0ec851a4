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
def test_a_causes_tips_are_the_ones_its_signals_call_for(cause):
    called_for = {tip for signal in cause.signals.values() for tip in signal.tips}
    assert called_for == set(cause.tips)
    assert all(TIPS[tip].cause == cause.code for tip in called_for)


@pytest.mark.parametrize("cause", CAUSES.values(), ids=lambda cause: cause.code)
def test_signals_weigh_between_nothing_and_a_whole_score(cause):
    assert cause.signals
    assert all(0 <= signal.weight <= 1 for signal in cause.signals.values())
    assert all(code == signal.code for code, signal in cause.signals.items())
