"""Whole pages of a runner, cached per revision of their log: never stale, and cheap to serve.

A page such as the history or the guidance depends only on the runner's log,
their profile (units, time zone, body weight, medicines), the day in their time
zone and the URL. All of these are in the cache key; the log's part is the
profile's `log_revision`, which every change to a run or check-in bumps in the
same transaction (checkins.logrevision). The profile is loaded for
every request anyway, so a page served from the cache costs no query of its own.

What differs between two requests for the same page is rendered as a sentinel
and filled in per response: the CSRF token and the CSP nonce. A page with a
message to show (after a save, say) is rendered afresh and not cached.

What a page is worked out from, when other pages share it, is cached under the
same kind of key (`from_log`, `log_key`). The history's overview is the one such:
the same for every filter of a period, it is worked out once when only the filter
of the runs changes, and its rendering (a calendar square a day) is kept by Django's
own fragment cache under the same kind of key (`{% cache %}` in history.html).
`bench/bench_pages.py`'s "a filter changed" row is what that saves: about 19 ms
rendered each time, 14 ms with the fragment kept, for a runner with 1,500 check-ins.

The cache is Django's default one: memory of each app server by default, so each
server keeps its own copies; since the keys name the content, no copy is ever
out of date, whichever server answers.
"""

from __future__ import annotations

import functools
import hashlib

from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_GET

from config.transactions import read_only

from .models import Profile
from .runner import runner_profile

PAGE_SECONDS = 3600


@functools.cache
def sentinels() -> tuple[str, str]:
    """Stand-ins for the CSRF token and the nonce: per deployment, never guessable from a page."""
    return tuple(
        "s" + salted_hmac("aftermath.pagecache", name, algorithm="sha256").hexdigest()[:31]
        for name in ("csrf", "nonce")
    )


def cache_key(*parts) -> str:
    """A short key safe for every cache backend, whatever the parts contain."""
    return "aftermath:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def runner_state(request, profile: Profile) -> tuple:
    """What everything cached of a runner depends on: who, their profile (the log's
    revision with it) and their day."""
    return (
        request.user.pk,
        tuple(getattr(profile, field.attname) for field in Profile._meta.concrete_fields),
        timezone.localdate().isoformat(),
    )


def page_key(request, profile: Profile) -> str:
    htmx = getattr(request, "htmx", None)
    return cache_key(
        "page",
        *runner_state(request, profile),
        request.get_full_path(),
        bool(htmx),
        bool(htmx and htmx.boosted),
        htmx.target if htmx else None,
    )


def _render_with_sentinels(view, request, args, kwargs) -> HttpResponse:
    """The view's page with sentinels for the CSRF token and the nonce.

    The template context takes them from checkins.context_processors.runner, which runs
    after Django's csrf and csp context processors and so overrides `csrf_token` and
    `csp_nonce` while this flag is up. The request's own nonce is left alone: Django's
    CSP middleware reads it (django.middleware.csp.get_nonce) for the header.
    """
    request.rendering_for_cache = True
    try:
        return view(request, *args, **kwargs)
    finally:
        request.rendering_for_cache = False


def _fill_in(request, content: bytes) -> bytes:
    csrf_sentinel, nonce_sentinel = (s.encode() for s in sentinels())
    if csrf_sentinel in content:
        content = content.replace(csrf_sentinel, get_token(request).encode())
    if nonce_sentinel in content:
        # Reading the nonce generates it, so the middleware puts it in the header too.
        content = content.replace(nonce_sentinel, str(get_nonce(request)).encode())
    return content


def _cacheable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
    )


def cached_page(view):
    """Serve the view's page from the cache while the runner's log, profile and day are unchanged."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = runner_profile(request)
        if profile is None or request.method != "GET" or len(get_messages(request)):
            return view(request, *args, **kwargs)
        key = page_key(request, profile)
        entry = cache.get(key)
        if entry is None:
            response = _render_with_sentinels(view, request, args, kwargs)
            if response.streaming:
                return response
            if _cacheable(response):
                cache.set(key, (response.content, list(response.items())), PAGE_SECONDS)
            response.content = _fill_in(request, response.content)
            return response
        content, headers = entry
        response = HttpResponse(_fill_in(request, content))
        for name, value in headers:
            response[name] = value
        return response

    return wrapper


def log_key(request, profile: Profile, what: tuple) -> str:
    """The key of what is worked out from this runner's log, profile and day: `what` names it
    and every argument it depends on besides them."""
    return cache_key("data", *runner_state(request, profile), *what)


def from_log(request, profile: Profile, what: tuple, make):
    """`make()`, cached under `what` for this runner's log, profile and day, as pages are.

    For data a page is worked out from (never HTML): `what` names it and every argument
    that `make` depends on besides the runner's state.
    """
    key = log_key(request, profile, what)
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, PAGE_SECONDS)
    return value


def runner_page(view):
    """A signed-in runner's page that only reads: GET only, no write lock, served from the cache."""
    return read_only(login_required(require_GET(cached_page(view))))
