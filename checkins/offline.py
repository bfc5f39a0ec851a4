"""Offline first: the service worker, its offline page, and the token an outbox replay needs.

The service worker is rendered from a template (templates/offline/sw.js), not served as a
static file: it must sit at the site's root for its scope to be "/", and it must name
the static files it keeps by their served URLs (hashed by the manifest storage in
production), with a version that changes whenever one of them changes, so a new deploy
replaces the phone's copies. See the README's "Offline" section for what it keeps.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from advice.units import Units

from .runner import runner_profile

# The app shell: what every page needs to paint, the check-in page's own script, the icons.
# A new static file a page needs offline is added here (its hash joins the version).
# A page the service worker must never keep as the phone's copy says so in this header (a
# check-in page filled in from a watch file). Not `Cache-Control`: every signed-in page is
# `private, no-store` for HTTP caches (checkins.middleware.PrivatePagesMiddleware), while the
# service worker's own cache is the app's choice, made page by page.
PHONE_COPY_HEADER = "Aftermath-Phone-Copy"

SHELL_FILES = (
    "vendor/bootstrap-5.3.9/bootstrap.trimmed.css",
    "css/aftermath.css",
    "django_htmx/htmx-2.min.js",
    "js/outbox.js",
    "js/offline.js",
    "js/checkin.js",
    "js/sw-push.js",
    "manifest.webmanifest",
    "icons/icon.svg",
    "icons/icon-192.png",
)


def shell_version() -> str:
    """A short hash of the shell's files as served: it changes when any of them changes.

    Read once per process (a deploy restarts the processes); in development on every
    request, as files change under a running server. The worker's template and the
    offline page are part of the hash too, so a change to them also renews the caches.
    """
    return _shell_hash() if settings.DEBUG else _shell_hash_once()


@functools.cache
def _shell_hash_once() -> str:
    return _shell_hash()


def _shell_hash() -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = finders.find(name)
        digest.update(static(name).encode())
        if path:
            with open(path, "rb") as file:
                digest.update(file.read())
    for template in ("offline/sw.js", "offline/offline.html"):
        path = settings.BASE_DIR / "templates" / template
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def worker_config() -> dict:
    return {
        "version": shell_version(),
        "shell": [static(name) for name in SHELL_FILES] + [reverse("offline_page")],
        "offline": reverse("offline_page"),
        "checkin": reverse("checkin_create"),
        "token": reverse("outbox_token"),
        "static": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        # In development static names carry no hash: the network first, the copy offline.
        "debug": settings.DEBUG,
    }


def units_code(units: Units) -> str:
    """The runner's units in one word, as base.html gives them to the page (data-units)."""
    return f"{units.distance}-{units.temperature}-{units.volume}-{units.weight}"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the root so that it controls every page ("/" scope)."""
    context = {
        "push_script": static("js/sw-push.js"),
        "outbox_script": static("js/outbox.js"),
        "config": json.dumps(worker_config(), indent=2),
    }
    response = render(request, "offline/sw.js", context, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each navigation; never let a cache answer for it.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """What a page the phone does not keep shows without a connection. The same for
    everyone (it is kept on the phone): nothing of a runner's in it."""
    return render(request, "offline/offline.html")


@require_GET
def outbox_token(request: HttpRequest) -> JsonResponse:
    """Who is logged in now, and a fresh CSRF token: what the outbox asks before sending.

    A check-in saved offline may be sent hours later, from a page kept on the phone whose
    token has expired (a log-in rotates it). Sent only when `runner` is the runner who
    wrote it; when nobody is logged in, it waits and the runner is asked to log in. The
    units: a check-in typed in other units than the runner's now is not sent but opened
    in the form (the server reads its numbers in the runner's units).
    """
    if request.user.is_authenticated:
        units = runner_profile(request).units
        answer = {"runner": request.user.pk, "csrf": get_token(request), "units": units_code(units)}
    else:
        # Nothing is sent for nobody, and no token: a new one here would set a new CSRF
        # cookie under a log-in page loading at the same moment, and refuse its form.
        answer = {"runner": None, "csrf": None, "units": None}
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response
