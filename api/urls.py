"""The API's URLs: version 1 with its description and docs, /api/docs, and the tokens pages."""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from . import views
from .v1 import api as api_v1

TOO_LARGE = "The request body is over {} KB."


def body_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def api_view(view):
    """An API URL's view: a body over API_MAX_BODY_BYTES is answered 413 before it is read,
    and the request runs without the request-wide transaction: each operation that writes
    opens its own, short one (checkins.saving), as the check-in page does, and the rate
    limit's UPDATE commits on its own."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if body_length(request) > settings.API_MAX_BODY_BYTES:
            detail = TOO_LARGE.format(settings.API_MAX_BODY_BYTES // 1024)
            return JsonResponse({"detail": detail}, status=413)
        return view(request, *args, **kwargs)

    return transaction.non_atomic_requests(guarded)


v1_patterns, v1_app, v1_namespace = api_v1.urls
for pattern in v1_patterns:
    pattern.callback = api_view(pattern.callback)

urlpatterns = [
    path("v1/", include((v1_patterns, v1_app), namespace=v1_namespace)),
    # The current version's docs; /api/v1/docs stays where it is when a v2 comes.
    path("docs", require_GET(RedirectView.as_view(pattern_name="api-v1:openapi-view")), name="api_docs"),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/revoke/", views.token_revoke, name="api_token_revoke"),
]
