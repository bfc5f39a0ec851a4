"""Forms of the advice pages (Django side; the engine itself imports no Django)."""

from __future__ import annotations

from django import forms

from checkins.form_layout import CrispyForm
from checkins.measures import MEASURES, metric_measures, show_measures

from .units import Units


class HydrationForm(CrispyForm, forms.Form):
    """Today's run, to tailor the hydration plan: length, temperature and humidity, in the
    runner's units (the measures of checkins.measures)."""

    form_method = "get"

    duration_min = MEASURES["duration_min"].field()
    temperature = MEASURES["temperature"].field()
    humidity_pct = MEASURES["humidity_pct"].field()

    LABELS = {"duration_min": "How long you plan to run (minutes)", "temperature": "Temperature today"}

    def __init__(self, *args, units: Units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        show_measures(self, units, self.LABELS)

    def clean(self):
        cleaned = super().clean()
        self.metric = metric_measures(self, cleaned, self.units)
        return cleaned

    def planned(self) -> dict:
        """The planned run's figures in metric, as the engine's hydration plan takes them."""
        return {key: self.metric.get(key) for key in ("duration_min", "temperature_c", "humidity_pct")}
