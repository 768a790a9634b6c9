"""OpenAPI helpers shared by the blueprints: the bearer scheme and documented error responses."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from flask_smorest import Blueprint

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
