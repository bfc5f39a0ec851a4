"""The runner's own account activity: log-ins, failed log-ins, exports, share links, API
tokens. `record_event` is the one way in; the Settings area lists the events (views).

What is kept about where an event came from is little on purpose: the client's address cut
to its network (IPv4 /24, IPv6 /48: enough to tell home from elsewhere, not to name a
household) and the browser and system read from the user agent ("Firefox on Android"),
never the whole string. Events are kept for 90 days: the list shows no older ones, and the
task worker deletes them (prune_old_events, one DELETE on an indexed column every 30 s), so
no runner's request pays for it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from config.net import client_ip

from .models import AccountEvent, User

KEEP_DAYS = 90
# What each kind of event reads as in the list. Add a code here to record a new kind (no
# migration: the model's field takes any code up to 32 characters).
KINDS = {
    "login": "Logged in",
    "login_failed": "Failed log-in to your account",
    "export": "Downloaded your data",
    "share_created": "Made a share link",
    "share_opened": "Share link opened",
    "share_revoked": "Revoked a share link",
    "token_used": "Access token used",
    "two_factor_on": "Turned two-factor log-in on",
    "two_factor_off": "Turned two-factor log-in off",
    "recovery_codes_new": "Made new recovery codes",
    "recovery_code_used": "Logged in with a recovery code",
}
MAX_EMAIL_LENGTH = 254  # RFC 5321: no address is longer; nothing longer is looked up


def record_event(runner, kind: str, request=None, detail: str = "") -> AccountEvent:
    """Note `kind` (a code of KINDS) for `runner`, with where it came from if `request` is given."""
    if kind not in KINDS:
        raise ValueError(f"Unknown account event: {kind!r} (add it to checkins.activity.KINDS).")
    return AccountEvent.objects.create(
        runner=runner,
        kind=kind,
        at=timezone.now(),
        network=network_of(client_ip(request)) if request is not None else "",
        device=device_of(request.headers.get("User-Agent", "")) if request is not None else "",
        detail=detail[:200],
    )


def prune_old_events() -> int:
    """Delete every runner's events older than KEEP_DAYS (the task worker, every 30 s: one
    indexed DELETE, never on a runner's request). The list never shows them anyway."""
    deleted, _ = AccountEvent.objects.filter(at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)).delete()
    return deleted


def recent_events(runner):
    """The runner's events of the last 90 days, newest first (one query)."""
    return AccountEvent.objects.filter(runner=runner, at__gte=timezone.now() - dt.timedelta(days=KEEP_DAYS))


def network_of(address: str | None) -> str:
    """The address's network: 203.0.113.7 → 203.0.113.0/24, 2001:db8:1:2::5 → 2001:db8:1::/48."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


# Checked in order: Edge and Opera say "Chrome" too, Chrome says "Safari", iPads say "Mac".
_BROWSERS = (
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("SamsungBrowser", "Samsung Internet"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> str:
    """A short name of the browser and system ("Chrome on Android"); for anything else
    (an app, a shortcut, curl), the user agent's first word."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    first = user_agent.split(" ", 1)[0]
    return (browser or system or first)[:60]


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    record_event(user, "login", request)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password for a runner's address is theirs to see; an unknown address is nobody's."""
    name = (credentials or {}).get("username")
    if not isinstance(name, str) or len(name) > MAX_EMAIL_LENGTH:
        return
    runner = User.objects.filter(email=name.strip().lower()).first()
    if runner is not None:
        record_event(runner, "login_failed", request)
