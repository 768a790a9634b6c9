"""``/v1/keys``: an admin key manages its own tenant's API keys; thin views over
:mod:`service.keys.management`.

Every path is scoped to the caller's tenant: another tenant's key, and an operator's analyst key of the
same tenant, answer 404 exactly like a missing one. The caller's key is looked up in the database on every
request, never in the key cache: a key revoked in one worker manages nothing in any other. The secret of
a key is in one answer only, the 201 that creates it (with ``Cache-Control: no-store``): a retry of the
creation under the same ``Idempotency-Key`` is answered 409 naming the key it created, without its secret.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, NoReturn

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import abort

from schemas.errors import ErrorSchema
from schemas.fields import Cursor, utc_iso
from schemas.keys import KeyCreateSchema, KeyListQuerySchema, KeyListSchema, KeySchema, NewKeySchema
from service.auth import current_principal, reject_key, requires
from service.extensions import services
from service.hardening import json_body
from service.idempotency import IDEMPOTENCY_KEY, idempotency_key, idempotency_parameter
from service.keys.management import (
    ActorRevoked,
    AlreadyCreated,
    KeyNotFound,
    KeyRequest,
    OutlivesActor,
    SelfRevocation,
    TenantFull,
    create_key,
    created_before,
    revoke_key,
    tenant_key,
    tenant_keys,
)
from service.limits import spend_tenant_budget
from service.lost_answers import on_lost_answer
from service.openapi import added_parameters, documented
from service.records.api_keys import KeyRecord
from service.records.api_keys import key_id as parse_key_id

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/v1/keys",
    description="API keys of the caller's own tenant, managed with an admin key: list, create, read, revoke.",
)

#: How many keys one tenant may create (``POST /v1/keys``), whichever of its admin keys asks: apart from
#: the per-key limit, which is sized for rating traffic, not for minting keys that each get a budget.
CREATE_BUDGET = "60 per hour"
_NOT_FOUND = "API key not found."
# Instances, not classes: webargs instantiates a schema class on every request.
_LIST_QUERY = KeyListQuerySchema()
_CREATE = KeyCreateSchema()
_CREATED_HEADERS = {
    "Location": {
        "description": "Path of the new key's record.", "required": True, "schema": {"type": "string"}
    },
    "Cache-Control": {
        "description": "`no-store`: the answer holds the secret.",
        "required": True,
        "schema": {"type": "string", "enum": ["no-store"]},
    },
}

#: The creation's own 409, for the ``Location`` a retried creation carries: the shared 409 declares no
#: header, so a generated client could not read it (a bank integrator's review).
_CONFLICT = {
    "description": "Conflict: this `Idempotency-Key` already created a key (a retry: `Location` names that "
    "key, and `message` and `errors[\"Idempotency-Key\"]` its id, prefix, label and creation time, never "
    "its secret), or the tenant already holds the most active keys it may (no `Location`).",
    "content": {"application/json": {"schema": ErrorSchema}},
    "headers": {
        "Location": {
            "description": "On a retried creation only: the path of the key its `Idempotency-Key` created.",
            "schema": {"type": "string"},
        }
    },
}

_IDEMPOTENCY_PARAMETER = idempotency_parameter(
    "Your id for this creation (a UUID, say; 1-255 printable ASCII characters, bare or "
    "quoted), the same on every retry of it: after a lost answer, a retry with the same key by the same "
    "admin key creates no second key, whenever it comes, and is answered 409 naming the key created "
    "(`Location`, and its id, prefix, label and creation time in `message`), without its secret, which is "
    "kept nowhere: if the secret was lost, revoke that key and create a new one with a new "
    "Idempotency-Key. The same key with another body (role, merchant_id, label, expires_at): 422, nothing "
    "created. Without it, every request creates a key."
)


def _key_number(raw_id: str) -> int:
    """The path's key id as a number, or 404 when this database cannot hold such an id."""
    number = parse_key_id(services().db, raw_id)
    if number is None:
        abort(404, message=_NOT_FOUND)
    return number


@blp.route("")
class Keys(MethodView):
    @documented(blp, 401, 403, 422, 429, 503, operation="list_keys")
    @requires("admin", fresh=True)
    # unknown=None: the schema's own RAISE, so a misspelt `?include_revoke=` is a 422, not a silent default
    @blp.arguments(_LIST_QUERY, location="query", unknown=None)
    @blp.response(200, KeyListSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List this tenant's keys, newest first: active ones, or all with `include_revoked=true`.

        Each key shows its non-secret prefix, never the secret or its hash. Pages hold up to 500 keys (as
        many active keys as admin keys may create for a tenant); follow `next_cursor` for more (the
        revoked and expired ones of a long-lived tenant, or keys the service's operator added).
        """
        keys, more = tenant_keys(
            services().db,
            current_principal(),
            include_revoked=query["include_revoked"],
            limit=query["limit"],
            before_id=query.get("cursor"),
        )
        next_cursor = Cursor.encode(keys[-1].id) if more and keys else None
        return {"items": keys, "limit": query["limit"], "next_cursor": next_cursor}

    @on_lost_answer(
        "Do not send it again as it is: a key may have been created whose secret you never received. List "
        "the tenant's keys (GET /v1/keys), revoke one that request created (by its label), then create it "
        "again, with an Idempotency-Key.",
        with_key="Sending it again with the same Idempotency-Key creates no second key; if the key was "
        "created, that answers 409 without its secret (shown in the lost answer only): revoke it "
        "(DELETE /v1/keys/{key_id}) and create another with a new Idempotency-Key.",
    )
    @documented(blp, 400, 401, 403, 413, 415, 422, 429, 503, operation="create_key")
    @blp.doc(**added_parameters(_IDEMPOTENCY_PARAMETER), responses={"409": _CONFLICT})
    @requires("admin", fresh=True)
    @json_body
    @blp.arguments(_CREATE)
    @blp.response(201, NewKeySchema, headers=_CREATED_HEADERS)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a key in this tenant; the answer holds its secret (`key`), shown this once.

        `role` is `bank`, `merchant` (with its `merchant_id`) or `admin`; analyst keys govern the model of
        every tenant and only the service's operator issues them. The key works at once, in every worker.
        Store the secret now: only its hash is kept, so it can never be shown again. With `expires_at` the
        key stops working at that moment, in every worker (401), with no one having to revoke it. An admin
        key that itself expires creates only keys that expire no later than it does (else 422).

        Limits, whichever of the tenant's admin keys asks: a tenant creates at most 60 keys per hour
        (then 429 with `Retry-After`), and holds at most 500 active keys of these roles (then 409: revoke
        unused keys first).

        Safe to retry with an `Idempotency-Key` of yours: a retry by the same admin key creates no second
        key and is answered 409 with the key's `Location`, naming its id, prefix, label and creation
        time, but not its secret, which was in the first answer only (only its hash is kept). If that
        answer was lost, revoke the key (`DELETE /v1/keys/{key_id}`) and create a new one with a new
        Idempotency-Key. The same Idempotency-Key with another body is refused (422). A retry that finds
        its key is answered before the creation budget and the cap on active keys are counted.
        """
        s = services()
        actor = current_principal()
        key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
        wanted = KeyRequest(body["role"], body.get("merchant_id"), body.get("label"), body.get("expires_at"))
        if key is not None and (earlier := created_before(s.db, actor, key, wanted)) is not None:
            _already_created(earlier)
        spend_tenant_budget(CREATE_BUDGET, "api-key-creation", actor.tenant, 1, "new keys")
        try:
            created = create_key(
                s.db,
                actor,
                role=wanted.role,
                merchant_id=wanted.merchant_id,
                label=wanted.label,
                expires_at=wanted.expires_at,
                idempotency_key=key,
            )
        except AlreadyCreated as retried:  # the same creation, retried at the same moment, came first
            _already_created(retried.record)
        except ActorRevoked:
            reject_key()
        except OutlivesActor as outlives:
            until = utc_iso(outlives.actor_expires_at)
            abort(
                422,
                message="A key cannot outlive the expiring admin key that creates it.",
                errors={
                    "expires_at": [
                        f"This admin key expires at {until}: give an expires_at no later than that."
                    ]
                },
            )
        except TenantFull as full:
            abort(
                409,
                message=f"This tenant already holds {full.limit} active keys, the most it may: revoke "
                "unused keys (DELETE /v1/keys/{key_id}) before creating more.",
            )
        headers = {"Location": f"/v1/keys/{created.record.id}", "Cache-Control": "no-store"}
        return {**asdict(created.record), "status": created.record.status, "key": created.key}, 201, headers


def _already_created(record: KeyRecord) -> NoReturn:
    """409 for a retried creation: the key its Idempotency-Key created, named, without its secret."""
    label = "no label" if record.label is None else f"label {json.dumps(record.label, ensure_ascii=False)}"
    named = (
        f"key {record.id} (prefix {record.prefix}, {label}, created at {utc_iso(record.created_at)}, "
        f"now {record.status})"
    )
    abort(
        409,
        message=f"This Idempotency-Key already created {named}. Its secret was in the answer to that "
        "request only and is kept nowhere, so it cannot be sent again: if that answer was lost, revoke the "
        f"key (DELETE /v1/keys/{record.id}) and create a new one with a new Idempotency-Key.",
        errors={IDEMPOTENCY_KEY: [f"already created {named}"]},
        headers={"Location": f"/v1/keys/{record.id}"},
    )


@blp.route("/<key_id:key_id>")
class KeyById(MethodView):
    @documented(blp, 401, 403, 404, 429, 503, operation="get_key")
    @requires("admin", fresh=True)
    @blp.response(200, KeySchema)
    def get(self, key_id: str) -> KeyRecord:
        """One key of this tenant, active or revoked; another tenant's key answers 404 like a missing one."""
        record = tenant_key(services().db, current_principal(), _key_number(key_id))
        if record is None:
            abort(404, message=_NOT_FOUND)
        return record

    @on_lost_answer("Sending it again is safe: a key revoked already answers 204 again.")
    @documented(blp, 401, 403, 404, 409, 429, 503, operation="revoke_key")
    @requires("admin", fresh=True)
    @blp.response(204)
    def delete(self, key_id: str) -> Response:
        """Revoke a key of this tenant (204; again on a key already revoked).

        The worker that answers stops accepting the key at once; the service's other workers within
        `GREENRATE_KEY_CACHE_SECONDS` (30 s by default), the time each trusts a key it has looked up.
        Key management is the exception: `/v1/keys` checks the calling key against the records on every
        request, so a revoked admin key manages no keys anywhere from the moment it is revoked (401).
        The key making this request cannot revoke itself (409), so an admin cannot lock its tenant out
        of key management by accident: revoke it with another admin key. Two admin keys revoking each
        other at the same moment: one succeeds, the other is refused (401). Another tenant's key answers
        404 like a missing one.
        """
        s = services()
        try:
            revoke_key(s.db, s.keys, current_principal(), _key_number(key_id))
        except ActorRevoked:
            reject_key()
        except KeyNotFound:
            abort(404, message=_NOT_FOUND)
        except SelfRevocation:
            abort(
                409,
                message="A key cannot revoke itself: that could lock this tenant out of managing its keys. "
                "Revoke it with another admin key of the tenant, or ask the service's operator.",
            )
        no_content = Response(status=204)
        del no_content.headers["Content-Type"]  # no body, so no type (not the JSON flask-smorest would claim)
        return no_content
