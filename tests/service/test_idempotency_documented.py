"""Every operation that reads ``Idempotency-Key`` documents it with one parameter (service.idempotency).

The header's parameter was written out three times (ratings, portfolios, keys), each a near-copy of the
others: a change to what a key may be (its length, say) made in one would have left the others stale.

The batch and the one-click rating issue ratings too, and ignored the header without a word: a bank that
sent one believed the retry of a batch safe across a release (a bank integrator's review). They say so
now, in their description and in the 503 of a lost answer to a keyed request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from service.idempotency import IDEMPOTENCY_KEY, idempotency_parameter
from service.lost_answers import declared
from service.records.rating_request_tables import rating_requests
from tests.conftest import bearer, create_key, payload, services_of

#: the operations whose views read the header (service.idempotency.idempotency_key)
READERS = {"create_rating", "create_portfolio", "create_key", "register_model", "activate_model",
           "roll_back_model"}
#: the operations that issue ratings without reading it, and their endpoints
NOT_READ = {"create_ratings_batch": "ratings.RatingBatch", "rate_merchant": "merchants.MerchantRating"}
SAYS_NOT_READ = "This operation does not read `Idempotency-Key`"


def test_every_reader_documents_the_key_alike(app: Flask) -> None:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    documented = {
        op["operationId"]: parameter
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for parameter in op.get("parameters", [])
        if isinstance(parameter, dict) and parameter.get("name") == IDEMPOTENCY_KEY
    }
    assert set(documented) == READERS
    for operation, parameter in documented.items():
        assert parameter == idempotency_parameter(parameter["description"]), operation
        assert parameter["description"].startswith("Your id for this "), operation


def test_the_rating_writes_that_ignore_the_key_say_so(app: Flask) -> None:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    operations = {op["operationId"]: op for item in spec["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op}
    for operation, endpoint in NOT_READ.items():
        assert SAYS_NOT_READ in operations[operation]["description"], operation
        note = declared(app.view_functions[endpoint], "POST")
        assert note is not None, operation
        with app.test_request_context(method="POST", headers={IDEMPOTENCY_KEY: "k-1"}):
            assert "The Idempotency-Key was not read" in note.for_request(), operation
        with app.test_request_context(method="POST"):
            assert "Idempotency-Key" not in note.for_request(), operation


def test_the_batch_and_the_one_click_rating_record_nothing_under_a_key(app: Flask) -> None:
    bank, merchant = create_key(app), create_key(app, role="merchant", merchant_id="m-1")
    client = app.test_client()
    keyed = {IDEMPOTENCY_KEY: "k-ignored"}
    batch = client.post("/v1/ratings/batch", json={"items": [payload()]}, headers={**bearer(bank), **keyed})
    assert batch.status_code == 200 and "Idempotent-Replayed" not in batch.headers
    profile = payload()
    profile["company"].pop("external_id", None)
    assert client.put("/v1/merchants/m-1/profile", json=profile, headers=bearer(merchant)).status_code == 200
    rated = client.post("/v1/merchants/m-1/rating", headers={**bearer(merchant), **keyed})
    assert rated.status_code == 201 and "Idempotent-Replayed" not in rated.headers
    with services_of(app).db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rating_requests)).scalar_one() == 0
    # the key names nothing: POST /v1/ratings with it rates its own request
    first = client.post("/v1/ratings", json=payload(employees=13), headers={**bearer(bank), **keyed})
    assert first.status_code == 201 and first.headers["Idempotent-Replayed"] == "false"
