"""Storing and reading merchant profiles; every query is keyed by tenant and merchant id.

A profile is replaced whole on every PUT (the contract's "keep a merchant's operating data"), so an upsert
is a delete and an insert in one transaction: portable across SQLite and PostgreSQL, and never half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select

from service.records.database import as_utc
from service.records.profile_tables import merchant_profiles


@dataclass(frozen=True, slots=True)
class StoredProfile:
    merchant_id: str
    profile_json: str
    updated_at: datetime


def put_profile(
    db: Engine, tenant: str, merchant_id: str, profile_json: str, by_prefix: str | None
) -> StoredProfile:
    """Store (or replace) the profile; returns it as stored."""
    now = datetime.now(UTC).replace(microsecond=0)
    t = merchant_profiles.c
    with db.begin() as conn:
        conn.execute(delete(merchant_profiles).where(t.tenant == tenant, t.merchant_id == merchant_id))
        conn.execute(
            insert(merchant_profiles).values(
                tenant=tenant,
                merchant_id=merchant_id,
                profile_json=profile_json,
                updated_at=now,
                updated_by_prefix=by_prefix,
            )
        )
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
