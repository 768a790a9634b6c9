"""Managing a tenant's keys: plain functions under ``/v1/keys``, each create and revoke logged once.

A key is made exactly as ``greenrate keys create`` makes it (:func:`service.auth.generate_key`), always in
the acting admin's own tenant. Only keys of the roles an admin may issue (``ISSUABLE_ROLES``) are visible
here: an operator's analyst key is "not found" like a missing one. Every write re-checks, in its own
transaction, that the acting key is still active. The log events name the actor by its key's prefix and
the affected key by its id, prefix and role: never a secret or a hash.

A creation may carry an ``Idempotency-Key`` (:mod:`service.idempotency`): the key it creates records it,
and a retry by the same admin key, whenever it comes, finds that key instead of creating another
(:class:`AlreadyCreated`; :func:`created_before` before the budget is spent, :func:`create_key` when the two
attempts arrive at once). The retry cannot get the secret: only its hash was kept. The same
Idempotency-Key with another request is refused, as portfolio uploads refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Engine

from schemas.fields import utc_iso
from schemas.keys import ISSUABLE_ROLES, MAX_KEY_PAGE
from service.auth import KeyRing, Principal, generate_key
from service.idempotency import IdempotencyKeyRefused
from service.records import api_keys
from service.records.api_keys import KeyRecord, Outcome

#: The most active keys (of the roles listed here) a tenant may hold: creating one more is refused until
#: unused keys are revoked. Far above any real bank's needs; it bounds what one admin key can mint.
MAX_ACTIVE_KEYS = MAX_KEY_PAGE

_log = structlog.get_logger("greenrate.keys")


class KeyNotFound(LookupError):
    """No such key in the actor's tenant (another tenant's key, or an operator's analyst key, neither)."""


class SelfRevocation(ValueError):
    """The key making the request tried to revoke itself."""


class ActorRevoked(PermissionError):
    """The key making the request was revoked while the request ran: nothing was changed."""


class OutlivesActor(ValueError):
    """The new key would outlive the expiring admin key creating it: expiry would be no limit at all."""

    def __init__(self, actor_expires_at: datetime) -> None:
        super().__init__(actor_expires_at)
        self.actor_expires_at = actor_expires_at


class TenantFull(RuntimeError):
    """The tenant already holds ``limit`` (:data:`MAX_ACTIVE_KEYS`) active keys."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class AlreadyCreated(LookupError):
    """The acting admin key created ``record`` under this request's Idempotency-Key before: the request
    is a retry, answered with that key (never its secret, which is stored nowhere)."""

    def __init__(self, record: KeyRecord) -> None:
        super().__init__(record.id)
        self.record = record


@dataclass(frozen=True, slots=True)
class CreatedKey:
    record: KeyRecord
    key: str  # the secret: returned to the caller once, stored nowhere


@dataclass(frozen=True, slots=True)
class KeyRequest:
    """What a creation asks for (the body of ``POST /v1/keys``, as its schema loaded it); ``expires_at``
    aware."""

    role: str
    merchant_id: str | None
    label: str | None
    expires_at: datetime | None = None

    def differs_from(self, record: KeyRecord) -> list[str]:
        """The fields of this request whose values ``record`` was not created with."""
        return [
            name
            for name, wanted, made in (
                ("role", self.role, record.role),
                ("merchant_id", self.merchant_id, record.merchant_id),
                ("label", self.label, record.label),
                ("expires_at", self.expires_at, record.expires_at),
            )
            if wanted != made
        ]


def _audit(event: str, actor: Principal, record: KeyRecord, **extra: object) -> None:
    """One audit line of a key change: who (the acting key's prefix), which key, never a secret."""
    _log.info(
        event,
        actor_prefix=actor.prefix,
        tenant=actor.tenant,
        key_id=record.id,
        key_prefix=record.prefix,
        role=record.role,
        **extra,
    )


def _actor_id(actor: Principal) -> int:
    if actor.key_id is None:  # pragma: no cover - only the keyless merchant page has no key id
        raise ActorRevoked("managing keys needs a key")
    return actor.key_id


def tenant_keys(
    db: Engine, actor: Principal, *, include_revoked: bool, limit: int, before_id: int | None = None
) -> tuple[list[KeyRecord], bool]:
    """A page of the actor's tenant's keys of the issuable roles, newest first, and whether more follow."""
    keys = api_keys.list_keys(
        db,
        tenant=actor.tenant,
        include_revoked=include_revoked,
        newest_first=True,
        roles=ISSUABLE_ROLES,
        limit=limit + 1,
        before_id=before_id,
    )
    return keys[:limit], len(keys) > limit


def tenant_key(db: Engine, actor: Principal, key_id: int) -> KeyRecord | None:
    """One key of the actor's tenant and an issuable role, revoked or not; else ``None``."""
    return api_keys.get_key(db, actor.tenant, key_id, roles=ISSUABLE_ROLES)


def created_before(
    db: Engine, actor: Principal, idempotency_key: str, wanted: KeyRequest
) -> KeyRecord | None:
    """The key the actor created under ``idempotency_key``, if any: what a retry is answered with.

    Raises :class:`~service.idempotency.IdempotencyKeyRefused` (422) when that key was created for another
    request (another role, merchant, label or expiry): a client's bug, which must not pass for a retry.
    """
    record = api_keys.created_under(db, actor.tenant, _actor_id(actor), idempotency_key)
    if record is None:
        return None
    differing = wanted.differs_from(record)
    if differing:
        raise IdempotencyKeyRefused(
            f"already used for key {record.id}, whose {', '.join(differing)} differ from this request's: "
            "send a new Idempotency-Key for a new key"
        )
    _audit("api_key_creation_retried", actor, record, idempotency_key=idempotency_key)
    return record


def create_key(
    db: Engine,
    actor: Principal,
    *,
    role: str,
    merchant_id: str | None,
    label: str | None,
    expires_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> CreatedKey:
    """A new key in the actor's tenant (the request's rules are the schema's, as the CLI's), recording the
    actor as its creator, and ``idempotency_key`` when given; ``expires_at`` (aware) ends it without a
    revocation.

    Raises :class:`TenantFull` at :data:`MAX_ACTIVE_KEYS`, :class:`ActorRevoked` if the actor's key was
    revoked meanwhile, :class:`OutlivesActor` when the actor's key expires and the new one would not, or
    later: a contractor's one-day admin key must not mint itself a permanent successor.
    :class:`AlreadyCreated` when a retry of the same creation (the same ``idempotency_key``) created the
    key meanwhile; :class:`~service.idempotency.IdempotencyKeyRefused` when another request did.
    """
    acting = api_keys.get_key(db, actor.tenant, _actor_id(actor))
    if acting is None or acting.status != "active":
        raise ActorRevoked(actor.key_id)
    if acting.expires_at is not None and (expires_at is None or expires_at > acting.expires_at):
        raise OutlivesActor(acting.expires_at)
    new = generate_key()
    limit = MAX_ACTIVE_KEYS
    outcome, record = api_keys.insert_tenant_key(
        db,
        actor_id=_actor_id(actor),
        max_active=limit,
        counted_roles=ISSUABLE_ROLES,
        prefix=new.prefix,
        key_hash=new.key_hash,
        tenant=actor.tenant,
        role=role,
        merchant_id=merchant_id,
        label=label,
        expires_at=expires_at,
        idempotency_key=idempotency_key,
    )
    if outcome is Outcome.ACTOR_INACTIVE:
        raise ActorRevoked(actor.key_id)
    if outcome is Outcome.ALREADY_CREATED and idempotency_key is not None:
        earlier = created_before(db, actor, idempotency_key, KeyRequest(role, merchant_id, label, expires_at))
        if earlier is not None:
            raise AlreadyCreated(earlier)
    if outcome is not Outcome.DONE or record is None:
        raise TenantFull(limit)
    # the key as the insert returned it: once it is committed, the answer must not depend on another read
    _audit(
        "api_key_created",
        actor,
        record,
        merchant_id=record.merchant_id,
        expires_at=None if expires_at is None else utc_iso(expires_at),
        **({} if idempotency_key is None else {"idempotency_key": idempotency_key}),
    )
    return CreatedKey(record, new.key)


def revoke_key(db: Engine, keys: KeyRing, actor: Principal, key_id: int) -> None:
    """Revoke a key of the actor's tenant; revoking one already revoked changes nothing.

    The actor's own key is refused (:class:`SelfRevocation`): the last admin key of a tenant revoking
    itself would leave nobody able to manage the tenant's keys but the operator. Two admins revoking each
    other at once: one succeeds, the other finds its own key revoked (:class:`ActorRevoked`). This
    worker's key cache forgets the key at once; other workers' caches within their TTL.
    """
    actor_id = _actor_id(actor)
    if key_id == actor_id:
        raise SelfRevocation(key_id)
    outcome, record = api_keys.revoke_tenant_key(
        db, actor.tenant, key_id, actor_id=actor_id, roles=ISSUABLE_ROLES
    )
    if outcome is Outcome.ACTOR_INACTIVE:
        keys.drop(actor_id)
        raise ActorRevoked(actor_id)
    if outcome is Outcome.NOT_FOUND or record is None:
        raise KeyNotFound(key_id)
    if outcome is Outcome.DONE:
        _audit("api_key_revoked", actor, record)
    keys.drop(record.id)
