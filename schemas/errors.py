"""The one error body every non-2xx response carries, and the flattening of marshmallow's errors.

``errors`` is keyed by field path with dots and list indices (``energy.fuels.0.unit``), the same key the
engine's :class:`~rating_model.exceptions.InvalidInputError` uses, so a client handles schema refusals and
engine refusals alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """``{code, status, message, errors?, request_id}`` for every error status."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 422})
    status = fields.String(
        required=True, metadata={"description": "The HTTP status phrase.", "example": "Unprocessable Entity"}
    )
    message = fields.String(required=True, metadata={"description": "What went wrong, in plain words."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "Field errors keyed by field path (dots and list indices).",
            "example": {"company.employees": ["Must be greater than or equal to 1."]},
        },
    )
    request_id = fields.String(
        required=True, metadata={"description": "Echoes X-Request-ID; quote it when reporting a problem."}
    )


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error mapping into ``{"a.b.0.c": [messages]}``.

    A ``_schema`` entry (an object-level error) is keyed by the object's own path, or ``_schema`` at the
    root, which is also how the engine keys object-level errors.
    """
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix or "_schema"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for sub_path, sub_messages in flatten_errors(value, path).items():
                out.setdefault(sub_path, []).extend(sub_messages)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                for sub_path, sub_messages in flatten_errors(item, prefix).items():
                    out.setdefault(sub_path, []).extend(sub_messages)
            else:
                out.setdefault(prefix or "_schema", []).append(str(item))
    else:
        out.setdefault(prefix or "_schema", []).append(str(messages))
    return out
