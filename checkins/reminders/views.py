"""Reminder settings (a form on the Settings page), a phone's push subscription, and the
e-mail's one-click unsubscribe (no log-in: the signed link is the key)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import ProfileForm
from ..runner import runner_profile
from . import unsubscribing
from .forms import PushSubscriptionForm, ReminderSettingsForm
from .models import ReminderSettings
from .scheduling import runner_changed
from .vapid import vapid_keys


def reminder_form_for(request, data=None) -> ReminderSettingsForm:
    """The runner's reminder settings form (unsaved defaults until they first save it)."""
    prefs = ReminderSettings.objects.filter(runner=request.user).first() or ReminderSettings(
        runner=request.user
    )
    return ReminderSettingsForm(data, instance=prefs, push_available=vapid_keys() is not None)


def reminder_context(request, form: ReminderSettingsForm | None = None) -> dict:
    """What the Settings page's reminder section shows (checkins.views.profile_edit adds it)."""
    keys = vapid_keys()
    return {
        "reminder_form": form or reminder_form_for(request),
        "vapid_public_key": keys.public_key if keys else "",
        "push_devices": request.user.push_subscriptions.count(),
    }


@login_required
@require_POST
def reminder_settings(request: HttpRequest) -> HttpResponse:
    form = reminder_form_for(request, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # a double tap: the other request stored the first settings
            form = reminder_form_for(request, request.POST)
            form.is_valid()  # the same answers, valid a moment ago
            form.save()
        runner_changed(request.user.pk, runner_profile(request))
        messages.success(request, "Your reminder settings are saved.")
        return redirect("profile")
    profile_form = ProfileForm(instance=runner_profile(request))
    context = {"form": profile_form, **reminder_context(request, form)}
    return render(request, "checkins/profile.html", context, status=200)


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> JsonResponse:
    """static/js/reminders.js posts the phone's subscription here (JSON, with the CSRF header)."""
    try:
        sent = json.loads(request.body or b"{}")
        data = {"endpoint": sent.get("endpoint"), **(sent.get("keys") or {})}
    except (ValueError, AttributeError, TypeError):
        return JsonResponse({"errors": {"body": ["Not a push subscription."]}}, status=400)
    form = PushSubscriptionForm(data)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    form.save(request.user, request.headers.get("User-Agent", ""))
    return JsonResponse({"devices": request.user.push_subscriptions.count()})


@csrf_exempt  # RFC 8058: the mail program POSTs without a session; the signed token is the key
@require_http_methods(["GET", "POST"])
def reminder_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button. POST (that button, or the mail program's one click): done."""
    runner_id = unsubscribing.runner_id_from(token)
    if runner_id is None or not ReminderSettings.objects.filter(runner_id=runner_id).exists():
        raise Http404("This link is not one of ours, or it was changed.")
    done = request.method == "POST"
    if done:
        unsubscribing.unsubscribe(runner_id)
    return render(request, "reminders/unsubscribe.html", {"done": done})
