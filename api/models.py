"""Personal access tokens: a runner's key for the API, shown once and stored only as a hash.

A token reads `aft_<prefix>_<secret>`: the prefix (12 hex digits) is stored as it is and
shown on the tokens page, so the token is found with one indexed query; the secret (32
random bytes) is never stored: only the SHA-256 of the whole token is, and it is compared
in constant time. 32 random bytes need no slow hash: nobody guesses them from the digest.

Each token counts its requests in a fixed window of one minute on its own row (one
UPDATE, which also notes when it was last used), so the limit holds across every app
server and worker without a shared cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from checkins.models import ExpiresOrRevoked

TOKEN_TAG = "aft"  # noqa: S105  (the tag every token starts with, not a secret)
PREFIX_BYTES = 6  # 12 hex digits: visible, and unique per token
SECRET_BYTES = 32
RATE_WINDOW_SECONDS = 60


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def for_runner(self, runner) -> AccessTokenQuerySet:
        return self.filter(runner=runner)

    def usable(self, now: dt.datetime | None = None) -> AccessTokenQuerySet:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class AccessToken(ExpiresOrRevoked, models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=2 * PREFIX_BYTES, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=5, choices=Scope, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The rate limit's fixed window: when the current one began, and requests counted in it.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["read", "write"]), name="access_token_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.shown})"

    @property
    def shown(self) -> str:
        """What the tokens page shows of it: enough to recognise, never enough to use."""
        return f"{TOKEN_TAG}_{self.prefix}_…"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @classmethod
    def issue(cls, *, runner, name: str, scope: str, days: int) -> tuple[AccessToken, str]:
        """A new token for the runner, and the token itself: the only time it exists in full."""
        for _ in range(3):  # a prefix already taken (one chance in 2**48 per token): draw again
            prefix = secrets.token_hex(PREFIX_BYTES)
            raw = f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
            token = cls(
                runner=runner,
                name=name,
                scope=scope,
                prefix=prefix,
                secret_hash=digest(raw),
                expires_at=timezone.now() + dt.timedelta(days=days),
            )
            try:
                with transaction.atomic():
                    token.save()
            except IntegrityError:
                continue
            return token, raw
        raise IntegrityError("No free token prefix after three draws.")

    @classmethod
    def find(cls, raw: str) -> AccessToken | None:
        """The token this string is, whatever its state; None if it is none (one query)."""
        tag, _, rest = raw.partition("_")
        prefix, _, secret = rest.partition("_")
        if tag != TOKEN_TAG or len(prefix) != 2 * PREFIX_BYTES or not secret or len(raw) > 200:
            return None
        token = cls.objects.select_related("runner__profile").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.secret_hash, digest(raw)):
            return None
        return token

    def revoke(self) -> bool:
        """Revoke it now; True if this call did (a revoked token stays revoked, with its date)."""
        now = timezone.now()
        done = AccessToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now)
        if done:
            self.revoked_at = now
        return bool(done)

    def count_request(self, limit: int, now: dt.datetime | None = None) -> float | None:
        """Count one request in the current window and note the token as used; or, when the
        window's `limit` is reached, count nothing and return the seconds until it ends.

        One conditional UPDATE, atomic on SQLite and PostgreSQL alike: in a new window the
        count starts again at 1, else it goes up by one while it is under the limit. The
        right-hand sides all read the row as it was, so the CASE sees the old window.
        """
        now = now or timezone.now()
        epoch = now.timestamp()
        window = dt.datetime.fromtimestamp(epoch - epoch % RATE_WINDOW_SECONDS, tz=dt.UTC)
        counted = (
            AccessToken.objects.filter(pk=self.pk)
            .filter(Q(window_start__isnull=True) | ~Q(window_start=window) | Q(window_count__lt=limit))
            .update(
                window_count=Case(When(window_start=window, then=F("window_count") + 1), default=Value(1)),
                window_start=window,
                last_used_at=now,
            )
        )
        if counted:
            self.last_used_at = now
            return None
        return max(1, math.ceil(window.timestamp() + RATE_WINDOW_SECONDS - epoch))
