"""``/v1/keys``: an admin key manages its own tenant's API keys; thin views over
:mod:`service.keys.management`.

Every path is scoped to the caller's tenant: another tenant's key answers 404 exactly like a missing one.
The secret of a key is in one answer only, the 201 that creates it (with ``Cache-Control: no-store``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from schemas.keys import KeyCreateSchema, KeyListQuerySchema, KeyListSchema, KeySchema, NewKeySchema
from service.auth import current_principal, requires
from service.extensions import services
from service.hardening import json_body
from service.keys.management import (
    KeyNotFound,
    SelfRevocation,
    create_key,
    revoke_key,
    tenant_key,
    tenant_keys,
)
from service.openapi import documented
from service.records.api_keys import KeyRecord
from service.records.api_keys import key_id as parse_key_id

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/v1/keys",
    description="API keys of the caller's own tenant, managed with an admin key: list, create, read, revoke.",
)

_NOT_FOUND = "API key not found."
# Instances, not classes: webargs instantiates a schema class on every request.
_LIST_QUERY = KeyListQuerySchema()
_CREATE = KeyCreateSchema()
_CREATED_HEADERS = {
    "Location": {"description": "Path of the new key's record.", "schema": {"type": "string"}},
    "Cache-Control": {
        "description": "`no-store`: the answer holds the secret.",
        "schema": {"type": "string", "enum": ["no-store"]},
    },
}


def _key_number(raw_id: str) -> int:
    """The path's key id as a number, or 404 when this database cannot hold such an id."""
    number = parse_key_id(services().db, raw_id)
    if number is None:
        abort(404, message=_NOT_FOUND)
    return number


@blp.route("")
class Keys(MethodView):
    @documented(blp, 401, 403, 422, 429, 503)
    @requires("admin")
    # unknown=None: the schema's own RAISE, so a misspelt `?include_revoke=` is a 422, not a silent default
    @blp.arguments(_LIST_QUERY, location="query", unknown=None)
    @blp.response(200, KeyListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List this tenant's keys, newest first: active ones, or all with `include_revoked=true`.

        Each key shows its non-secret prefix, never the secret or its hash.
        """
        keys = tenant_keys(services().db, current_principal(), include_revoked=query["include_revoked"])
        return {"items": keys}

    @documented(blp, 400, 401, 403, 413, 415, 422, 429, 503)
    @requires("admin")
    @json_body
    @blp.arguments(_CREATE)
    @blp.response(201, NewKeySchema, headers=_CREATED_HEADERS)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a key in this tenant; the answer holds its secret (`key`), shown this once.

        `role` is `bank`, `merchant` (with its `merchant_id`) or `admin`; analyst keys govern the model of
        every tenant and only the service's operator issues them. The key works at once, in every worker.
        Store the secret now: only its hash is kept, so it can never be shown again.
        """
        created = create_key(
            services().db,
            current_principal(),
            role=body["role"],
            merchant_id=body.get("merchant_id"),
            label=body.get("label"),
        )
        headers = {"Location": f"/v1/keys/{created.record.id}", "Cache-Control": "no-store"}
        return {**asdict(created.record), "key": created.key}, 201, headers


@blp.route("/<key_id:key_id>")
class KeyById(MethodView):
    @documented(blp, 401, 403, 404, 429, 503)
    @requires("admin")
    @blp.response(200, KeySchema)
    def get(self, key_id: str) -> KeyRecord:
        """One key of this tenant, active or revoked; another tenant's key answers 404 like a missing one."""
        record = tenant_key(services().db, current_principal(), _key_number(key_id))
        if record is None:
            abort(404, message=_NOT_FOUND)
        return record

    @documented(blp, 401, 403, 404, 409, 429, 503)
    @requires("admin")
    @blp.response(204)
    def delete(self, key_id: str) -> None:
        """Revoke a key of this tenant (204; again on a key already revoked).

        The worker that answers stops accepting the key at once; the service's other workers within
        `GREENRATE_KEY_CACHE_SECONDS` (30 s by default), the time each trusts a key it has looked up.
        The key making this request cannot revoke itself (409), so an admin cannot lock its tenant out
        of key management by accident: revoke it with another admin key. Another tenant's key answers
        404 like a missing one.
        """
        s = services()
        try:
            revoke_key(s.db, s.keys, current_principal(), _key_number(key_id))
        except KeyNotFound:
            abort(404, message=_NOT_FOUND)
        except SelfRevocation:
            abort(
                409,
                message="A key cannot revoke itself: that could lock this tenant out of managing its keys. "
                "Revoke it with another admin key of the tenant, or ask the service's operator.",
            )
