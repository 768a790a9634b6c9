"""API keys: generation, hashing, lookup cache, and the role table of api-v1.md."""

from __future__ import annotations

import pytest
from flask import Flask

from service.auth import KeyRing, generate_key, hash_key
from service.records import api_keys
from tests.conftest import AppFactory, bearer, create_key, services_of


def test_generated_keys_are_random_and_only_hashes_are_stored(app: Flask) -> None:
    first, second = generate_key(), generate_key()
    assert first.key != second.key and first.key.startswith("gr_") and len(first.key) >= 40
    assert first.prefix == first.key[:11] and first.key_hash == hash_key(first.key)
    key = create_key(app, "bank-a", "bank")
    with services_of(app).db.connect() as conn:
        stored = conn.exec_driver_sql("SELECT prefix, key_hash FROM api_keys").all()
    assert stored == [(key[:11], hash_key(key))]
    assert all(key not in str(column) for row in stored for column in row)


def test_key_ring_caches_answers_for_its_ttl(app: Flask) -> None:
    db = services_of(app).db
    key = create_key(app, "bank-a", "bank")
    ring = KeyRing(db, ttl=3600)
    principal = ring.resolve(hash_key(key))
    assert principal is not None and (principal.tenant, principal.role) == ("bank-a", "bank")
    api_keys.revoke_key(db, key[:11])
    assert ring.resolve(hash_key(key)) == principal  # cached: revocation takes effect after the TTL
    ring.forget()
    assert ring.resolve(hash_key(key)) is None
    assert KeyRing(db, ttl=0).resolve(hash_key("gr_unknown")) is None


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/v1/ratings", {"bank"}),
        ("GET", "/v1/ratings", {"bank"}),
        ("GET", "/v1/ratings/rt_missing", {"bank", "merchant"}),
        ("POST", "/v1/ratings/batch", {"bank"}),
        ("GET", "/v1/standard", {"bank", "merchant", "analyst", "admin"}),
        ("GET", "/v1/models/active", {"bank", "merchant", "analyst", "admin"}),
        ("GET", "/v1/emission-factors", {"bank", "merchant", "analyst", "admin"}),
    ],
)
def test_role_table(make_app: AppFactory, method: str, path: str, allowed: set[str]) -> None:
    app = make_app()
    client = app.test_client()
    for role in ("bank", "merchant", "analyst", "admin"):
        key = create_key(app, "t1", role, merchant_id="m-1" if role == "merchant" else None)
        response = client.open(path, method=method, headers=bearer(key), json={"items": [{}]})
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.json)
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert response.json["code"] == 403 and response.json["status"] == "Forbidden"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer gr_not_a_real_key", "gr_no_scheme"],
)
def test_missing_or_bad_key_is_401(client, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = client.get("/v1/ratings", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json) == {"code", "status", "message", "request_id"}


def test_revoked_key_is_401(app: Flask, client) -> None:
    key = create_key(app, "bank-a", "bank")
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    assert api_keys.revoke_key(services_of(app).db, key[:11]) == 1
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 401


def test_revoke_reads_an_id_only_from_ascii_digits_in_the_columns_range(app: Flask) -> None:
    db = services_of(app).db
    keys = [create_key(app, "bank-a", "bank") for _ in range(12)]
    for ident in ["\u0661\u0662", "\u00b2", "1" * 30, str(2**63), "12 ", "+12", "1" * 5000]:
        assert api_keys.key_id(db, ident) is None, ident
        assert api_keys.revoke_key(db, ident) == 0, ident
    assert api_keys.key_id(db, "12") == 12 and api_keys.key_id(db, str(2**63 - 1)) == 2**63 - 1
    assert api_keys.revoke_key(db, "12") == 1
    assert api_keys.find_active_key(db, hash_key(keys[11])) is None


def test_revoke_by_the_whole_keys_hash(app: Flask) -> None:
    db = services_of(app).db
    key, other = create_key(app, "bank-a", "bank"), create_key(app, "bank-a", "bank")
    assert api_keys.revoke_key_by_hash(db, hash_key(key)) == 1
    assert api_keys.find_active_key(db, hash_key(key)) is None
    assert api_keys.find_active_key(db, hash_key(other)) is not None
    assert api_keys.revoke_key_by_hash(db, hash_key(key)) == 0
