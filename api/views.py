"""The tokens page (linked from Settings): create a personal access token, see when each
was last used, revoke one. A new token is shown once, in the answer to the POST that
made it, and never stored: the page after it has only its prefix."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .forms import TokenForm
from .models import AccessToken


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None, runner=request.user)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = AccessToken.issue(runner=request.user, **form.cleaned_data)
        created = {"token": token, "raw": raw}
        form = TokenForm(runner=request.user)
    now = timezone.now()
    tokens = [
        {"token": token, "state": token.state(now)} for token in AccessToken.objects.for_runner(request.user)
    ]
    response = render(request, "api/tokens.html", {"form": form, "created": created, "tokens": tokens})
    response["Cache-Control"] = "no-store"  # the page may hold a new token
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke the runner's token named by the form's `token` (its id); another runner's is not found."""
    pk = request.POST.get("token", "")
    if not (pk.isascii() and pk.isdigit()):
        raise Http404
    token = get_object_or_404(AccessToken, pk=int(pk), runner=request.user)
    if token.revoke():
        messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api_tokens")
