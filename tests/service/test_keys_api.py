"""``/v1/keys``: an admin key manages its tenant's keys; roles, isolation, revocation, validation, secrets."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from flask import Flask
from flask.testing import FlaskClient
from structlog.testing import capture_logs

from schemas import keys as key_schemas
from service import auth
from service.auth import PREFIX_LENGTH, KeyRing, hash_key
from service.keys import management
from service.records import api_keys
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

RECORD_FIELDS = {
    "id", "prefix", "role", "merchant_id", "label", "status", "created_at", "created_by", "expires_at",
    "revoked_at", "revoked_by",
}


def secret_parts(key: str) -> list[str]:
    """What no answer but the 201 and no log event may hold: the key, its secret part, its hash."""
    return [key, key[PREFIX_LENGTH:], key[PREFIX_LENGTH : PREFIX_LENGTH + 16], hash_key(key)]


def new_key(client: FlaskClient, admin: str, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/keys", json=body, headers=bearer(admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


@pytest.fixture
def admin(app: Flask) -> str:
    return create_key(app, "bank-a", "admin")


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The structlog events logged meanwhile (a fresh logger: the module's may be cached under an earlier
    test's configuration, which capture_logs cannot reach)."""
    monkeypatch.setattr(management, "_log", structlog.get_logger("greenrate.keys"))
    with capture_logs() as events:
        yield events


# --- who may call ---------------------------------------------------------------------------------------

OPERATIONS = [("GET", "/v1/keys"), ("POST", "/v1/keys"), ("GET", "/v1/keys/1"), ("DELETE", "/v1/keys/1")]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_only_an_admin_key_manages_keys(app: Flask, client: FlaskClient, method: str, path: str) -> None:
    admin = create_key(app, "bank-a", "admin")  # id 1: DELETE /v1/keys/1 would be its own key
    for role in ("bank", "merchant", "analyst"):
        key = create_key(app, "bank-a", role, merchant_id="m-1" if role == "merchant" else None)
        response = client.open(path, method=method, json={"role": "bank"}, headers=bearer(key))
        assert response.status_code == 403, (role, response.get_json())
        assert set(response.get_json()) == {"code", "status", "message", "request_id"}
    response = client.open(path, method=method, json={"role": "bank"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.open(path, method=method, json={"role": "bank"}, headers=bearer(admin))
    assert response.status_code in (200, 201, 409), response.get_json()
    assert api_keys.list_keys(services_of(app).db, include_revoked=True)[0].revoked_at is None


# --- listing and reading ----------------------------------------------------------------------------------


def test_the_list_is_the_tenants_keys_newest_first_active_unless_asked(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    create_key(app, "bank-b", "bank")  # another tenant's key: never listed
    first = new_key(client, admin, role="bank", label="loan desk")
    second = new_key(client, admin, role="merchant", merchant_id="m-1")
    assert client.delete(f"/v1/keys/{first['id']}", headers=bearer(admin)).status_code == 204

    active = client.get("/v1/keys", headers=bearer(admin))
    assert active.status_code == 200
    items = active.get_json()["items"]
    assert [item["id"] for item in items] == [second["id"], 1]  # newest first; the revoked one left out
    assert all(set(item) == RECORD_FIELDS for item in items)

    everything = client.get("/v1/keys?include_revoked=true", headers=bearer(admin)).get_json()["items"]
    assert [item["id"] for item in everything] == [second["id"], first["id"], 1]
    revoked = everything[1]
    assert revoked["revoked_at"] is not None and revoked["label"] == "loan desk"
    assert revoked["role"] == "bank" and revoked["merchant_id"] is None
    assert revoked["created_at"].endswith("Z") and revoked["revoked_at"].endswith("Z")
    assert client.get("/v1/keys?include_revoked=false", headers=bearer(admin)).get_json()["items"] == items


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("tenant=bank-b", "tenant"),
        ("include_revoke=true", "include_revoke"),
        ("include_revoked=yes", "include_revoked"),
    ],
)
def test_unknown_or_invalid_query_fields_are_422(
    client: FlaskClient, admin: str, query: str, field: str
) -> None:
    response = client.get(f"/v1/keys?{query}", headers=bearer(admin))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_one_key_reads_back_as_created_without_its_secret(client: FlaskClient, admin: str) -> None:
    created = new_key(client, admin, role="merchant", merchant_id="shop:0042", label="Corner shop")
    fetched = client.get(f"/v1/keys/{created['id']}", headers=bearer(admin))
    assert fetched.status_code == 200
    assert fetched.get_json() == {name: created[name] for name in RECORD_FIELDS}
    assert client.get("/v1/keys/424242", headers=bearer(admin)).status_code == 404
    assert client.get("/v1/keys/0", headers=bearer(admin)).status_code == 404  # not an id at all
    assert client.get("/v1/keys/99999999999999999999", headers=bearer(admin)).status_code == 404


# --- creating ---------------------------------------------------------------------------------------------


def test_a_created_key_is_shown_once_and_stored_only_hashed(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    response = client.post("/v1/keys", json={"role": "bank", "label": "ops"}, headers=bearer(admin))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == RECORD_FIELDS | {"key"}
    key = body["key"]
    assert key.startswith("gr_") and body["prefix"] == key[:PREFIX_LENGTH] and len(key) >= 40
    assert body["role"] == "bank" and body["label"] == "ops"
    assert body["merchant_id"] is None and body["revoked_at"] is None
    assert response.headers["Location"] == f"/v1/keys/{body['id']}"
    assert response.headers["Cache-Control"] == "no-store"
    with services_of(app).db.connect() as conn:
        tenant, key_hash = conn.exec_driver_sql(
            "SELECT tenant, key_hash FROM api_keys WHERE id = ?", (body["id"],)
        ).one()
    assert tenant == "bank-a" and key_hash == hashlib.sha256(key.encode()).hexdigest()
    for path in ("/v1/keys", "/v1/keys?include_revoked=true", response.headers["Location"]):
        text = client.get(path, headers=bearer(admin)).get_data(as_text=True)
        assert body["prefix"] in text
        assert not any(part in text for part in secret_parts(key)), path


def test_a_created_bank_key_rates_at_once_in_the_admins_tenant(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    colleague, stranger = create_key(app, "bank-a", "bank"), create_key(app, "bank-b", "bank")
    key = new_key(client, admin, role="bank")["key"]
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert rating.status_code == 201, rating.get_json()
    rating_id = rating.get_json()["id"]
    assert client.get(f"/v1/ratings/{rating_id}", headers=bearer(colleague)).status_code == 200
    assert client.get(f"/v1/ratings/{rating_id}", headers=bearer(stranger)).status_code == 404
    assert client.get("/v1/keys", headers=bearer(key)).status_code == 403  # a bank key, not an admin


def test_a_created_merchant_key_reaches_only_its_merchant(client: FlaskClient, admin: str) -> None:
    key = new_key(client, admin, role="merchant", merchant_id="m-1")["key"]
    own = client.put("/v1/merchants/m-1/profile", json=payload(), headers=bearer(key))
    assert own.status_code == 200, own.get_json()
    assert client.put("/v1/merchants/m-2/profile", json=payload(), headers=bearer(key)).status_code == 404
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 403


def test_a_created_admin_key_manages_the_same_tenant(app: Flask, client: FlaskClient, admin: str) -> None:
    create_key(app, "bank-b", "bank")
    second_admin = new_key(client, admin, role="admin")
    listed = client.get("/v1/keys", headers=bearer(second_admin["key"])).get_json()["items"]
    assert [item["id"] for item in listed] == [second_admin["id"], 1]


# Each request is refused with errors under these field paths, and nothing is stored.
INVALID_BODIES: list[tuple[dict[str, Any], set[str]]] = [
    ({}, {"role"}),
    ({"role": "auditor"}, {"role"}),
    ({"role": "analyst"}, {"role"}),  # operator only: an analyst key governs every tenant's model
    ({"role": None}, {"role"}),
    ({"role": 1}, {"role"}),
    ({"role": "merchant"}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": None}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": ""}, {"merchant_id"}),
    ({"role": "bank", "merchant_id": "m-1"}, {"merchant_id"}),
    ({"role": "admin", "merchant_id": "m-1"}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": "m 1"}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": "-m1"}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": "m-1\n"}, {"merchant_id"}),
    ({"role": "merchant", "merchant_id": "m" * 65}, {"merchant_id"}),
    ({"role": "bank", "label": "x" * (api_keys.LABEL_MAX_LENGTH + 1)}, {"label"}),
    ({"role": "bank", "label": "a\u0000b"}, {"label"}),
    ({"role": "bank", "label": 7}, {"label"}),
    ({"role": "bank", "tenant": "bank-b"}, {"tenant"}),  # the tenant is always the admin's own
    ({"role": "bank", "key": "gr_chosen-by-me"}, {"key"}),
]


@pytest.mark.parametrize(("body", "paths"), INVALID_BODIES)
def test_invalid_requests_are_422_by_field_path(
    app: Flask, client: FlaskClient, admin: str, body: dict[str, Any], paths: set[str]
) -> None:
    response = client.post("/v1/keys", json=body, headers=bearer(admin))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()
    assert set(error) == {"code", "status", "message", "errors", "request_id"} and error["code"] == 422
    assert set(error["errors"]) == paths, error["errors"]
    assert len(api_keys.list_keys(services_of(app).db, include_revoked=True)) == 1  # only the admin's


def test_the_limits_are_the_clis(client: FlaskClient, admin: str) -> None:
    assert set(key_schemas.ISSUABLE_ROLES) == set(auth.ROLES) - {"analyst"}
    longest = new_key(client, admin, role="merchant", merchant_id="M" * 64, label="x" * 120)
    assert (longest["merchant_id"], longest["label"]) == ("M" * 64, "x" * 120)
    assert new_key(client, admin, role="bank", label="")["label"] == ""
    analyst = client.post("/v1/keys", json={"role": "analyst"}, headers=bearer(admin)).get_json()
    assert "operator" in analyst["errors"]["role"][0]


def test_a_body_that_is_not_json_is_refused(client: FlaskClient, admin: str) -> None:
    headers = bearer(admin)
    assert client.post("/v1/keys", data="role=bank", headers=headers).status_code == 415
    bad = client.post("/v1/keys", data="{", headers={**headers, "Content-Type": "application/json"})
    assert bad.status_code == 400


# --- revoking ---------------------------------------------------------------------------------------------


def test_a_revoked_key_is_refused_and_revoking_again_is_204(client: FlaskClient, admin: str) -> None:
    created = new_key(client, admin, role="bank")
    assert client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 200
    revoked = client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin))
    assert revoked.status_code == 204 and revoked.data == b""
    assert "Content-Type" not in revoked.headers  # no body, so no type
    refused = client.get("/v1/ratings", headers=bearer(created["key"]))
    assert refused.status_code == 401
    assert refused.get_json()["message"] == "Invalid, revoked or expired API key."
    again = client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin))
    assert again.status_code == 204
    record = client.get(f"/v1/keys/{created['id']}", headers=bearer(admin)).get_json()
    assert record["revoked_at"] is not None
    assert client.delete("/v1/keys/424242", headers=bearer(admin)).status_code == 404


def test_revocation_is_immediate_in_the_worker_that_handled_it(make_app: AppFactory) -> None:
    """With a key cache, the worker that revokes forgets the key at once; another worker (another app on
    the same database) trusts its cached lookup until GREENRATE_KEY_CACHE_SECONDS pass, as documented."""
    worker = make_app(KEY_CACHE_SECONDS=300.0)
    other = make_app(KEY_CACHE_SECONDS=300.0, DATABASE_URL=str(services_of(worker).db.url))
    admin = create_key(worker, "bank-a", "admin")
    client, other_client = worker.test_client(), other.test_client()
    created = new_key(client, admin, role="bank")
    for c in (client, other_client):
        assert c.get("/v1/ratings", headers=bearer(created["key"])).status_code == 200  # now cached
    assert client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin)).status_code == 204
    assert client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 401
    assert client.get("/v1/keys", headers=bearer(admin)).status_code == 200  # only that key was dropped
    assert other_client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 200  # its TTL
    services_of(other).keys.forget()  # what the TTL's end does
    assert other_client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 401


def test_a_lookup_overtaken_by_a_revocation_is_not_cached(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread that read the key just before it was revoked must not cache it after the drop."""
    db = services_of(app).db
    key = create_key(app, "bank-a", "bank")
    ring = KeyRing(db, ttl=3600)
    read = auth.find_active_key

    def read_then_revoked(engine: Any, key_hash: str) -> Any:
        record = read(engine, key_hash)
        api_keys.revoke_key(db, key[:PREFIX_LENGTH])  # lands while this lookup is in flight
        ring.drop(record.id)
        return record

    monkeypatch.setattr(auth, "find_active_key", read_then_revoked)
    assert ring.resolve(hash_key(key)) is not None  # answered with what it read...
    monkeypatch.setattr(auth, "find_active_key", read)
    assert ring.resolve(hash_key(key)) is None  # ...but not remembered


def test_an_admin_cannot_revoke_its_own_key(app: Flask, client: FlaskClient, admin: str) -> None:
    refused = client.delete("/v1/keys/1", headers=bearer(admin))
    assert refused.status_code == 409
    error = refused.get_json()
    assert error["status"] == "Conflict" and "itself" in error["message"] and "lock" in error["message"]
    assert client.get("/v1/keys", headers=bearer(admin)).status_code == 200  # still works
    other_admin = new_key(client, admin, role="admin")["key"]
    assert client.delete("/v1/keys/1", headers=bearer(other_admin)).status_code == 204  # another may
    assert client.get("/v1/keys", headers=bearer(admin)).status_code == 401


# --- tenants ----------------------------------------------------------------------------------------------


def test_another_tenants_admin_sees_and_touches_nothing(app: Flask, client: FlaskClient, admin: str) -> None:
    victim = new_key(client, admin, role="bank")
    stranger = create_key(app, "bank-b", "admin")
    listing = client.get("/v1/keys?include_revoked=true", headers=bearer(stranger)).get_json()["items"]
    assert [(item["role"], item["prefix"]) for item in listing] == [("admin", stranger[:PREFIX_LENGTH])]
    for method in ("GET", "DELETE"):
        foreign = client.open(f"/v1/keys/{victim['id']}", method=method, headers=bearer(stranger))
        missing = client.open("/v1/keys/424242", method=method, headers=bearer(stranger))
        assert foreign.status_code == missing.status_code == 404, method
        assert foreign.get_json()["message"] == missing.get_json()["message"]
    assert client.delete("/v1/keys/1", headers=bearer(stranger)).status_code == 404  # tenant A's admin key
    assert client.get("/v1/ratings", headers=bearer(victim["key"])).status_code == 200  # not revoked
    stranger_record = api_keys.find_active_key(services_of(app).db, hash_key(stranger))
    assert stranger_record is not None
    outcome, _ = api_keys.revoke_tenant_key(
        services_of(app).db,
        "bank-b",
        victim["id"],
        actor_id=stranger_record.id,
        roles=key_schemas.ISSUABLE_ROLES,
    )
    assert outcome is api_keys.Outcome.NOT_FOUND  # nor in the records
    created = new_key(client, stranger, role="bank")
    own = client.get("/v1/keys", headers=bearer(admin)).get_json()["items"]
    assert created["id"] not in [item["id"] for item in own]


# --- the audit log ----------------------------------------------------------------------------------------


def test_create_and_revoke_are_logged_once_without_secrets(
    client: FlaskClient, admin: str, captured: list[dict[str, Any]]
) -> None:
    created = new_key(client, admin, role="merchant", merchant_id="m-1", label="till 2")
    client.get("/v1/keys", headers=bearer(admin))
    client.get(f"/v1/keys/{created['id']}", headers=bearer(admin))
    client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin))
    client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin))  # already revoked: no second event
    client.delete("/v1/keys/1", headers=bearer(admin))  # refused: nothing happened
    events = [event for event in captured if event["event"].startswith("api_key_")]
    assert [event["event"] for event in events] == ["api_key_created", "api_key_revoked"]
    affected = {"key_id": created["id"], "key_prefix": created["prefix"], "role": "merchant"}
    actor = {"actor_prefix": admin[:PREFIX_LENGTH], "tenant": "bank-a"}
    level = {"log_level": "info"}
    created_event = {"merchant_id": "m-1", "expires_at": None, "event": "api_key_created"}
    assert events[0] == {**actor, **affected, **level, **created_event}
    assert events[1] == {**actor, **affected, **level, "event": "api_key_revoked"}
    logged = repr(captured)
    for key in (created["key"], admin):
        assert not any(part in logged for part in secret_parts(key))


# --- the contract -----------------------------------------------------------------------------------------


def test_the_operations_are_documented(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        ("/v1/keys", "get"): {"200", "401", "403", "422", "429", "503"},
        ("/v1/keys", "post"): {"201", "400", "401", "403", "409", "413", "415", "422", "429", "503"},
        # 422: an undeclared query argument, refused on every /v1 operation
        ("/v1/keys/{key_id}", "get"): {"200", "401", "403", "404", "422", "429", "503"},
        ("/v1/keys/{key_id}", "delete"): {"204", "401", "403", "404", "409", "422", "429", "503"},
    }
    for (path, method), statuses in expected.items():
        operation = paths[path][method]
        assert set(operation["responses"]) - {"default"} == statuses, (path, method)
        assert operation["security"] == [{"bearerAuth": []}]
    assert {"Location", "Cache-Control"} <= set(paths["/v1/keys"]["post"]["responses"]["201"]["headers"])
    assert "GREENRATE_KEY_CACHE_SECONDS" in paths["/v1/keys/{key_id}"]["delete"]["description"]
    schemas = spec["components"]["schemas"]
    assert set(schemas["Key"]["properties"]) == RECORD_FIELDS
    assert set(schemas["NewKey"]["properties"]) == RECORD_FIELDS | {"key"}
    assert schemas["KeyCreate"]["additionalProperties"] is False
    assert schemas["KeyCreate"]["properties"]["role"]["enum"] == ["bank", "merchant", "admin"]


def test_the_list_pages_with_a_cursor(app: Flask, client: FlaskClient, admin: str) -> None:
    made = [new_key(client, admin, role="bank")["id"] for _ in range(5)]
    for key_id in made[:2]:
        client.delete(f"/v1/keys/{key_id}", headers=bearer(admin))
    seen: list[int] = []
    cursor = None
    while True:
        query = "include_revoked=true&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/v1/keys?{query}", headers=bearer(admin)).get_json()
        assert page["limit"] == 2 and len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([*made, 1], reverse=True)  # every key once, newest first, the admin (id 1) last
    first = client.get("/v1/keys", headers=bearer(admin)).get_json()
    assert first["limit"] == 500 and first["next_cursor"] is None and len(first["items"]) == 4  # active
    for bad in ("limit=0", "limit=501", "cursor=nope"):
        assert client.get(f"/v1/keys?{bad}", headers=bearer(admin)).status_code == 422, bad
    beyond = key_schemas.Cursor.encode(2**62)  # past the id column's range: the whole list, not a 500
    assert client.get(f"/v1/keys?cursor={beyond}", headers=bearer(admin)).status_code == 200
