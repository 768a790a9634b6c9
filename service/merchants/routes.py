"""``/v1/merchants/{merchant_id}``: keep a merchant's operating data, and rate it in one click.

A merchant key reaches only its own merchant id; any other id answers 404, exactly like a missing profile,
so a merchant cannot even learn which ids exist. A bank key keeps profiles for any merchant of its own
tenant. One-click issues through :func:`service.ratings.issuing.issue_rating`, the very function behind
``POST /v1/ratings``, so the rating is cached, recorded and reproducible like any other; it is recorded
for the merchant, so the merchant's own key can read it and its disclosure. A profile can be deleted (a
merchant that withdraws its data); the ratings it issued stay, each the record of what was issued.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import structlog
from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from rating_model.exceptions import FactorNotFoundError, InvalidInputError, InvalidInputErrors
from schemas.fields import utc_iso
from schemas.merchant import MerchantProfileSchema
from schemas.operating_data import OperatingDataSchema
from schemas.rating import RatingSchema
from service.auth import Principal, current_principal, requires
from service.errors import field_errors
from service.extensions import services
from service.hardening import json_body
from service.lost_answers import on_lost_answer
from service.merchants.profiles import STALE_PROFILE_MESSAGE, StaleProfileError, check_ratable, load_stored
from service.openapi import documented
from service.ratings.issuing import issue_rating
from service.ratings.routes import ISSUE_HEADERS
from service.ratings.routes import _context as issuing_context
from service.ratings.routes import _issued_response as issued_response
from service.records.profiles import StoredProfile, delete_profile, get_profile, put_profile

blp = Blueprint(
    "merchants",
    __name__,
    url_prefix="/v1/merchants",
    description="Merchant profiles and the one-click rating from the stored profile.",
)

_log = structlog.get_logger("greenrate.merchants")

# One instance for what PUT accepts and what one-click rates, configured exactly like POST /v1/ratings' own.
_OPERATING_DATA = OperatingDataSchema()
_MERCHANT_ID = "merchant_id:merchant_id"


def _reachable(merchant_id: str) -> Principal:
    """The caller, if it may reach this merchant (404 otherwise: a foreign id looks like a missing one)."""
    principal = current_principal()
    if principal.role == "merchant" and principal.merchant_id != merchant_id:
        abort(404, message="Merchant not found.")
    return principal


def _profile_response(stored: StoredProfile, status: int) -> Response:
    body = {
        "merchant_id": stored.merchant_id,
        "updated_at": utc_iso(stored.updated_at),
        "profile": json.loads(stored.profile_json),
    }
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


@blp.route(f"/<{_MERCHANT_ID}>/profile")
class MerchantProfile(MethodView):
    @on_lost_answer("Sending the same request again is safe: it stores the same profile.")
    @documented(blp, 400, 401, 403, 404, 413, 415, 429, 503, operation="put_merchant_profile")
    @requires("merchant", "bank")
    @json_body
    @blp.arguments(_OPERATING_DATA)
    @blp.response(200, MerchantProfileSchema)
    def put(self, profile: dict[str, Any], merchant_id: str) -> Response:
        """Keep (replace) a merchant's operating data; a merchant key only its own.

        The body is the operating data of `POST /v1/ratings`, validated the same way, and rated once (the
        rating is discarded): a body `POST /v1/ratings` would refuse is refused here with the same 422
        (field paths and messages), so what is stored can be rated under today's rules.
        """
        principal = _reachable(merchant_id)
        check_ratable(services().engines.current().engine, profile)
        text = json.dumps(profile, ensure_ascii=False, sort_keys=True, allow_nan=False)
        stored = put_profile(services().db, principal.tenant, merchant_id, text, principal.prefix)
        return _profile_response(stored, 200)

    @documented(blp, 401, 403, 404, 429, 503, operation="get_merchant_profile")
    @requires("merchant", "bank")
    @blp.response(200, MerchantProfileSchema)
    def get(self, merchant_id: str) -> Response:
        """The stored profile (404 when none, or for another merchant's id)."""
        principal = _reachable(merchant_id)
        stored = get_profile(services().db, principal.tenant, merchant_id)
        if stored is None:
            abort(404, message="Merchant profile not found.")
        return _profile_response(stored, 200)

    @on_lost_answer("Sending it again is safe: 404 then means the profile was deleted.")
    @documented(blp, 401, 403, 404, 429, 503, operation="delete_merchant_profile")
    @requires("merchant", "bank")
    @blp.response(204)
    def delete(self, merchant_id: str) -> Response:
        """Delete the stored profile (204; 404 when none, or for another merchant's id).

        For a merchant that withdraws its data, or a bank whose relationship with it has ended: a profile
        is the merchant's operating data and its business name, which for a sole proprietor is personal
        information. Ratings already issued from it are not touched: each is the record of what was issued
        (the operator erases one with `greenrate ratings erase`). A one-click rating then answers 404 until
        a profile is stored again.
        """
        principal = _reachable(merchant_id)
        if not delete_profile(services().db, principal.tenant, merchant_id):
            abort(404, message="Merchant profile not found.")
        # the trace of a deletion, as `ratings erase` leaves one: who and which, never the profile's content
        _log.info("merchant_profile_deleted", tenant=principal.tenant, merchant_id=merchant_id,
                  actor_prefix=principal.prefix, actor_role=principal.role)
        no_content = Response(status=204)
        del no_content.headers["Content-Type"]  # no body, so no type (not the JSON flask-smorest would claim)
        return no_content


@blp.route(f"/<{_MERCHANT_ID}>/rating")
class MerchantRating(MethodView):
    @on_lost_answer("Sending it again is safe: a profile rated already is answered with that rating (the "
                    "same id), not rated twice.",
                    with_key="Sending it again is safe under the same versions: a profile rated already is "
                    "answered with that rating (the same id), not rated twice. The Idempotency-Key was not "
                    "read: a one-click rating is recognised by the stored profile only.")
    @documented(blp, 400, 401, 403, 404, 422, 429, 500, 503, operation="rate_merchant")
    @requires("merchant", "bank")
    @blp.response(201, RatingSchema, headers=ISSUE_HEADERS)
    def post(self, merchant_id: str) -> Response:
        """One click: rate the merchant from its stored profile; send no body.

        Issued exactly like `POST /v1/ratings` (same validation, cache and record, `X-Cache`, `Location`)
        and recorded for the merchant, whose own key can then read the rating and its disclosure. A profile
        stored under older rules that the API or the engine now refuses answers 422 with the field errors:
        PUT it again.

        This operation does not read `Idempotency-Key` (one sent is ignored, and nothing is recorded under
        it): a retry is recognised by the stored profile's input, under the same versions and within
        validity, as `POST /v1/ratings` without a key is, so a retry that reaches the next release or comes
        after a model's promotion is rated again (a new id). After a lost answer, a bank key finds a rating
        already issued with `GET /v1/ratings?merchant_id=`.
        """
        principal = _reachable(merchant_id)
        if request.content_length or request.get_data(cache=False):
            abort(400, message="One-click rating takes no body: it rates the stored profile.")
        stored = get_profile(services().db, principal.tenant, merchant_id)
        if stored is None:
            abort(404, message="Merchant profile not found: PUT it first.")
        try:
            profile = load_stored(_OPERATING_DATA, stored.profile_json)
        except StaleProfileError as exc:
            abort(422, message=STALE_PROFILE_MESSAGE.format(merchant_id=merchant_id), errors=exc.errors)
        # Issued for the merchant (recorded under its id, reused only among its own ratings), by this key.
        on_behalf = dataclasses.replace(principal, role="merchant", merchant_id=merchant_id)
        try:
            issued = issue_rating(issuing_context(), on_behalf, profile)
        except (InvalidInputError, InvalidInputErrors, FactorNotFoundError) as exc:
            # The engine's rules tightened since the profile was stored (PUT rates it once, so it passed
            # then): the same field errors as POST /v1/ratings, and what to do about them.
            stale = STALE_PROFILE_MESSAGE.format(merchant_id=merchant_id)
            abort(422, message=stale, errors=field_errors(exc))
        return issued_response(issued)
