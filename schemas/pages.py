"""Lists of ratings and batches: query arguments, pages with opaque cursors, per-item batch results."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from rating_model.standard import GRADES
from schemas.errors import ErrorSchema
from schemas.fields import BoundedList, RatingCursor, RawObject, Trimmed, UtcDateTime, WholeMatch
from schemas.keys import MERCHANT_ID_PATTERN
from schemas.operating_data import OperatingDataSchema
from schemas.rating import EXTENSIBLE_ENUM, RatingSchema, VersionsSchema

MAX_PAGE_SIZE = 100
MAX_BATCH_ITEMS = 100
#: The list's ``issued_by`` values; ``bank`` and ``merchant`` are also each item's own ``issued_by``.
ISSUED_BY = ("bank", "merchant", "any")
#: The codes of a batch item's warnings today (``BatchWarningSchema.code``); more may come within /v1.
BATCH_WARNING_CODES = ("duplicate_external_id",)


class RatingListQuerySchema(Schema):
    """``GET /v1/ratings`` query: newest first, ``cursor`` from the previous page's ``next_cursor``."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PAGE_SIZE))
    cursor = RatingCursor(metadata={"description": "Opaque; the previous page's next_cursor."})
    external_id = Trimmed(
        validate=validate.Length(1, 120),
        metadata={"description": "Only this company (trimmed, as external_id is when stored)."},
    )
    # A merchant key rates its own business under any external_id it chooses, the bank's loan reference
    # included: a bank key's listing shows only the ratings issued for the bank itself unless it asks for
    # the merchants' (bank integrator's review: a merchant's self-declared rating was listed first under the
    # bank's loan reference, and a bank that stores only rating bodies could not tell the two apart). The
    # filter is on whom a rating was issued for, not on whose key asked: a bank key's one-click rating of a
    # merchant's profile is the merchant's (contract review: this said "what the bank's keys issued").
    issued_by = fields.String(
        validate=validate.OneOf(ISSUED_BY),
        metadata={
            "description": "Whom the ratings were issued for. `bank` (the default without `merchant_id`): "
            "only ratings issued for the bank itself (`POST /v1/ratings`, `POST /v1/ratings/batch`); "
            "`merchant` (the default with `merchant_id`): only ratings issued for a merchant "
            "(`POST /v1/merchants/{merchant_id}/rating`), by the merchant's own key or by a bank key on "
            "the merchant's profile; `any`: both. A merchant key may rate itself under any "
            "`external_id`, the bank's loan reference included, so the default never mixes a merchant's "
            "self-declared rating into the bank's own. Each item says which it is (`issued_by`) and "
            "which key asked (`requested_by`, with its `role`)."
        },
    )
    merchant_id = fields.String(
        validate=WholeMatch(f"^{MERCHANT_ID_PATTERN.pattern}$"),
        metadata={"description": "Only the ratings issued for this merchant."},
    )

    @validates_schema
    def _filters_agree(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("issued_by") == "bank" and "merchant_id" in data:
            raise ValidationError(
                "A merchant's ratings are not the bank's own: give issued_by=bank or merchant_id, not both.",
                "merchant_id",
            )

    @post_load
    def _default_issuer(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """``issued_by`` always set: ``bank`` unless a ``merchant_id`` asks for that merchant's."""
        data.setdefault("issued_by", "merchant" if "merchant_id" in data else "bank")
        return data


class RequesterSchema(Schema):
    key_id = fields.Integer(required=True, allow_none=True, metadata={"description": "See GET /v1/keys."})
    prefix = fields.String(required=True, allow_none=True, metadata={"description": "The key's prefix."})
    role = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(("bank", "merchant")),
        metadata={
            "description": "The key's role: `merchant` for a rating the merchant's own key requested (a "
            "self-rating: one-click on the profile it keeps), `bank` for one a bank key requested."
        },
    )


class RatingSummarySchema(Schema):
    id = fields.String(required=True)
    external_id = fields.String(required=True, allow_none=True)
    issued_at = UtcDateTime(required=True)
    valid_until = UtcDateTime(required=True)
    score = fields.Float(required=True)
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    versions = fields.Nested(VersionsSchema, required=True)
    merchant_id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The merchant it was issued for (one-click or a merchant key); else null."},
    )
    issued_by = fields.String(
        required=True,
        validate=validate.OneOf(ISSUED_BY[:2]),
        metadata={
            "description": "`bank`: issued for the bank itself (`POST /v1/ratings`); `merchant`: issued for "
            "the merchant `merchant_id` (one-click), as the list's `issued_by` filter names them. "
            "`GET /v1/ratings/{rating_id}` says the same in its `X-Issued-By` header."
        },
    )
    requested_by = fields.Nested(
        RequesterSchema,
        required=True,
        metadata={
            "description": "The API key whose request issued it, for audit. Identical requests later get "
            "the same rating (`X-Cache: hit`), by the same key or another of the tenant's, and are not "
            "recorded against it: it names the first. All null for the keyless merchant page."
        },
    )
    input_sha256 = fields.String(
        required=True,
        validate=validate.Regexp("^[0-9a-f]{64}$"),
        metadata={
            "description": "The lowercase hex SHA-256 of the canonical input the engine rated, exactly as "
            "recorded (the service's normalised reading of the request, not the request's bytes); the "
            "`X-Input-SHA256` header of the rating's own answers. Keep it for audit."
        },
    )
    code_revision = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The build of the service that issued it, as recorded and signed with it (the "
            "operator's `GREENRATE_REVISION`, such as a git commit; else the package version and commit it "
            "ran from, `0.1.0+g<commit>`; `unknown` when it could not be told), for audit: which build to "
            "run to reproduce it. Null: issued before builds were recorded. A later identical request gets "
            "the same rating, whichever build answers it; `GET /readyz` names the build running."
        },
    )


class RatingPageSchema(Schema):
    """One page of the tenant's ratings; fetch the full rating by id."""

    items = fields.List(fields.Nested(RatingSummarySchema), required=True)
    limit = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True, allow_none=True, metadata={"description": "Null on the last page."}
    )


class BatchRequestSchema(Schema):
    """Up to 100 companies; each item is validated on its own so one bad item fails alone."""

    class Meta:
        unknown = RAISE

    items = BoundedList(RawObject(OperatingDataSchema), required=True, min_items=1, max_items=MAX_BATCH_ITEMS)


class BatchWarningSchema(Schema):
    """Something about an item that did not stop it from being rated, and that a client should see."""

    # published as x-extensible-enum, not enum: a warning code added within /v1 made a client generated
    # today refuse the whole batch's answer (a bank integrator's generated client)
    code = fields.String(
        required=True,
        validate=validate.OneOf(BATCH_WARNING_CODES),
        metadata={
            "description": "`duplicate_external_id`: another item of the request gives the same "
            "`company.external_id` (compared without leading and trailing spaces; case counts). Warnings "
            "may gain codes within /v1: take one you do not know as a warning to show, not as an error "
            "(`x-extensible-enum` lists today's).",
            EXTENSIBLE_ENUM: list(BATCH_WARNING_CODES),
        },
    )
    message = fields.String(required=True, metadata={"description": "What it means, in plain words."})
    indices = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "The positions in the request's items of the other items it concerns "
                  "(for `duplicate_external_id`: those giving the same external_id), ascending."},
    )


class BatchItemResultSchema(Schema):
    index = fields.Integer(required=True, metadata={"description": "Position in the request's items."})
    status = fields.Integer(required=True, metadata={"description": "201 when rated, else the error's code."})
    id = fields.String(metadata={"description": "The rating id (rated items only)."})
    cache = fields.String(
        validate=validate.OneOf(("hit", "miss")), metadata={"description": "Rated items only."}
    )
    input_sha256 = fields.String(
        validate=validate.Regexp("^[0-9a-f]{64}$"),
        metadata={
            "description": "Rated items only: the lowercase hex SHA-256 of the canonical input the engine "
            "rated, exactly as recorded; what `X-Input-SHA256` says of a single rating and the list's "
            "`input_sha256`. Keep it for audit."
        },
    )
    rating = fields.Nested(RatingSchema, metadata={"description": "Rated items only."})
    error = fields.Nested(ErrorSchema, metadata={"description": "Failed items only."})
    warnings = fields.List(
        fields.Nested(BatchWarningSchema),
        metadata={"description": "Only on an item that has any, rated or failed: what the service noticed "
                  "about it beside the other items (`duplicate_external_id`). Nothing was refused for it."},
    )


class BatchResultSchema(Schema):
    """Results in request order."""

    results = fields.List(fields.Nested(BatchItemResultSchema), required=True)
    rated = fields.Integer(required=True)
    failed = fields.Integer(required=True)
