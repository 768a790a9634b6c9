"""Storing API keys: only a hash of each key and a short non-secret prefix are ever written.

A key is usable while it is neither revoked nor past its ``expires_at``; every lookup and every check of
an acting admin key asks both (:func:`_usable`).

The writes made on behalf of an admin key (:func:`insert_tenant_key`, :func:`revoke_tenant_key`) re-check
in their own transaction that the acting key is still active, and lock the rows they depend on first, so
two admins acting on each other at once are serialized instead of both succeeding.

A key created through ``/v1/keys`` with an ``Idempotency-Key`` records it (migration 0016), unique per
acting admin key (0017): a retry of that creation finds the key (:func:`created_under`) and never makes a
second one, also when both attempts arrive at once (``ALREADY_CREATED``). Only the key's hash is ever
stored, so a retry can name the key but never give its secret again.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Engine,
    Exists,
    Integer,
    String,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from schemas.keys import LABEL_MAX_LENGTH as LABEL_MAX_LENGTH
from service.records.database import as_utc, largest_id
from service.records.tables import api_keys

# LABEL_MAX_LENGTH is the ``label`` column's width: longer labels are refused before they reach the
# database (PostgreSQL would fail the insert; SQLite would store them anyway).
# The ``id`` column is ``Integer``: a number beyond its range (database.largest_id) cannot be an id, and
# binding it fails (OverflowError, DataError) instead of matching nothing.
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")  # str.isdigit() also takes '²' and Arabic-Indic digits


class Outcome(enum.Enum):
    """What a write on behalf of an admin key did, or why it did nothing."""

    DONE = "done"
    ALREADY_REVOKED = "already_revoked"  # revoking: the key was revoked before
    NOT_FOUND = "not_found"  # revoking: no such key of the tenant, among the roles asked for
    ACTOR_INACTIVE = "actor_inactive"  # the acting key was revoked meanwhile: nothing was written
    TENANT_FULL = "tenant_full"  # creating: the tenant already holds the most active keys it may
    ALREADY_CREATED = "already_created"  # creating: the actor created a key under this Idempotency-Key


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
    expires_at: datetime | None = None
    created_by: int | None = None
    revoked_by: int | None = None

    @property
    def status(self) -> str:
        """``revoked``, ``expired`` or ``active`` (revocation wins: it was a decision, expiry a date)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"


def _to_store(moment: datetime | None) -> datetime | None:
    """An expiry as stored: in UTC (SQLite keeps the wall-clock time and drops the offset, so a moment given
    at +08:00 would be read back eight hours late)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("an expiry must be an aware datetime")
    return moment.astimezone(UTC)


def expires_in(record: KeyRecord) -> float | None:
    """Seconds until ``record`` expires (negative once it has); ``None`` for a key that never does."""
    if record.expires_at is None:
        return None
    return (record.expires_at - datetime.now(UTC)).total_seconds()


def _usable(table: Any, now: datetime) -> ColumnElement[bool]:
    """``table``'s row is a key that works at ``now``: not revoked, and not expired."""
    return and_(table.c.revoked_at.is_(None), or_(table.c.expires_at.is_(None), table.c.expires_at > now))


_COLUMNS = (
    api_keys.c.id,
    api_keys.c.prefix,
    api_keys.c.tenant,
    api_keys.c.role,
    api_keys.c.merchant_id,
    api_keys.c.label,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
    api_keys.c.expires_at,
    api_keys.c.created_by,
    api_keys.c.revoked_by,
)


def _record(row: object) -> KeyRecord:
    record = KeyRecord(*row)  # type: ignore[misc]  # the row's columns are _COLUMNS, in order
    return dataclasses.replace(
        record,
        created_at=as_utc(record.created_at),
        revoked_at=None if record.revoked_at is None else as_utc(record.revoked_at),
        expires_at=None if record.expires_at is None else as_utc(record.expires_at),
    )


def insert_key(
    db: Engine,
    *,
    prefix: str,
    key_hash: str,
    tenant: str,
    role: str,
    merchant_id: str | None = None,
    label: str | None = None,
    expires_at: datetime | None = None,
) -> int:
    """Store a new key's hash (the operator's CLI: no acting key); returns its id."""
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
                expires_at=_to_store(expires_at),
            )
        )
        key_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if key_id is None:  # pragma: no cover - every supported backend returns the key
        raise RuntimeError("the database returned no id for the new key")
    return int(key_id)


def _active(key_id: int, tenant: str, now: datetime) -> Exists:
    """Whether key ``key_id`` of ``tenant`` is usable at ``now``: a condition for a statement on
    ``api_keys``."""
    other = api_keys.alias("acting_key")
    return exists().where(other.c.id == key_id, other.c.tenant == tenant, _usable(other, now))


def _lock_active_admins(conn: Connection, tenant: str, now: datetime) -> list[int]:
    """Lock ``tenant``'s usable admin keys (``FOR UPDATE``, a no-op on SQLite) in id order, as every
    write for an admin key locks: they queue behind one another instead of deadlocking."""
    query = (
        select(api_keys.c.id)
        .where(api_keys.c.tenant == tenant, api_keys.c.role == "admin", _usable(api_keys, now))
        .order_by(api_keys.c.id)
        .with_for_update()
    )
    return list(conn.execute(query).scalars())


def insert_tenant_key(
    db: Engine,
    *,
    actor_id: int,
    max_active: int,
    counted_roles: Collection[str],
    prefix: str,
    key_hash: str,
    tenant: str,
    role: str,
    merchant_id: str | None,
    label: str | None,
    expires_at: datetime | None,
    idempotency_key: str | None = None,
) -> tuple[Outcome, KeyRecord | None]:
    """Store a new key of ``tenant`` for the admin key ``actor_id``; ``(DONE, the key as stored)`` or why not.

    The key comes back from the insert itself (``RETURNING``): read back after the commit, a read that
    failed (its connection terminated) answered 503 "nothing was issued or changed" for a key that existed,
    whose secret the client then never saw (concurrency review, H4).

    Refused while the actor is revoked or expired (``ACTOR_INACTIVE``) or when ``tenant`` already holds
    ``max_active`` usable keys of ``counted_roles`` (``TENANT_FULL``; expired keys do not count). The
    tenant's usable admin keys are locked first, so concurrent creations count one after another; the
    insert itself is conditional on both rules, which keeps them on SQLite too, where that lock is a no-op.
    With ``idempotency_key``: ``(ALREADY_CREATED, that key)`` when the actor created a key under it
    before, or meanwhile (the unique index of migration 0017 refuses the second insert).
    """
    now = datetime.now(UTC)
    held = (
        select(func.count())
        .select_from(api_keys)
        .where(
            api_keys.c.tenant == tenant,
            _usable(api_keys, now),
            api_keys.c.role.in_(list(counted_roles)),
        )
        .scalar_subquery()
    )
    values = select(
        literal(prefix, String()),
        literal(key_hash, String()),
        literal(tenant, String()),
        literal(role, String()),
        literal(merchant_id, String()),
        literal(label, String()),
        literal(now, DateTime(timezone=True)),
        literal(_to_store(expires_at), DateTime(timezone=True)),
        literal(actor_id, Integer()),
        literal(idempotency_key, String()),
    ).where(_active(actor_id, tenant, now), held < max_active)
    columns = [
        "prefix",
        "key_hash",
        "tenant",
        "role",
        "merchant_id",
        "label",
        "created_at",
        "expires_at",
        "created_by",
        "idempotency_key",
    ]
    statement = insert(api_keys).from_select(columns, values).returning(*_COLUMNS)
    try:
        with db.begin() as conn:
            if actor_id not in _lock_active_admins(conn, tenant, now):
                return Outcome.ACTOR_INACTIVE, None
            inserted = conn.execute(statement).first()
            if inserted is not None:
                return Outcome.DONE, _record(inserted)
            # Nothing inserted (SQLite: a revocation or a creation of another worker came in between).
            actor_active = conn.execute(select(_active(actor_id, tenant, now))).scalar()
    except IntegrityError:
        # The same creation, retried at the same moment, committed first (else a hash collision: raise).
        earlier = None if idempotency_key is None else created_under(db, tenant, actor_id, idempotency_key)
        if earlier is None:
            raise
        return Outcome.ALREADY_CREATED, earlier
    return (Outcome.TENANT_FULL if actor_active else Outcome.ACTOR_INACTIVE), None


def created_under(db: Engine, tenant: str, actor_id: int, idempotency_key: str) -> KeyRecord | None:
    """The key that admin key ``actor_id`` of ``tenant`` created with ``idempotency_key``, if any (revoked
    or expired since, too: the Idempotency-Key names that creation for good)."""
    query = select(*_COLUMNS).where(
        api_keys.c.tenant == tenant,
        api_keys.c.created_by == actor_id,
        api_keys.c.idempotency_key == idempotency_key,
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def find_active_key(db: Engine, key_hash: str) -> KeyRecord | None:
    """The usable key (neither revoked nor expired) with this hash, if any."""
    query = select(*_COLUMNS).where(api_keys.c.key_hash == key_hash, _usable(api_keys, datetime.now(UTC)))
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def list_keys(
    db: Engine,
    *,
    tenant: str | None = None,
    include_revoked: bool = False,
    newest_first: bool = False,
    roles: Collection[str] | None = None,
    limit: int | None = None,
    before_id: int | None = None,
) -> list[KeyRecord]:
    """Keys by tenant and id; only ``tenant``'s and only those of ``roles`` when given; only usable ones
    unless ``include_revoked`` (then revoked and expired ones too); at most ``limit``, with ids below
    ``before_id`` (a page of a newest-first listing)."""
    order = api_keys.c.id.desc() if newest_first else api_keys.c.id
    query = select(*_COLUMNS).order_by(api_keys.c.tenant, order)
    if before_id is not None and before_id <= largest_id(db):
        query = query.where(api_keys.c.id < before_id)  # above the column's range: every id is below it
    if limit is not None:
        query = query.limit(limit)
    if tenant is not None:
        query = query.where(api_keys.c.tenant == tenant)
    if roles is not None:
        query = query.where(api_keys.c.role.in_(list(roles)))
    if not include_revoked:
        query = query.where(_usable(api_keys, datetime.now(UTC)))
    with db.connect() as conn:
        return [_record(row) for row in conn.execute(query)]


def get_key(
    db: Engine, tenant: str, key_id: int, *, roles: Collection[str] | None = None
) -> KeyRecord | None:
    """Key ``key_id`` if it belongs to ``tenant`` (revoked or not) and has one of ``roles`` (when given);
    another tenant's is ``None`` too."""
    query = select(*_COLUMNS).where(api_keys.c.id == key_id, api_keys.c.tenant == tenant)
    if roles is not None:
        query = query.where(api_keys.c.role.in_(list(roles)))
    with db.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else _record(row)


def revoke_tenant_key(
    db: Engine, tenant: str, key_id: int, *, actor_id: int, roles: Collection[str]
) -> tuple[Outcome, KeyRecord | None]:
    """Revoke key ``key_id`` of ``tenant`` (one of ``roles``) for the admin key ``actor_id``, in one
    transaction; returns what happened and the key as it was before.

    The two keys' rows are locked in id order first (``FOR UPDATE``; a no-op on SQLite), so two admins
    revoking each other at once are serialized: the second finds its own key revoked
    (``ACTOR_INACTIVE``) and changes nothing. The update also requires the actor to be usable, which
    keeps that rule on SQLite, where the locking read is not part of the write. An expired key can still
    be revoked (a revocation is final; an expiry date is not a decision anyone recorded).
    """
    now = datetime.now(UTC)
    locking = (
        select(*_COLUMNS)
        .where(api_keys.c.id.in_(sorted({actor_id, key_id})))
        .order_by(api_keys.c.id)
        .with_for_update()
    )
    with db.begin() as conn:
        locked = {record.id: record for record in map(_record, conn.execute(locking))}
        actor = locked.get(actor_id)
        if actor is None or actor.tenant != tenant or actor.status != "active":
            return Outcome.ACTOR_INACTIVE, None
        target = locked.get(key_id)
        if target is None or target.tenant != tenant or target.role not in roles:
            return Outcome.NOT_FOUND, None
        if target.revoked_at is not None:
            return Outcome.ALREADY_REVOKED, target
        revoked = conn.execute(
            update(api_keys)
            .where(
                api_keys.c.id == key_id,
                api_keys.c.tenant == tenant,
                api_keys.c.revoked_at.is_(None),
                _active(actor_id, tenant, now),
            )
            .values(revoked_at=now, revoked_by=actor_id)
        ).rowcount
        if revoked == 1:
            return Outcome.DONE, target
        # Nothing updated (SQLite: another worker's revocation came in between): whose?
        actor_active = conn.execute(select(_active(actor_id, tenant, now))).scalar()
    return (Outcome.ALREADY_REVOKED if actor_active else Outcome.ACTOR_INACTIVE), target


def count_expiring(db: Engine) -> int | None:
    """How many unrevoked keys have an expiry date; ``None`` where the schema has none (before 0007)."""
    query = (
        select(func.count())
        .select_from(api_keys)
        .where(api_keys.c.revoked_at.is_(None), api_keys.c.expires_at.is_not(None))
    )
    try:
        with db.connect() as conn:
            return int(conn.execute(query).scalar_one())
    except SQLAlchemyError:
        return None


def key_id(db: Engine, ident: str) -> int | None:
    """``ident`` as a key id: ASCII digits within the id column's range on this database, else ``None``."""
    if not _ASCII_DIGITS.fullmatch(ident):
        return None
    value = int(ident)
    return value if value <= largest_id(db) else None


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


def revoke_labelled(db: Engine, tenant: str, label: str, *, keep: int) -> int:
    """Revoke ``tenant``'s keys labelled ``label`` but the one whose id is ``keep``; returns how many.

    ``make run``'s demo keys (:mod:`service.demo_key`): a new one retires the ones before it.
    """
    return _revoke_where(
        db, and_(api_keys.c.tenant == tenant, api_keys.c.label == label, api_keys.c.id != keep)
    )


def _revoke_where(db: Engine, condition: ColumnElement[bool]) -> int:
    with db.begin() as conn:
        result = conn.execute(
            update(api_keys)
            .where(condition, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    return int(result.rowcount)
