from __future__ import annotations

import zoneinfo

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from advice.units import Units
from advice.vocabulary import RANGES

from .models import Profile, User


class SignupForm(BaseUserCreationForm):
    """E-mail and password: the least a runner types on a phone to start.

    The browser's time zone comes along in a hidden field (static/js/timezone.js),
    so dates are right from the first run; without JavaScript it stays UTC and
    the runner can pick it in the settings.
    """

    time_zone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-browser-zone": ""}))

    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password2"].label = "Repeat the password"
        self.fields["password2"].help_text = ""

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone") or ""
        return name if name in zoneinfo.available_timezones() else "UTC"

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            user.profile.time_zone = self.cleaned_data["time_zone"]
            user.profile.save(update_fields=["time_zone"])
        return user

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class NoticeForm(forms.Form):
    understood = forms.BooleanField(
        label="I understand that Aftermath is no medical device and does not replace a doctor.",
        error_messages={"required": "Please tick the box to confirm you have read this."},
    )


class ProfileForm(forms.ModelForm):
    """Display units, time zone, body weight (shown in the chosen unit) and medicines."""

    body_weight = forms.FloatField(
        label="Body weight",
        required=False,
        help_text="Optional. Used to size drinking and carbohydrate suggestions.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )

    class Meta:
        model = Profile
        fields = (
            "distance_unit",
            "temperature_unit",
            "volume_unit",
            "weight_unit",
            "time_zone",
            "medications",
            "medication_changed",
        )
        # body_weight (in the chosen unit) is placed after the units by the layout below.
        labels = {
            "distance_unit": "Distance in",
            "temperature_unit": "Temperature in",
            "volume_unit": "Fluids in",
            "weight_unit": "Weight in",
            "medications": "Medicines you take",
        }
        help_texts = {
            "medications": (
                "Some medicines can play a part in cramps and twitches. "
                "Aftermath never suggests stopping one."
            ),
        }
        widgets = {
            "distance_unit": forms.RadioSelect,
            "temperature_unit": forms.RadioSelect,
            "volume_unit": forms.RadioSelect,
            "weight_unit": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = self.instance.units
        self.fields["body_weight"].label = f"Body weight ({units.weight_label})"
        if self.instance.body_weight_kg is not None:
            self.initial["body_weight"] = round(units.weight_from_kg(self.instance.body_weight_kg), 1)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            InlineRadios("distance_unit"),
            InlineRadios("temperature_unit"),
            InlineRadios("volume_unit"),
            InlineRadios("weight_unit"),
            Field("body_weight"),
            Field("time_zone"),
            Field("medications"),
            Field("medication_changed"),
        )

    def clean(self):
        cleaned = super().clean()
        weight = cleaned.get("body_weight")
        units = Units(weight=cleaned.get("weight_unit") or self.instance.weight_unit)
        if weight is not None:
            low, high = RANGES["weight_before_kg"]
            kg = units.weight_to_kg(weight)
            if not low <= kg <= high:
                lo, hi = (round(units.weight_from_kg(v)) for v in (low, high))
                self.add_error("body_weight", f"Enter a weight between {lo} and {hi} {units.weight_label}.")
            else:
                cleaned["body_weight_kg"] = kg
        return cleaned

    def save(self, commit=True):
        self.instance.body_weight_kg = self.cleaned_data.get("body_weight_kg")
        return super().save(commit=commit)
