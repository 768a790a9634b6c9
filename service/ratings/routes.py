"""``/v1/ratings``: thin views over :mod:`service.ratings.issuing` and :mod:`service.records.ratings`.

Ratings are served as the stored JSON text, never re-serialized, so the bytes a caller fetches back are the
bytes it was issued; the response schemas document that text. A stored rating whose record no longer
matches its signature, or carries none (unless ``GREENRATE_UNSIGNED_RATINGS=serve``), is answered 500
(:class:`~service.records.rating_signatures.RatingRecordRefused`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NoReturn, TypeVar, cast

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from schemas.fields import RatingCursor, utc_iso
from schemas.operating_data import OperatingDataSchema
from schemas.pages import (
    MAX_BATCH_ITEMS,
    BatchRequestSchema,
    BatchResultSchema,
    RatingListQuerySchema,
    RatingPageSchema,
)
from schemas.rating import RatingSchema
from service.auth import current_principal, readable_ratings_merchant, requires
from service.extensions import services
from service.hardening import json_batch_body, json_body, request_body
from service.idempotency import (
    IDEMPOTENCY_KEY,
    IDEMPOTENT_REPLAYED,
    IdempotencyKeyRefused,
    idempotency_key,
    idempotency_parameter,
)
from service.limits import spend_tenant_budget
from service.lost_answers import on_lost_answer
from service.openapi import added_parameters, documented
from service.ratings.batch_body import batch_body, batch_warnings
from service.ratings.issuing import (
    Issued,
    IssuingContext,
    body_fingerprint,
    input_digest,
    issue_batch,
    issue_rating,
    reissue_repeat,
)
from service.ratings.requests import (
    ERASED,
    OTHER_REQUEST,
    KeyClaim,
    KeyTaken,
    RatingRequest,
    find_request,
    record_request,
    same_request,
)
from service.records.erasures import Erasure, find_erasure
from service.records.rating_signatures import RatingKey, service_rating_key
from service.records.ratings import get_rating, list_ratings

blp = Blueprint(
    "ratings",
    __name__,
    url_prefix="/v1/ratings",
    description="Issue green ratings and read them back, exactly as issued.",
)

F = TypeVar("F", bound=Callable[..., Any])

_JSON = "application/json"
# Instances, not classes: webargs instantiates a schema class on every request (nested schemas included).
_OPERATING_DATA = OperatingDataSchema()
_LIST_QUERY = RatingListQuerySchema()
_BATCH_REQUEST = BatchRequestSchema()
INPUT_HASH_HEADER = "X-Input-SHA256"
#: Whom a rating was issued for and its input's hash, on every answer that carries one rating (the body,
#: kept exactly as issued, says neither): a bank that keeps the answers can tell a merchant's self-rating
#: from its own, and which recorded input a rating was derived from.
RATING_HEADERS = {
    "X-Issued-By": {
        "description": "`bank`: issued for the bank itself (`POST /v1/ratings`); `merchant`: issued for the "
        "merchant named in `X-Merchant-ID` (`POST /v1/merchants/{merchant_id}/rating`, by the merchant's own "
        "key or by a bank key), on data the merchant's profile holds. The list's `issued_by` names the same.",
        "required": True,
        "schema": {"type": "string", "enum": ["bank", "merchant"]},
    },
    "X-Merchant-ID": {
        "description": "The merchant the rating was issued for; only with `X-Issued-By: merchant`.",
        "schema": {"type": "string"},
    },
    INPUT_HASH_HEADER: {
        "description": "The rating's input as recorded, for audit: the lowercase hex SHA-256 of the "
        "canonical input the engine rated (the service's normalised reading of the request body, not the "
        "body's own bytes), exactly as the rating's record holds it; the list's `input_sha256`. "
        "`greenrate ratings verify` re-derives the rating from that input.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}
#: A rating read by id: the stored body's own sha256, so that an auditor can check the bytes kept against it.
ETAG_HEADER = {
    "ETag": {
        "description": "A strong entity tag of the body: the lowercase hex SHA-256 of its bytes, in quotes, "
        "exactly as the rating's record holds it (`ratings.result_sha256`, which its signature covers). The "
        "body is the rating exactly as issued and names its id, so the tag is the rating's for good: send it "
        "back in `If-None-Match` to be answered 304 without the body while the rating is still served as "
        "kept (an erased rating answers 410, a changed record 500, never 304).",
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9a-f]{64}"$'},
    },
}
#: The conditional request headers a read by id evaluates (RFC 9110, section 13.1), as header parameters.
CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The `ETag` (or a list of them, or `*`) of the rating you hold: a match, compared "
        "weakly (a `W/` tag matches too), answers 304 without the body. Evaluated after the key, the tenant "
        "and the record are checked, as for the 200.",
        "schema": {"type": "string"},
    },
    {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "description": "Answer only if the rating is still this `ETag` (or a list, or `*`), compared "
        "strongly; otherwise 412. Evaluated before `If-None-Match`.",
        "schema": {"type": "string"},
    },
]
NOT_MODIFIED = {
    "description": "Not Modified: the `If-None-Match` tag matches the rating's `ETag`. No body; the same "
    "`ETag` and `Cache-Control` as the 200.",
    "headers": {"ETag": ETAG_HEADER["ETag"]},
}

#: The headers every issuing view sends (this one and the merchants' one-click), documented once.
ISSUE_HEADERS = {
    "Location": {"description": "Path of the rating.", "required": True, "schema": {"type": "string"}},
    "X-Cache": {
        "description": "`hit`: an identical input was already rated in this tenant under the same versions "
        "and within validity, and that rating (same id) is returned; `miss`: newly computed.",
        "required": True,
        "schema": {"type": "string", "enum": ["hit", "miss"]},
    },
    **RATING_HEADERS,
}


def rating_headers(merchant_id: str | None, input_sha256: str) -> dict[str, str]:
    """:data:`RATING_HEADERS` for a rating issued for ``merchant_id`` (``None``: for the bank)."""
    if merchant_id is None:
        return {"X-Issued-By": "bank", INPUT_HASH_HEADER: input_sha256}
    return {"X-Issued-By": "merchant", "X-Merchant-ID": merchant_id, INPUT_HASH_HEADER: input_sha256}


_RATING_KEY = "greenrate.rating_key"


def signing_key() -> RatingKey:
    """This app's keys of the ratings' signatures (from ``GREENRATE_SECRET_KEY``, else the machine's
    secret, and ``GREENRATE_PREVIOUS_SECRET_KEYS``), derived once per app: every read of a stored rating
    and every new one needs them."""
    key: RatingKey | None = current_app.extensions.get(_RATING_KEY)
    if key is None:
        key = current_app.extensions[_RATING_KEY] = service_rating_key(services().settings)
    return key


def erased_message(erasure: Erasure) -> str:
    """What a bank reads of a rating erased from its records (seconds suffice: the record keeps more)."""
    issued, erased = (utc_iso(m.replace(microsecond=0)) for m in (erasure.issued_at, erasure.erased_at))
    said = (f"This rating was issued on {issued} and erased from the records on {erased} by the operator "
            "(greenrate ratings erase), so it can no longer be served.")
    if erasure.result_sha256 is None:  # erased before migration 0026 recorded the digest
        return said
    # what a bank's auditor checks the copy kept in the loan file against, once the record is gone
    return (f"{said} Its body's SHA-256 was {erasure.result_sha256} (the ETag it was served with): a copy "
            "whose bytes hash to it is the rating as issued.")


def rating_not_found(rating_id: str, merchant: str | None) -> NoReturn:
    """Answer 404 for a rating the caller cannot read, or 410 for one erased from its tenant's records.

    A bank's auditor fetching the rating a loan was granted on, after the operator erased it, got the 404
    of an id never issued (audit review). The erasure is recorded with its tenant, so a bank key, which
    reads all of its tenant's ratings, is told when the rating was issued and erased; a merchant key gets
    404 as before, since the erasure does not name the merchant (a sole proprietor's id, perhaps).
    """
    if merchant is None:
        erasure = find_erasure(services().db, rating_id, current_principal().tenant)
        if erasure is not None:
            abort(410, message=erased_message(erasure))
    abort(404, message="Rating not found.")


def _context() -> IssuingContext:
    """This request's issuing context (one engine for the whole request, even across a swap)."""
    ctx: IssuingContext | None = g.get("issuing")
    if ctx is None:
        s = services()
        loaded = s.engines.current()
        g.model_version = loaded.versions["model"]
        validity = timedelta(days=s.settings.rating_validity_days)
        namespace = s.settings.redis_namespace
        ctx = g.issuing = IssuingContext(
            s.db, s.cache, loaded, validity, signing_key(), namespace=namespace, writes=s.writes,
            code_revision=s.revision,
        )
    return ctx


def _issued_response(issued: Issued) -> Response:
    g.cache_result = "hit" if issued.cache_hit else "miss"
    g.rating_id = issued.id  # for the access line: which rating this key was handed, hit or miss
    headers = rating_headers(issued.merchant_id, issued.input_sha256)
    headers["Location"] = f"/v1/ratings/{issued.id}"
    headers["X-Cache"] = g.cache_result
    return Response(issued.body, status=201, mimetype=_JSON, headers=headers)


def _repeats_first(view: F) -> F:
    """Serve an exact repeat of a body already rated from the cache, before reading it again.

    Only bodies that passed every check (JSON, schema, engine) and were rated are remembered, so the
    same bytes would pass again: a repeat skips the JSON checks of :func:`json_body` too (a parse per
    request). Its ``Content-Type`` still decides: anything but JSON goes the full way, to its 415. So does
    a request with an ``Idempotency-Key`` (:func:`_keyed`).
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if request.is_json:
            g.body_fingerprint = body_fingerprint(request_body())
            # a request with an Idempotency-Key is answered what its key names, which the cache does not know
            if IDEMPOTENCY_KEY not in request.headers:
                issued = reissue_repeat(_context(), current_principal(), g.body_fingerprint)
                if issued is not None:
                    return _issued_response(issued)
        return view(*args, **kwargs)

    return cast(F, wrapper)


def _erased_key(rating_id: str) -> NoReturn:
    """Answer 410 for a key whose rating was erased: the key names that rating for good, so a retry is
    not rated again (a second rating of one request) and is told what a read of the rating is told."""
    erasure = find_erasure(services().db, rating_id, current_principal().tenant)
    said = "It was erased from the records." if erasure is None else erased_message(erasure)
    abort(
        410,
        message=f"This Idempotency-Key names the rating {rating_id}, the answer to its first request. {said} "
        "Nothing was rated: send a new Idempotency-Key to have the company rated again.",
        errors={IDEMPOTENCY_KEY: [ERASED]},
    )


def _replayed(recorded: RatingRequest) -> Response:
    """The rating ``key`` named, answered as its first request was (``Idempotent-Replayed: true``)."""
    principal = current_principal()
    stored = get_rating(services().db, principal.tenant, recorded.rating_id, key=signing_key())
    if stored is None:  # erased since the key was read
        _erased_key(recorded.rating_id)
    g.cache_result = "hit"
    g.rating_id = stored.id
    headers = rating_headers(stored.merchant_id, stored.input_hash)
    headers.update({"Location": f"/v1/ratings/{stored.id}", "X-Cache": "hit", IDEMPOTENT_REPLAYED: "true"})
    return Response(stored.result_json, status=201, mimetype=_JSON, headers=headers)


def _keyed(key: str, payload: dict[str, Any]) -> Response:
    """Answer a rating request sent with an ``Idempotency-Key`` (:mod:`service.ratings.requests`)."""
    ctx, tenant, fingerprint = _context(), current_principal().tenant, g.body_fingerprint
    recorded = find_request(ctx.db, tenant, key)
    if recorded is None:
        claim = KeyClaim(tenant, key, fingerprint)
        try:  # a rating written records the key in its transaction; one found records it after
            issued = issue_rating(ctx, current_principal(), payload, fingerprint, recording=claim)
        except KeyTaken:  # another request under the key came first: this one's rating was rolled back
            return _keyed(key, payload)
        first = RatingRequest(issued.id, fingerprint, issued.input_sha256)
        recorded = claim.recorded or record_request(ctx.db, tenant, key, first)
        if recorded.rating_id == issued.id:
            response = _issued_response(issued)
            response.headers[IDEMPOTENT_REPLAYED] = "false"
            return response
    if recorded.erased:  # whatever the body: the key names the erased rating, not this request's input
        _erased_key(recorded.rating_id)
    # read again only when the bytes differ: a retry is most often the same bytes
    digest = None if recorded.body_sha256 == fingerprint else input_digest(ctx, payload)
    if not same_request(recorded, fingerprint, digest):
        raise IdempotencyKeyRefused(OTHER_REQUEST)
    return _replayed(recorded)


#: ``POST /v1/ratings``'s ``Idempotency-Key`` (:mod:`service.ratings.requests`), and what its answers say.
_IDEMPOTENCY_PARAMETER = idempotency_parameter(
    "Your id for this rating request (a UUID, say; 1-255 printable ASCII characters, bare or "
    "quoted), the same on every retry of it: the rating the first request is answered with is recorded "
    "under it, and a retry with it is answered that rating (`Idempotent-Replayed: true`) whenever it comes, "
    "also after a new release or a model's promotion (without a key, a retry is recognised by its input "
    "under the same versions only). The same key with another body and input: 422, nothing rated, also "
    "when the two are sent at once (one of them is rated). A key whose rating the operator erased since "
    "(`greenrate ratings erase`): 410, whatever the body, nothing rated. Keys are the tenant's."
)
_CREATE_HEADERS = {
    **ISSUE_HEADERS,
    IDEMPOTENT_REPLAYED: {
        "description": "Only with an `Idempotency-Key`: `true` when the key named a rating already (this is "
        "a retry, answered that rating as recorded), `false` when this request was the first with it.",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}


@blp.route("")
class Ratings(MethodView):
    @on_lost_answer("Sending the same request again is safe: an input rated already is answered with that "
                    "rating (the same id), not rated twice, under the same versions. Send an "
                    "Idempotency-Key to be answered the same rating after a new release too.",
                    with_key="Sending it again with the same Idempotency-Key is safe: it is answered the "
                    "rating recorded for the key, if any (Idempotent-Replayed: true), whenever it comes.")
    @documented(blp, 400, 401, 403, 410, 413, 415, 429, 500, 503, operation="create_rating")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER))
    @requires("bank")
    @_repeats_first
    @json_body
    @blp.arguments(_OPERATING_DATA)
    @blp.response(201, RatingSchema, headers=_CREATE_HEADERS)
    def post(self, payload: dict[str, Any]) -> Response:
        """Rate one company.

        Answers 201 with the rating and its `Location`. An identical input in the same tenant, under the
        same model, standard, factor-set, schema and engine versions and within validity, returns the
        rating already issued (same id; `X-Cache: hit`), also to identical requests sent at once, so a
        request that timed out on the caller's side is safe to retry. With an `Idempotency-Key`, a retry is
        answered the rating its key was first answered with, whenever it comes (a retry without one that
        reaches the next release, or comes after a model's promotion, is rated again under the new
        versions); the same key with another request is refused (422), also when both are sent at once,
        and only one of them is rated. A key whose rating the operator erased since (`greenrate ratings
        erase`) answers 410, whatever the body, saying when the rating was issued and erased and the
        SHA-256 of its body (as `GET /v1/ratings/{rating_id}` does), and nothing is rated: send a new key to
        have the company rated again. Every rating is recorded before it is returned. A rating recorded for
        this input that no longer matches its signature (changed in the database), or carries no signature
        (issued before signing; served only under `GREENRATE_UNSIGNED_RATINGS=serve`), is never handed
        out: 500.
        """
        key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
        if key is not None:
            return _keyed(key, payload)
        return _issued_response(issue_rating(_context(), current_principal(), payload, g.body_fingerprint))

    @documented(blp, 401, 403, 429, 500, 503, operation="list_ratings")
    @requires("bank")
    # unknown=None: the schema's own RAISE, not webargs' EXCLUDE for query strings, so that a misspelt
    # filter (`?externalid=`) is a 422 instead of silently listing every rating of the tenant.
    @blp.arguments(_LIST_QUERY, location="query", unknown=None)
    @blp.response(200, RatingPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List this tenant's ratings, newest first.

        Filter by `external_id`, `issued_by` (`bank`, `merchant`, `any`) and `merchant_id`; page with
        `cursor`.

        A merchant key rates its own business under an `external_id` of its choosing, so a loan reference
        can also name a rating issued for a merchant. The list therefore shows only the ratings issued for
        the bank itself unless asked otherwise: `issued_by=merchant` (or `merchant_id`) lists those issued
        for a merchant (by its own key or by a bank key on its profile), `issued_by=any` both. Each item
        says which it is (`issued_by`, `merchant_id`), which key asked (`requested_by`, with its role) and
        which build of the service issued it (`code_revision`).

        Every item is checked against the signature its rating was recorded with: a page holding one that
        no longer matches (changed in the database), or carries no signature (issued before signing; served
        only under `GREENRATE_UNSIGNED_RATINGS=serve`), is not served (500).
        """
        principal = current_principal()
        items, more = list_ratings(
            services().db,
            principal.tenant,
            limit=query["limit"],
            after=query.get("cursor"),
            external_id=query.get("external_id"),
            issued_by=None if query["issued_by"] == "any" else query["issued_by"],
            merchant_id=query.get("merchant_id"),
            key=signing_key(),
        )
        next_cursor = RatingCursor.encode(items[-1].id) if more and items else None
        return {"items": items, "limit": query["limit"], "next_cursor": next_cursor}


def conditional_read(body: str, sha256: str, headers: dict[str, str]) -> Response:
    """Answer a stored ``body`` (whose bytes' hex sha256 is ``sha256``) with it as a strong ``ETag``, under
    the request's ``If-Match`` (412 when none matches, compared strongly) and then ``If-None-Match`` (304
    when one matches, compared weakly), in RFC 9110's order (section 13.2.2).

    A bank's auditor re-reading ratings a year on had nothing to tell a rating unchanged from the copy it
    kept but the whole body (audit review). The tag is the stored hash, not the body hashed or serialised
    again, and it is the hash of the bytes served (Werkzeug parses the headers, ``*`` and lists included).
    Call it once the key, the tenant and the record were checked: a 304 tells as much as the 200.
    The 304 carries the ``ETag`` and, from the after-request hooks, the ``Cache-Control`` and request id of
    the 200, and none of the body's metadata (RFC 9110, section 15.4.5).
    """
    if request.if_match and not request.if_match.contains(sha256):
        abort(412, message="The rating's ETag matches none of If-Match: it is not the rating you hold.")
    if request.if_none_match.contains_weak(sha256):
        answer = Response(status=304)
    else:
        answer = Response(body, status=200, mimetype=_JSON, headers=headers)
    answer.set_etag(sha256)
    return answer


@blp.route("/<rating_id:rating_id>")
class RatingById(MethodView):
    @documented(blp, 401, 403, 404, 410, 412, 422, 429, 500, 503, operation="get_rating",
                responses={"304": NOT_MODIFIED}, parameters=CONDITIONAL_PARAMETERS)
    @requires("bank", "merchant")
    @blp.response(200, RatingSchema, headers={**RATING_HEADERS, **ETAG_HEADER})
    def get(self, rating_id: str) -> Response:
        """One rating, exactly as issued (the same bytes).

        A rating of another tenant answers 404, exactly like a missing one; a merchant key reads only its
        own merchant's ratings. `X-Issued-By` says whether it was issued for the bank or for a merchant.
        A rating the operator erased from the records (`greenrate ratings erase`) answers 410 to the bank's
        keys, saying when it was issued and erased and the SHA-256 of its body (the `ETag` it was served
        with), which the copy a bank kept hashes to (404 to a merchant key).
        A rating whose record no longer matches the signature it was recorded with (changed in the
        database since), or carries no signature (issued before signing; served only under
        `GREENRATE_UNSIGNED_RATINGS=serve`), is not served: 500.

        `ETag` is the SHA-256 of the body's bytes as recorded and signed with the rating: `If-None-Match`
        with it answers 304 without the body (after the same checks: a rating erased since answers 410),
        and `If-Match` without it 412.
        """
        principal = current_principal()
        merchant = readable_ratings_merchant(principal)
        stored = get_rating(services().db, principal.tenant, rating_id, merchant, key=signing_key())
        if stored is None:
            rating_not_found(rating_id, merchant)
        headers = rating_headers(stored.merchant_id, stored.input_hash)
        return conditional_read(stored.result_json, stored.result_sha256, headers)


@blp.route("/batch")
class RatingBatch(MethodView):
    @on_lost_answer("Sending the same batch again is safe: each input rated already is answered with that "
                    "rating (the same id), not rated twice.",
                    with_key="Sending the same batch again is safe under the same versions: each input "
                    "rated already is answered with that rating (the same id), not rated twice. The "
                    "Idempotency-Key was not read: a batch is recognised by its inputs only.")
    @documented(blp, 400, 401, 403, 413, 415, 429, 503, operation="create_ratings_batch")
    @requires("bank")
    @json_batch_body
    @blp.arguments(_BATCH_REQUEST)
    @blp.response(200, BatchResultSchema)
    def post(self, batch: dict[str, Any]) -> Response:
        """Rate up to 100 companies; results keep the request's order and carry per-item errors.

        Each item is rated (or reused) exactly like `POST /v1/ratings`; an invalid item gets its own 422
        error and does not stop the others. New ratings are recorded in one transaction.

        Items that give the same `company.external_id` (compared as stored, without leading and trailing
        spaces; case counts) are each rated, or fail, on their own data all the same, and each carries a
        `duplicate_external_id` warning whose `indices` are the other items giving it: the same loan given
        twice (identical items get one rating) or one business with two sets of figures (two ratings,
        both listed by `GET /v1/ratings?external_id=`). Match results to items by `index`.

        This operation does not read `Idempotency-Key` (one sent is ignored, and nothing is recorded under
        it): a retried batch is recognised item by item, by input, under the same versions and within
        validity only, so a retry that reaches the next release or comes after a model's promotion is rated
        again under the new versions (new ids). For a retry recognised whenever it comes, rate each company
        with `POST /v1/ratings` and an `Idempotency-Key` of its own.
        """
        principal = current_principal()
        spend_tenant_budget(
            services().settings.batch_item_rate_limit, "batch-items", principal.tenant, len(batch["items"]),
            "batch items", largest_cost=MAX_BATCH_ITEMS,
        )
        results = issue_batch(_context(), principal, batch["items"])
        g.rating_ids = [r.id if isinstance(r, Issued) else None for r in results]  # for the access line
        return Response(batch_body(results, batch_warnings(batch["items"])), status=200, mimetype=_JSON)
