"""Storing API keys: only a hash of each key and a short non-secret prefix are ever written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, or_, select, update

from service.records.tables import api_keys


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: int
    prefix: str
    tenant: str
    role: str
    merchant_id: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


_COLUMNS = (
    api_keys.c.id,
    api_keys.c.prefix,
    api_keys.c.tenant,
    api_keys.c.role,
    api_keys.c.merchant_id,
    api_keys.c.label,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)


def _record(row: object) -> KeyRecord:
    return KeyRecord(*row)  # type: ignore[misc]  # the row's columns are _COLUMNS, in order


def insert_key(
    db: Engine,
    *,
    prefix: str,
    key_hash: str,
    tenant: str,
    role: str,
    merchant_id: str | None = None,
    label: str | None = None,
) -> int:
    """Store a new key's hash; returns its id."""
    with db.begin() as conn:
        result = conn.execute(
            insert(api_keys).values(
                prefix=prefix,
                key_hash=key_hash,
                tenant=tenant,
                role=role,
                merchant_id=merchant_id,
                label=label,
                created_at=datetime.now(UTC),
            )
        )
        key_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if key_id is None:  # pragma: no cover - every supported backend returns the key
        raise RuntimeError("the database returned no id for the new key")
    return int(key_id)


def find_active_key(db: Engine, key_hash: str) -> KeyRecord | None:
    """The unrevoked key with this hash, if any."""
    query = select(*_COLUMNS).where(api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None))
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def list_keys(db: Engine, *, tenant: str | None = None, include_revoked: bool = False) -> list[KeyRecord]:
    query = select(*_COLUMNS).order_by(api_keys.c.tenant, api_keys.c.id)
    if tenant is not None:
        query = query.where(api_keys.c.tenant == tenant)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    with db.connect() as conn:
        return [_record(row) for row in conn.execute(query)]


def revoke_key(db: Engine, ident: str) -> int:
    """Revoke the key(s) whose prefix or numeric id is ``ident``; returns how many were revoked."""
    condition = api_keys.c.prefix == ident
    if ident.isdigit():
        condition = or_(condition, api_keys.c.id == int(ident))
    with db.begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(condition, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    return int(result.rowcount)
