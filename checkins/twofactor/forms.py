"""The forms of two-factor log-in: a code at log-in; the password and a code to turn it
on, off, or to make new recovery codes."""

from __future__ import annotations

from django import forms

from ..form_layout import CrispyForm
from ..passwords import WRONG, password_rechecked
from . import devices

WRONG_CODE = "That code is not right. Check the app shows this account, and type the newest code."
WAIT = "Too many wrong codes: wait a few minutes before the next try."


def code_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


def password_field() -> forms.CharField:
    return forms.CharField(
        label="Your password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(CrispyForm, forms.Form):
    """The log-in's second step: a code from the app, or one recovery code."""

    code = code_field("Code", "The 6 digits your authenticator app shows, or one of your recovery codes.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        if devices.must_wait(self.user, code):  # after wrong codes, even a right one must wait
            raise forms.ValidationError(WAIT)
        self.device = devices.verify(self.user, code)
        if self.device is None:
            raise forms.ValidationError(WRONG_CODE)
        return code


class PasswordAndCodeForm(CodeForm):
    """The password and a current code: what turning two-factor log-in off, or making new
    recovery codes, asks for. The password is checked first, and counted like a log-in."""

    field_order = ["password", "code"]  # cleaned in this order: a wrong password spends no code
    password = password_field()

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_rechecked(self.request, self.user, password):
            raise forms.ValidationError(WRONG)
        return password

    def clean_code(self):
        if "password" not in self.cleaned_data:
            return self.cleaned_data["code"]
        return super().clean_code()


class SetupForm(PasswordAndCodeForm):
    """Turning it on: the password, and a code from the app just set up (unconfirmed)."""

    code = code_field("Code from the app", "The 6 digits the app shows for Aftermath.")

    def __init__(self, *args, pending, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = pending

    def clean_code(self):
        code = self.cleaned_data["code"]
        if "password" not in self.cleaned_data:
            return code
        if not devices.looks_like_app_code(devices.normalize(code)):
            raise forms.ValidationError("Type the 6 digits the app shows.")
        if devices.must_wait(self.user, code, setting_up=self.pending):
            raise forms.ValidationError(WAIT)
        self.device = devices.verify(self.user, code, setting_up=self.pending)
        if self.device is None:
            raise forms.ValidationError(WRONG_CODE)
        return code
