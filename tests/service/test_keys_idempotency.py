"""``POST /v1/keys`` is safe to retry with an ``Idempotency-Key``: a retry never makes a second key.

A bank integrator's review: a client whose connection dropped after the service had created a key could not
tell whether the key existed, and a retry made a second live key. The same Idempotency-Key by the same
admin key now answers 409 naming the key created (never its secret: only its hash is stored), whenever the
retry comes and also when both attempts arrive at once; another body under that Idempotency-Key is refused
(422) with the words and the reading portfolio uploads use (:mod:`service.idempotency`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from werkzeug.test import TestResponse

from schemas.keys import ISSUABLE_ROLES
from service.auth import generate_key
from service.keys import routes
from service.records import api_keys, migrate
from service.records.api_keys import Outcome
from service.records.tables import api_keys as api_keys_table
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.contract import contract_errors

T = TypeVar("T")
BODY = {
    "role": "merchant", "merchant_id": "m-7", "label": "till 3", "expires_at": "2036-06-30T08:00:00+08:00"
}


@pytest.fixture
def admin(app: Flask) -> str:
    return create_key(app, "bank-a", "admin")


def create(
    client: FlaskClient, admin: str, idempotency_key: str | None, body: dict[str, Any] = BODY
) -> TestResponse:
    headers = bearer(admin) | ({} if idempotency_key is None else {"Idempotency-Key": idempotency_key})
    return client.post("/v1/keys", json=body, headers=headers)


def stored(app: Flask) -> list[api_keys.KeyRecord]:
    return [k for k in api_keys.list_keys(services_of(app).db, include_revoked=True) if k.role != "admin"]


def test_a_retry_gets_the_key_it_created_named_without_its_secret(
    app: Flask, client: FlaskClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes, "CREATE_BUDGET", "1 per hour")  # a retry must not need the budget
    first = create(client, admin, "2f1c0b6e-retry-1")
    assert first.status_code == 201
    made = first.get_json()
    secret = made["key"]
    assert client.get("/v1/ratings", headers=bearer(secret)).status_code == 403  # it works (a merchant key)

    spec = client.get("/openapi.json").get_json()
    for header in ("2f1c0b6e-retry-1", '"2f1c0b6e-retry-1"'):  # bare, or the draft's quoted string
        retry = create(client, admin, header)
        assert retry.status_code == 409, retry.get_json()
        assert retry.headers["Location"] == f"/v1/keys/{made['id']}"
        assert contract_errors(spec, "/v1/keys", "post", retry) == []  # its Location is declared
        assert secret not in retry.get_data(as_text=True)
        error = retry.get_json()
        assert set(error) == {"code", "status", "message", "errors", "request_id"}
        for named in (f"key {made['id']}", f"prefix {made['prefix']}", 'label "till 3"',
                      f"created at {made['created_at']}", "now active"):
            assert named in error["message"] and named in error["errors"]["Idempotency-Key"][0]
        assert "revoke the key (DELETE /v1/keys/" in error["message"]
        assert "create a new one with a new Idempotency-Key" in error["message"]
    assert [k.id for k in stored(app)] == [made["id"]]
    assert create(client, admin, "2f1c0b6e-retry-2").status_code == 429  # the budget was spent once only

    # what the retry named is the key as GET shows it
    record = client.get(retry.headers["Location"], headers=bearer(admin)).get_json()
    assert {k: record[k] for k in ("id", "prefix", "label", "created_at")} == {
        k: made[k] for k in ("id", "prefix", "label", "created_at")}


def test_a_retry_after_the_key_was_revoked_still_creates_none(client: FlaskClient, admin: str) -> None:
    made = create(client, admin, "rotate-2027").get_json()
    assert client.delete(f"/v1/keys/{made['id']}", headers=bearer(admin)).status_code == 204
    retry = create(client, admin, "rotate-2027")
    assert retry.status_code == 409 and "now revoked" in retry.get_json()["message"]


@pytest.mark.parametrize(
    ("change", "named"),
    [({"label": "till 4"}, "label"), ({"role": "bank", "merchant_id": None}, "role, merchant_id"),
     ({"expires_at": None}, "expires_at")],
)
def test_the_same_idempotency_key_with_another_body_is_refused(
    app: Flask, client: FlaskClient, admin: str, change: dict[str, Any], named: str
) -> None:
    made = create(client, admin, "k-1").get_json()
    other = {key: value for key, value in {**BODY, **change}.items() if value is not None}
    refused = create(client, admin, "k-1", other)
    assert refused.status_code == 422
    error = refused.get_json()
    assert error["message"] == "The Idempotency-Key header was refused; nothing was accepted."
    assert error["errors"] == {"Idempotency-Key": [
        f"already used for key {made['id']}, whose {named} differ from this request's: send a new "
        "Idempotency-Key for a new key"]}
    assert [k.id for k in stored(app)] == [made["id"]]
    # the same instant written at another offset is the same request
    same = create(client, admin, "k-1", {**BODY, "expires_at": "2036-06-30T00:00:00Z"})
    assert same.status_code == 409


@pytest.mark.parametrize("header", ["", "   ", "x" * 256, "caf\u00e9"])
def test_an_idempotency_key_that_is_no_key_is_refused_as_for_portfolios(
    app: Flask, client: FlaskClient, admin: str, header: str
) -> None:
    refused = client.post("/v1/keys", json=BODY, headers=bearer(admin) | {"Idempotency-Key": header})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "Idempotency-Key": ["not a key: send 1 to 255 printable ASCII characters, such as a UUID"]}
    assert stored(app) == []


def test_the_key_is_the_admin_keys_own_and_without_one_every_request_creates(
    app: Flask, client: FlaskClient, admin: str
) -> None:
    colleague = create_key(app, "bank-a", "admin")
    other_tenant = create_key(app, "bank-b", "admin")
    answers = [create(client, key, "shared-uuid") for key in (admin, colleague, other_tenant)]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.get_json()["id"] for a in answers}) == 3
    assert [create(client, admin, None).status_code for _ in range(2)] == [201, 201]  # no key: no retry
    assert len(stored(app)) == 5


def test_a_retry_arriving_while_the_first_is_created_is_answered_with_its_key(
    app: Flask, client: FlaskClient, admin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both attempts passed the look-up before either had created the key: the database holds one key per
    admin key and Idempotency-Key (migration 0017), and the second attempt is answered with the first's."""
    made = create(client, admin, "raced").get_json()
    monkeypatch.setattr(routes, "created_before", lambda *_args: None)  # as if the key were not there yet
    retry = create(client, admin, "raced")
    assert retry.status_code == 409 and retry.headers["Location"] == f"/v1/keys/{made['id']}"
    assert [k.id for k in stored(app)] == [made["id"]]
    refused = create(client, admin, "raced", {**BODY, "label": "till 9"})
    assert refused.status_code == 422 and len(stored(app)) == 1


def _insert(db: Engine, actor_id: int, idempotency_key: str | None) -> tuple[Outcome, int | None]:
    new = generate_key()
    outcome, record = api_keys.insert_tenant_key(
        db, actor_id=actor_id, max_active=500, counted_roles=ISSUABLE_ROLES, prefix=new.prefix,
        key_hash=new.key_hash, tenant="bank-a", role="bank", merchant_id=None, label=None, expires_at=None,
        idempotency_key=idempotency_key,
    )
    return outcome, None if record is None else record.id


def _admin_id(db: Engine) -> int:
    new = generate_key()
    return api_keys.insert_key(db, prefix=new.prefix, key_hash=new.key_hash, tenant="bank-a", role="admin")


def test_the_database_holds_one_key_per_admin_key_and_idempotency_key(app: Flask) -> None:
    db = services_of(app).db
    actor, colleague = _admin_id(db), _admin_id(db)
    outcome, first = _insert(db, actor, "once")
    assert outcome is Outcome.DONE and first is not None
    assert _insert(db, actor, "once") == (Outcome.ALREADY_CREATED, first)
    assert _insert(db, colleague, "once")[0] is Outcome.DONE
    assert [_insert(db, actor, None)[0] for _ in range(2)] == [Outcome.DONE, Outcome.DONE]
    with db.connect() as conn:
        kept = conn.execute(
            select(api_keys_table.c.idempotency_key).where(api_keys_table.c.id == first)
        ).scalar()
    assert kept == "once"
    record = api_keys.created_under(db, "bank-a", actor, "once")
    assert record is not None and record.id == first
    assert api_keys.created_under(db, "bank-b", actor, "once") is None  # scoped by tenant too


def _at_once(attempt: Callable[[], T]) -> list[T]:
    """``attempt`` in two threads released together; what each returned."""
    start = threading.Barrier(2)
    results: list[T] = []

    def run() -> None:
        start.wait()
        results.append(attempt())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.integration
def test_two_attempts_at_once_on_postgresql_create_one_key(postgres_url: str, make_app: AppFactory) -> None:
    """Two workers creating under one Idempotency-Key at the same moment: one key. In the records, the
    second waits for the first's lock on the admin key, then meets the unique index and gets the first's
    key; over HTTP, one answer is the 201 and the other the 409 naming that key."""
    app = make_app(DATABASE_URL=postgres_url)
    db = services_of(app).db
    migrate.upgrade(db)
    actor = _admin_id(db)
    results = _at_once(lambda: _insert(db, actor, "at-once"))
    assert sorted(outcome.value for outcome, _ in results) == ["already_created", "done"]
    assert len({key_id for _, key_id in results}) == 1

    admin = create_key(app, "bank-a", "admin")
    answers = _at_once(lambda: create(app.test_client(), admin, "at-once-http"))
    assert sorted(a.status_code for a in answers) == [201, 409]
    created = next(a for a in answers if a.status_code == 201).get_json()
    assert next(a for a in answers if a.status_code == 409).headers["Location"] == f"/v1/keys/{created['id']}"
    with db.connect() as conn:
        ids = conn.execute(select(api_keys_table.c.id).where(api_keys_table.c.idempotency_key.is_not(None)))
        assert len(ids.all()) == 2  # one per Idempotency-Key


def test_the_header_is_documented_on_create_key(client: FlaskClient) -> None:
    post = client.get("/openapi.json").get_json()["paths"]["/v1/keys"]["post"]
    header = next(p for p in post["parameters"] if p.get("name") == "Idempotency-Key")
    assert header["in"] == "header" and header["required"] is False
    for said in ("creates no second key", "409", "without its secret", "revoke that key", "422"):
        assert said in header["description"]
    description = " ".join(post["description"].split())
    assert "Safe to retry with an `Idempotency-Key`" in description and "(422)" in description
