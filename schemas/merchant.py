"""Schemas of the merchant paths and the disclosure query (no Flask)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from schemas.fields import UtcDateTime
from schemas.operating_data import OperatingDataSchema

DISCLOSURE_LANGUAGES = ("en", "zh")


class DisclosureQuerySchema(Schema):
    format = fields.String(
        validate=validate.OneOf(["ifrs_s2", "vsme"]),
        load_default="ifrs_s2",
        metadata={"description": "`vsme`: the VSME Basic Module export (B1-B11), JSON."},
    )
    lang = fields.String(
        validate=validate.OneOf(DISCLOSURE_LANGUAGES),
        metadata={
            "description": "Language of the HTML and PDF (`en`, `zh`); default from `Accept-Language`."
        },
    )


class MerchantProfileSchema(Schema):
    """A stored merchant profile: the operating data that one-click rates."""

    merchant_id = fields.String(required=True)
    updated_at = UtcDateTime(required=True)
    profile = fields.Nested(
        OperatingDataSchema, required=True, metadata={"description": "The operating data."}
    )
