"""Managing a tenant's keys: plain functions under ``/v1/keys``, each create and revoke logged once.

A key is made exactly as ``greenrate keys create`` makes it (:func:`service.auth.generate_key`, stored by
:func:`service.records.api_keys.insert_key`), always in the acting admin's own tenant. The log events name
the actor by its key's prefix and the affected key by its id, prefix and role: never a secret or a hash.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy import Engine

from service.auth import KeyRing, Principal, generate_key
from service.records import api_keys
from service.records.api_keys import KeyRecord

_log = structlog.get_logger("greenrate.keys")


class KeyNotFound(LookupError):
    """No such key in the actor's tenant (another tenant's key is not found either)."""


class SelfRevocation(ValueError):
    """The key making the request tried to revoke itself."""


@dataclass(frozen=True, slots=True)
class CreatedKey:
    record: KeyRecord
    key: str  # the secret: returned to the caller once, stored nowhere


def tenant_keys(db: Engine, actor: Principal, *, include_revoked: bool) -> list[KeyRecord]:
    """The actor's tenant's keys, newest first."""
    return api_keys.list_keys(db, tenant=actor.tenant, include_revoked=include_revoked, newest_first=True)


def tenant_key(db: Engine, actor: Principal, key_id: int) -> KeyRecord | None:
    """One key of the actor's tenant, revoked or not; ``None`` for a missing or another tenant's key."""
    return api_keys.get_key(db, actor.tenant, key_id)


def create_key(
    db: Engine, actor: Principal, *, role: str, merchant_id: str | None, label: str | None
) -> CreatedKey:
    """A new key in the actor's tenant (the request's rules are the schema's, as the CLI's)."""
    new = generate_key()
    key_id = api_keys.insert_key(
        db,
        prefix=new.prefix,
        key_hash=new.key_hash,
        tenant=actor.tenant,
        role=role,
        merchant_id=merchant_id,
        label=label,
    )
    record = tenant_key(db, actor, key_id)
    if record is None:  # pragma: no cover - the row was inserted a moment ago, in this tenant
        raise RuntimeError(f"the new key {key_id} cannot be read back")
    _log.info(
        "api_key_created",
        actor_prefix=actor.prefix,
        tenant=actor.tenant,
        key_id=record.id,
        key_prefix=record.prefix,
        role=record.role,
        merchant_id=record.merchant_id,
    )
    return CreatedKey(record, new.key)


def revoke_key(db: Engine, keys: KeyRing, actor: Principal, key_id: int) -> None:
    """Revoke a key of the actor's tenant; revoking one already revoked changes nothing.

    The actor's own key is refused (:class:`SelfRevocation`): the last admin key of a tenant revoking
    itself would leave nobody able to manage the tenant's keys but the operator. This worker's key cache
    forgets the key at once; other workers' caches within their TTL.
    """
    record = tenant_key(db, actor, key_id)
    if record is None:
        raise KeyNotFound(key_id)
    if record.id == actor.key_id:
        raise SelfRevocation(key_id)
    if api_keys.revoke_tenant_key(db, actor.tenant, record.id):
        _log.info(
            "api_key_revoked",
            actor_prefix=actor.prefix,
            tenant=actor.tenant,
            key_id=record.id,
            key_prefix=record.prefix,
            role=record.role,
        )
    keys.drop(record.id)
