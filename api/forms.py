from __future__ import annotations

from django import forms

from checkins.form_layout import CrispyForm

from .models import AccessToken

MAX_ACTIVE_TOKENS = 20
EXPIRY_DAYS = ((7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year"))


class TokenForm(CrispyForm, forms.Form):
    """A new personal access token: what it is for, what it may do, and for how long."""

    name = forms.CharField(
        label="Name",
        max_length=60,
        help_text="What it is for, to recognise it later: “iPhone shortcut”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scope = forms.ChoiceField(
        label="It may",
        choices=[("read", "Read your runs and advice"), ("write", "Read, and log, edit or delete runs")],
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
    )
    days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_DAYS, coerce=int, initial=90, widget=forms.RadioSelect
    )

    def __init__(self, *args, runner, **kwargs):
        super().__init__(*args, **kwargs)
        self.runner = runner

    def clean(self):
        cleaned = super().clean()
        if AccessToken.objects.for_runner(self.runner).usable().count() >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(
                f"You have {MAX_ACTIVE_TOKENS} tokens in use: revoke one you no longer need first."
            )
        return cleaned
