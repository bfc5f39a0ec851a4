"""Fixed-window counters in the database (RateCount), for what is limited per address or
per client across every app server: password-reset e-mails.

A key is a keyed hash of what is counted (an address, an IP), so the table never holds
an address that has no account. Rows whose window ended a day ago are deleted as new
keys arrive.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateCount

HOUR = dt.timedelta(hours=1)


def rate_key(kind: str, value: str) -> str:
    return salted_hmac("aftermath.ratelimit", f"{kind}:{value}", algorithm="sha256").hexdigest()


def allow(kind: str, value: str, *, limit: int, window: dt.timedelta = HOUR) -> bool:
    """Count one more for (kind, value) and say whether it is within `limit` per `window`;
    once over, nothing more is counted until the window ends."""
    key = rate_key(kind, value)
    now = timezone.now()
    with transaction.atomic():
        row = RateCount.objects.select_for_update().filter(key=key).first()
        if row is None:
            RateCount.objects.filter(window_start__lt=now - window - dt.timedelta(days=1)).delete()
            RateCount.objects.create(key=key, window_start=now, count=1)
            return limit >= 1
        if row.window_start <= now - window:
            row.window_start, row.count = now, 0
        if row.count >= limit:
            row.save(update_fields=["window_start", "count"])
            return False
        row.count += 1
        row.save(update_fields=["window_start", "count"])
        return True
