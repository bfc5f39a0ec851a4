"""`{% experiment_link trigger_code %}`: from a pattern of the history, the change a runner
may try as an experiment (advice.experiments.changes_for_trigger), or nothing."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from advice.experiments import changes_for_trigger

register = template.Library()


@register.simple_tag
def experiment_link(trigger: str) -> str:
    changes = changes_for_trigger(trigger)
    if not changes:
        return ""
    url = reverse("experiment_start")
    links = format_html_join(
        ", ",
        '<a href="{}?change={}">{}</a>',
        ((url, change.code, change.title.lower()) for change in changes),
    )
    return format_html('<span class="d-block small experiment-link">Try as an experiment: {}</span>', links)
