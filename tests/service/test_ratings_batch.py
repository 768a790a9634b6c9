"""``POST /v1/ratings/batch``: up to 100 items, order kept, per-item errors, one transaction."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from schemas.pages import BatchResultSchema
from tests.conftest import AppFactory, bearer, create_key, payload, services_of


def test_batch_keeps_order_and_reports_item_errors(app: Flask, client: FlaskClient, bank_key: str) -> None:
    bad_schema = payload(employees="many")
    bad_engine = payload(region="US-CA")
    items = [
        payload(external_id="b-0"),
        bad_schema,
        payload(external_id="b-2"),
        bad_engine,
        payload(external_id="b-0"),
    ]
    response = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(bank_key))
    assert response.status_code == 200, response.json
    body = response.json
    BatchResultSchema().load(body)
    assert (body["rated"], body["failed"]) == (3, 2)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r["status"] for r in results] == [201, 422, 201, 422, 201]
    assert results[0]["rating"]["external_id"] == "b-0" and results[2]["rating"]["external_id"] == "b-2"
    assert "company.employees" in results[1]["error"]["errors"]
    assert "company.region" in results[3]["error"]["errors"]
    assert results[1]["error"]["request_id"] == response.headers["X-Request-ID"]
    assert results[4]["id"] == results[0]["id"]  # identical inputs in one batch: one rating
    with services_of(app).db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 2


def test_batch_items_are_the_same_ratings_as_single_requests(client: FlaskClient, bank_key: str) -> None:
    single = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    batch = client.post("/v1/ratings/batch", json={"items": [payload()]}, headers=bearer(bank_key)).json
    item = batch["results"][0]
    assert item["id"] == single.json["id"] and item["cache"] == "hit"
    fetched = client.get(f"/v1/ratings/{item['id']}", headers=bearer(bank_key))
    assert fetched.data == single.data


def test_batch_envelope_limits(client: FlaskClient, bank_key: str) -> None:
    too_many = client.post("/v1/ratings/batch", json={"items": [payload()] * 101}, headers=bearer(bank_key))
    assert too_many.status_code == 422 and "items" in too_many.json["errors"]
    empty = client.post("/v1/ratings/batch", json={"items": []}, headers=bearer(bank_key))
    assert empty.status_code == 422
    not_objects = client.post(
        "/v1/ratings/batch", json={"items": [payload(), 1, "x", None, []]}, headers=bearer(bank_key)
    )
    assert not_objects.status_code == 200  # per-item errors, as for any bad item: the company still rates
    results = not_objects.json["results"]
    assert [r["status"] for r in results] == [201, 422, 422, 422, 422]
    message = "Must be a JSON object: the operating data of one company."
    assert all(r["error"]["errors"] == {"_schema": [message]} for r in results[1:])
    assert not_objects.json["rated"] == 1 and not_objects.json["failed"] == 4
    not_a_list = client.post("/v1/ratings/batch", json={"items": {"0": payload()}}, headers=bearer(bank_key))
    assert not_a_list.status_code == 422 and "items" in not_a_list.json["errors"]



def test_an_item_the_inventory_refuses_fails_alone(client: FlaskClient, bank_key: str) -> None:
    """A unit only the inventory can judge (litres of coal) fails its own item, naming the field."""
    bad = payload(external_id="coal")
    bad["energy"] = {"fuels": [{"fuel": "coal", "quantity": 10, "unit": "L"}]}
    response = client.post("/v1/ratings/batch", json={"items": [payload(), bad]}, headers=bearer(bank_key))
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == [201, 422]
    assert "energy.fuels.0.unit" in results[1]["error"]["errors"]


def test_a_tenants_batch_items_and_pdfs_have_budgets_apart_from_the_request_count(
    make_app: AppFactory,
) -> None:
    """Six batches of large items at once held another bank's one-row listing for 7.5 s (security review):
    each item now spends one of the tenant's batch budget, whichever of its keys asks; a PDF one of its PDF
    budget. A spent budget is a 429 with Retry-After that names the limit; other tenants are untouched."""
    app = make_app(BATCH_ITEM_RATE_LIMIT="100 per minute", PDF_RATE_LIMIT="1 per minute")
    client = app.test_client()
    first, second = create_key(app, "bank-a", "bank"), create_key(app, "bank-a", "bank")
    other = create_key(app, "bank-b", "bank")
    sixty = {"items": [payload()] * 60}  # one company 60 times: rated once, but 60 items
    assert client.post("/v1/ratings/batch", json=sixty, headers=bearer(first)).status_code == 200
    refused = client.post("/v1/ratings/batch", json=sixty, headers=bearer(second))  # 120 > 100 for bank-a
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "batch items" in refused.json["message"] and "100 per minute" in refused.json["message"]
    assert client.post("/v1/ratings/batch", json=sixty, headers=bearer(other)).status_code == 200
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(first)).json  # single ratings: no
    pdf = {**bearer(first), "Accept": "application/pdf"}
    url = f"/v1/ratings/{rating['id']}/disclosure"
    assert client.get(url, headers=pdf).status_code == 200
    again = client.get(url, headers=pdf)
    assert again.status_code == 429 and "PDFs" in again.json["message"]
    assert client.get(url, headers=bearer(first)).status_code == 200  # the JSON disclosure costs no PDF
    # a merchant (a borrower) has a PDF budget of its own, apart from its bank's
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    as_merchant = bearer(merchant)
    assert client.put("/v1/merchants/m-1/profile", json=payload(), headers=as_merchant).status_code == 200
    own = client.post("/v1/merchants/m-1/rating", headers=as_merchant).json
    pdf = {**as_merchant, "Accept": "application/pdf"}
    assert client.get(f"/v1/ratings/{own['id']}/disclosure", headers=pdf).status_code == 200


def test_a_failed_item_is_the_error_body_its_own_request_gets(client: FlaskClient, bank_key: str) -> None:
    """One function writes every error body (:func:`service.errors.error_json`); a batch item's had been
    written out a second time, lone-surrogate fallback and all, and the two differed (a code review)."""
    import json

    for name, ascii_only in (("\ud800", True), ("颜色", False)):  # echoed as a field name in the errors
        item = payload()
        item["company"][name] = 1
        single = client.post("/v1/ratings", json=item, headers=bearer(bank_key))
        items = [payload(external_id="another"), item]  # one external_id each: no warning beside the error
        batch = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(bank_key))
        assert single.status_code == 422 and batch.status_code == 200
        assert single.json["errors"] == {f"company.{name}": ["Unknown field."]}
        error = batch.json["results"][1]["error"]
        assert error["request_id"] == batch.headers["X-Request-ID"]
        assert {**error, "request_id": ""} == {**single.json, "request_id": ""}
        # the same text as ever: UTF-8 where it can be, \u escapes where a lone surrogate cannot be
        text = batch.data.decode("utf-8")
        item_text = json.dumps({"index": 1, "status": 422, "error": error}, ensure_ascii=ascii_only)
        assert item_text in text and (name in text) is not ascii_only


def test_a_failed_items_errors_are_left_out_when_there_are_none(app: Flask) -> None:
    """``errors?`` in the contract (docs api-v1, ErrorSchema): a batch item had sent ``"errors": {}``
    where a response leaves it out. No refusal the engine or the schema makes has no field errors today."""
    import json

    from service.ratings.batch_body import batch_body
    from service.ratings.issuing import ItemFailure

    with app.test_request_context("/v1/ratings/batch", method="POST"):
        body = json.loads(batch_body([ItemFailure(422, "Some fields are invalid.", {})]))
    assert "errors" not in body["results"][0]["error"]


def test_items_sharing_an_external_id_are_each_rated_and_warned(client: FlaskClient, bank_key: str) -> None:
    """Two items of one batch under the same external_id (a loan given twice in an extract, or one
    business twice with different figures) were rated without a word: a client matching results by
    external_id kept one and lost the other, and the ratings list then held two under that id. Each item
    is still rated (or fails) on its own; each sharing item says which others share it."""
    twin = payload(external_id="b-1")
    twin["energy"]["electricity_kwh"] = 50_000  # the same id, other figures: another rating
    items = [payload(external_id="b-1"), payload(external_id="b-2"), payload(external_id=" b-1 "), twin,
             payload(external_id="b-1", employees="many"), payload(), payload(external_id="B-2")]
    for item in items[5:6]:
        del item["company"]["external_id"]
    response = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(bank_key))
    assert response.status_code == 200, response.json
    body = BatchResultSchema().load(response.json)
    results = body["results"]
    assert [r["status"] for r in results] == [201, 201, 201, 201, 422, 201, 201]
    assert (body["rated"], body["failed"]) == (6, 1)
    shared = {r["index"]: r["warnings"] for r in results if "warnings" in r}
    assert set(shared) == {0, 2, 3, 4}  # trimmed as stored; "B-2" is another id; no id, no warning
    for index, warnings in shared.items():
        [warning] = warnings
        others = [i for i in (0, 2, 3, 4) if i != index]
        assert warning["code"] == "duplicate_external_id" and warning["indices"] == others
        assert "'b-1'" in warning["message"] and "GET /v1/ratings?external_id=" in warning["message"]
    assert results[0]["id"] == results[2]["id"] != results[3]["id"]  # the same input, the same rating
    listed = client.get("/v1/ratings?external_id=b-1", headers=bearer(bank_key)).json["items"]
    assert {i["id"] for i in listed} == {results[0]["id"], results[3]["id"]}
    # an id the body cannot hold as UTF-8 (a lone surrogate) is echoed with \u escapes, never a 500
    odd = [payload(external_id="\ud800"), payload(external_id="\ud800", employees=13)]
    echoed = client.post("/v1/ratings/batch", json={"items": odd}, headers=bearer(bank_key))
    assert echoed.status_code == 200 and echoed.json["results"][1]["warnings"][0]["indices"] == [0]


def test_the_batch_documents_its_duplicate_external_id_warning(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/v1/ratings/batch"]["post"]
    assert "duplicate_external_id" in operation["description"]
    item = spec["components"]["schemas"]["BatchItemResult"]["properties"]
    assert "warnings" in item and "duplicate_external_id" in json.dumps(spec["components"]["schemas"])
