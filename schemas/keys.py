"""API keys as the contract shows them: the roles, a key's record, the create request, the listing query.

The rules for a new key live here once: ``greenrate keys create`` and the merchant-id path segment use the
same pattern and label length (``service.auth`` and ``service.records.api_keys`` import them from here).
A record never carries the secret or its hash; only the answer to a create holds the secret, that once.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from schemas.fields import Cursor, UtcDateTime, text

ROLES = ("bank", "merchant", "analyst", "admin")
#: The roles an admin key may issue. Not ``analyst``: an analyst key governs the one model that rates for
#: every tenant, so only the service's operator issues it (``greenrate keys create``).
ISSUABLE_ROLES = ("bank", "merchant", "admin")
#: A bank's own merchant identifiers (shop codes, credit codes): visible ASCII, no spaces, up to 64.
MERCHANT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
#: The ``label`` column's width.
LABEL_MAX_LENGTH = 120
#: The most keys one page of ``GET /v1/keys`` holds: the most active keys admin keys may give a tenant (the
#: service's ``MAX_ACTIVE_KEYS``), so that those fit the first page (the operator's CLI is not capped).
MAX_KEY_PAGE = 500
#: How far ahead a key's expiry may be set: ten years, far beyond any rotation policy (omit it for a key
#: that never expires).
MAX_KEY_LIFETIME = timedelta(days=3653)

#: Unicode's bidirectional controls (the Bidi_Control property): they reorder the text around them, so a
#: label holding one can make a listing show something else than it holds.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LABEL_CONTROL_MESSAGE = (
    "Must not contain control characters (line breaks, tabs, terminal escapes) or bidirectional-text "
    "controls: a label is shown on one line of the operator's listings."
)

_ROLE_ERROR = (
    "Must be one of: {choices}. Analyst keys govern the model of every tenant and are issued only by the "
    "service's operator."
)


def plain_label(value: str) -> None:
    """Refuse a label that could forge or hide lines of a listing: any control character (category Cc,
    which includes newlines and the escape that starts terminal sequences) or bidirectional control."""
    if any(ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError(LABEL_CONTROL_MESSAGE)


def check_expiry(moment: datetime, now: datetime | None = None) -> None:
    """Refuse an expiry that has passed, or one more than :data:`MAX_KEY_LIFETIME` ahead; the CLI's and
    the API's rule. ``moment`` is aware."""
    now = now or datetime.now(UTC)
    if moment <= now:
        raise ValidationError("Must be in the future: a key that has already expired would never work.")
    if moment - now > MAX_KEY_LIFETIME:
        raise ValidationError(
            "Must be at most ten years ahead; leave expires_at out for a key that never expires."
        )


class KeyListQuerySchema(Schema):
    """``GET /v1/keys`` query: active keys only unless ``include_revoked=true``."""

    class Meta:
        unknown = RAISE

    include_revoked = fields.Boolean(
        load_default=False,
        truthy={"true"},
        falsy={"false"},
        metadata={"description": "`true` lists revoked and expired keys too (default `false`)."},
    )
    limit = fields.Integer(
        load_default=MAX_KEY_PAGE,
        validate=validate.Range(1, MAX_KEY_PAGE),
        metadata={
            "description": f"Keys per page, at most {MAX_KEY_PAGE} (the default): as many active keys as "
            "admin keys may create for a tenant, so those fit one page; follow next_cursor for the rest."
        },
    )
    cursor = Cursor(metadata={"description": "Opaque; the previous page's next_cursor."})


class KeyCreateSchema(Schema):
    """A new key for the caller's own tenant (the tenant is never part of the body)."""

    class Meta:
        unknown = RAISE

    role = fields.String(
        required=True,
        validate=validate.OneOf(ISSUABLE_ROLES, error=_ROLE_ERROR),
        metadata={"description": "What the key may do (see the role table)."},
    )
    merchant_id = text(
        max_length=64,
        pattern=MERCHANT_ID_PATTERN.pattern,
        pattern_error="Must be 1-64 letters, digits and . _ : -, starting with a letter or digit.",
        description="The merchant a merchant key acts for: required for `merchant`, refused for the other "
        "roles. 1-64 letters, digits and `. _ : -`, starting with a letter or digit.",
    )
    label = text(
        max_length=LABEL_MAX_LENGTH,
        description=f"A note for listings, e.g. who holds the key (at most {LABEL_MAX_LENGTH} characters; "
        "no control characters such as line breaks, tabs or escapes, and no bidirectional-text controls).",
        also=(plain_label,),
    )
    expires_at = fields.AwareDateTime(
        format="iso",
        allow_none=True,
        validate=check_expiry,
        error_messages={
            "invalid_awareness": "Give the moment with its UTC offset, e.g. 2027-06-30T00:00:00Z or "
            "2027-06-30T08:00:00+08:00."
        },
        metadata={
            "description": "When the key stops working (ISO 8601 with a UTC offset), in the future and at "
            "most ten years ahead; null or absent: it never expires. Rotating keys on a schedule this way "
            "needs no one to remember to revoke them."
        },
    )

    @post_load
    def _expiry_in_utc(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if data.get("expires_at") is not None:
            data["expires_at"] = data["expires_at"].astimezone(UTC)
        return data

    @validates_schema
    def _merchant_id_fits_the_role(self, data: dict[str, Any], **_kwargs: Any) -> None:
        role, merchant_id = data.get("role"), data.get("merchant_id")
        if role == "merchant" and not merchant_id:
            raise ValidationError("A merchant key needs a merchant_id.", "merchant_id")
        if role is not None and role != "merchant" and merchant_id is not None:
            raise ValidationError("Only merchant keys take a merchant_id.", "merchant_id")


class KeySchema(Schema):
    """One key of the tenant, by its non-secret prefix: the secret and its hash are never shown."""

    id = fields.Integer(required=True, metadata={"description": "Use it in `/v1/keys/{key_id}`."})
    prefix = fields.String(
        required=True, metadata={"description": "The key's first characters, enough to recognise it."}
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    merchant_id = fields.String(
        required=True, allow_none=True, metadata={"description": "Merchant keys only; else null."}
    )
    label = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(("active", "expired", "revoked")),
        metadata={"description": "`active`, `expired` (past `expires_at`) or `revoked`."},
    )
    created_at = UtcDateTime(required=True)
    created_by = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "Id of the admin key that created it; null: the service's operator "
            "(`greenrate keys create`), or created before this was recorded."
        },
    )
    expires_at = UtcDateTime(
        required=True, allow_none=True, metadata={"description": "When it stops working; null: never."}
    )
    revoked_at = UtcDateTime(
        required=True, allow_none=True, metadata={"description": "Null while not revoked."}
    )
    revoked_by = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "Id of the admin key that revoked it; null while not revoked, or revoked by the "
            "service's operator."
        },
    )


class NewKeySchema(KeySchema):
    """The key just created, with its secret: shown in this answer only, and never again."""

    key = fields.String(
        required=True,
        metadata={"description": "The secret: send it as `Authorization: Bearer <key>`. Store it now."},
    )


class KeyListSchema(Schema):
    """A page of the tenant's keys, newest first."""

    items = fields.List(fields.Nested(KeySchema), required=True)
    limit = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True, allow_none=True, metadata={"description": "Null on the last page."}
    )
