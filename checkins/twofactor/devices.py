"""A runner's two-factor devices, django-otp's models: one authenticator app (TOTPDevice)
and one set of recovery codes (StaticDevice with its StaticTokens, each usable once).

The app's device is made unconfirmed when the runner opens the set-up page, and
confirmed only when they send a code it made; until then two-factor log-in stays off.
The profile's `two_factor` flag follows the confirmed device, in the same transaction,
so that the middleware can check it without a query.
"""

from __future__ import annotations

import re
from base64 import b32encode

import segno
from django.db import transaction
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODES = 10


def confirmed_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_on(user) -> bool:
    """Two-factor log-in is on: the runner has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def pending_app(user) -> TOTPDevice:
    """The unconfirmed app device the set-up page shows (made once, kept across reloads,
    so that the QR code the runner scanned stays the one that counts)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG: no XML declaration, no style attribute (the
    content security policy allows no inline style), sized by the page's CSS."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(
        scale=4,
        border=4,  # the quiet zone the QR code standard asks for (ISO/IEC 18004: 4 modules)
        svgclass="qr-code",
        lineclass=None,
        omitsize=True,
        dark="#000",
        light="#fff",
        title="QR code to scan with your authenticator app",
    )


def normalize(code: str) -> str:
    """What the runner typed, without spaces and dashes, lower case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def looks_like_app_code(code: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", code))


def device_for(user, code: str, *, setting_up: TOTPDevice | None = None) -> Device | None:
    """The device that checks `code`: the app for six digits, else the recovery codes.
    `setting_up` is the unconfirmed app of the set-up page (it takes no recovery code)."""
    if looks_like_app_code(code):
        return setting_up or confirmed_app(user)
    if setting_up is not None:
        return None
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def verify(user, code: str, *, setting_up: TOTPDevice | None = None) -> Device | None:
    """The device that accepts `code` (a recovery code is used up once accepted), or None.
    Each device counts wrong codes and makes the next try wait twice as long as the last
    (django-otp's ThrottlingMixin); a right code is refused too while it must wait."""
    code = normalize(code)
    if not code or len(code) > 16:
        return None
    device = device_for(user, code, setting_up=setting_up)
    if device is None:
        return None
    if setting_up is not None:  # django_otp.verify_token finds confirmed devices only
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            return device if device.verify_token(code) else None
    return verify_token(user, device.persistent_id, code)


def must_wait(user, code: str, *, setting_up: TOTPDevice | None = None) -> bool:
    """The device for this code refuses every code for now, after wrong ones."""
    device = device_for(user, normalize(code), setting_up=setting_up)
    return device is not None and not device.verify_is_allowed()[0]


def new_recovery_codes(user) -> list[str]:
    """Ten fresh recovery codes, replacing any earlier ones; shown once, as `abcd-efgh`."""
    with transaction.atomic():
        device = StaticDevice.objects.devices_for_user(user, confirmed=None).first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def turn_on(user, device: TOTPDevice) -> list[str]:
    """Confirm the app the runner proved with a code; the recovery codes to show once."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = new_recovery_codes(user)
        _set_flag(user, True)
    return codes


def turn_off(user) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _set_flag(user, False)


def _set_flag(user, on: bool) -> None:
    from checkins.models import Profile

    Profile.objects.filter(runner=user).update(two_factor=on)
