"""Keys that expire, and who created and revoked each key: the API, the key cache, the CLI, PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service.auth import KeyRing, generate_key, hash_key
from service.cli import main
from service.records import api_keys, migrate
from service.records.tables import api_keys as api_keys_table
from tests.conftest import AppFactory, bearer, create_key, services_of

EXPIRED = "Invalid, revoked or expired API key."


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def key_id_of(app: Flask, key: str) -> int:
    record = api_keys.find_active_key(services_of(app).db, hash_key(key))
    assert record is not None
    return record.id


def expire_now(app: Flask, key_id: int) -> None:
    """Move a key's expiry into the past (time passing, without waiting for it)."""
    with services_of(app).db.begin() as conn:
        conn.execute(
            update(api_keys_table)
            .where(api_keys_table.c.id == key_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    services_of(app).keys.forget()  # as if this worker's cache time had run out too


@pytest.fixture
def admin(app: Flask) -> str:
    return create_key(app, "bank-a", "admin")


def test_a_key_created_with_an_expiry_works_until_then_and_records_its_creator(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    moment = datetime.now(UTC) + timedelta(days=90)
    answer = client.post(
        "/v1/keys",
        json={"role": "bank", "expires_at": moment.astimezone(timezone_plus_8()).isoformat()},
        headers=bearer(admin),
    )
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    # given at +08:00, stored and shown in UTC
    assert created["expires_at"] == iso(moment) and created["status"] == "active"
    assert created["created_by"] == key_id_of(app, admin) and created["revoked_by"] is None
    assert client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 200

    expire_now(app, created["id"])
    refused = client.get("/v1/ratings", headers=bearer(created["key"]))
    assert refused.status_code == 401 and refused.get_json()["message"] == EXPIRED
    shown = client.get(f"/v1/keys/{created['id']}", headers=bearer(admin)).get_json()
    assert shown["status"] == "expired" and shown["revoked_at"] is None
    listed = client.get("/v1/keys", headers=bearer(admin)).get_json()["items"]
    assert created["id"] not in [item["id"] for item in listed]  # not usable: not among the active
    everything = client.get("/v1/keys?include_revoked=true", headers=bearer(admin)).get_json()["items"]
    assert {item["id"]: item["status"] for item in everything}[created["id"]] == "expired"


def timezone_plus_8() -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=8))


def test_a_key_without_an_expiry_never_expires(client: FlaskClient, admin: str) -> None:
    for body in ({"role": "bank"}, {"role": "bank", "expires_at": None}):
        created = client.post("/v1/keys", json=body, headers=bearer(admin)).get_json()
        assert created["expires_at"] is None and created["status"] == "active"


@pytest.mark.parametrize(
    ("expires_at", "message"),
    [
        ("2020-01-01T00:00:00Z", "Must be in the future"),
        ("2099-01-01T00:00:00Z", "at most ten years ahead"),
        ("2027-06-30T00:00:00", "with its UTC offset"),
        ("2027-06-30", "with its UTC offset"),
        ("next tuesday", "Not a valid datetime"),
        (20270630, "Not a valid datetime"),
        ("9999-12-31T23:00:00-05:00", "at most ten years ahead"),  # beyond datetime's range in UTC
    ],
)
def test_an_expiry_in_the_past_too_far_ahead_or_without_an_offset_is_refused(
    app: Flask, client: FlaskClient, admin: str, expires_at: Any, message: str
) -> None:
    answer = client.post("/v1/keys", json={"role": "bank", "expires_at": expires_at}, headers=bearer(admin))
    assert answer.status_code == 422, answer.get_json()
    assert message in answer.get_json()["errors"]["expires_at"][0]
    assert len(api_keys.list_keys(services_of(app).db, include_revoked=True)) == 1  # the admin's alone


def test_the_key_cache_never_trusts_a_key_past_its_expiry(app: Flask) -> None:
    db = services_of(app).db
    new = generate_key()
    api_keys.insert_key(
        db,
        prefix=new.prefix,
        key_hash=new.key_hash,
        tenant="bank-a",
        role="bank",
        expires_at=datetime.now(UTC) + timedelta(seconds=60),
    )
    ring = KeyRing(db, ttl=3600)
    assert ring.resolve(new.key_hash) is not None
    deadline, _ = ring._entries[new.key_hash]
    assert deadline - time.monotonic() <= 60  # not the hour the cache would otherwise keep it
    never = create_key(app, "bank-a", "bank")
    ring.resolve(hash_key(never))
    assert ring._entries[hash_key(never)][0] - time.monotonic() > 3000


def test_an_expired_admin_key_manages_nothing(app: Flask, client: FlaskClient, admin: str) -> None:
    other = create_key(app, "bank-a", "bank")
    expire_now(app, key_id_of(app, admin))
    for method, path, body in (
        ("GET", "/v1/keys", None),
        ("POST", "/v1/keys", {"role": "bank"}),
        ("DELETE", f"/v1/keys/{key_id_of(app, other)}", None),
    ):
        answer = client.open(path, method=method, json=body, headers=bearer(admin))
        assert answer.status_code == 401, (method, answer.get_json())
    assert api_keys.find_active_key(services_of(app).db, hash_key(other)) is not None


def test_the_revoking_admin_key_is_recorded(app: Flask, client: FlaskClient, admin: str) -> None:
    created = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)).get_json()
    assert client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin)).status_code == 204
    shown = client.get(f"/v1/keys/{created['id']}", headers=bearer(admin)).get_json()
    assert shown["status"] == "revoked" and shown["revoked_by"] == key_id_of(app, admin)
    assert shown["created_by"] == key_id_of(app, admin)


def test_expired_keys_do_not_count_against_the_tenants_cap(
    app: Flask, client: FlaskClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.keys import management

    monkeypatch.setattr(management, "MAX_ACTIVE_KEYS", 3)  # the admin and two more
    made = [client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)) for _ in range(3)]
    assert [answer.status_code for answer in made] == [201, 201, 409]
    expire_now(app, made[0].get_json()["id"])
    assert client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)).status_code == 201


def test_the_cli_creates_a_key_that_expires_and_lists_its_status(tmp_path: Any) -> None:
    env = {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    run("db", "upgrade")
    created = run("keys", "create", "--tenant", "t", "--role", "bank", "--expires-in-days", "30")
    assert created.exit_code == 0, created.output
    expected = datetime.now(UTC) + timedelta(days=30)
    assert f"expires {expected:%Y-%m-%d}" in created.output
    header, row = run("keys", "list").output.strip().splitlines()
    assert header.split()[6:9] == ["expires", "status", "revoked"]
    assert f" {expected:%Y-%m-%d} " in row and " active " in row
    for days in ("0", "-1", "3654", "soon"):
        refused = run("keys", "create", "--tenant", "t", "--role", "bank", "--expires-in-days", days)
        assert refused.exit_code == 2 and "--expires-in-days" in refused.output, days


@pytest.mark.integration
def test_expiry_and_actors_on_postgres(make_app: AppFactory, postgres_url: str) -> None:
    """The same rules where timestamps are timezone-aware columns and the writes lock their rows."""
    app = make_app(DATABASE_URL=postgres_url, RATE_LIMIT="100000 per minute")
    migrate.upgrade(services_of(app).db)
    client = app.test_client()
    admin = create_key(app, "bank-pg", "admin")
    moment = datetime.now(UTC) + timedelta(hours=2)
    created = client.post(
        "/v1/keys", json={"role": "bank", "expires_at": iso(moment)}, headers=bearer(admin)
    ).get_json()
    assert created["expires_at"] == iso(moment) and created["created_by"] == key_id_of(app, admin)
    assert client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 200
    expire_now(app, created["id"])
    assert client.get("/v1/ratings", headers=bearer(created["key"])).status_code == 401
    assert client.delete(f"/v1/keys/{created['id']}", headers=bearer(admin)).status_code == 204
    shown = client.get(f"/v1/keys/{created['id']}", headers=bearer(admin)).get_json()
    assert shown["status"] == "revoked" and shown["revoked_by"] == key_id_of(app, admin)


def test_an_expiring_admin_key_creates_no_key_that_outlives_it(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    """Else a contractor's one-day admin key could mint itself a permanent successor."""
    moment = datetime.now(UTC) + timedelta(days=1)
    contractor = client.post(
        "/v1/keys", json={"role": "admin", "expires_at": iso(moment)}, headers=bearer(admin)
    ).get_json()["key"]
    for body in ({"role": "admin"}, {"role": "bank", "expires_at": iso(moment + timedelta(seconds=1))}):
        refused = client.post("/v1/keys", json=body, headers=bearer(contractor))
        assert refused.status_code == 422, body
        assert iso(moment) in refused.get_json()["errors"]["expires_at"][0]
    within = {"role": "bank", "expires_at": iso(moment)}
    assert client.post("/v1/keys", json=within, headers=bearer(contractor)).status_code == 201
    assert len(api_keys.list_keys(services_of(app).db)) == 3  # the admin, the contractor, the one within


def test_an_expiry_given_with_an_offset_is_stored_as_the_same_moment(app: Flask, admin: str) -> None:
    """SQLite keeps a datetime's wall-clock time and drops its offset: the records store UTC."""
    from service.auth import Principal
    from service.keys import management

    db = services_of(app).db
    actor_id = key_id_of(app, admin)
    actor = Principal(actor_id, admin[:11], "bank-a", "admin")
    moment = (datetime.now(UTC) + timedelta(hours=1)).astimezone(timezone_plus_8())
    created = management.create_key(db, actor, role="bank", merchant_id=None, label=None, expires_at=moment)
    stored = api_keys.get_key(db, "bank-a", created.record.id)
    assert stored is not None and stored.expires_at is not None
    assert stored.expires_at == moment and stored.expires_at.utcoffset() == timedelta(0)
    assert api_keys.find_active_key(db, hash_key(created.key)) is not None
