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
    "description": "An API key from `greenrate keys create`, sent as `Authorization: Bearer <key>`.",
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}


def error_responses(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the error statuses a view can answer, each with the one error body."""

    def decorator(view: F) -> F:
        for code in codes:
            view = blp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorator


def secured(blp: Blueprint) -> Callable[[F], F]:
    """Mark a view as needing the bearer key in the OpenAPI document."""
    return blp.doc(security=[{"bearerAuth": []}])  # type: ignore[no-any-return]
