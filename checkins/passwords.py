"""Asking a signed-in runner for their password again (deleting the account, changing the
password, turning two-factor log-in on or off): checked through Django's `authenticate`, so
django-axes counts a wrong password and locks the account out as it does at log-in."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.views import PasswordChangeView

WRONG = "That is not your password."


def password_rechecked(request, user, password: str) -> bool:
    """The password is the runner's own. A wrong one counts as a failed log-in; once locked
    out, even the right one is refused (and django-axes answers with its lock-out page)."""
    found = authenticate(request, username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


class ThrottledPasswordChangeView(PasswordChangeView):
    """Django's password change, its form given the request for the re-check above."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
