"""``/v1/keys`` and revoked admin keys: no worker's key cache, no race, lets one keep managing keys."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from schemas.keys import ISSUABLE_ROLES
from service import auth
from service.auth import PREFIX_LENGTH, hash_key
from service.records import api_keys, migrate
from tests.conftest import AppFactory, bearer, create_key, services_of

INVALID = "Invalid, revoked or expired API key."


def key_id_of(app: Flask, key: str) -> int:
    record = api_keys.find_active_key(services_of(app).db, hash_key(key))
    assert record is not None
    return record.id


def active_admins(app: Flask, tenant: str) -> list[str]:
    """Prefixes of the tenant's active admin keys."""
    keys = api_keys.list_keys(services_of(app).db, tenant=tenant)
    return [key.prefix for key in keys if key.role == "admin"]


# --- every worker: the presented key is checked against the records on every /v1/keys request -----------


def test_a_revoked_admin_key_manages_nothing_in_another_worker_within_its_cache_time(
    make_app: AppFactory,
) -> None:
    """Two workers (two apps on one database) trusting a key lookup for 30 s: once A revokes B in the
    first, B's cached lookup in the second must not let it mint an admin key or revoke A."""
    worker = make_app(KEY_CACHE_SECONDS=30.0)
    other = make_app(KEY_CACHE_SECONDS=30.0, DATABASE_URL=str(services_of(worker).db.url))
    client, other_client = worker.test_client(), other.test_client()
    admin_a = create_key(worker, "bank-a", "admin")
    created = client.post("/v1/keys", json={"role": "admin", "label": "second"}, headers=bearer(admin_a))
    assert created.status_code == 201
    admin_b, b_id = created.get_json()["key"], created.get_json()["id"]
    a_id = key_id_of(worker, admin_a)
    for key in (admin_a, admin_b):  # both now cached in the other worker
        assert other_client.get("/v1/keys", headers=bearer(key)).status_code == 200

    assert client.delete(f"/v1/keys/{b_id}", headers=bearer(admin_a)).status_code == 204

    attempts = [
        other_client.post("/v1/keys", json={"role": "admin", "label": "backdoor"}, headers=bearer(admin_b)),
        other_client.delete(f"/v1/keys/{a_id}", headers=bearer(admin_b)),
        other_client.get("/v1/keys", headers=bearer(admin_b)),
        other_client.get(f"/v1/keys/{a_id}", headers=bearer(admin_b)),
    ]
    for response in attempts:
        assert response.status_code == 401, response.data
        assert response.get_json()["message"] == INVALID
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert active_admins(worker, "bank-a") == [admin_a[:PREFIX_LENGTH]]  # A kept, no backdoor key
    assert other_client.get("/v1/keys", headers=bearer(admin_a)).status_code == 200


def revoked_right_after_authentication(
    monkeypatch: pytest.MonkeyPatch, app: Flask, victim: str
) -> Callable[[], None]:
    """Revoke ``victim`` the moment its own key lookup has succeeded: another worker's revocation landing
    between authentication and the write. Returns the undo."""
    read = auth.find_active_key

    def read_then_revoked(engine: Any, key_hash: str) -> Any:
        record = read(engine, key_hash)
        if key_hash == hash_key(victim):
            api_keys.revoke_key(services_of(app).db, victim[:PREFIX_LENGTH])
        return record

    monkeypatch.setattr(auth, "find_active_key", read_then_revoked)
    return lambda: monkeypatch.setattr(auth, "find_active_key", read)


@pytest.mark.parametrize("action", ["revoke", "create"])
def test_a_key_revoked_while_its_request_runs_writes_nothing(
    app: Flask, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """The write re-checks the acting key in its own transaction: 401, like any invalid key."""
    client = app.test_client()
    admin_a, admin_b = create_key(app, "bank-a", "admin"), create_key(app, "bank-a", "admin")
    revoked_right_after_authentication(monkeypatch, app, admin_b)
    if action == "revoke":
        response = client.delete(f"/v1/keys/{key_id_of(app, admin_a)}", headers=bearer(admin_b))
    else:
        response = client.post("/v1/keys", json={"role": "admin"}, headers=bearer(admin_b))
    assert response.status_code == 401, response.data
    assert response.get_json()["message"] == INVALID
    assert active_admins(app, "bank-a") == [admin_a[:PREFIX_LENGTH]]
    assert len(api_keys.list_keys(services_of(app).db, include_revoked=True)) == 2  # nothing created


def test_the_revoking_write_requires_the_actor_active(app: Flask) -> None:
    """The records layer refuses for a revoked actor even when handed a stale principal's id."""
    db = services_of(app).db
    admin_a, admin_b = create_key(app, "bank-a", "admin"), create_key(app, "bank-a", "admin")
    a_id, b_id = key_id_of(app, admin_a), key_id_of(app, admin_b)
    api_keys.revoke_key(db, admin_b[:PREFIX_LENGTH])
    outcome, _ = api_keys.revoke_tenant_key(db, "bank-a", a_id, actor_id=b_id, roles=ISSUABLE_ROLES)
    assert outcome is api_keys.Outcome.ACTOR_INACTIVE
    outcome, _ = api_keys.revoke_tenant_key(db, "bank-a", b_id, actor_id=a_id, roles=ISSUABLE_ROLES)
    assert outcome is api_keys.Outcome.ALREADY_REVOKED
    assert active_admins(app, "bank-a") == [admin_a[:PREFIX_LENGTH]]


# --- PostgreSQL: crossing revocations serialize ------------------------------------------------------------


def released_together(calls: dict[str, Callable[[], int]]) -> dict[str, int]:
    """Run each call in its own thread, all released at once by a barrier; their results by name."""
    barrier = threading.Barrier(len(calls))
    results: dict[str, int] = {}

    def run(name: str, call: Callable[[], int]) -> None:
        barrier.wait()
        results[name] = call()

    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(calls), "a request did not finish"
    return results


@pytest.mark.integration
def test_two_admins_revoking_each_other_at_once_leave_one_on_postgres(
    make_app: AppFactory, postgres_url: str
) -> None:
    app = make_app(DATABASE_URL=postgres_url, RATE_LIMIT="100000 per minute", DATABASE_POOL_SIZE=2)
    migrate.upgrade(services_of(app).db)

    def revoke(actor: str, target: str) -> Callable[[], int]:
        path = f"/v1/keys/{key_id_of(app, target)}"
        return lambda: app.test_client().delete(path, headers=bearer(actor)).status_code

    for trial in range(10):
        tenant = f"bank-{trial}"
        first, second = create_key(app, tenant, "admin"), create_key(app, tenant, "admin")
        results = released_together({"first": revoke(first, second), "second": revoke(second, first)})
        assert sorted(results.values()) == [204, 401], (trial, results)
        survivors = active_admins(app, tenant)
        assert len(survivors) == 1, (trial, results, survivors)
        winner = first if results["first"] == 204 else second
        assert survivors == [winner[:PREFIX_LENGTH]], (trial, results)


@pytest.mark.integration
def test_concurrent_creations_stop_at_the_cap_on_postgres(
    make_app: AppFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.keys import management

    monkeypatch.setattr(management, "MAX_ACTIVE_KEYS", 5)
    app = make_app(DATABASE_URL=postgres_url, RATE_LIMIT="100000 per minute", DATABASE_POOL_SIZE=8)
    migrate.upgrade(services_of(app).db)
    admins = [create_key(app, "bank-a", "admin") for _ in range(3)]  # 3 of the 5

    def create(actor: str) -> Callable[[], int]:
        body = {"role": "bank"}
        return lambda: app.test_client().post("/v1/keys", json=body, headers=bearer(actor)).status_code

    results = released_together({f"{i}": create(admins[i % 3]) for i in range(8)})
    assert sorted(results.values()) == [201] * 2 + [409] * 6, results
    assert len(api_keys.list_keys(services_of(app).db, tenant="bank-a")) == 5
