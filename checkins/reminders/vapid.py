"""The server's Web Push keys (VAPID, RFC 8292).

From the environment: AFTERMATH_VAPID_PRIVATE_KEY (the 32-byte private key, base64url, as
`npx web-push generate-vapid-keys` or `vapid --gen` print it; a base64 DER key works too),
AFTERMATH_VAPID_PUBLIC_KEY (its public key, base64url; checked against the private one) and
AFTERMATH_VAPID_SUBJECT (a mailto: or https: address push services can reach you at).
In debug and tests without keys, a pair is made once and kept in data/vapid-development.json,
so `make run` offers notifications. In production without keys, reminders go by e-mail only.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

DEVELOPMENT_KEYS = "vapid-development.json"


@dataclass(frozen=True)
class VapidKeys:
    signer: Vapid  # signs the JWT each push carries
    public_key: str  # the browser's applicationServerKey: the uncompressed point, base64url
    subject: str


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_of(signer: Vapid) -> str:
    point = signer.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def _development_private_key(folder: Path) -> str:
    """The development key pair's private key, made on first use (readable by its owner only)."""
    path = folder / DEVELOPMENT_KEYS
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        raw = key.private_numbers().private_value.to_bytes(32, "big")
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{DEVELOPMENT_KEYS}.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"private_key": b64url(raw), "note": "development only; never use in production"}, out)
        try:  # whole or not at all; a pair another process made first is kept
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return json.loads(path.read_text())["private_key"]


def vapid_keys() -> VapidKeys | None:
    """The keys, or None when push is not set up (production without keys)."""
    private = settings.VAPID_PRIVATE_KEY
    if not private and (settings.DEBUG or settings.TESTING):
        private = _development_private_key(Path(settings.DATA_DIR))
    if not private:
        return None
    signer = Vapid.from_string(private_key=private)
    public = public_key_of(signer)
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PUBLIC_KEY.rstrip("=") != public:
        raise ImproperlyConfigured(
            "AFTERMATH_VAPID_PUBLIC_KEY is not the public key of AFTERMATH_VAPID_PRIVATE_KEY."
        )
    return VapidKeys(signer=signer, public_key=public, subject=settings.VAPID_SUBJECT)
