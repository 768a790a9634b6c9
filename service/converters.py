"""Path converters: what a path segment may be, for the router and for the OpenAPI document alike.

A segment that can never name anything is a 404 from the router, before a key is looked up or a query
runs; and a static sibling route (``/v1/ratings/batch``) is not shadowed by an id that happens to spell it.
"""

from __future__ import annotations

from typing import ClassVar

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import BaseConverter

from service.auth import MERCHANT_ID_PATTERN


class _PatternConverter(BaseConverter):
    """A segment matching ``regex``, documented as a string of at most ``max_length`` characters."""

    name: ClassVar[str]
    max_length: ClassVar[int]
    part_isolating = True

    @classmethod
    def openapi_schema(cls, _converter: BaseConverter) -> dict[str, object]:
        schema: dict[str, object] = {"type": "string", "maxLength": cls.max_length}
        return schema


class RatingIdConverter(_PatternConverter):
    """A rating id: up to 40 characters, any but ``batch``.

    ``/v1/ratings/batch`` is the batch route (POST only); were ``batch`` also a rating id, a GET there
    would answer 404 "Rating not found." instead of the 405 (with ``Allow: POST``) that it is.
    """

    name = "rating_id"
    max_length = 40
    regex = r"(?!batch(?:/|$))[^/]{1,40}"


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


CONVERTERS: tuple[type[_PatternConverter], ...] = (RatingIdConverter, MerchantIdConverter, KeyIdConverter)


def init_app(app: Flask, api: Api) -> None:
    """Register the converters with the router and the spec (before any blueprint is registered)."""
    for converter in CONVERTERS:
        app.url_map.converters[converter.name] = converter
        api.register_converter(converter, converter.openapi_schema)
