"""The service's secret: ``GREENRATE_SECRET_KEY``, else one key per machine kept in ``./instance/secret_key``.

It signs what the service hands to someone else to keep and later takes back: the merchant page's CSRF
tokens (a browser keeps them), the ratings it caches (Redis keeps them) and the ratings it records (the
database keeps them, and its owner can change a row: :mod:`service.records.rating_signatures`). Each use
derives its own key (:func:`derived_key`), so a value signed for one can never pass for another, and signs
with :func:`mac`. Several machines behind one address, sharing one Redis or one database, need the same
``GREENRATE_SECRET_KEY``: with a key per machine each would refuse the others' tokens and cache entries (a
cache entry refused is a miss, never an error) and the ratings the others recorded (refused, never served).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

INSTANCE_SECRET = Path("instance") / "secret_key"


def instance_secret(path: Path) -> str:
    """The machine's secret: created once (first writer wins), then read by every worker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker may be writing it this very moment
            value = path.read_text(encoding="ascii").strip()
            if value:
                return value
        raise RuntimeError(f"{path} is empty: delete it or set GREENRATE_SECRET_KEY") from None
    value = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


@cache
def _machine_secret(directory: Path) -> str:
    return instance_secret(directory / INSTANCE_SECRET)


def service_secret(configured: str | None) -> str:
    """``configured`` (GREENRATE_SECRET_KEY), else this machine's key under the working directory."""
    return configured or _machine_secret(Path.cwd())


def derived_key(secret: str, purpose: str) -> bytes:
    """A key for one purpose (``"cache"``, say), derived from the service's secret."""
    return hashlib.sha256(f"greenrate:{purpose}:".encode() + secret.encode()).digest()


def mac(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 of ``message`` under ``key``: the one signature the service makes, whatever it signs."""
    return hmac.new(key, message, hashlib.sha256).digest()


def mac_matches(key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is :func:`mac` of ``message`` under ``key`` (compared in constant time)."""
    return hmac.compare_digest(signature, mac(key, message))


def key_id(key: bytes) -> str:
    """A public name of a derived key (16 hex digits of a hash of it), stored beside what it signed.

    It says which key a signature was made with, so that a signature made with another key (the secret
    changed, or another machine's ``instance/secret_key``) is told apart from a value changed after it was
    signed. It reveals nothing a signature does not: both are one-way functions of the key.
    """
    return hashlib.sha256(b"greenrate:key-id:" + key).hexdigest()[:16]
