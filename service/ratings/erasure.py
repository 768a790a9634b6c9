"""Erasing one issued rating (a court order, say): its record, and the cached copy the service hands out.

The record is deleted in one transaction that lifts the append-only guard for the DELETE and arms it again
(:func:`service.records.append_only.guard_lifted`), as docs/operations.md describes. Deleting the row was
not enough: an identical request kept getting the erased id from the cache (``X-Cache: hit``) for up to
the rating's validity, because a cached rating is served without the database. The Redis entry is built
from the deleted row (the issuer's scope, the five versions and the input hash, as
:func:`service.cache.cache_key` keys it) and deleted after the commit: deleted before, a request in
between could have cached the row again.

Deleting the entry was not enough either: one saved before the erasure and written back to Redis since is
signed by the service and verifies (security review). The same transaction records the erasure
(:func:`service.records.erasures.record_erasure`); the web workers read the recorded ids and miss a cached
entry of any of them. The ``Idempotency-Key`` rows naming the rating (:mod:`service.ratings.requests`) lose
the hashes of its request and input, and keep naming it: a retry sent with such a key after the erasure is
answered 410, as a read of the rating is. Deleted, as they were, the key named nothing and a retry was rated
again, a second rating of one loan's request under one key (migration 0027).

The audit line (``rating_erased``) names the rating, its tenant, whether a bank or a merchant was issued
it, the sha256 of its body (what a copy the bank kept for its loan file is checked against), and the reason
by :func:`reason_digest` only: the reason is free text an operator types ("order of
court X on behalf of <a person>"), and the merchant id may be a sole proprietor's; neither belongs in a log
shipped who knows where (data-protection review). The operator keeps the reason in their own record of the
erasure, which the digest then matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from sqlalchemy import Connection, Engine, delete, select, update

from service.auth import Principal
from service.cache import cache_key
from service.records.append_only import guard_lifted
from service.records.database import as_utc
from service.records.erasures import Erasure, latest_erasure, record_erasure
from service.records.rating_request_tables import rating_requests
from service.records.rating_signatures import body_sha256
from service.records.ratings import row_versions
from service.records.tables import ratings

#: Hex digits of the reason's sha256 the audit line keeps: enough to match a recorded reason, not a
#: full digest to search for.
REASON_DIGEST_HEX = 16

#: How long the erasure waits for the table lock its ALTER TABLE takes (PostgreSQL): new ratings wait
#: behind that lock while it is queued, so it gives up rather than hold them back.
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True, slots=True)
class ErasedRating:
    """What was deleted: the erasure as recorded (what the audit line logs), and what finds its cached copy
    (never recorded nor logged: the merchant id, the input's hash and the versions)."""

    recorded: Erasure
    merchant_id: str | None
    input_hash: str
    versions: dict[str, str]

    @property
    def id(self) -> str:
        return self.recorded.rating_id

    @property
    def tenant(self) -> str:
        return self.recorded.tenant

    @property
    def issued_at(self) -> datetime:
        return self.recorded.issued_at

    def cache_key(self, namespace: str) -> str:
        """The key its issuer's identical requests were cached under: the tenant, or the tenant narrowed
        to the merchant for a merchant key's rating (:attr:`service.auth.Principal.scope`)."""
        role = "bank" if self.merchant_id is None else "merchant"
        issuer = Principal(None, None, self.tenant, role, self.merchant_id)
        return cache_key(namespace, issuer.scope, self.versions, self.input_hash)


@dataclass(frozen=True, slots=True)
class AlreadyErased:
    """Nothing was deleted: the rating was erased before, as ``recorded`` (its latest erasure) says.

    An erasure run twice said "no rating ... is recorded in this database: nothing was erased", the words
    for an id never issued (a typo, a made-up reference), though the records say when and by whom it was
    erased (audit review).
    """

    recorded: Erasure


def reason_digest(reason: str) -> str:
    """The first :data:`REASON_DIGEST_HEX` hex digits of the sha256 of the reason (UTF-8, without leading
    and trailing white space): what the audit line says of it, to match the reason kept elsewhere."""
    return hashlib.sha256(reason.strip().encode()).hexdigest()[:REASON_DIGEST_HEX]


def erase_rating(
    db: Engine, rating_id: str, *, reason: str, actor: str
) -> ErasedRating | AlreadyErased | None:
    """Delete the rating ``rating_id`` (of any tenant), guard lifted for this DELETE only, and record the
    erasure (by ``actor``, the reason by its :func:`reason_digest` and length only) in the same transaction.
    Nothing else is changed: on SQLite, UPDATE stays refused throughout. What it recorded is returned
    (:attr:`ErasedRating.recorded`) for the audit line to log as it is.

    The erasure keeps the sha256 of the body's bytes as the record held them (the ``ETag`` it was served
    with), hashed here rather than taken from ``result_sha256``, which a rating issued before signing lacks:
    a bank that lent on the rating keeps its own copy of the answer for its loan file, and once the record
    is gone this digest is what tells that copy from an edited one (data-protection review). It names no
    one: the body holds a random 128-bit id, so the digest can only be matched by whoever holds the body.

    When no such rating is recorded, nothing is deleted or recorded (an erasure run twice, even at once,
    records one): :class:`AlreadyErased` with the erasure recorded before, or ``None`` for an id never
    erased (never issued, or deleted without its erasure recorded)."""
    c = ratings.c
    query = select(
        c.id, c.tenant, c.merchant_id, c.issued_at, c.input_hash, c.model_version, c.standard_version,
        c.factor_set_version, c.schema_version, c.engine_version, c.result_json,
    ).where(c.id == rating_id)
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        row = conn.execute(query).first()
        if row is None:
            return _erased_before(conn, rating_id)
        with guard_lifted(conn, "ratings", ("DELETE",)):
            deleted = conn.execute(delete(ratings).where(c.id == rating_id)).rowcount
        if not deleted:  # another erasure of it committed after this one read it
            return _erased_before(conn, rating_id)
        recorded = Erasure(
            rating_id=row.id, tenant=row.tenant,
            issued_by="bank" if row.merchant_id is None else "merchant", issued_at=as_utc(row.issued_at),
            erased_at=datetime.now(UTC), reason_sha256=reason_digest(reason),
            reason_length=len(reason.strip()), actor=actor, result_sha256=body_sha256(row.result_json),
        )
        record_erasure(conn, recorded)
        # the Idempotency-Keys that named it keep naming it, without its input's hash, which an erasure
        # keeps nowhere, nor its request body's
        conn.execute(
            update(rating_requests).where(rating_requests.c.rating_id == rating_id)
            .values(body_sha256=None, input_hash=None)
        )
    return ErasedRating(
        recorded=recorded, merchant_id=row.merchant_id, input_hash=row.input_hash, versions=row_versions(row)
    )


def _erased_before(conn: Connection, rating_id: str) -> AlreadyErased | None:
    """The erasure recorded for ``rating_id`` before this one found nothing to delete, if any (read in
    this transaction: on PostgreSQL, one that committed while this one waited on the row is seen too)."""
    recorded = latest_erasure(conn, rating_id)
    return None if recorded is None else AlreadyErased(recorded)


def evict_from_redis(url: str, key: str) -> bool:
    """Delete ``key`` from the Redis at ``url``; whether it was there. Redis errors propagate."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        return int(client.delete(key)) > 0
    finally:
        client.close()
