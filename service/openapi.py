"""OpenAPI helpers shared by the blueprints: the bearer scheme, documented error responses, the request id."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from apispec import APISpec, BasePlugin
from flask_smorest import Blueprint
from marshmallow import validate
from marshmallow.fields import Field

from service.hardening import REQUEST_ID_HEADER, REQUEST_ID_PATTERN

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key from `greenrate keys create` or `POST /v1/keys`, sent as "
    "`Authorization: Bearer <key>`.",
}


def documented(
    blp: Blueprint, *error_codes: int, operation: str, secured: bool = True
) -> Callable[[F], F]:
    """Document the operation's id, the bearer key and the error statuses a view can answer (each with the
    one error body).

    ``operation`` is the ``operationId`` a generated client names its function by (``create_rating``):
    without one, generators derived names from the paths (``post_v1_ratings_batch``), which any change of
    a path would rename (client review). One ``blp.doc`` instead of one ``alt_response`` per status: each
    smorest decorator adds a wrapper that runs on every request, and documentation should cost nothing
    at run time.
    """
    doc: dict[str, Any] = {
        "operationId": operation,
        "responses": {str(code): HTTPStatus(code).name for code in error_codes},
    }
    if secured:
        doc["security"] = [{"bearerAuth": []}]
    return blp.doc(**doc)  # type: ignore[no-any-return]


#: Component name of the request-id header (``components/headers``) and parameter (``components/parameters``).
REQUEST_ID = "X_REQUEST_ID"

REQUEST_ID_RESPONSE_HEADER = {
    "description": "This request's id: the caller's own `X-Request-ID` when it was sane, else one the "
    "service generated. Every answer carries it, errors also as `request_id`, and the service's log line "
    "for the request names it: quote it when reporting a problem.",
    "required": True,
    "schema": {"type": "string", "pattern": f"^{REQUEST_ID_PATTERN}$"},
}

REQUEST_ID_PARAMETER = {
    "name": REQUEST_ID_HEADER,
    "required": False,
    "description": "Your own id for this request, to trace it through your systems: kept, echoed in the "
    f"`X-Request-ID` answer header and logged when it matches `{REQUEST_ID_PATTERN}` in full; any other "
    "value (or none) is replaced by an id the service generates, never refused.",
    "schema": {"type": "string"},
}


class RequestIdPlugin(BasePlugin):
    """Declare ``X-Request-ID`` on every operation: an optional header parameter, and a header of each of
    its own (not shared) responses. The service sent and accepted it everywhere, but the document never
    said so (contract review). Shared responses get it from :func:`document_request_id_in_shared_responses`.
    """

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        spec.components.header(REQUEST_ID, REQUEST_ID_RESPONSE_HEADER)
        spec.components.parameter(REQUEST_ID, "header", REQUEST_ID_PARAMETER)

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            operation.setdefault("parameters", []).append(REQUEST_ID)
            for response in operation.get("responses", {}).values():
                if isinstance(response, dict) and "$ref" not in response:  # a name: a shared response
                    response.setdefault("headers", {})[REQUEST_ID_HEADER] = REQUEST_ID


def document_request_id_in_shared_responses(spec: APISpec) -> None:
    """Add the ``X-Request-ID`` header to every shared response (``components/responses``, registered or
    lazy): the operations' error statuses name those, and a header beside a ``$ref`` would be ignored.

    Run after the Api registered its responses (``GreenrateApi._register_responses`` replaces the headers
    of 429 and 503 with ``Retry-After``); each gets a new headers mapping, so one shared by several
    responses is not changed under them.
    """
    reference = spec.components.get_ref("header", REQUEST_ID)
    for responses in (spec.components.responses, spec.components.responses_lazy):
        for response in responses.values():
            response["headers"] = {**response.get("headers", {}), REQUEST_ID_HEADER: reference}


def exclusive_bounds(
    converter: Any, field: Field[Any], ret: dict[str, Any], **_kwargs: Any
) -> dict[str, Any]:
    """Publish a ``Range`` bound that excludes its end (``min_inclusive=False``) as exclusive.

    apispec writes only ``minimum: 0`` for it, so the document said 0 was a valid ``loan.amount`` (and
    ``borrower_equity_plus_debt``, ``borrower_total_assets``, ``grid_factor.kgco2e_per_kwh``) while the
    service answered 422 (a bank integrator's review). OpenAPI 3.0 marks the bound with
    ``exclusiveMinimum: true`` beside ``minimum``; 3.1 (JSON Schema 2020-12) gives the bound itself as
    ``exclusiveMinimum`` and no ``minimum``. Either way, according to the version the document declares.
    """
    legacy = converter.openapi_version.major < 3 or converter.openapi_version.minor < 1
    out: dict[str, Any] = {}
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        for end, bound, inclusive in (("minimum", validator.min, validator.min_inclusive),
                                      ("maximum", validator.max, validator.max_inclusive)):
            if inclusive or bound is None or ret.get(end) != field._serialize(bound, None, None):
                continue
            exclusive = "exclusive" + end[0].upper() + end[1:]
            if legacy:
                out[exclusive] = True
            else:
                out[exclusive] = ret.pop(end)
    return out
