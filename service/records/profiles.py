"""Storing and reading merchant profiles; every query is keyed by tenant and merchant id.

A profile is replaced whole on every PUT (the contract's "keep a merchant's operating data") by one
``INSERT ... ON CONFLICT (tenant, merchant_id) DO UPDATE``. A delete followed by an insert is not an upsert
under concurrency: on PostgreSQL two transactions that both find no row both insert, and the second fails on
the primary key. The conflict clause makes the database decide atomically, so concurrent PUTs of one
profile never fail and the last one committed wins. Both supported databases (SQLite 3.24+, PostgreSQL)
spell it the same way; only the statement class is dialect-specific.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from service.records.database import as_utc
from service.records.profile_tables import merchant_profiles

# The dialects whose INSERT takes ON CONFLICT ... DO UPDATE; the service runs on these two only.
_UPSERT_INSERTS: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


@dataclass(frozen=True, slots=True)
class StoredProfile:
    merchant_id: str
    profile_json: str
    updated_at: datetime


def put_profile(
    db: Engine, tenant: str, merchant_id: str, profile_json: str, by_prefix: str | None
) -> StoredProfile:
    """Store (or replace) the profile in one atomic upsert; returns it as stored."""
    now = datetime.now(UTC).replace(microsecond=0)
    t = merchant_profiles.c
    statement = _UPSERT_INSERTS[db.dialect.name](merchant_profiles).values(
        tenant=tenant,
        merchant_id=merchant_id,
        profile_json=profile_json,
        updated_at=now,
        updated_by_prefix=by_prefix,
    )
    replaced = {
        "profile_json": statement.excluded.profile_json,
        "updated_at": statement.excluded.updated_at,
        "updated_by_prefix": statement.excluded.updated_by_prefix,
    }
    with db.begin() as conn:
        conn.execute(statement.on_conflict_do_update(index_elements=[t.tenant, t.merchant_id], set_=replaced))
    return StoredProfile(merchant_id, profile_json, now)


def get_profile(db: Engine, tenant: str, merchant_id: str) -> StoredProfile | None:
    t = merchant_profiles.c
    query = select(t.merchant_id, t.profile_json, t.updated_at).where(
        t.tenant == tenant, t.merchant_id == merchant_id
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return StoredProfile(row.merchant_id, row.profile_json, as_utc(row.updated_at))


def delete_profile(db: Engine, tenant: str, merchant_id: str) -> bool:
    """Delete the profile; whether there was one. The table is not append-only (a profile is the merchant's
    current data, replaced on every PUT): a merchant that withdraws, or a bank whose relationship with it
    ended, had no way to have it deleted but SQL (data-protection review, PIPL art. 47)."""
    t = merchant_profiles.c
    with db.begin() as conn:
        statement = delete(merchant_profiles).where(t.tenant == tenant, t.merchant_id == merchant_id)
        deleted = conn.execute(statement)
    return bool(deleted.rowcount)
