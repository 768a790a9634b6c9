"""Storing and reading issued ratings; every query is scoped by tenant.

The rating's JSON text is stored as served and returned as stored, so a rating fetched back is the same
bytes that were issued. Reads take the tenant (and, for merchants, the merchant id) as part of the key, so a
foreign id and a missing id are the same "not found". Every rating is signed as it is written, and every
read that serves one (by id, the list, the reuse that refills the cache) checks the signature first
(:mod:`service.records.rating_signatures`): a record changed since is refused, never served or cached.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    bindparam,
    exists,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.sql.dml import ReturningInsert

from service.exceptions import INVALID_FIELDS, ServiceError
from service.records.database import as_utc, count_ratings_where
from service.records.rating_signatures import (
    CHECKED_COLUMNS,
    SIGNED_AS_ISSUED,
    RatingKey,
    RatingRecordRefused,
    body_sha256,
    signed,
    verified,
)
from service.records.tables import api_keys, ratings


@dataclass(frozen=True, slots=True)
class NewRating:
    """A rating about to be issued: everything that must be durable before its id leaves the service."""

    id: str
    tenant: str
    merchant_id: str | None
    external_id: str | None
    input_hash: str
    input_json: str
    result_json: str
    versions: Mapping[str, str]
    score: float
    grade: str
    requester_key_id: int | None
    requester_prefix: str | None
    issued_at: datetime
    valid_until: datetime
    #: :func:`~service.records.rating_signatures.body_sha256` of ``result_json``, when the caller hashed
    #: the body's bytes already (issuing does: encoding the 18 KB text again cost a third of the hashing)
    result_sha256: str | None = None
    #: the build that issued it (:mod:`service.revision`): recorded and signed, never part of what makes
    #: two ratings identical (a redeploy hands out the ratings issued before it, as before)
    code_revision: str | None = None

    def row(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tenant": self.tenant,
            "merchant_id": self.merchant_id,
            "external_id": self.external_id,
            "input_hash": self.input_hash,
            "input_json": self.input_json,
            "result_json": self.result_json,
            "model_version": self.versions["model"],
            "standard_version": self.versions["standard"],
            "factor_set_version": self.versions["factor_set"],
            "schema_version": self.versions["schema"],
            "engine_version": self.versions["engine"],
            "score": self.score,
            "grade": self.grade,
            "requester_key_id": self.requester_key_id,
            "requester_prefix": self.requester_prefix,
            "issued_at": self.issued_at,
            "valid_until": self.valid_until,
            "code_revision": self.code_revision,
        }


#: The columns a new rating's row has: every one but the sequence, which is the database's
#: (:meth:`NewRating.row`'s, and the three of its signatures).
_ROW_COLUMNS = tuple(column.name for column in ratings.columns if column.name != "seq")
#: What a read selects to check a rating's signature (the body, or its stored hash, besides).
_SIGNED = tuple(ratings.c[name] for name in CHECKED_COLUMNS)


@dataclass(frozen=True, slots=True)
class StoredRating:
    """A rating as served: its id and its exact JSON text, the merchant it was issued for (if any), the
    hash of its recorded input and the sha256 of the text's UTF-8 bytes (its stored ``result_sha256``, which
    its signature covers: the answer's ``ETag``)."""

    id: str
    result_json: str
    merchant_id: str | None = None
    input_hash: str = ""
    result_sha256: str = ""


@dataclass(frozen=True, slots=True)
class ReusableRating:
    """A still-valid rating found for an input, with the end of its validity (which bounds its caching).

    ``refused``: its record failed its signature check (logged and counted already); it is neither served
    nor cached, and the request for that input is answered with the refusal.

    ``cacheable``: its record is signed with the current key. One accepted only by a setting that can be
    withdrawn, signed with a previous secret (``GREENRATE_PREVIOUS_SECRET_KEYS``) or unsigned (under
    ``GREENRATE_UNSIGNED_RATINGS=serve``), is served from the records and not cached: a cache entry is
    signed with the current secret, and had handed such a rating out as a hit after its secret was retired
    or unsigned ratings refused again, until its validity ended (internal-audit review).
    """

    id: str
    result_json: str
    valid_until: datetime
    refused: RatingRecordRefused | None = None
    cacheable: bool = True


@dataclass(frozen=True, slots=True)
class RatingSummary:
    seq: int
    id: str
    external_id: str | None
    issued_at: datetime
    valid_until: datetime
    score: float
    grade: str
    versions: dict[str, str]
    merchant_id: str | None = None
    requested_by: dict[str, Any] | None = None
    input_sha256: str = ""
    code_revision: str | None = None  # the build that issued it; None: issued before migration 0019

    @property
    def issued_by(self) -> str:
        """Whom it was issued for, in the words of the list's ``issued_by`` filter."""
        return "bank" if self.merchant_id is None else "merchant"


#: What else a transaction of new ratings records (:func:`insert_ratings`): called in it, last, with the
#: rating id each input hash was answered (its new rating, or the identical one that came first).
Recording = Callable[[Connection, Mapping[str, str]], None]


def insert_ratings(
    db: Engine, new: Sequence[NewRating], key: RatingKey, *, recording: Recording | None = None
) -> dict[str, ReusableRating]:
    """Store ratings in one transaction, signed with ``key``, unless an identical one came first; return
    those that did.

    ``recording`` records what names the ratings in the same transaction (an ``Idempotency-Key``,
    :mod:`service.ratings.requests`): what it raises rolls the new ratings back with it, so a request that
    loses its key to another one at the same moment leaves no rating no one was answered with.

    All of them are durable, or none is (and the caller sees why). Each row is written only if no still-
    valid rating of the same input, versions and issuer exists: two identical requests at once (a bank
    retrying after a client timeout while the first was still being written, or a Redis outage) each
    found nothing to reuse and issued two ratings for one input, and the list showed the bank an id it had
    never been given (client review). The answer maps the input hashes that lost to the rating that won,
    for the caller to hand out instead. On PostgreSQL an advisory lock per input serialises the check and
    the write (under READ COMMITTED two inserts would both see nothing); on SQLite the one statement holds
    the database's write lock from its start.
    """
    if not new:
        return {}
    issuers = {(n.tenant, n.merchant_id) for n in new}
    if len(issuers) != 1:  # the winners are looked up, and returned, for one issuer
        raise ValueError(f"insert_ratings takes the ratings of one issuer at a time, not {sorted(issuers)}")
    lost: list[NewRating] = []
    rows = []
    for n in new:  # signed before the transaction: its locks are not held for the hashing
        row = n.row()
        reuse_after = _reuse_after(n.issued_at, n.valid_until - n.issued_at)
        rows.append({**row, **signed(key, row, n.result_sha256), "reuse_after": reuse_after})
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":  # one round trip for a whole batch's locks
            conn.execute(_ADVISORY_LOCKS, {"keys": sorted({_lock_key(n) for n in new})})
        for n, row in zip(new, rows, strict=True):
            if conn.execute(_insert_unless_reusable(n.merchant_id is not None), row).first() is None:
                lost.append(n)
        came_first: dict[str, ReusableRating] = {}
        if lost:
            one = lost[0]
            came_first = _reusable(
                conn, key, one.tenant, [n.input_hash for n in lost], one.versions, one.issued_at,
                one.merchant_id, _reuse_after(one.issued_at, one.valid_until - one.issued_at),
            )
        if recording is not None:
            written = {n.id for n in new} - {n.id for n in lost}
            answered = {n.input_hash: n.id for n in new if n.id in written}
            answered.update({h: r.id for h, r in came_first.items() if r.refused is None})
            recording(conn, answered)
        return came_first


def _reuse_after(now: datetime, validity: timedelta | None) -> datetime:
    """The earliest issue time of a rating reused at ``now``: one validity period back (``None``: any).

    A rating stays reusable until its own ``valid_until``, but never for longer than the validity the
    service runs with now: after ``GREENRATE_RATING_VALIDITY_DAYS`` went from 365 to 30, ratings issued
    200 days before were still handed out as hits (a reproducibility review).
    """
    return now - validity if validity is not None else datetime.min.replace(tzinfo=UTC)


#: The inputs' locks, taken in ascending key order everywhere (so two batches never wait on each other in
#: a cycle): the sorted subquery feeds the function row by row.
_ADVISORY_LOCKS = text(
    "SELECT count(pg_advisory_xact_lock(key)) "
    "FROM (SELECT unnest(CAST(:keys AS bigint[])) AS key ORDER BY 1) AS sorted_keys"
)


def _lock_key(rating: NewRating) -> int:
    """The advisory-lock key of a rating's input for its issuer: 64 bits of a hash, as PostgreSQL's bigint."""
    name = "\x00".join((rating.tenant, rating.merchant_id or "", rating.input_hash))
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _unindexed(column: ColumnElement[str | None]) -> ColumnElement[str]:
    """``column`` as an expression no index can serve, for the terms that only confirm an identical rating.

    SQLite's planner, which has no statistics, took the lookup of an identical rating through the index of
    the model version and issue time (migration 0011's, for the drift monitor) or of the tenant's merchant
    ids: every miss read all the ratings of the model version or of the bank, and the embedded service's
    misses fell from 658 to 304 a second under ``make bench``. The tenant and the input hash find the
    rating in a row or two (``ix_ratings_tenant_input_hash``); the versions and the issuer, compared through
    ``coalesce`` (a no-op for these values), can only filter those rows. PostgreSQL, which chose that index
    from its statistics (the DBA review's plans), is left the same choice.
    """
    return func.coalesce(column, "")


@functools.cache
def _insert_unless_reusable(by_merchant: bool) -> ReturningInsert[tuple[str]]:
    """``INSERT INTO ratings SELECT :values WHERE NOT EXISTS (a still-valid identical rating)``, built once.

    The condition is :func:`_reusable_query`'s, at the new rating's ``issued_at``, with the row's own
    bound values, so what counts as "identical" is defined in one place's terms: tenant, input, the five
    versions and the issuer (a merchant's own, or none).
    """
    c = ratings.c
    names = list(_ROW_COLUMNS)
    same = select(c.id).where(
        c.tenant == bindparam("tenant", type_=c.tenant.type),
        c.input_hash == bindparam("input_hash", type_=c.input_hash.type),
        _unindexed(c.model_version) == bindparam("model_version", type_=c.model_version.type),
        c.standard_version == bindparam("standard_version", type_=c.standard_version.type),
        c.factor_set_version == bindparam("factor_set_version", type_=c.factor_set_version.type),
        c.schema_version == bindparam("schema_version", type_=c.schema_version.type),
        c.engine_version == bindparam("engine_version", type_=c.engine_version.type),
        c.valid_until > bindparam("issued_at", type_=c.issued_at.type),
        c.issued_at > bindparam("reuse_after", type_=c.issued_at.type),
        _unindexed(c.merchant_id) == bindparam("merchant_id", type_=c.merchant_id.type)
        if by_merchant
        else _unindexed(c.merchant_id) == "",
    )
    values = select(*(bindparam(name, type_=c[name].type) for name in names)).where(~exists(same))
    # RETURNING says whether the row was written (psycopg reports no rowcount for INSERT ... SELECT)
    return insert(ratings).from_select(names, values).returning(c.id)


def find_reusable(
    db: Engine,
    tenant: str,
    input_hashes: Iterable[str],
    versions: Mapping[str, str],
    now: datetime,
    merchant_id: str | None = None,
    validity: timedelta | None = None,
    *,
    key: RatingKey,
) -> dict[str, ReusableRating]:
    """Still-valid ratings of this tenant for these inputs, by input hash: of this merchant when one is
    given, else only those no merchant issued; with ``validity``, only those issued within it. Each is
    checked against its signature under ``key`` (one that fails says so in ``refused``).

    The cache is only an accelerator: this makes "identical input within validity returns the same
    rating" hold after an eviction or while Redis is down. Whose ratings are reused follows the cache's
    scope (:attr:`service.auth.Principal.scope`): a bank's request once reused a merchant's self-declared
    rating of the same input from here, so the bank's own rating was listed as the borrower's.
    """
    with db.connect() as conn:
        after = _reuse_after(now, validity)
        return _reusable(conn, key, tenant, input_hashes, versions, now, merchant_id, after)


def _reusable(
    conn: Connection,
    key: RatingKey,
    tenant: str,
    input_hashes: Iterable[str],
    versions: Mapping[str, str],
    now: datetime,
    merchant_id: str | None,
    reuse_after: datetime,
) -> dict[str, ReusableRating]:
    hashes = list(dict.fromkeys(input_hashes))
    if not hashes:
        return {}
    params: dict[str, object] = {
        "tenant": tenant,
        "model": versions["model"],
        "standard": versions["standard"],
        "factor_set": versions["factor_set"],
        "schema": versions["schema"],
        "engine": versions["engine"],
        "now": now,
        "reuse_after": reuse_after,
        "merchant_id": merchant_id,
    }
    many = len(hashes) > 1
    params["hashes" if many else "hash"] = hashes if many else hashes[0]
    found: dict[str, ReusableRating] = {}
    for row in conn.execute(_reusable_query(many, merchant_id is not None), params):
        if row.input_hash in found:
            continue  # the first issued wins; a later identical one is never handed out
        refused, status = None, None
        try:
            status = verified(key, row._mapping, "reuse")
        except RatingRecordRefused as exc:
            refused = exc
        found[row.input_hash] = ReusableRating(
            row.id, row.result_json, as_utc(row.valid_until), refused, cacheable=status == "valid"
        )
    return found


@functools.cache
def _reusable_query(many: bool, by_merchant: bool) -> Select[Any]:
    """The lookup of :func:`find_reusable`, built once per shape with bound parameters.

    Every cache miss of ``POST /v1/ratings`` runs it; building the statement anew each time cost more
    than the database's answer (measured: about 3 times the prebuilt statement's time on SQLite). One
    input compares by equality, several by an expanding ``IN``.
    """
    c = ratings.c
    query = select(*_SIGNED, c.result_json).where(
        c.tenant == bindparam("tenant"),
        c.input_hash.in_(bindparam("hashes", expanding=True)) if many else c.input_hash == bindparam("hash"),
        _unindexed(c.model_version) == bindparam("model"),
        c.standard_version == bindparam("standard"),
        c.factor_set_version == bindparam("factor_set"),
        c.schema_version == bindparam("schema"),
        c.engine_version == bindparam("engine"),
        c.valid_until > bindparam("now"),
        c.issued_at > bindparam("reuse_after"),
    )
    issuer = _unindexed(c.merchant_id)
    query = query.where(issuer == bindparam("merchant_id") if by_merchant else issuer == "")
    return query.order_by(c.seq)  # the first issued wins, so every caller converges on one id


def row_versions(row: Any) -> dict[str, str]:
    """The five versions a rating's row records, keyed as a rating's ``versions`` names them."""
    return {
        "model": row.model_version,
        "standard": row.standard_version,
        "factor_set": row.factor_set_version,
        "schema": row.schema_version,
        "engine": row.engine_version,
    }


def get_rating(
    db: Engine, tenant: str, rating_id: str, merchant_id: str | None = None, *, key: RatingKey
) -> StoredRating | None:
    """The rating if it exists in this tenant (and belongs to this merchant when one is given).

    Its ``result_sha256`` is the stored one, checked against the body with the signature (a record whose
    stored hash is not its body's is refused, as the list refuses it), so it names the bytes served without
    hashing them again; a rating issued before signing (served under ``GREENRATE_UNSIGNED_RATINGS=serve``)
    has none stored, and its body is hashed.

    :raises RatingRecordRefused: its record does not verify against its signature under ``key``.
    """
    c = ratings.c
    query = select(*_SIGNED, c.result_json, c.result_sha256).where(c.id == rating_id, c.tenant == tenant)
    if merchant_id is not None:
        query = query.where(c.merchant_id == merchant_id)
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    status = verified(key, row._mapping, "get")
    digest = row.result_sha256 if status in SIGNED_AS_ISSUED else body_sha256(row.result_json)
    return StoredRating(row.id, row.result_json, row.merchant_id, row.input_hash, digest)


class UnknownCursor(ServiceError, LookupError):
    """A page cursor naming a rating this tenant does not have: 422, as a cursor the schema refuses."""

    code = 422

    def __init__(self, cursor: str) -> None:
        super().__init__(cursor, message=INVALID_FIELDS, errors={"cursor": ["Not a valid cursor."]})


def list_ratings(
    db: Engine,
    tenant: str,
    *,
    limit: int,
    after: str | None = None,
    external_id: str | None = None,
    issued_by: str | None = None,
    merchant_id: str | None = None,
    key: RatingKey,
) -> tuple[list[RatingSummary], bool]:
    """Newest first, up to ``limit``; the flag says whether there are more after them.

    :param after: the page's start: older than this rating of the tenant (its id).
    :param issued_by: ``"bank"``, only ratings issued for no merchant; ``"merchant"``, only those issued for
        one (by the merchant's own key, or by a bank key on the merchant's profile); ``None``, both.
    :param merchant_id: only the ratings issued for this merchant.
    :param key: what each item's signature is checked under; the stored hash of its body stands for the
        body, which a list item does not carry (and which is not read: 18 KB a rating).
    :raises UnknownCursor: ``after`` names no rating of this tenant.
    :raises RatingRecordRefused: an item of the page does not verify against its signature.
    """
    c = ratings.c
    query = select(c.seq, *_SIGNED, c.result_sha256).where(c.tenant == tenant)
    if external_id is not None:
        query = query.where(c.external_id == external_id)
    if issued_by == "bank":
        query = query.where(c.merchant_id.is_(None))
    elif issued_by == "merchant":
        query = query.where(c.merchant_id.is_not(None))
    if merchant_id is not None:
        query = query.where(c.merchant_id == merchant_id)
    with db.connect() as conn:  # one connection: the cursor's rating and the page are read together
        if after is not None:
            before_seq = conn.execute(select(c.seq).where(c.id == after, c.tenant == tenant)).scalar()
            if before_seq is None:
                raise UnknownCursor(after)
            query = query.where(c.seq < before_seq)
        rows = conn.execute(query.order_by(c.seq.desc()).limit(limit + 1)).all()
        for r in rows[:limit]:
            verified(key, r._mapping, "list", body=False)
        roles = _key_roles(conn, {r.requester_key_id for r in rows[:limit]} - {None})
    items = [
        RatingSummary(
            seq=r.seq,
            id=r.id,
            external_id=r.external_id,
            issued_at=as_utc(r.issued_at),
            valid_until=as_utc(r.valid_until),
            score=r.score,
            grade=r.grade,
            versions=row_versions(r),
            merchant_id=r.merchant_id,
            requested_by={
                "key_id": r.requester_key_id,
                "prefix": r.requester_prefix,
                "role": roles.get(r.requester_key_id),
            },
            input_sha256=r.input_hash,
            code_revision=r.code_revision,
        )
        for r in rows[:limit]
    ]
    return items, len(rows) > limit


def _key_roles(conn: Connection, key_ids: set[int]) -> dict[int, str]:
    """The roles of the keys that requested a page's ratings (keys are never deleted, nor their role
    changed: a rating references its key). No query for a page that names none (the merchant page's)."""
    if not key_ids:
        return {}
    query = select(api_keys.c.id, api_keys.c.role).where(api_keys.c.id.in_(sorted(key_ids)))
    return {row.id: row.role for row in conn.execute(query)}


def count_engine_versioned(db: Engine) -> int | None:
    """How many ratings record the engine version that computed them; ``None`` where the schema has no
    such column (before migration 0006), or no ratings table at all."""
    return count_ratings_where(db, ratings.c.engine_version != "unrecorded")


def count_code_revisioned(db: Engine) -> int | None:
    """How many ratings record the build that issued them; ``None`` where the schema has no such column
    (before migration 0019), or no ratings table at all."""
    return count_ratings_where(db, ratings.c.code_revision.is_not(None))
