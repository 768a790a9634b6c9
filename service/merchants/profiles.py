"""What makes a merchant profile fit to store and fit to rate: plain functions, no request.

A profile is stored once and rated many times later, possibly after the API's validation rules have
tightened. Both checks below exist so that one-click answers exactly what ``POST /v1/ratings`` would for
the same body: the engine's refusals surface when the profile is stored, and the schema is applied again
when it is rated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from marshmallow import Schema, ValidationError

from rating_model.issue_year import check_not_after_issue
from schemas.errors import flatten_errors
from service.issue_year import year_of_issue

if TYPE_CHECKING:  # imported for types only: service.engine_slot loads the engine after startup
    from rating_model.engine import Engine

STALE_PROFILE_MESSAGE = (
    "The stored profile no longer passes validation because the rules changed since it was stored: "
    "replace it with PUT /v1/merchants/{merchant_id}/profile, then rate again."
)


class StaleProfileError(Exception):
    """A stored profile that today's schema refuses; ``errors`` is keyed by field path like any 422."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("stored profile fails validation")
        self.errors = errors


def check_ratable(engine: Engine, profile: Mapping[str, Any]) -> None:
    """Rate the profile once and discard the rating, so that what cannot be rated is never stored.

    Parsing alone is not enough: units and emission factors are only resolved by the inventory, deep in
    :meth:`Engine.rate` (a fuel in "bananas", a country without a factor set). The engine's exceptions
    propagate unchanged, so the service's error table answers the same 422 (field paths and messages) as
    ``POST /v1/ratings`` does for that body.
    """
    data = engine.parse(profile)
    check_not_after_issue(data, year_of_issue())  # what issuing refuses (years not yet begun)
    engine.rate(data)


def load_stored(schema: Schema, profile_json: str) -> dict[str, Any]:
    """The stored profile, validated again by the API's schema, as ``POST /v1/ratings`` would receive it.

    A profile stored under older, looser rules must not be rated when the same body posted today would be
    refused: one rule for every way in.

    :raises StaleProfileError: the schema now refuses it.
    """
    try:
        loaded: dict[str, Any] = schema.load(json.loads(profile_json))
    except ValidationError as exc:
        raise StaleProfileError(flatten_errors(exc.messages)) from exc
    return loaded
