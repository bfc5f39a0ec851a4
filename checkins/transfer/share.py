"""Share links: the report for a doctor, read-only, for a period, through an expiring link.

The token is 32 random bytes (secrets.token_urlsafe), in the link's path. It is shown once,
on the page that made it, and stored only as its SHA-256: the link is found by that digest
(one indexed query); 32 random bytes need no slow hash, nobody guesses them from the digest.
A link opens that report and nothing else: the public view reads the token from its own
URL, and no other view or the API reads it from anywhere.

The report behind a link is worked out afresh on each opening from the runner's log for
the link's dates (not a frozen copy): what the runner adds or corrects for those dates shows.

Guessing is throttled per client address: unknown tokens are counted in a fixed window of
10 minutes on a row of the database (the cache is each app process's own memory, so it
cannot count across processes); from the 20th failure on, that address is answered 429
until the window ends. The address is kept only as an HMAC, and only for the window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from config.net import client_ip

from .. import ratelimit
from ..activity import record_event
from ..models import ShareLink

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters
MAX_TOKEN_LENGTH = 100  # longer is no token of ours: refused without a query
GUESS_LIMIT = 20  # unknown tokens per client address per window (OWASP: limit failed attempts)
GUESS_WINDOW_SECONDS = 600
GUESS_WINDOW = dt.timedelta(seconds=GUESS_WINDOW_SECONDS)
# Two requests of one form this close together are a double tap, not a reload.
DOUBLE_TAP = dt.timedelta(seconds=10)
# An opening is noted in the runner's activity at most once an hour per link (a doctor
# reloading the page is one visit); the link's own count goes up every time.
OPENED_EVENT_EVERY = dt.timedelta(hours=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AlreadySent(Exception):
    """The form that makes a link was sent again after its link was made (a reload)."""


def issue(
    *, runner, start: dt.date, end: dt.date, days: int, request_key=None, request=None
) -> tuple[ShareLink, str]:
    """A new link to the runner's report for [start, end], working for `days` days, and its
    token: the only time the token exists in full.

    The same form sent twice within seconds (`request_key`: a double tap, whose first answer
    the browser never shows) makes no second link: the first gets a new token, the one shown
    now. Sent again later (a reload), it changes nothing (AlreadySent): the first token may
    be with a doctor already."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    if request_key is not None:
        sent = ShareLink.objects.filter(runner=runner, request_key=request_key).first()
        if sent is not None:
            return _double_tap(sent, raw)
    try:
        with transaction.atomic():
            link = ShareLink.objects.create(
                runner=runner,
                token_hash=digest(raw),
                start=start,
                end=end,
                expires_at=timezone.now() + dt.timedelta(days=days),
                request_key=request_key,
            )
    except IntegrityError:  # the same form's other request made it a moment ago
        return _double_tap(ShareLink.objects.get(runner=runner, request_key=request_key), raw)
    record_event(runner, "share_created", request, detail=period_words(link))
    return link, raw


def _double_tap(sent: ShareLink, raw: str) -> tuple[ShareLink, str]:
    if sent.revoked_at is not None or timezone.now() - sent.created_at > DOUBLE_TAP:
        raise AlreadySent
    ShareLink.objects.filter(pk=sent.pk).update(token_hash=digest(raw))
    sent.token_hash = digest(raw)
    return sent, raw


def find(raw: str) -> ShareLink | None:
    """The link this token opens, whatever its state; None if none (one query)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    return ShareLink.objects.select_related("runner__profile").filter(token_hash=digest(raw)).first()


def revoke(link: ShareLink, request=None) -> bool:
    """Revoke it now; True if this call did (a revoked link stays revoked, with its date)."""
    now = timezone.now()
    done = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now)
    if done:
        link.revoked_at = now
        record_event(link.runner, "share_revoked", request, detail=period_words(link))
    return bool(done)


def note_opened(link: ShareLink, request) -> None:
    """Count an opening on the link's row (one UPDATE, safe against concurrent openings)."""
    now = timezone.now()
    ShareLink.objects.filter(pk=link.pk).update(open_count=F("open_count") + 1, last_opened_at=now)
    if link.last_opened_at is None or now - link.last_opened_at >= OPENED_EVENT_EVERY:
        record_event(link.runner, "share_opened", request, detail=period_words(link))


def dates_words(link: ShareLink) -> str:
    return f"{link.start.day} {link.start:%b %Y} to {link.end.day} {link.end:%b %Y}"


def period_words(link: ShareLink) -> str:
    return f"Report {dates_words(link)}"


# --- Guessing -----------------------------------------------------------------------------


GUESSES = "share-link guesses"


def guessing_wait(request) -> int | None:
    """Seconds until this client may try again, if it has used up its failures; else None."""
    return ratelimit.wait_seconds(GUESSES, client_ip(request) or "", limit=GUESS_LIMIT, window=GUESS_WINDOW)


def count_guess(request) -> None:
    """Count an unknown token against this client's window (checkins.ratelimit: the client
    kept as a keyed hash, never its address)."""
    ratelimit.count(GUESSES, client_ip(request) or "", window=GUESS_WINDOW)
