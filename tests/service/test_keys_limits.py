"""``/v1/keys``: what an admin key may see and touch (no operator's analyst key), and how many keys a tenant
may create (a budget per tenant) and hold (a cap on active keys)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse as parse_limit

from service.keys import management, routes
from service.records import api_keys
from tests.conftest import bearer, create_key, services_of

ERROR_FIELDS = {"code", "status", "message", "request_id"}


@pytest.fixture
def admin(app: Flask) -> str:
    return create_key(app, "bank-a", "admin")


def stored(app: Flask) -> int:
    return len(api_keys.list_keys(services_of(app).db, include_revoked=True))


# --- operator-issued analyst keys are invisible ------------------------------------------------------------


def test_an_operators_analyst_key_is_not_found_by_the_tenants_admin(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    analyst = create_key(app, "bank-a", "analyst")
    create_key(app, "bank-a", "analyst")  # revoked below
    db = services_of(app).db
    analyst_id, revoked_id = (
        record.id
        for record in api_keys.list_keys(db, tenant="bank-a")
        if record.role == "analyst"
    )
    api_keys.revoke_key(db, str(revoked_id))

    for query in ("", "?include_revoked=true"):
        items = client.get(f"/v1/keys{query}", headers=bearer(admin)).get_json()["items"]
        assert [item["role"] for item in items] == ["admin"], query
    for key_id in (analyst_id, revoked_id):
        for method in ("GET", "DELETE"):
            hidden = client.open(f"/v1/keys/{key_id}", method=method, headers=bearer(admin))
            missing = client.open("/v1/keys/424242", method=method, headers=bearer(admin))
            assert hidden.status_code == missing.status_code == 404, (method, hidden.get_json())
            assert hidden.get_json()["message"] == missing.get_json()["message"]
    assert client.get("/v1/models", headers=bearer(analyst)).status_code == 200  # not revoked


# --- the creation budget, per tenant ------------------------------------------------------------------------


def test_creating_keys_has_a_budget_per_tenant(app: Flask, client: FlaskClient, admin: str) -> None:
    budget = parse_limit(routes.CREATE_BUDGET)
    assert budget.amount <= 100 and budget.get_expiry() >= 3600  # a few an hour, not the per-key limit
    for _ in range(budget.amount):
        created = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin))
        assert created.status_code == 201
    kept = stored(app)

    refused = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin))
    assert refused.status_code == 429
    error = refused.get_json()
    assert set(error) == ERROR_FIELDS and error["code"] == 429 and error["status"] == "Too Many Requests"
    assert routes.CREATE_BUDGET in error["message"]
    assert 60 < int(refused.headers["Retry-After"]) <= budget.get_expiry()  # the window's end, not a minute
    # Another admin key of the tenant shares the budget; another tenant has its own.
    colleague = create_key(app, "bank-a", "admin")
    assert client.post("/v1/keys", json={"role": "bank"}, headers=bearer(colleague)).status_code == 429
    assert stored(app) == kept + 1  # the colleague only
    stranger = create_key(app, "bank-b", "admin")
    assert client.post("/v1/keys", json={"role": "bank"}, headers=bearer(stranger)).status_code == 201
    # Reading and revoking are not creating.
    assert client.get("/v1/keys", headers=bearer(admin)).status_code == 200
    assert client.delete(f"/v1/keys/{created.get_json()['id']}", headers=bearer(admin)).status_code == 204


# --- the cap on active keys ---------------------------------------------------------------------------------


def test_a_tenant_holds_at_most_the_cap_of_active_keys(
    app: Flask, client: FlaskClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert management.MAX_ACTIVE_KEYS == 500
    monkeypatch.setattr(management, "MAX_ACTIVE_KEYS", 3)
    # Not counted: another tenant's keys, an operator's analyst key, revoked keys.
    create_key(app, "bank-b", "bank")
    create_key(app, "bank-a", "analyst")
    revoked = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)).get_json()
    assert client.delete(f"/v1/keys/{revoked['id']}", headers=bearer(admin)).status_code == 204
    first = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin))
    second = client.post("/v1/keys", json={"role": "merchant", "merchant_id": "m-1"}, headers=bearer(admin))
    assert first.status_code == second.status_code == 201  # the admin + 2 = 3
    before = stored(app)

    full = client.post("/v1/keys", json={"role": "admin"}, headers=bearer(admin))
    assert full.status_code == 409
    error = full.get_json()
    assert set(error) == ERROR_FIELDS and error["status"] == "Conflict"
    assert "3 active keys" in error["message"] and "revoke unused keys" in error["message"]
    assert stored(app) == before

    assert client.delete(f"/v1/keys/{first.get_json()['id']}", headers=bearer(admin)).status_code == 204
    assert client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)).status_code == 201


def test_the_limits_are_documented(client: FlaskClient) -> None:
    budget = parse_limit(routes.CREATE_BUDGET)
    post = client.get("/openapi.json").get_json()["paths"]["/v1/keys"]["post"]
    assert "409" in post["responses"] and "429" in post["responses"]
    description = " ".join(post["description"].split())
    assert f"at most {budget.amount} keys per hour" in description
    assert f"at most {management.MAX_ACTIVE_KEYS} active keys" in description
    assert "revoke unused keys" in description
