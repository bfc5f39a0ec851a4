"""The tips pages: cooldown, hydration and fuelling, tailored from the runner's own log.

Thin views: gather the runner's entries, call the engine's plan functions, render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advice import HEAT_BAND_NAMES, cooldown_routine, fuel_plans, hydration_plan
from checkins.runner_log import history_entries, runner_page, runner_profile

from .forms import HydrationForm


@runner_page
def tips_index(request: HttpRequest) -> HttpResponse:
    return render(request, "advice/tips_index.html")


@runner_page
def tips_cooldown(request: HttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    routine = cooldown_routine(history_entries(request.user), units=profile.units)
    return render(request, "advice/tips_cooldown.html", {"routine": routine})


@runner_page
def tips_hydration(request: HttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    form = HydrationForm(request.GET or None, units=profile.units)
    planned = form.planned() if form.is_bound and form.is_valid() else {}
    plan = hydration_plan(
        history_entries(request.user), body_weight_kg=profile.body_weight_kg, units=profile.units, **planned
    )
    units = profile.units
    context = {
        "form": form,
        "plan": plan,
        "sweat_rate": units.fmt_volume(plan.sweat_rate_l_per_h * 1000) if plan.sweat_rate_l_per_h else "",
        "heat_index": units.fmt_temperature(plan.heat_index_c) if plan.heat_index_c is not None else "",
        "heat_band": HEAT_BAND_NAMES.get(plan.heat_band, "") if plan.heat_band else "",
    }
    return render(request, "advice/tips_hydration.html", context)


@runner_page
def tips_fuelling(request: HttpRequest) -> HttpResponse:
    profile = runner_profile(request)
    plans = fuel_plans(
        history_entries(request.user), body_weight_kg=profile.body_weight_kg, units=profile.units
    )
    return render(request, "advice/tips_fuelling.html", {"plans": plans})
