"""Who a request to the API is: the runner whose personal access token it carries, and no one else.

`Authorization: Bearer aft_…` authenticates; a session cookie does not (so no request
made by a browser on the runner's behalf, from another site, can use the API: no CSRF
hole). A token that is unknown, revoked or expired is answered 401; a read-only token
writing, 403; past the token's rate limit, 429 with Retry-After. A request that gets
through is counted against its token's limit and marks the token as used.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security.http import HttpAuthBase

from checkins.activity import record_event
from checkins.models import Profile

from .models import AccessToken

# A token's use is noted in the runner's account activity at most once an hour (not a
# write per request); its last use is on the tokens page to the minute.
TOKEN_USE_NOTED_EVERY = dt.timedelta(hours=1)
READ_ONLY = "This token may only read: create one with read and write access to change anything."
REFUSED = {
    None: "Send a personal access token: Authorization: Bearer aft_…",
    "unknown": "This token is not valid.",
    "expired": "This token has expired: create a new one in Settings.",
    "revoked": "This token was revoked.",
}


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class TokenAuth(HttpAuthBase):
    """A personal access token in the Authorization header; `write` for operations that change data."""

    openapi_scheme = "bearer"
    openapi_bearerFormat = "aft_<prefix>_<secret>"
    openapi_description = "A personal access token, created on the app's Settings page (Access tokens)."

    def __init__(self, *, write: bool = False):
        super().__init__()
        self.write = write

    def __call__(self, request) -> AccessToken:
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(message=REFUSED[None])
        token = AccessToken.find(raw.strip())
        state = token.state() if token is not None else "unknown"
        if state != "active" or not token.runner.is_active:
            raise AuthenticationError(message=REFUSED.get(state, REFUSED["unknown"]))
        if self.write and not token.can_write:
            raise AuthorizationError(message=READ_ONLY)
        last_used = token.last_used_at
        wait = token.count_request(settings.API_RATE_LIMIT_PER_MINUTE)
        if wait is not None:
            raise RateLimited(wait)
        if last_used is None or token.last_used_at - last_used >= TOKEN_USE_NOTED_EVERY:
            record_event(token.runner, "token_used", request, detail=token.name)
        # The runner's dates in their own zone for the rest of the request (the
        # RunnerTimezoneMiddleware deactivates it when the response is done).
        timezone.activate(runner_profile(token).zone)
        return token


def runner_profile(token: AccessToken) -> Profile:
    """The token's runner's profile (loaded with the token; created if missing, like the pages do)."""
    try:
        return token.runner.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(runner=token.runner)
        token.runner.profile = profile
        return profile


read_token = TokenAuth()
write_token = TokenAuth(write=True)
