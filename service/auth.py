"""API keys and roles: ``Authorization: Bearer <key>`` on every ``/v1`` path.

Keys are 256-bit random strings, so a plain sha256 is a sound way to store them (a slow password hash buys
nothing against a key nobody can guess, and would cost every request). Only the hash and a short
non-secret prefix are stored. Lookups are cached per process for ``GREENRATE_KEY_CACHE_SECONDS`` so the
hot path does not query the database; a revoked key stops working within that time (at once in the
worker that revoked it through ``DELETE /v1/keys/{id}``, which drops it from its :class:`KeyRing`). A key
with an expiry date stops working at that moment in every worker: no lookup is trusted past it.
Key management itself never trusts the cache (``requires(..., fresh=True)``): a revoked admin key loses
it at once, in every worker.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar, cast

from flask import current_app, g, request
from sqlalchemy import Engine
from webargs.flaskparser import abort  # flask-smorest re-exports it; this import is typed

# The contract's key rules, re-exported here where the CLI, the converters and the views look for them.
from schemas.keys import MERCHANT_ID_PATTERN as MERCHANT_ID_PATTERN
from schemas.keys import ROLES as ROLES
from service.records.api_keys import expires_in, find_active_key

ANY_ROLE = ROLES
TENANT_PATTERN = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
KEY_TAG = "gr_"
PREFIX_LENGTH = 11  # "gr_" + 8 characters: enough to tell keys apart in a listing, useless to an attacker
#: What every 401 asks for (RFC 6750, section 3); /openapi.json documents it on the shared 401 answer.
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="greenrate"'}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key's id and prefix, its tenant, role and (merchant keys) merchant id.

    ``key_id`` and ``prefix`` are ``None`` only for the public merchant page, which rates without a key.
    """

    key_id: int | None
    prefix: str | None
    tenant: str
    role: str
    merchant_id: str | None = None

    @property
    def merchant(self) -> str | None:
        """The merchant this key acts for: a merchant key's own id, never a bank's (``None``)."""
        return self.merchant_id if self.role == "merchant" else None

    @property
    def scope(self) -> str:
        """The tenant, narrowed to one merchant for a merchant key: whose ratings may be reused, and whose
        budget a merchant's costly requests spend (a borrower's PDFs must not use up its bank's).

        A merchant can read only its own ratings, so it must never be handed the id of a rating issued to
        the bank or to another merchant of the tenant for the same input. Tenant names cannot contain "/".
        """
        merchant = self.merchant
        return self.tenant if merchant is None else f"{self.tenant}/merchant/{merchant}"


def readable_ratings_merchant(principal: Principal) -> str | None:
    """Whose ratings ``principal`` may read in its tenant: one merchant's, or all of them (``None``).

    A merchant key without a merchant id may read nothing: the answer is the 404 of a missing rating, so
    it learns nothing either.
    """
    merchant = principal.merchant
    if principal.role == "merchant" and merchant is None:
        abort(404, message="Rating not found.")
    return merchant


@dataclass(frozen=True, slots=True)
class NewKey:
    key: str
    prefix: str
    key_hash: str


def generate_key() -> NewKey:
    """A fresh key; the caller shows ``key`` once and stores only ``prefix`` and ``key_hash``."""
    key = KEY_TAG + secrets.token_urlsafe(32)
    return NewKey(key=key, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """Resolves key hashes to principals, remembering answers (also "no such key") for ``ttl`` seconds.

    :meth:`drop` and :meth:`forget` bump a generation: a lookup that began before either is answered but
    not remembered, so a thread that read a key from the database just before it was revoked cannot put
    it back into the cache after :meth:`drop` took it out.
    """

    def __init__(self, db: Engine, ttl: float, max_entries: int = 10_000) -> None:
        self.db = db
        self.ttl = ttl
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Principal | None]] = {}
        self._generation = 0

    def resolve(self, key_hash: str, *, fresh: bool = False) -> Principal | None:
        """The key's principal, or ``None`` for no such active key.

        :param fresh: ask the database even when the answer is cached (and cache the new answer, so a key
            found revoked stops here for every path at once).
        """
        now = time.monotonic()
        entry = None if fresh else self._entries.get(key_hash)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        record = find_active_key(self.db, key_hash)
        principal = (
            None
            if record is None
            else Principal(record.id, record.prefix, record.tenant, record.role, record.merchant_id)
        )
        ttl = self.ttl
        left = None if record is None else expires_in(record)
        if left is not None:
            ttl = min(ttl, left)  # never trusted past its expiry
        if ttl > 0:
            with self._lock:
                if generation != self._generation:
                    return principal  # a key was dropped meanwhile: this answer may predate it
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()  # crude but bounded: a flood of random keys cannot grow memory
                self._entries[key_hash] = (now + ttl, principal)
        return principal

    def drop(self, key_id: int) -> None:
        """Forget the cached lookup of key ``key_id`` (just revoked): its next use asks the database."""
        with self._lock:
            self._generation += 1
            cached = [h for h, (_, p) in self._entries.items() if p is not None and p.key_id == key_id]
            for key_hash in cached:
                del self._entries[key_hash]

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


def presented_key_hash() -> str | None:
    """sha256 of the bearer token of this request (computed once; also keys the rate limit)."""
    if "key_hash" in g:
        return cast(str | None, g.key_hash)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    value = hash_key(token) if scheme.lower() == "bearer" and token else None
    g.key_hash = value
    return value


def current_principal() -> Principal:
    """The authenticated caller; only valid inside a view decorated with :func:`requires`."""
    return cast(Principal, g.principal)


def _key_ring() -> KeyRing:
    return cast(KeyRing, current_app.extensions["greenrate"].keys)


def reject_key() -> NoReturn:
    """Answer 401 as for any invalid key (also for a key found revoked in the middle of a request), or 429
    once the client address's failed-authentication budget is spent."""
    _fail(401, "Invalid, revoked or expired API key.")


def _fail(status: int, message: str) -> NoReturn:
    """A failed authentication: spent from its address's budget (:mod:`service.limits`, imported here, as
    it imports this module), then answered ``status``."""
    from service.limits import spend_failed_authentication

    spend_failed_authentication()
    abort(status, message=message, headers=CHALLENGE)


def requires(*roles: str, fresh: bool = False) -> Callable[[F], F]:
    """Authenticate the bearer key (401) and check its role (403) before the view runs.

    :param fresh: look the key up in the database on every request, never in the key cache: for
        operations a key revoked a moment ago in another worker must not perform (key management).
    """
    allowed = frozenset(roles)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key_hash = presented_key_hash()
            if key_hash is None:
                _fail(401, "Missing API key: send Authorization: Bearer <key>.")
            principal = _key_ring().resolve(key_hash, fresh=fresh)
            if principal is None:
                reject_key()
            g.principal = principal
            if principal.role not in allowed:
                abort(403, message=f"This key's role may not do this; allowed: {', '.join(sorted(allowed))}.")
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
