"""Storing API keys: only a hash of each key and a short non-secret prefix are ever written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, and_, insert, or_, select, update

from schemas.keys import LABEL_MAX_LENGTH as LABEL_MAX_LENGTH
from service.records.tables import api_keys

# LABEL_MAX_LENGTH is the ``label`` column's width: longer labels are refused before they reach the
# database (PostgreSQL would fail the insert; SQLite would store them anyway).
# The ``id`` column is ``Integer``: 64-bit in SQLite, 32-bit on PostgreSQL. A number beyond it cannot be an
# id, and binding it fails (OverflowError, DataError) instead of matching nothing.
_MAX_ID = {"sqlite": 2**63 - 1}
_MAX_ID_DEFAULT = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")  # str.isdigit() also takes '²' and Arabic-Indic digits


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


def list_keys(
    db: Engine, *, tenant: str | None = None, include_revoked: bool = False, newest_first: bool = False
) -> list[KeyRecord]:
    order = api_keys.c.id.desc() if newest_first else api_keys.c.id
    query = select(*_COLUMNS).order_by(api_keys.c.tenant, order)
    if tenant is not None:
        query = query.where(api_keys.c.tenant == tenant)
    if not include_revoked:
        query = query.where(api_keys.c.revoked_at.is_(None))
    with db.connect() as conn:
        return [_record(row) for row in conn.execute(query)]


def get_key(db: Engine, tenant: str, key_id: int) -> KeyRecord | None:
    """Key ``key_id`` if it belongs to ``tenant`` (revoked or not); another tenant's is ``None`` too."""
    query = select(*_COLUMNS).where(api_keys.c.id == key_id, api_keys.c.tenant == tenant)
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def revoke_tenant_key(db: Engine, tenant: str, key_id: int) -> bool:
    """Revoke key ``key_id`` of ``tenant``; ``False`` when there is no such active key."""
    return _revoke_where(db, and_(api_keys.c.id == key_id, api_keys.c.tenant == tenant)) == 1


def key_id(db: Engine, ident: str) -> int | None:
    """``ident`` as a key id: ASCII digits within the id column's range on this database, else ``None``."""
    if not _ASCII_DIGITS.fullmatch(ident):
        return None
    value = int(ident)
    return value if value <= _MAX_ID.get(db.dialect.name, _MAX_ID_DEFAULT) else None


def revoke_key(db: Engine, ident: str) -> int:
    """Revoke the key(s) whose prefix or numeric id is ``ident``; returns how many were revoked.

    Anything that is not an id (see :func:`key_id`) is only compared with the prefixes, so it matches
    nothing rather than failing.
    """
    condition: ColumnElement[bool] = api_keys.c.prefix == ident
    number = key_id(db, ident)
    if number is not None:
        condition = or_(condition, api_keys.c.id == number)
    return _revoke_where(db, condition)


def revoke_key_by_hash(db: Engine, key_hash: str) -> int:
    """Revoke the key whose whole-key hash is ``key_hash`` (an operator holding the key itself)."""
    return _revoke_where(db, api_keys.c.key_hash == key_hash)


def _revoke_where(db: Engine, condition: ColumnElement[bool]) -> int:
    with db.begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(condition, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    return int(result.rowcount)
