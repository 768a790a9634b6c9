"""Whose rating a bank sees under its own loan reference (a bank integrator's review of the live API).

A merchant key rates its own business under any ``external_id`` it chooses: with the bank's loan reference,
its self-declared green rating was listed first under that reference by default, and nothing in a
rating's answer told a bank that keeps only the bodies that it was not the bank's own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from schemas.operating_data import OperatingDataSchema
from tests.conftest import bearer, create_key, payload

LOAN = "loan-0001"


def _self_declared() -> dict[str, Any]:
    """The bank's loan data with every practice claimed, all the power called green and the data called
    verified: the review's self-declared green rating."""
    body = payload(external_id=LOAN)
    practices = OperatingDataSchema().fields["practices"].schema.fields  # type: ignore[attr-defined]
    body["practices"] = {name: True for name in practices if name != "green_products_share"}
    body["practices"]["green_products_share"] = 1.0
    body["energy"]["green_electricity_kwh"] = body["energy"]["electricity_kwh"]
    body["data_source"] = "verified_report"
    body["transport"] = {"fleet": []}  # and no vehicles
    return body


def _rate_both(app: Flask, client: FlaskClient) -> tuple[str, dict[str, Any], Any, Any]:
    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="M1")
    own = client.post("/v1/ratings", json=payload(external_id=LOAN), headers=bearer(bank))
    assert own.status_code == 201
    stored = client.put("/v1/merchants/M1/profile", json=_self_declared(), headers=bearer(merchant))
    assert stored.status_code == 200, stored.get_json()
    theirs = client.post("/v1/merchants/M1/rating", headers=bearer(merchant))
    assert theirs.status_code == 201
    return bank, {"bank": bank, "merchant": merchant}, own, theirs


def _listed(client: FlaskClient, key: str, query: str) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/ratings?{query}", headers=bearer(key))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]  # type: ignore[no-any-return]


def test_a_bank_keys_list_shows_only_the_banks_own_ratings_unless_it_asks(
    app: Flask, client: FlaskClient
) -> None:
    bank, _keys, own, theirs = _rate_both(app, client)
    assert (own.get_json()["grade"], theirs.get_json()["grade"]) == ("not_green", "green")  # its claims
    assert theirs.get_json()["green_loan"]["green_rated_borrower"] is True

    assert [i["id"] for i in _listed(client, bank, f"external_id={LOAN}")] == [own.get_json()["id"]]
    assert [i["id"] for i in _listed(client, bank, "")] == [own.get_json()["id"]]
    both = _listed(client, bank, f"external_id={LOAN}&issued_by=any")
    assert [i["id"] for i in both] == [theirs.get_json()["id"], own.get_json()["id"]]
    for query in ("issued_by=merchant", "merchant_id=M1", "issued_by=merchant&merchant_id=M1",
                  "issued_by=any&merchant_id=M1"):
        assert [i["id"] for i in _listed(client, bank, query)] == [theirs.get_json()["id"]], query
    assert _listed(client, bank, "merchant_id=M2") == []


def test_each_item_says_whom_it_was_issued_for_and_the_role_of_the_key_that_asked(
    app: Flask, client: FlaskClient
) -> None:
    bank, keys, own, theirs = _rate_both(app, client)
    profile = client.put("/v1/merchants/M2/profile", json=payload(employees=40), headers=bearer(bank))
    assert profile.status_code == 200
    for_m2 = client.post("/v1/merchants/M2/rating", headers=bearer(bank)).get_json()

    items = {i["id"]: i for i in _listed(client, bank, "issued_by=any")}
    mine, self_rated = items[own.get_json()["id"]], items[theirs.get_json()["id"]]
    clicked = items[for_m2["id"]]
    assert (mine["issued_by"], mine["merchant_id"], mine["requested_by"]["role"]) == ("bank", None, "bank")
    assert (self_rated["issued_by"], self_rated["merchant_id"]) == ("merchant", "M1")
    assert self_rated["requested_by"]["role"] == "merchant"
    assert self_rated["requested_by"]["prefix"] == keys["merchant"][:11]
    assert (clicked["issued_by"], clicked["merchant_id"], clicked["requested_by"]["role"]) == (
        "merchant", "M2", "bank"
    )


def test_a_single_ratings_headers_say_whom_it_was_issued_for_and_its_body_is_unchanged(
    app: Flask, client: FlaskClient
) -> None:
    bank, keys, own, theirs = _rate_both(app, client)
    assert own.headers["X-Issued-By"] == "bank" and "X-Merchant-ID" not in own.headers
    assert theirs.headers["X-Issued-By"] == "merchant" and theirs.headers["X-Merchant-ID"] == "M1"
    again = client.post("/v1/ratings", json=payload(external_id=LOAN), headers=bearer(bank))
    assert again.headers["X-Cache"] == "hit" and again.headers["X-Issued-By"] == "bank"
    repeat = client.post("/v1/merchants/M1/rating", headers=bearer(keys["merchant"]))
    assert repeat.headers["X-Cache"] == "hit" and repeat.headers["X-Merchant-ID"] == "M1"
    for key in (bank, keys["merchant"]):
        fetched = client.get(theirs.headers["Location"], headers=bearer(key))
        assert fetched.status_code == 200 and fetched.data == theirs.data  # the body exactly as issued
        assert (fetched.headers["X-Issued-By"], fetched.headers["X-Merchant-ID"]) == ("merchant", "M1")
    fetched = client.get(own.headers["Location"], headers=bearer(bank))
    assert fetched.data == own.data and fetched.headers["X-Issued-By"] == "bank"
    assert "X-Merchant-ID" not in fetched.headers
    for body in (own.get_json(), theirs.get_json()):  # nothing was added to the stored bodies
        assert not {"issued_by", "merchant_id", "requested_by"} & set(body)


def test_the_contract_documents_the_default_and_the_headers(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    [issued_by] = [p for p in paths["/v1/ratings"]["get"]["parameters"] if p.get("name") == "issued_by"]
    assert issued_by["schema"]["enum"] == ["bank", "merchant", "any"]
    assert "the default without `merchant_id`" in issued_by["description"]
    for path, method, status in (("/v1/ratings", "post", "201"), ("/v1/ratings/{rating_id}", "get", "200"),
                                 ("/v1/merchants/{merchant_id}/rating", "post", "201")):
        headers = paths[path][method]["responses"][status]["headers"]
        assert {"X-Issued-By", "X-Merchant-ID"} <= set(headers), path


def test_the_filters_still_refuse_what_cannot_mean_anything(app: Flask, client: FlaskClient) -> None:
    bank = create_key(app, "bank-a", "bank")
    cases = (("issued_by=borrower", "issued_by"), ("issued_by=bank&merchant_id=M1", "merchant_id"))
    for query, field in cases:
        refused = client.get(f"/v1/ratings?{query}", headers=bearer(bank))
        assert refused.status_code == 422 and field in refused.get_json()["errors"], query

