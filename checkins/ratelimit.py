"""Fixed-window counters in the database (RateCount), for what is limited per address or
per client across every app server: password-reset e-mails (checkins.forms) and guesses
at share links (checkins.transfer.share).

A key is a keyed hash of what is counted (an address, an IP), so the table never holds
an address or a client's IP. A window starts with the first count after the last one
ended. Rows whose window ended a day ago are deleted as new keys arrive.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateCount

HOUR = dt.timedelta(hours=1)


def rate_key(kind: str, value: str) -> str:
    return salted_hmac("aftermath.ratelimit", f"{kind}:{value}", algorithm="sha256").hexdigest()


def allow(kind: str, value: str, *, limit: int, window: dt.timedelta = HOUR) -> bool:
    """Count one more for (kind, value) and say whether it is within `limit` per `window`;
    once over, nothing more is counted until the window ends."""
    return _count(kind, value, limit=limit, window=window)


def count(kind: str, value: str, *, window: dt.timedelta = HOUR) -> None:
    """Count one more for (kind, value), whatever the limit: a failure to hold against it."""
    _count(kind, value, limit=None, window=window)


def wait_seconds(kind: str, value: str, *, limit: int, window: dt.timedelta = HOUR) -> int | None:
    """Seconds until (kind, value) may go on, if it has used up `limit` in its window; else None."""
    now = timezone.now()
    row = RateCount.objects.filter(key=rate_key(kind, value), window_start__gt=now - window).first()
    if row is None or row.count < limit:
        return None
    return max(1, math.ceil((row.window_start + window - now).total_seconds()))


def _count(kind: str, value: str, *, limit: int | None, window: dt.timedelta) -> bool:
    key = rate_key(kind, value)
    now = timezone.now()
    with transaction.atomic():
        row = RateCount.objects.select_for_update().filter(key=key).first()
        if row is None:
            RateCount.objects.filter(window_start__lt=now - window - dt.timedelta(days=1)).delete()
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, window_start=now, count=1)
                return limit is None or limit >= 1
            except IntegrityError:  # another request made the row first: count on it
                row = RateCount.objects.select_for_update().get(key=key)
        if row.window_start <= now - window:
            row.window_start, row.count = now, 0
        if limit is not None and row.count >= limit:
            row.save(update_fields=["window_start", "count"])
            return False
        row.count += 1
        row.save(update_fields=["window_start", "count"])
        return True
