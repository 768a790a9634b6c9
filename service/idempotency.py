"""The ``Idempotency-Key`` request header: what a key may be, and the refusal of one that cannot be used.

A client sends an id of its own (a UUID, say), the same on every retry of one request, so that a retry
after a lost answer is recognised whenever it comes. Ratings (``POST /v1/ratings``), portfolio uploads
(``POST /v1/portfolios``) and key creation (``POST /v1/keys``) read it alike and document it alike
(:func:`idempotency_parameter`); each records the key with what it created and refuses the same key with
another request. The batch and the one-click rating do not read it, and say so: they recognise a retry by
its input, under the same versions. The model registry's writes (``POST /v1/models``,
``/v1/models/{version}/activate`` and ``/rollback``) read it too and record it with the audit event each
wrote (migrations 0029 and 0030), per API key: a retry with it is answered with that event whenever it
comes. Without one, a model upload is recognised by its artifact (version and sha256), and a promotion or
rollback by the same API key with the same reason by the audit trail, but only while nothing was promoted or
rolled back since. A retried portfolio or model write is answered with what the first did and
``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from service.exceptions import ServiceError

IDEMPOTENCY_KEY = "Idempotency-Key"
#: The response header saying whether an answer is a retry's (``true``) or the first request's (``false``)
IDEMPOTENT_REPLAYED = "Idempotent-Replayed"
#: 1 to 255 printable ASCII characters (a UUID, say), bare or as a quoted string
#: (draft-ietf-httpapi-idempotency-key-header writes it as a structured-field string)
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
#: The header's schema as :func:`idempotency_key` reads it: 255 characters, 257 with the draft's quotes
_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 257}


class IdempotencyKeyRefused(ServiceError):
    """An ``Idempotency-Key`` that cannot name this request (422): no key at all, or the key of another
    request (a client's bug: a retry must send the same request)."""

    code = 422

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"Idempotency-Key refused: {problem}",
            message="The Idempotency-Key header was refused; nothing was accepted.",
            errors={IDEMPOTENCY_KEY: [problem]},
        )


def idempotency_key(header: str | None) -> str | None:
    """The key of an ``Idempotency-Key`` header (quotes of the draft's string form removed), if sent.

    Raises
    ------
    IdempotencyKeyRefused
        Empty, longer than 255 characters, or not printable ASCII.
    """
    if header is None:
        return None
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not _KEY.fullmatch(value) or not value.strip():
        raise IdempotencyKeyRefused("not a key: send 1 to 255 printable ASCII characters, such as a UUID")
    return value


def request_sha256(*parts: Any) -> str:
    """The sha256 hex of a request as the parts that make it (its path and parsed body, say), in canonical
    JSON: what a write records with its ``Idempotency-Key``, so that the same key sent with another request
    is told apart from a retry (:class:`IdempotencyKeyRefused`)."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def idempotency_parameter(description: str) -> dict[str, Any]:
    """The OpenAPI header parameter of an operation that reads ``Idempotency-Key``, with its own
    ``description`` (what the key names there, and what its retry is answered).

    The operations that read the header read it alike (:func:`idempotency_key`), so they document it alike:
    three near-copies of this dict could drift apart (a length or a name changed in one only).
    """
    return {"in": "header", "name": IDEMPOTENCY_KEY, "required": False, "description": description,
            "schema": dict(_KEY_SCHEMA)}
