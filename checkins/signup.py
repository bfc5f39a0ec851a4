"""Signing up without telling a stranger whether an address has an account.

Whatever address is typed, the answer is the same page ("check your inbox") and the same
status, after about the same time (a password is hashed either way). What differs goes by
e-mail, to the address itself: a new address gets a link that confirms it and logs in
(the account stays inactive until then); an address with an account gets a note that
someone tried to sign up with it, and how to log in or reset the password.

An address signed up again before it is confirmed takes the newest password, and a new
link (the token covers the password, so older links stop working). Confirming asks for
that password: whoever opens a link from a sign-up they did not make cannot finish it.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import User


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """Links that confirm a new address: a salt of their own, so that a password-reset
    link never confirms an address, nor the other way round. A link stops working once
    the account has logged in (the token covers the last log-in), or after
    PASSWORD_RESET_TIMEOUT (three days)."""

    key_salt = "aftermath.signup.SignupTokenGenerator"


signup_tokens = SignupTokenGenerator()


def register(request, form) -> None:
    """Sign up with the form's address, or tell the address's owner someone tried."""
    email = form.cleaned_data["email"]
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = form.save(commit=False)
                user.is_active = False
                user.save()
                form.save_profile(user)
        except IntegrityError:  # signed up a moment ago, by another request
            existing = User.objects.get(email__iexact=email)
        else:
            _send(request, user, "confirm")
            return
    if existing.is_active:
        make_password(form.cleaned_data["password1"])  # as long as the other branches take
        _send(request, existing, "taken")
    else:  # never confirmed: the newest sign-up's password, and a fresh link
        existing.set_password(form.cleaned_data["password1"])
        existing.save(update_fields=["password"])
        form.save_profile(existing)
        _send(request, existing, "confirm")


def _send(request, user, kind: str) -> None:
    context = {
        "email": user.email,
        "protocol": "https" if request.is_secure() else "http",
        "domain": get_current_site(request).domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": signup_tokens.make_token(user) if kind == "confirm" else "",
        "login_path": reverse("login"),
        "reset_path": reverse("password_reset"),
    }
    subject = render_to_string(f"registration/signup_{kind}_subject.txt", context).strip()
    body = render_to_string(f"registration/signup_{kind}_email.txt", context)
    send_mail(subject, body, None, [user.email])


def confirmed_user(uidb64: str, token: str) -> User | None:
    """The account a confirmation link names, if the link is still good."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not signup_tokens.check_token(user, token):
        return None
    return user


def activate(user) -> None:
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
