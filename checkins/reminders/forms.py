"""The reminder settings on the Settings page, and a phone's push subscription."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from urllib.parse import urlsplit

from django import forms

from ..form_layout import CrispyForm
from .kinds import NUDGE_TIME
from .models import Channel, PushSubscription, ReminderSettings


class ReminderSettingsForm(CrispyForm, forms.ModelForm):
    """Opt in to each kind (off until the runner ticks it), the follow-up's time on their
    clock, push or e-mail."""

    class Meta:
        model = ReminderSettings
        fields = ("followup", "local_time", "experiment", "channel")
        labels = {
            "followup": "Remind me the morning after a run with twitching or cramps",
            "local_time": "At",
            "experiment": "Nudge me during an experiment",
            "channel": "By",
        }
        help_texts = {
            "followup": (
                "One short note that opens the run's follow-up. Nothing is sent if you answered it already."
            ),
            "local_time": "The morning reminder's time, on your clock, in the time zone above.",
            "experiment": (
                f"Each evening of an experiment, at {NUDGE_TIME:%H:%M} on your clock: "
                "did you keep to it today? Nothing is sent once you answered, or while a red flag is open."
            ),
        }
        widgets = {
            "local_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "channel": forms.RadioSelect,
        }

    def __init__(self, *args, push_available: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_time"].error_messages["invalid"] = "Enter a time such as 08:00."
        if not push_available:  # no VAPID keys on this server: e-mail only
            self.fields["channel"].choices = [(Channel.EMAIL.value, Channel.EMAIL.label)]
            if not self.is_bound:
                self.initial["channel"] = Channel.EMAIL


def is_public_host(host: str) -> bool:
    """A name or address on the public internet: not loopback, private, link-local or
    reserved, and not a name for this machine or a local network. (A name is not resolved
    here: push services are public names, and the worker's requests have a short timeout.)"""
    host = host.strip(".").lower()
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host  # a bare name ("intranet") is a local one
    return address.is_global


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


class PushSubscriptionForm(forms.Form):
    """What the browser's PushSubscription.toJSON() gives: the endpoint and its two keys."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)

    def clean_endpoint(self) -> str:
        endpoint = self.cleaned_data["endpoint"]
        if not endpoint.startswith("https://"):
            raise forms.ValidationError("A push endpoint is an https address.")
        if not is_public_host(urlsplit(endpoint).hostname or ""):
            # The worker posts to it: never to this machine or a private network (SSRF).
            raise forms.ValidationError("A push endpoint is a push service's public address.")
        return endpoint

    def clean_p256dh(self) -> str:
        key = self.cleaned_data["p256dh"]
        raw = _b64url_bytes(key)
        if raw is None or len(raw) != 65 or raw[0] != 4:  # an uncompressed P-256 point (RFC 8291)
            raise forms.ValidationError("Not a browser's push key.")
        return key

    def clean_auth(self) -> str:
        secret = self.cleaned_data["auth"]
        raw = _b64url_bytes(secret)
        if raw is None or len(raw) != 16:  # the 16-byte authentication secret (RFC 8291)
            raise forms.ValidationError("Not a browser's push secret.")
        return secret

    def save(self, runner, user_agent: str = "") -> PushSubscription:
        """Store the phone's subscription for this runner (a phone re-subscribing, or another
        runner logging in on it, updates the one row for its endpoint)."""
        subscription, _ = PushSubscription.objects.update_or_create(
            endpoint=self.cleaned_data["endpoint"],
            defaults={
                "runner": runner,
                "p256dh": self.cleaned_data["p256dh"],
                "auth": self.cleaned_data["auth"],
                "user_agent": user_agent[:200],
            },
        )
        return subscription
