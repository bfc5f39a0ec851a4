"""The signed-in runner's profile for a request: fetched once, shared by the middleware,
the views, the page cache and the templates."""

from __future__ import annotations

from .models import Profile


def runner_profile(request) -> Profile | None:
    """The signed-in runner's profile, fetched once per request (created if missing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_runner_profile"):
        request._runner_profile, _ = Profile.objects.get_or_create(runner=user)
    return request._runner_profile
