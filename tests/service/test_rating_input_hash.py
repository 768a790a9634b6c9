"""The input's hash on every answer that carries a rating (a bank integrator's review of the live API).

The database kept the SHA-256 of each rating's canonical input, but no answer carried it: a bank could not
say, for audit, which input produced a rating. It is now ``X-Input-SHA256`` on the answers of one rating
and ``input_sha256`` in the list, the stored bodies unchanged.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.cache import MemoryCache
from service.ratings.verification import INPUT_MISMATCH, verify_rating
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors
from tests.service.tampering import app_key, guard_lifted

HEADER = "X-Input-SHA256"


def _record(app: Flask, rating_id: str) -> Any:
    with services_of(app).db.connect() as conn:
        return conn.execute(ratings.select().where(ratings.c.id == rating_id)).one()


def test_every_answer_of_a_rating_carries_the_hash_of_its_recorded_input(
    app: Flask, client: FlaskClient
) -> None:
    bank = create_key(app, "bank-a", "bank")
    body = json.dumps(payload(external_id="loan-9")).encode()
    sent = {**bearer(bank), "Content-Type": "application/json"}
    first = client.post("/v1/ratings", data=body, headers=sent)
    assert first.status_code == 201 and first.headers["X-Cache"] == "miss"
    record = _record(app, first.get_json()["id"])
    digest = first.headers[HEADER]
    assert digest == record.input_hash == hashlib.sha256(record.input_json.encode()).hexdigest()
    assert len(digest) == 64 and digest == digest.lower()

    repeat = client.post("/v1/ratings", data=body, headers=sent)  # the same bytes: served before parsing
    reordered = json.dumps(json.loads(body), sort_keys=True, indent=2).encode()  # other bytes, same input
    same_input = client.post("/v1/ratings", data=reordered, headers=sent)
    # found in the records this time
    services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)
    from_records = client.post("/v1/ratings", data=reordered, headers=sent)
    fetched = client.get(first.headers["Location"], headers=bearer(bank))
    for answer in (repeat, same_input, from_records, fetched):
        assert answer.headers[HEADER] == digest and answer.data == first.data  # the body as issued
    assert [answer.headers["X-Cache"] for answer in (repeat, same_input, from_records)] == ["hit"] * 3
    assert hashlib.sha256(body).hexdigest() != digest  # the canonical input's, not the request bytes'
    assert "input_sha256" not in first.get_json()

    [item] = client.get("/v1/ratings", headers=bearer(bank)).get_json()["items"]
    assert item["input_sha256"] == digest


def test_a_merchants_rating_carries_it_too_and_other_inputs_hash_otherwise(
    app: Flask, client: FlaskClient
) -> None:
    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    own = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    profile = client.put("/v1/merchants/m-1/profile", json=payload(employees=30), headers=bearer(merchant))
    assert profile.status_code == 200
    clicked = client.post("/v1/merchants/m-1/rating", headers=bearer(merchant))
    assert clicked.status_code == 201
    assert clicked.headers[HEADER] == _record(app, clicked.get_json()["id"]).input_hash != own.headers[HEADER]
    fetched = client.get(clicked.headers["Location"], headers=bearer(merchant))
    assert fetched.headers[HEADER] == clicked.headers[HEADER]
    items = client.get("/v1/ratings?issued_by=any", headers=bearer(bank)).get_json()["items"]
    assert [i["input_sha256"] for i in items] == [clicked.headers[HEADER], own.headers[HEADER]]


def test_the_contract_documents_the_hash(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    for path, method, status in (("/v1/ratings", "post", "201"), ("/v1/ratings/{rating_id}", "get", "200"),
                                 ("/v1/merchants/{merchant_id}/rating", "post", "201")):
        header = paths[path][method]["responses"][status]["headers"][HEADER]
        assert header["required"] is True and "canonical input" in header["description"], path
    summary = spec["components"]["schemas"]["RatingSummary"]
    assert "input_sha256" in summary["required"]
    assert "first" in summary["properties"]["requested_by"]["description"]  # later hits are not recorded


def test_verify_says_when_the_recorded_input_no_longer_hashes_to_the_banks_hash(make_app: AppFactory) -> None:
    app = make_app()
    issued = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
    rating_id = issued.get_json()["id"]
    db = services_of(app).db
    assert verify_rating(db, rating_id, app_key(app)).identical  # type: ignore[union-attr]
    with db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(ratings.update().where(ratings.c.id == rating_id).values(input_hash="0" * 64))
    outcome = verify_rating(db, rating_id, app_key(app))
    assert outcome is not None and outcome.identical  # the body is what the input gives ...
    assert INPUT_MISMATCH in outcome.tampered and not outcome.proven  # ... but not the input the bank kept


def test_a_hit_from_redis_carries_the_same_hash(make_app: AppFactory, redis_url: str) -> None:
    first_app = make_app(REDIS_URL=redis_url)
    key = create_key(first_app)
    first = first_app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key))
    database = services_of(first_app).db.url.render_as_string(hide_password=False)
    second_app = make_app(REDIS_URL=redis_url, DATABASE_URL=database)  # another worker: Redis has it
    second = second_app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key))
    assert second.headers["X-Cache"] == "hit" and second.data == first.data
    assert second.headers[HEADER] == first.headers[HEADER]


def test_each_rated_batch_item_carries_the_hash_of_its_recorded_input(
    app: Flask, client: FlaskClient
) -> None:
    """A batch answer carries up to 100 ratings and had no input hash for any of them: a bank rating its
    book through ``/v1/ratings/batch`` had no ``X-Input-SHA256`` to keep, the anchor that tells a record
    rewritten with its hash recomputed from the one issued (docs/operations.md, ``ratings verify``)."""
    bank = create_key(app, "bank-a", "bank")
    single = client.post("/v1/ratings", json=payload(external_id="b-0"), headers=bearer(bank))
    items = [payload(external_id="b-0"), payload(employees="many"), payload(external_id="b-2")]
    answer = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(bank))
    assert answer.status_code == 200, answer.json
    hit, failed, new = answer.get_json()["results"]
    assert hit["cache"] == "hit" and hit["input_sha256"] == single.headers[HEADER]
    assert new["cache"] == "miss" and new["input_sha256"] == _record(app, new["id"]).input_hash
    assert "input_sha256" not in failed
    page = client.get("/v1/ratings", headers=bearer(bank)).get_json()
    listed = {i["id"]: i["input_sha256"] for i in page["items"]}
    assert listed == {hit["id"]: hit["input_sha256"], new["id"]: new["input_sha256"]}

    spec = client.get("/openapi.json").get_json()
    assert contract_errors(spec, "/v1/ratings/batch", "post", answer) == []
    described = spec["components"]["schemas"]["BatchItemResult"]["properties"]["input_sha256"]
    assert described["pattern"] == "^[0-9a-f]{64}$" and "X-Input-SHA256" in described["description"]
