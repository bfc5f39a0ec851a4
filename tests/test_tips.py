"""The tips pages: cool-down, drinking and fuelling, tailored from the runner's log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn
from tests.factories import RunFactory
from tests.helpers import Tree

pytestmark = pytest.mark.django_db


def log(runner, days_ago, *, checkin=None, **run):
    made = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago), **run)
    if checkin:
        CheckIn.objects.create(run=made, **checkin)
    return made


def test_tips_index_links_the_three_pages(runner_client):
    page = runner_client.get(reverse("tips")).content.decode()
    for name in ("tips_cooldown", "tips_hydration", "tips_fuelling"):
        assert reverse(name) in page


def test_cooldown_stretches_the_muscles_that_twitch_most(runner_client, runner):
    for days_ago in range(1, 6):
        log(
            runner,
            days_ago,
            checkin={
                "twitching": True,
                "muscles": ["hamstrings", "calves"] if days_ago < 4 else ["hamstrings"],
            },
        )
    response = runner_client.get(reverse("tips_cooldown"))
    routine = response.context["routine"]
    assert routine.muscles[:2] == ("hamstrings", "calves")
    assert routine.thin is False
    page = response.content.decode()
    assert page.index("Hamstrings") < page.index("Calves")
    steps = Tree(page).root.find("ol", cls="routine")
    assert "data-timer" in steps.attrs
    assert "300" in [step.attrs["data-seconds"] for step in steps.find_all("li")]
    assert "js/timer.js" in page
    assert "Evidence: " in page


def test_cooldown_says_when_the_data_is_too_thin(runner_client):
    routine = runner_client.get(reverse("tips_cooldown")).context["routine"]
    assert routine.thin is True
    assert routine.muscles  # a general routine all the same


def test_hydration_uses_the_measured_sweat_rate(runner_client, runner):
    for days_ago in (2, 4):
        log(runner, days_ago, duration_min=60.0, fluid_ml=500, weight_before_kg=70.0, weight_after_kg=69.0)
    response = runner_client.get(reverse("tips_hydration"))
    plan = response.context["plan"]
    assert plan.sweat_rate_l_per_h == pytest.approx(1.5)
    assert plan.sweat_runs == 2 and plan.thin is False
    assert "1.5 l" in response.content.decode()


def test_hydration_takes_todays_weather_in_the_runners_units(runner_client, runner):
    runner.profile.temperature_unit = "f"
    runner.profile.save()
    response = runner_client.get(
        reverse("tips_hydration") + "?duration_min=90&temperature=95&humidity_pct=50"
    )
    plan = response.context["plan"]
    assert plan.heat_index_c is not None and plan.heat_index_c > 35  # 95 °F at 50% is about 105 °F
    assert plan.duration_min == 90
    assert "°F" in response.content.decode()
    assert plan.thin is True and plan.thin_text


def test_hydration_refuses_an_impossible_temperature_at_the_field(runner_client):
    response = runner_client.get(reverse("tips_hydration") + "?temperature=90")
    assert "Enter a number from -40 up to 50 °C." in response.content.decode()


def test_fuelling_has_a_plan_per_kind_of_run(runner_client, runner):
    for days_ago in range(1, 5):
        log(runner, days_ago, run_type="long", duration_min=110.0)
    log(runner, 6, run_type="easy", duration_min=40.0)
    plans = runner_client.get(reverse("tips_fuelling")).context["plans"]
    by_type = {plan.run_type: plan for plan in plans}
    assert set(by_type) == {"easy", "long"}
    assert by_type["long"].typical_min == 110 and by_type["long"].thin is False
    assert by_type["easy"].thin is True


def test_tips_use_only_this_runners_log(runner_client, runner, other_runner):
    for days_ago in range(1, 6):
        log(other_runner, days_ago, checkin={"twitching": True, "muscles": ["face"]})
    routine = runner_client.get(reverse("tips_cooldown")).context["routine"]
    assert "face" not in routine.muscles
