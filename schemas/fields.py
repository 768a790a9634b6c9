"""Strict marshmallow fields shared by the public schemas.

Stock marshmallow is lenient in ways a bank-facing contract must not be: ``Float`` accepts ``"12.5"``,
``Boolean`` accepts ``"yes"`` and ``1``, ``Integer`` accepts ``3.7`` truncated. These fields accept JSON's
own types only, refuse NaN and infinities, and carry their bounds so the OpenAPI document shows them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate


def plain_number(bound: Any) -> Any:
    """A bound as the caller would write it in JSON: ``0`` and ``1000000000000``, not the float's ``0.0``
    and ``1000000000000.0`` that marshmallow's message printed (an integrator's review of the 422s)."""
    if isinstance(bound, float) and bound.is_integer() and abs(bound) < 1e16:
        return int(bound)
    return bound


class Range(validate.Range):
    """marshmallow's ``Range`` (which the OpenAPI document reads its bounds from), with words of the
    caller's for a value below the minimum: why it is refused and what to send instead, where the bounds
    alone would not say (:data:`rating_model.operating_data.BELOW_MINIMUM`). A value above the maximum
    keeps marshmallow's message, its bounds written as JSON numbers (:func:`plain_number`)."""

    def __init__(self, *, below_minimum: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.below_minimum = below_minimum

    def _format_error(self, value: Any, message: str) -> str:
        return (self.error or message).format(
            input=value, min=plain_number(self.min), max=plain_number(self.max)
        )

    def __call__(self, value: Any) -> Any:
        if self.below_minimum is not None and self.min is not None and (
            value < self.min if self.min_inclusive else value <= self.min
        ):
            raise ValidationError(self.below_minimum)
        return super().__call__(value)


class Number(fields.Float):
    """A finite JSON number within ``[minimum, maximum]``; strings and booleans are refused.

    :param below_minimum: the message for a number below ``minimum`` (marshmallow's names both bounds).
    """

    # "Not a valid number." of "42000" or "3,200,000" did not say what was wrong with it: a number sent as
    # text, or written with separators, is the usual mistake
    default_error_messages = {
        "invalid": "Must be a JSON number, such as 42000 or 12.5: not text in quotes, and without "
        "thousands separators.",
    }

    def __init__(
        self,
        *,
        minimum: float = 0.0,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
        below_minimum: str | None = None,
        **kwargs: Any,
    ) -> None:
        validators = [Range(min=minimum, max=maximum, min_inclusive=not exclusive_minimum,
                            below_minimum=below_minimum)]
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(allow_nan=False, validate=validators, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class WholeNumber(fields.Integer):
    """A JSON integer within ``[minimum, maximum]``; ``3.0``, ``"3"`` and ``true`` are refused."""

    default_error_messages = {
        "invalid": "Must be a whole JSON number, such as 12 or 2024: not text in quotes, and without a "
        "decimal point.",
    }

    def __init__(self, *, minimum: int = 0, maximum: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(strict=True, validate=[validate.Range(min=minimum, max=maximum)], **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """JSON ``true`` or ``false`` only (``null`` means "not answered", which is not "no")."""

    default_error_messages = {
        "invalid": "Must be true or false (JSON, not text in quotes), or null when not answered.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)
        super().__init__(truthy=set(), falsy=set(), **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class BoundedList(fields.List):  # type: ignore[type-arg]
    """A list refused outright when longer than ``max_items``, before any item is deserialized.

    Stock marshmallow validates every item first and checks the length last, so an 800 KB body holding
    200,000 empty objects cost a minute of CPU and a 37 MB error body; now it costs one ``len``.
    """

    def __init__(
        self, cls_or_instance: Any, *, max_items: int, min_items: int | None = None, **kwargs: Any
    ) -> None:
        self.max_items = max_items
        kwargs["validate"] = [
            validate.Length(min=min_items, max=max_items),
            *_as_list(kwargs.get("validate")),
        ]
        super().__init__(cls_or_instance, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(f"Longer than maximum length {self.max_items}.")
        return super()._deserialize(value, attr, data, **kwargs)


def _as_list(validators: Any) -> list[Any]:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, list | tuple) else [validators]


# NUL cannot be stored in a PostgreSQL text column, and a lone UTF-16 surrogate (a JSON escape such as
# "\ud800" with no partner) cannot be encoded as UTF-8 at all: both would fail after validation, as a 500.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "Contains a NUL character or an unpaired surrogate, which cannot be stored."


def _storable(value: str) -> None:
    if UNSTORABLE.search(value):
        raise ValidationError(UNSTORABLE_MESSAGE)


def not_blank(value: str) -> None:
    """Refuse an empty text or one of spaces only: the engine stores text trimmed, so it would be stored
    empty, and an empty reference can never be listed by (client review)."""
    if not value.strip():
        raise ValidationError("Must not be blank: leave the field out instead.")


class Trimmed(fields.String):
    """A query string compared with text the engine stored trimmed: trimmed alike before it is checked."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Anchored(validate.Regexp):
    r"""A ``^...$`` pattern that must match the whole value, final newline included.

    Python's ``$`` also matches just before a final newline, so ``^[A-Z]{2}$`` accepted ``"CN\n"``. The
    pattern stays written with ``$``, as the OpenAPI document shows it (JSON Schema patterns are ECMA-262,
    where ``\Z`` means something else).
    """

    def __call__(self, value: str) -> str:  # type: ignore[override]  # text fields hold str, never bytes
        if value.endswith("\n"):
            raise ValidationError(self._format_error(value))
        return super().__call__(value)


class CodeOf(validate.OneOf):
    """One of a closed list of codes, published as the field's ``enum`` like :class:`~validate.OneOf`, but
    refused in the words of ``problem`` (the engine's own function: both layers say the same), not with the
    whole list: ISO 4217 has 182 codes, and ``usd`` is better told ``USD`` than shown them all."""

    def __init__(self, choices: Sequence[str], problem: Callable[[str], str | None]) -> None:
        super().__init__(choices)
        self.problem = problem

    def __call__(self, value: Any) -> Any:
        message = self.problem(value)
        if message is not None:
            raise ValidationError(message)
        return value


def text(
    *,
    required: bool = False,
    max_length: int = 200,
    pattern: str | None = None,
    choices: tuple[str, ...] | None = None,
    description: str | None = None,
    also: tuple[Callable[[str], None], ...] = (),
    default: str | None = None,
    published_min_length: int | None = None,
    pattern_error: str | None = None,
) -> fields.String:
    """A string field with the engine's limits: length, an anchored pattern or a closed set of values.

    :param also: further validators, run after those.
    :param default: the value the engine takes when the field is left out or null, published as the
        OpenAPI ``default`` (nothing is filled in when loading: the engine does it).
    :param published_min_length: the ``minLength`` the document publishes where a validator in ``also``
        holds the text to more than its length (the document must not promise what the service refuses).
    :param pattern_error: what a text not matching ``pattern`` is told: the code it must be and an
        example ("String does not match expected pattern." said neither).
    """
    validators: list[Any] = [validate.Length(min=1 if required else 0, max=max_length), _storable, *also]
    if pattern is not None:
        validators.append(Anchored(f"^{pattern}$", error=pattern_error))
    if choices is not None:
        validators.append(validate.OneOf(choices))
    metadata: dict[str, Any] = {"description": description} if description else {}
    if not_blank in also:
        # "" is refused by not_blank, not by Length: without this the document said minLength 0 (a bank
        # integrator's review); Length keeps 0 so that "" is still answered with not_blank's own message
        metadata["minLength"] = 1
    if pattern is not None and re.fullmatch(pattern, "") is None:
        # "" is refused by the pattern: without this the document said minLength 0 beside a pattern that
        # needs a character (``KeyCreate.merchant_id``, ``company.region``; a bank integrator's review)
        metadata["minLength"] = 1
    if published_min_length is not None:
        metadata["minLength"] = published_min_length
    if default is not None:
        metadata["default"] = default
    return fields.String(required=required, allow_none=not required, validate=validators, metadata=metadata)


_MAX_POSITION = 2**63 - 1  # the largest BIGINT: a sequence number a cursor can point at


def _cursor_parts(raw: str) -> tuple[str, str] | None:
    """``(version, rest)`` of a cursor's text, or ``None`` when it is not base64url of ``version:rest``."""
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    version, colon, rest = decoded.partition(":")
    return (version, rest) if colon else None


def _position(digits: str) -> int | None:
    """A positive BIGINT written in ASCII digits ("²".isdigit() is true, int("²") fails), else ``None``."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        return None
    position = int(digits)
    return position if 0 < position <= _MAX_POSITION else None


def _encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class Cursor(fields.String):
    """An opaque page cursor; decodes to the position (a positive integer) it was made from."""

    default_error_messages = {"invalid": "Not a valid cursor."}

    @staticmethod
    def encode(position: int) -> str:
        """The cursor for ``position``; clients must treat it as opaque."""
        return _encoded(f"v1:{position}")

    # Documented as a string (that is what it is on the wire), loaded as the position it encodes.
    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        parts = _cursor_parts(super()._deserialize(value, attr, data, **kwargs))
        position = _position(parts[1]) if parts is not None and parts[0] == "v1" else None
        if position is None:
            raise self.make_error("invalid")
        return position


#: a rating's id, as :func:`service.ratings.issuing.new_rating_id` makes every one
RATING_ID = re.compile(r"rt_[0-9a-f]{32}")


class RatingCursor(fields.String):
    """The ratings list's cursor: the last rating of the page, named by its public id.

    Ratings are numbered in one sequence for the whole service, so a cursor carrying that number would
    tell every bank how many ratings all tenants together have been issued. A rating's id is random and
    says nothing. A cursor of the earlier form (``v1:`` and that number) is refused with its own message:
    accepting it let any bank binary-search the sequence with crafted cursors (security review).
    """

    default_error_messages = {
        "invalid": "Not a valid cursor.",
        "earlier_form": "This cursor is from an earlier release and is no longer accepted: list again "
        "without a cursor.",
    }

    @staticmethod
    def encode(rating_id: str) -> str:
        """The cursor after the rating ``rating_id``; clients must treat it as opaque."""
        return _encoded(f"v2:{rating_id}")

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        parts = _cursor_parts(super()._deserialize(value, attr, data, **kwargs))
        if parts is not None and parts[0] == "v2" and RATING_ID.fullmatch(parts[1]):
            return parts[1]
        if parts is not None and parts[0] == "v1" and _position(parts[1]) is not None:
            raise self.make_error("earlier_form")
        raise self.make_error("invalid")


class RawObject(fields.Nested):
    """Documented as the nested schema, loaded as the raw JSON value.

    A batch validates each item on its own so that one bad company does not refuse the other 99, and that
    includes an item that is not even an object (a string, a number, null): it fails alone, as its own 422,
    when its item is validated. The OpenAPI document still shows the item's full schema.
    """

    def __init__(self, nested: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_none", True)  # null is an item like any other: refused on its own
        super().__init__(nested, **kwargs)

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        partial: bool | Sequence[str] | AbstractSet[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        return dict(value) if isinstance(value, Mapping) else value


def utc_iso(moment: datetime) -> str:
    """The one way the API writes a moment: ISO 8601 in UTC with ``Z`` (``2025-01-02T03:04:05.678901Z``).

    A naive moment is taken as UTC (every stored moment is); an aware one in another zone is converted, so
    no offset other than ``Z`` ever reaches a client, whatever the database session's time zone.
    """
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


class UtcDateTime(fields.DateTime):
    """An ISO 8601 UTC moment written with ``Z`` (:func:`utc_iso`), exactly as ratings carry ``issued_at``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else utc_iso(value)


class WholeMatch(validate.Regexp):
    """A pattern the whole value must match (and apispec publishes, as for ``validate.Regexp``).

    ``validate.Regexp`` uses ``re.match``, whose ``$`` also matches before a final newline, so
    ``?version=1.1.0%0A`` passed and came back in the 404 message.
    """

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value
