"""Merchant profiles and one-click ratings: storing, rating, reproducibility and isolation."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import bearer, create_key, payload

MINIMAL: dict[str, Any] = {
    "company": {
        "name": "Corner Shop",
        "country": "CN",
        "region": "CN-ZJ",
        "industry_code": "4711",
        "employees": 4,
        "annual_revenue": 900_000,
        "currency": "CNY",
        "reporting_year": 2024,
    },
    "energy": {"electricity_kwh": 15_000},
    "practices": {"led_lighting": True, "e_invoicing": False},
    "data_source": "energy_bills",
}


def test_merchant_keeps_its_profile_and_rates_in_one_click(app: Flask, client: FlaskClient) -> None:
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    put = client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(key))
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["profile"]["company"]["name"] == "Corner Shop"
    assert client.get("/v1/merchants/m-1/profile", headers=bearer(key)).get_json()["merchant_id"] == "m-1"
    first = client.post("/v1/merchants/m-1/rating", headers=bearer(key))
    assert first.status_code == 201 and first.headers["X-Cache"] == "miss"
    rating = first.get_json()
    assert rating["grade"] in ("dark_green", "green", "light_green", "not_green")
    assert (
        "energy.fuels" in rating["data_quality"]["estimated_fields"]
        or rating["data_quality"]["pcaf_score"] >= 3
    )
    again = client.post("/v1/merchants/m-1/rating", headers=bearer(key))
    assert again.status_code == 201 and again.headers["X-Cache"] == "hit" and again.data == first.data
    fetched = client.get(first.headers["Location"], headers=bearer(key))
    assert fetched.status_code == 200 and fetched.data == first.data  # readable by the merchant itself
    assert client.get(first.headers["Location"] + "/disclosure", headers=bearer(key)).status_code == 200


def test_minimal_input_rates_with_flagged_estimates(app: Flask, client: FlaskClient) -> None:
    key = create_key(app, "bank-a", "merchant", merchant_id="m-9")
    body = {
        "company": MINIMAL["company"],
        "energy": {"electricity_spend": 12_000},
        "practices": {"led_lighting": True},
        "data_source": "estimated",
    }
    assert client.put("/v1/merchants/m-9/profile", json=body, headers=bearer(key)).status_code == 200
    rating = client.post("/v1/merchants/m-9/rating", headers=bearer(key)).get_json()
    assert "energy.electricity_kwh" in rating["data_quality"]["estimated_fields"]
    assert rating["data_quality"]["pcaf_score"] >= 4


def test_a_merchant_key_reaches_only_its_own_merchant(app: Flask, client: FlaskClient) -> None:
    mine = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    other = create_key(app, "bank-a", "merchant", merchant_id="m-2")
    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(mine)).status_code == 200
    assert client.get("/v1/merchants/m-1/profile", headers=bearer(other)).status_code == 404
    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(other)).status_code == 404
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(other)).status_code == 404
    rating = client.post("/v1/merchants/m-1/rating", headers=bearer(mine))
    assert client.get(rating.headers["Location"], headers=bearer(other)).status_code == 404
    assert client.get(rating.headers["Location"] + "/disclosure", headers=bearer(other)).status_code == 404
    # the same profile stored by m-2 is rated for m-2: a rating id m-2 can read, never m-1's
    assert client.put("/v1/merchants/m-2/profile", json=MINIMAL, headers=bearer(other)).status_code == 200
    theirs = client.post("/v1/merchants/m-2/rating", headers=bearer(other))
    assert theirs.status_code == 201 and theirs.get_json()["id"] != rating.get_json()["id"]
    assert client.get(theirs.headers["Location"], headers=bearer(other)).status_code == 200


def test_banks_keep_profiles_of_their_own_tenant_only(app: Flask, client: FlaskClient) -> None:
    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    foreign = create_key(app, "bank-b", "bank")
    assert client.put("/v1/merchants/m-1/profile", json=payload(), headers=bearer(bank)).status_code == 200
    assert client.get("/v1/merchants/m-1/profile", headers=bearer(foreign)).status_code == 404
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(foreign)).status_code == 404
    # a bank rating of the same input first: the merchant's one-click must not hand it that id
    bank_rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank)).get_json()
    issued = client.post("/v1/merchants/m-1/rating", headers=bearer(bank))
    assert issued.status_code == 201 and issued.get_json()["id"] != bank_rating["id"]
    assert client.get(issued.headers["Location"], headers=bearer(merchant)).status_code == 200
    assert (
        client.post("/v1/merchants/m-1/rating", headers=bearer(merchant)).get_json()["id"]
        == issued.get_json()["id"]
    )


def test_profile_errors(app: Flask, client: FlaskClient) -> None:
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    analyst = create_key(app, "bank-a", "analyst")
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(key)).status_code == 404  # no profile yet
    bad = client.put("/v1/merchants/m-1/profile", json={**MINIMAL, "surprise": 1}, headers=bearer(key))
    assert bad.status_code == 422 and "surprise" in bad.get_json()["errors"]
    assert client.put("/v1/merchants/m-1/profile", data="x", headers=bearer(key)).status_code == 415
    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(analyst)).status_code == 403
    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL).status_code == 401
    client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(key))
    assert client.post("/v1/merchants/m-1/rating", json={"a": 1}, headers=bearer(key)).status_code == 400
    # no key could ever be issued for these ids: the router refuses them
    for unusable in ("%20", "m%0A1", "m%E2%80%8B1", "-m", "m" * 65):
        response = client.put(f"/v1/merchants/{unusable}/profile", json=MINIMAL, headers=bearer(key))
        assert response.status_code == 404, unusable
