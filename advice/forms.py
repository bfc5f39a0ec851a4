"""Forms of the advice pages (Django side; the engine itself imports no Django)."""

from __future__ import annotations

from django import forms

from .units import Units
from .vocabulary import RANGES


class HydrationForm(forms.Form):
    """Today's run, to tailor the hydration plan: length, temperature and humidity."""

    duration_min = forms.FloatField(
        label="How long you plan to run (minutes)",
        required=False,
        min_value=1,
        max_value=RANGES["duration_min"][1],
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )
    temperature = forms.FloatField(
        required=False, widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "form-control"})
    )
    humidity_pct = forms.FloatField(
        label="Humidity (%)",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "form-control"}),
    )

    def __init__(self, *args, units: Units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["temperature"].label = f"Temperature today ({units.temperature_label})"

    def clean_temperature(self):
        value = self.cleaned_data.get("temperature")
        if value is None:
            return None
        celsius = self.units.temperature_to_c(value)
        low, high = RANGES["temperature_c"]
        if not low <= celsius <= high:
            shown = [round(self.units.temperature_from_c(v)) for v in (low, high)]
            raise forms.ValidationError(
                f"Enter a temperature from {shown[0]} up to {shown[1]} {self.units.temperature_label}."
            )
        return celsius

    def planned(self) -> dict:
        data = self.cleaned_data
        return {
            "duration_min": data.get("duration_min"),
            "temperature_c": data.get("temperature"),
            "humidity_pct": data.get("humidity_pct"),
        }
