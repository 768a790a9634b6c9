"""Issuing ratings: cache → records → engine → record → cache, as a plain function of its inputs.

The order is the contract's durability rule: a new rating is committed to the database before its id is
returned or cached, so no id ever reaches a caller without its row. An identical input in the same tenant,
under the same versions (model, standard, factor set, schema and engine) and within validity, returns the
rating already issued (same id, same bytes), found in the cache or, failing that, in the records. Two
identical requests that both miss at the same instant are both rated, but only the first is written: the
write is conditional on no identical rating existing (``insert_ratings``), and the other request hands out
the one that was written (the cache, too, keeps the first entry written).

Every new rating records the build that issued it (``code_revision``, :mod:`service.revision`), which is
no part of what makes two ratings identical: neither the cache key nor the lookup of the records names it,
so a redeploy hands out the ratings issued before it, and the engine's answer does not carry it.

Every new rating is signed as it is recorded, and a rating found in the records is checked against its
signature before it is handed out or cached (:mod:`service.records.rating_signatures`): one changed in the
database since is refused (500), never served, for that input only. A cache hit is not checked again: only
this service writes the cache, with ratings it has just signed or checked (Redis entries carry a signature
of their own). A rating found in the records that only a setting which can be withdrawn accepts (signed with
a previous secret, or unsigned under ``GREENRATE_UNSIGNED_RATINGS=serve``) is handed out but not cached: the
entry, signed with the current secret, would outlive the setting (``ReusableRating.cacheable``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import Engine

from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
from rating_model.issue_year import check_not_after_issue
from rating_model.operating_data import OperatingData
from schemas.errors import flatten_errors
from schemas.fields import utc_iso
from schemas.operating_data import OperatingDataSchema
from service.auth import Principal
from service.cache import CachedRating, CacheEntry, RatingCache, cache_key, input_hash
from service.engine_slot import LoadedEngine
from service.errors import refusal
from service.exceptions import INVALID_FIELDS, ServiceError
from service.issue_year import year_of_issue
from service.metrics import cache_lookup, rating_issued
from service.ratings.encoding import rating_json
from service.records.rating_signatures import RatingKey
from service.records.ratings import NewRating, Recording, ReusableRating, find_reusable, insert_ratings
from service.revision import UNKNOWN
from service.write_health import WriteHealth

_ITEM_SCHEMA = OperatingDataSchema()  # built once: schema instantiation is not free


@dataclass(frozen=True, slots=True)
class IssuingContext:
    """What issuing needs, passed explicitly so it runs (and is tested) without a request."""

    db: Engine
    cache: RatingCache
    loaded: LoadedEngine
    validity: timedelta
    key: RatingKey  # what new ratings are signed, and found ones checked, with
    namespace: str = "greenrate"
    writes: WriteHealth | None = None  # told when ratings are written, for readiness
    code_revision: str = UNKNOWN  # the build issuing (service.revision): recorded with each new rating


@dataclass(frozen=True, slots=True)
class Issued:
    id: str
    body: bytes  # the rating's exact JSON text, UTF-8: what is served, cached and (as text) stored
    cache_hit: bool
    input_sha256: str  # the input's hash as recorded (service.cache.input_hash of the canonical input)
    merchant_id: str | None = None  # the merchant it was issued for (the issuer's scope); None: the bank


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """A batch item that could not be rated: the status and field errors its own request would get."""

    code: int
    message: str
    errors: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class _Prepared:
    data: OperatingData
    canonical: str
    digest: str
    key: str


def new_rating_id() -> str:
    return "rt_" + secrets.token_hex(16)


def _prepare(ctx: IssuingContext, scope: str, payload: Mapping[str, Any]) -> _Prepared:
    data = ctx.loaded.engine.parse(payload)
    canonical = data.canonical_json()
    digest = input_hash(canonical)
    return _Prepared(data, canonical, digest, cache_key(ctx.namespace, scope, ctx.loaded.versions, digest))


def _rate(
    ctx: IssuingContext, principal: Principal, prepared: _Prepared, now: datetime
) -> tuple[NewRating, bytes]:
    """A new rating's record and its JSON bytes (the record holds the same JSON as text)."""
    check_not_after_issue(prepared.data, year_of_issue(now))
    rating = ctx.loaded.engine.rate(prepared.data).to_dict()
    rating_id = new_rating_id()
    valid_until = now + ctx.validity
    external_id = prepared.data.company.external_id
    body = {
        "id": rating_id,
        "external_id": external_id,
        "issued_at": utc_iso(now),
        "valid_until": utc_iso(valid_until),
    }
    body.update(rating)
    # a NaN from the engine is a bug to surface, never invalid JSON to store (rating_json refuses it)
    text = rating_json(body)
    return NewRating(
        id=rating_id,
        tenant=principal.tenant,
        merchant_id=principal.merchant,
        external_id=external_id,
        input_hash=prepared.digest,
        input_json=prepared.canonical,
        result_json=text.decode(),
        versions=ctx.loaded.versions,
        score=float(rating["score"]),
        grade=str(rating["grade"]),
        requester_key_id=principal.key_id,
        requester_prefix=principal.prefix,
        issued_at=now,
        valid_until=valid_until,
        result_sha256=hashlib.sha256(text).hexdigest(),  # of the bytes at hand: what is signed and served
        code_revision=ctx.code_revision,
    ), text


def _issued_after(ctx: IssuingContext, now: datetime) -> float:
    """The moment (epoch seconds) a reusable rating must have been issued after: one validity back, for
    the cache as for the records (:func:`service.records.ratings.find_reusable`)."""
    return (now - ctx.validity).timestamp()


def _cache_entry(key: str, rating: CachedRating, valid_until: datetime) -> CacheEntry | None:
    """The cache entry of a rating, expiring with its validity; ``None`` if it has (almost) none left.

    A rating found in the records may be days into its validity: caching it for a full validity period
    would serve it, as a hit, after its ``valid_until`` had passed. A Redis entry also signs that end
    (``expires_at``), so that one kept past its TTL is not served either.
    """
    ttl = int((valid_until - datetime.now(UTC)).total_seconds())
    return CacheEntry(key, rating, ttl, int(valid_until.timestamp())) if ttl > 0 else None


_RateError = FactorNotFoundError | InvalidInputError | InvalidInputErrors
#: Why an input got no rating: the engine refused it, or the rating recorded for it failed its signature.
_Failure = _RateError | ServiceError


def _rate_failure(exc: _Failure) -> ItemFailure:
    """What a batch item says when it gets no rating: what its own request would have been answered."""
    if isinstance(exc, ServiceError):
        return ItemFailure(exc.code, exc.message, exc.errors or {})
    return ItemFailure(*refusal(exc))


def _resolve(
    ctx: IssuingContext,
    principal: Principal,
    prepared: Sequence[_Prepared],
    recording: Recording | None = None,
) -> tuple[dict[str, Issued], dict[str, _Failure]]:
    """Issue or reuse one rating per distinct input: one cache round trip, one query, one transaction
    (which ``recording`` joins, when a rating is written: :func:`~service.records.ratings.insert_ratings`)."""
    distinct = {p.digest: p for p in prepared}
    issued: dict[str, Issued] = {}
    failed: dict[str, _Failure] = {}
    now = datetime.now(UTC).replace(microsecond=0)
    cached = ctx.cache.get_many([p.key for p in distinct.values()], _issued_after(ctx, now))
    for p, hit in zip(distinct.values(), cached, strict=True):
        if hit is not None:
            issued[p.digest] = Issued(hit.id, hit.body, True, p.digest, principal.merchant)
    missing = [p for p in distinct.values() if p.digest not in issued]
    to_cache: list[CacheEntry | None] = []
    grades: list[str] = []  # of the ratings newly issued

    def reuse(digest: str, found: ReusableRating) -> None:
        if found.refused is not None:  # changed in the records since it was issued: neither served nor cached
            failed[digest] = found.refused
            return
        text = found.result_json.encode()
        issued[digest] = Issued(found.id, text, True, digest, principal.merchant)
        if found.cacheable:  # not one a withdrawn setting must refuse again: read from the records each time
            entry = _cache_entry(distinct[digest].key, CachedRating(found.id, text), found.valid_until)
            to_cache.append(entry)

    if missing:
        stored = find_reusable(
            ctx.db,
            principal.tenant,
            [p.digest for p in missing],
            ctx.loaded.versions,
            now,
            principal.merchant,
            ctx.validity,
            key=ctx.key,
        )
        new: list[tuple[NewRating, bytes]] = []
        for p in missing:
            if p.digest in stored:
                reuse(p.digest, stored[p.digest])
                continue
            try:
                new.append(_rate(ctx, principal, p, now))
            except (FactorNotFoundError, InvalidInputError, InvalidInputErrors) as exc:
                # this input cannot be rated (a unit or factor the inventory refuses); the others still can
                failed[p.digest] = exc
        # committed before any id is returned or cached; an identical rating another request wrote since
        # the lookup above wins, and is handed out instead of this one (which was never stored)
        came_first = insert_ratings(ctx.db, [n for n, _ in new], ctx.key, recording=recording)
        if new and ctx.writes is not None:
            ctx.writes.succeeded()
        for n, text in new:
            if n.input_hash in came_first:
                reuse(n.input_hash, came_first[n.input_hash])
                continue
            issued[n.input_hash] = Issued(n.id, text, False, n.input_hash, n.merchant_id)
            to_cache.append(_cache_entry(distinct[n.input_hash].key, CachedRating(n.id, text), n.valid_until))
            grades.append(n.grade)
    ctx.cache.put_many([entry for entry in to_cache if entry is not None])
    # counted last: the ratings are committed and cached whatever happens to the metrics
    for grade in grades:
        rating_issued(grade)
    for result in issued.values():
        cache_lookup(result.cache_hit)
    return issued, failed


def input_digest(ctx: IssuingContext, payload: Mapping[str, Any]) -> str:
    """The hash a rating of ``payload`` would record as its input (``input_sha256``), under this engine."""
    return input_hash(ctx.loaded.engine.parse(payload).canonical_json())


def body_fingerprint(raw: bytes) -> str:
    """Identity of a request body's exact bytes (a repeat of it needs no validation or parsing)."""
    return hashlib.sha256(raw).hexdigest()


def reissue_repeat(ctx: IssuingContext, principal: Principal, fingerprint: str) -> Issued | None:
    """The cached rating for a body this engine has already parsed, or ``None`` (take the full path).

    The hot path of a bank re-sending the same company: one dictionary lookup and one cache read instead
    of schema validation, parsing and canonicalisation. Anything not in the cache goes the full way, which
    also consults the records.
    """
    digest = ctx.loaded.digest_of(fingerprint)
    if digest is None:
        return None
    key = cache_key(ctx.namespace, principal.scope, ctx.loaded.versions, digest)
    hit = ctx.cache.get_many([key], _issued_after(ctx, datetime.now(UTC).replace(microsecond=0)))[0]
    if hit is None:
        return None
    cache_lookup(True)
    return Issued(hit.id, hit.body, True, digest, principal.merchant)


def issue_rating(
    ctx: IssuingContext, principal: Principal, payload: Mapping[str, Any], fingerprint: str | None = None,
    recording: Recording | None = None,
) -> Issued:
    """Rate one company (or return its still-valid rating); engine input errors propagate as raised.

    :param fingerprint: the request body's :func:`body_fingerprint`, remembered once the body has been
        validated and parsed, so that :func:`reissue_repeat` can serve its repeats.
    :param recording: called in the transaction that writes the rating, if one is written (not for a
        rating found in the cache or the records); what it raises is raised, the rating rolled back.
    """
    prepared = _prepare(ctx, principal.scope, payload)
    issued, failed = _resolve(ctx, principal, [prepared], recording)
    if prepared.digest in failed:
        raise failed[prepared.digest]
    if fingerprint is not None:
        ctx.loaded.remember(fingerprint, prepared.digest)
    return issued[prepared.digest]


_NOT_AN_OBJECT = "Must be a JSON object: the operating data of one company."


def issue_batch(
    ctx: IssuingContext, principal: Principal, payloads: Sequence[Any]
) -> list[Issued | ItemFailure]:
    """Rate up to 100 companies in order; an item that fails says why and does not fail the others."""
    results: list[Issued | ItemFailure | _Prepared] = []
    for payload in payloads:
        if not isinstance(payload, Mapping):  # a string, a number or null fails alone, like any bad item
            results.append(ItemFailure(422, INVALID_FIELDS, {"_schema": [_NOT_AN_OBJECT]}))
            continue
        try:
            results.append(_prepare(ctx, principal.scope, _ITEM_SCHEMA.load(payload)))
        except ValidationError as exc:
            results.append(ItemFailure(422, INVALID_FIELDS, flatten_errors(exc.messages)))
        except (FactorNotFoundError, InvalidInputError, InvalidInputErrors) as exc:
            results.append(_rate_failure(exc))
    prepared = [r for r in results if isinstance(r, _Prepared)]
    issued, failed = _resolve(ctx, principal, prepared) if prepared else ({}, {})
    out: list[Issued | ItemFailure] = []
    for r in results:
        if isinstance(r, _Prepared):
            out.append(issued[r.digest] if r.digest in issued else _rate_failure(failed[r.digest]))
        else:
            out.append(r)
    return out
