"""``POST /v1/ratings`` with an ``Idempotency-Key`` (a bank integrator's review).

The header was ignored: a retry was recognised by its input under the same versions only, so a bank's
origination call that timed out, retried against a worker of the next release (a rolling deploy) or after
a model's promotion, was rated again and answered a second rating of the same request.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from service.cli import main
from service.model_watch import watcher
from service.ratings import issuing
from service.ratings.requests import ERASED
from service.records.rating_request_tables import rating_requests
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors

REFUSED = ("already used for another rating request (another body and input) by this tenant: a retry must "
           "send the same request; send a new key with a new one")


def _next_release(make_app: AppFactory, app: Flask) -> Flask:
    """Another app on the same records whose engine answers under other versions (the next release)."""
    later = make_app(DATABASE_URL=str(services_of(app).settings.database_url))
    loaded = services_of(later).engines.current()
    loaded.versions = {**loaded.versions, "engine": loaded.versions["engine"] + ".1"}
    return later


def _count(app: Flask, table: Any = ratings) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _rate(app: Flask, key: str, body: Any, idempotency_key: str | None = None, **headers: str) -> Any:
    sent = {**bearer(key), **headers}
    if idempotency_key is not None:
        sent["Idempotency-Key"] = idempotency_key
    if isinstance(body, bytes):
        return app.test_client().post("/v1/ratings", data=body, headers=sent,
                                      content_type="application/json")
    return app.test_client().post("/v1/ratings", json=body, headers=sent)


def test_a_retry_with_its_key_reaching_the_next_release_is_answered_the_first_rating(
    make_backend_app: AppFactory, make_app: AppFactory
) -> None:
    app = make_backend_app()
    bank = create_key(app)
    spec = app.test_client().get("/openapi.json").get_json()
    key = str(uuid.uuid4())
    first = _rate(app, bank, payload(), key)
    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
    assert contract_errors(spec, "/v1/ratings", "post", first) == []

    later = _next_release(make_app, app) if "sqlite" in str(services_of(app).settings.database_url) else None
    if later is None:  # PostgreSQL: the backend factory's own app on the same database
        later = make_backend_app()
        loaded = services_of(later).engines.current()
        loaded.versions = {**loaded.versions, "engine": loaded.versions["engine"] + ".1"}
    retried = _rate(later, bank, payload(), key)
    assert retried.status_code == 201 and retried.get_data() == first.get_data()
    assert retried.headers["Idempotent-Replayed"] == "true" and retried.headers["X-Cache"] == "hit"
    assert retried.headers["Location"] == first.headers["Location"]
    assert retried.headers["X-Input-SHA256"] == first.headers["X-Input-SHA256"]
    assert contract_errors(spec, "/v1/ratings", "post", retried) == []
    assert _count(app) == 1
    # without a key, the same retry is rated again under the new versions, as documented
    unkeyed = _rate(later, bank, payload())
    assert unkeyed.status_code == 201 and unkeyed.get_json()["id"] != first.get_json()["id"]
    assert "Idempotent-Replayed" not in unkeyed.headers and _count(app) == 2


def test_the_same_key_with_another_request_is_refused_and_nothing_is_rated(
    app: Flask, make_app: AppFactory
) -> None:
    bank = create_key(app)
    key = "origination-000417"
    first = _rate(app, bank, payload(), f'"{key}"')  # the draft's quoted form names the same key
    other = _rate(app, bank, payload(employees=13), key)
    assert other.status_code == 422 and other.get_json()["errors"] == {"Idempotency-Key": [REFUSED]}
    assert _count(app) == 1
    # the same input sent as other bytes (spaced, keys reordered, 3.2e6 for 3200000) is the same request
    body = payload()
    body["company"]["annual_revenue"] = 3.2e6
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=1).encode()
    again = _rate(_next_release(make_app, app), bank, reordered, key)
    assert again.status_code == 201, again.get_json()
    assert again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    # and an exact repeat through the fast path of repeated bodies still answers what the key names
    assert _rate(app, bank, payload(employees=13), key).status_code == 422
    assert _rate(app, bank, payload(employees=13), key).status_code == 422


def test_keys_are_the_tenants_and_malformed_ones_are_refused(app: Flask) -> None:
    bank_a, bank_b = create_key(app, "bank-a"), create_key(app, "bank-b")
    a = _rate(app, bank_a, payload(), "k-1")
    b = _rate(app, bank_b, payload(employees=30), "k-1")
    assert a.status_code == b.status_code == 201 and b.headers["Idempotent-Replayed"] == "false"
    assert a.get_json()["id"] != b.get_json()["id"]
    for bad in ("", " ", "x" * 256, "ключ"):
        sent = {**bearer(bank_a), "Idempotency-Key": bad.encode().decode("latin-1")}  # as the bytes arrive
        refused = app.test_client().post("/v1/ratings", json=payload(), headers=sent)
        assert refused.status_code == 422 and "Idempotency-Key" in refused.get_json()["errors"], bad
    assert _count(app) == 2 and _count(app, rating_requests) == 2


def test_a_key_whose_rating_was_erased_is_answered_410_and_nothing_is_rated(
    make_backend_app: AppFactory,
) -> None:
    """The erasure deleted the key's row, so a retry with the key was rated again (201, `Idempotent-
    Replayed: false`): a second rating of one loan's request under one key, and the same key with another
    body, refused before, was rated too. The key now names the erased rating for good: 410, as a read of
    the rating answers, in the one error body, nothing rated, nothing served from the cache or records."""
    app = make_backend_app()
    bank = create_key(app)
    spec = app.test_client().get("/openapi.json").get_json()
    first = _rate(app, bank, payload(), "k-erase")
    rating_id, etag = first.get_json()["id"], hashlib.sha256(first.get_data()).hexdigest()
    erased = CliRunner().invoke(
        main, ["ratings", "erase", rating_id, "--reason", "court order"],
        env={"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}, catch_exceptions=False,
    )
    assert erased.exit_code == 0, erased.output
    services = services_of(app)
    watcher(app).check(services.db, services.engines, force=True)  # the worker's next look at the erasures
    with services.db.connect() as conn:  # the key still names the rating; the hashes of its input are gone
        row = conn.execute(select(rating_requests)).one()
    assert (row.rating_id, row.body_sha256, row.input_hash) == (rating_id, None, None)
    for body in (payload(), payload(employees=13)):  # the retry, and another request under the key
        retried = _rate(app, bank, body, "k-erase")
        assert retried.status_code == 410, retried.get_json()
        assert contract_errors(spec, "/v1/ratings", "post", retried) == []
        answer = retried.get_json()
        assert set(answer) == {"code", "status", "message", "errors", "request_id"}
        assert answer["errors"] == {"Idempotency-Key": [ERASED]}
        assert rating_id in answer["message"] and etag in answer["message"]
        assert "Idempotent-Replayed" not in retried.headers and "Location" not in retried.headers
    assert _count(app) == 0 and _count(app, rating_requests) == 1
    # a new key rates the company again
    again = _rate(app, bank, payload(), "k-erase-2")
    assert again.status_code == 201 and again.get_json()["id"] != rating_id


def _rated_at_once(app: Flask, monkeypatch: pytest.MonkeyPatch, bodies: list[dict[str, Any]],
                   key: str) -> list[Any]:
    """``bodies`` sent at once under the Idempotency-Key ``key`` by one bank, each rated before either goes
    on: each has looked the key up, found nothing, and rated its own body."""
    bank = create_key(app)
    both_rated = threading.Barrier(len(bodies), timeout=30)
    rate = issuing._rate

    def rate_then_wait(*args: Any, **kwargs: Any) -> Any:
        rated = rate(*args, **kwargs)
        both_rated.wait()
        return rated

    monkeypatch.setattr(issuing, "_rate", rate_then_wait)
    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(lambda body: _rate(app, bank, body, key), bodies))


def test_one_key_with_two_requests_at_once_issues_one_rating(
    make_backend_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests under one key with other bodies, both rated before either recorded the key: the key
    was recorded with the first only, but the second's rating had been committed already, a rating no one
    was answered with (the bank's list showed it). Now the key is recorded in the transaction of the
    rating: the second's rolls back with its rating, and it is answered the 422 of a key reused."""
    app = make_backend_app(DATABASE_POOL_SIZE=2)
    answers = _rated_at_once(app, monkeypatch, [payload(), payload(employees=13)], "k-race")
    assert sorted(a.status_code for a in answers) == [201, 422], [a.get_json() for a in answers]
    issued = next(a for a in answers if a.status_code == 201)
    refused = next(a for a in answers if a.status_code == 422)
    assert issued.headers["Idempotent-Replayed"] == "false"
    assert refused.get_json()["errors"] == {"Idempotency-Key": [REFUSED]}
    assert _count(app) == 1 and _count(app, rating_requests) == 1
    with services_of(app).db.connect() as conn:
        assert conn.execute(select(ratings.c.id)).scalar_one() == issued.get_json()["id"]


def test_one_key_with_the_same_request_twice_at_once_answers_one_rating(
    make_backend_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same request twice at once under one key: the second, whose key is taken as it writes, is
    answered the first's rating (`Idempotent-Replayed: true`), not a 422 nor a 500."""
    app = make_backend_app(DATABASE_POOL_SIZE=2)
    answers = _rated_at_once(app, monkeypatch, [payload(), payload()], "k-twice")
    assert [a.status_code for a in answers] == [201, 201], [a.get_json() for a in answers]
    assert answers[0].get_data() == answers[1].get_data()
    assert sorted(a.headers["Idempotent-Replayed"] for a in answers) == ["false", "true"]
    assert _count(app) == 1 and _count(app, rating_requests) == 1
