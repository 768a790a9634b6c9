"""Path converters: what a path segment may be, for the router and for the OpenAPI document alike.

A segment that can never name anything is a 404 from the router, before a key is looked up or a query
runs; and a static sibling route (``/v1/ratings/batch``) is not shadowed by an id that happens to spell it.
"""

from __future__ import annotations

from typing import ClassVar

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from schemas.fields import RATING_ID
from schemas.portfolio import PORTFOLIO_ID
from service.auth import MERCHANT_ID_PATTERN


class _PatternConverter(BaseConverter):
    """A segment matching ``regex``, documented as a string of at most ``max_length`` characters, or as
    ``published`` when set: the pattern of the ids the service issues (the router lets any other through
    to the view, which answers 404 "... not found." after the key is checked, as the document says)."""

    name: ClassVar[str]
    max_length: ClassVar[int]
    published: ClassVar[dict[str, object] | None] = None
    part_isolating = True

    @classmethod
    def openapi_schema(cls, _converter: BaseConverter) -> dict[str, object]:
        if cls.published is not None:
            return dict(cls.published)
        schema: dict[str, object] = {"type": "string", "maxLength": cls.max_length}
        return schema


def _issued_id(pattern: str, what: str) -> dict[str, object]:
    """The schema of an id the service issues in one form: the document said any string of up to 40
    characters, without the form every id has (bank integration review)."""
    return {"type": "string", "pattern": f"^{pattern}$", "minLength": 35, "maxLength": 35,
            "description": f"{what}; any other value answers 404, like an id never issued."}


class RatingIdConverter(_PatternConverter):
    """A rating id: up to 40 characters, any but ``batch``; published as the form of every id issued.

    ``/v1/ratings/batch`` is the batch route (POST only); were ``batch`` also a rating id, a GET there
    would answer 404 "Rating not found." instead of the 405 (with ``Allow: POST``) that it is.
    """

    name = "rating_id"
    max_length = 40
    regex = r"(?!batch(?:/|$))[^/]{1,40}"
    published = _issued_id(RATING_ID.pattern, "A rating's id: `rt_` and 32 lowercase hex digits")


class PortfolioIdConverter(_PatternConverter):
    """A portfolio job's id: up to 40 characters; published as the form of every id issued."""

    name = "portfolio_id"
    max_length = 40
    regex = r"[^/]{1,40}"
    published = _issued_id(PORTFOLIO_ID.pattern, "A portfolio job's id: `pf_` and 32 lowercase hex digits")


class MerchantIdConverter(_PatternConverter):
    """A merchant id as ``greenrate keys create --merchant-id`` accepts it (no spaces, controls or
    invisible characters, which could make two ids look alike)."""

    name = "merchant_id"
    max_length = 64
    regex = MERCHANT_ID_PATTERN.pattern

    @classmethod
    def openapi_schema(cls, _converter: BaseConverter) -> dict[str, object]:
        return {"type": "string", "maxLength": cls.max_length, "pattern": f"^{cls.regex}$"}


class KeyIdConverter(_PatternConverter):
    """An API key's id: a positive integer in ASCII digits, without leading zeros (one spelling per key).

    The view still checks it against the id column's range on this database (``api_keys.key_id``).
    """

    name = "key_id"
    max_length = 19
    regex = r"[1-9][0-9]{0,18}"

    @classmethod
    def openapi_schema(cls, _converter: BaseConverter) -> dict[str, object]:
        return {"type": "integer", "minimum": 1}


CONVERTERS: tuple[type[_PatternConverter], ...] = (
    RatingIdConverter, PortfolioIdConverter, MerchantIdConverter, KeyIdConverter,
)


def init_app(app: Flask, api: Api) -> None:
    """Register the converters with the router and the spec (before any blueprint is registered)."""
    for converter in CONVERTERS:
        app.url_map.converters[converter.name] = converter
        api.register_converter(converter, converter.openapi_schema)
