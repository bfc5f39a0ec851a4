"""Request bodies larger than the URL takes are refused from their Content-Length, before a
byte is read: Django would otherwise parse a form post (CSRF reads it first) and stream
its files to temporary files on disk before any view could say no.

The import pages take files up to checkins.transfer.uploads.MAX_REQUEST_FILE_BYTES (their
handler also counts what streams in, for a body sent without a length); every other page
takes a form, under DATA_UPLOAD_MAX_MEMORY_SIZE. The API has its own, smaller, cap with
an answer in JSON (api.urls). The proxy in front should cap bodies too (README).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve

# The pages that take uploads, by URL name.
UPLOAD_URLS = {"import_one", "import_many", "import_export"}
FORM_SLACK_BYTES = 64 * 1024  # the form fields and multipart boundaries beside the files


def body_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def limit_for(request) -> int | None:
    """The largest body this URL takes; None for the API (its own cap answers in JSON)."""
    if request.path_info.startswith("/api/v1/"):
        return None
    from checkins.transfer.uploads import MAX_REQUEST_FILE_BYTES

    try:
        name = resolve(request.path_info).url_name
    except Resolver404:
        name = None
    if name in UPLOAD_URLS:
        return MAX_REQUEST_FILE_BYTES + FORM_SLACK_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_SLACK_BYTES


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = body_length(request)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:  # only then is the URL looked up
            limit = limit_for(request)
            if limit is not None and length > limit:
                return too_large(request, limit)
        return self.get_response(request)


def too_large(request, limit: int) -> object:
    from checkins.transfer.watch_files import larger_than

    response = render(
        request,
        "too_large.html",
        {"limit": larger_than(limit - FORM_SLACK_BYTES), "back": request.path},
        status=413,
    )
    response["Connection"] = "close"  # the unread body is not read to keep the connection
    return response
