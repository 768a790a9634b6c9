"""Merchant profiles and one-click ratings: storing, rating, reproducibility and isolation."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.cache import MemoryCache
from service.records.profiles import put_profile
from tests.conftest import bearer, create_key, payload, services_of

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


def test_a_profile_can_be_deleted_by_its_merchant_or_bank_only(
    app: Flask, client: FlaskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sole proprietor's profile (its name is personal information) had no way to be deleted but SQL
    (data-protection review): DELETE removes it; other merchants and tenants get the 404 of a missing one,
    the ratings it issued stay readable, and the log line names who deleted which, never the content."""
    mine = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    other = create_key(app, "bank-a", "merchant", merchant_id="m-2")
    foreign = create_key(app, "bank-b", "bank")
    bank = create_key(app, "bank-a", "bank")
    analyst = create_key(app, "bank-a", "analyst")
    body = copy.deepcopy(MINIMAL)
    body["company"]["name"] = "张三小吃店"
    assert client.put("/v1/merchants/m-1/profile", json=body, headers=bearer(mine)).status_code == 200
    rating = client.post("/v1/merchants/m-1/rating", headers=bearer(mine))
    assert client.delete("/v1/merchants/m-1/profile", headers=bearer(other)).status_code == 404
    assert client.delete("/v1/merchants/m-1/profile", headers=bearer(foreign)).status_code == 404
    assert client.delete("/v1/merchants/m-1/profile", headers=bearer(analyst)).status_code == 403
    assert client.get("/v1/merchants/m-1/profile", headers=bearer(mine)).status_code == 200
    capsys.readouterr()
    deleted = client.delete("/v1/merchants/m-1/profile", headers=bearer(mine))
    assert deleted.status_code == 204 and deleted.data == b"" and "Content-Type" not in deleted.headers
    logged = capsys.readouterr().err
    assert "merchant_profile_deleted" in logged and "张三" not in logged and "\\u5f20" not in logged
    assert client.get("/v1/merchants/m-1/profile", headers=bearer(mine)).status_code == 404
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(mine)).status_code == 404
    assert client.delete("/v1/merchants/m-1/profile", headers=bearer(mine)).status_code == 404
    assert client.get(rating.headers["Location"], headers=bearer(mine)).status_code == 200
    # a bank deletes the profile of a merchant of its own tenant
    assert client.put("/v1/merchants/m-2/profile", json=body, headers=bearer(other)).status_code == 200
    assert client.delete("/v1/merchants/m-2/profile", headers=bearer(bank)).status_code == 204
    assert client.get("/v1/merchants/m-2/profile", headers=bearer(other)).status_code == 404


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


def _without_request_id(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    body.pop("request_id")
    return body


def _fuel_in_bananas(body: dict[str, Any]) -> None:
    body["energy"]["fuels"] = [{"fuel": "natural_gas", "quantity": 500, "unit": "bananas"}]


def _fleet_in_zz(body: dict[str, Any]) -> None:
    body["transport"] = {"fleet": [{"fuel": "diesel", "fuel_quantity": 800, "unit": "zz"}]}


def _country_without_factors(body: dict[str, Any]) -> None:
    body["company"]["country"] = "ZZ"
    del body["company"]["region"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_fuel_in_bananas, "energy.fuels.0.unit"),
        (_fleet_in_zz, "transport.fleet.0.unit"),
        (_country_without_factors, "company.country"),
    ],
)
def test_a_profile_the_engine_cannot_rate_is_refused_like_post_ratings(
    app: Flask, client: FlaskClient, change: Any, field: str
) -> None:
    """Once stored, one-click could never rate it: refuse it at PUT, exactly as ``POST /v1/ratings`` does."""
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    bank = create_key(app, "bank-a", "bank")
    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(key)).status_code == 200
    body = copy.deepcopy(MINIMAL)
    change(body)
    refused = client.put("/v1/merchants/m-1/profile", json=body, headers=bearer(key))
    posted = client.post("/v1/ratings", json=body, headers=bearer(bank))
    assert (refused.status_code, posted.status_code) == (422, 422)
    assert field in refused.get_json()["errors"]
    assert _without_request_id(refused) == _without_request_id(posted)  # same paths, messages and message
    kept = client.get("/v1/merchants/m-1/profile", headers=bearer(key)).get_json()["profile"]
    assert kept["company"]["name"] == MINIMAL["company"]["name"] and "transport" not in kept
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(key)).status_code == 201


def test_a_profile_stored_under_looser_rules_must_be_replaced(app: Flask, client: FlaskClient) -> None:
    """A row stored before the schema refused "CN\\n" is not rated: 422 with the schema's field errors."""
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    bank = create_key(app, "bank-a", "bank")
    body = copy.deepcopy(MINIMAL)
    body["company"]["country"] = "CN\n"
    put_profile(services_of(app).db, "bank-a", "m-1", json.dumps(body, sort_keys=True), by_prefix=None)
    posted = client.post("/v1/ratings", json=body, headers=bearer(bank))
    assert posted.status_code == 422 and "company.country" in posted.get_json()["errors"]

    stale = client.post("/v1/merchants/m-1/rating", headers=bearer(key))
    assert stale.status_code == 422
    assert stale.get_json()["errors"] == posted.get_json()["errors"]
    assert "PUT /v1/merchants/m-1/profile" in stale.get_json()["message"]
    assert "rules changed" in stale.get_json()["message"]
    assert client.get("/v1/ratings", headers=bearer(bank)).get_json()["items"] == []  # nothing issued

    assert client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(key)).status_code == 200
    assert client.post("/v1/merchants/m-1/rating", headers=bearer(key)).status_code == 201


def test_one_click_documents_the_headers_it_sends(app: Flask, client: FlaskClient) -> None:
    """Its 201 carries `Location` and `X-Cache` like `POST /v1/ratings`, so the contract says so too."""
    paths = client.get("/openapi.json").get_json()["paths"]
    one_click = paths["/v1/merchants/{merchant_id}/rating"]["post"]["responses"]["201"]
    rate = paths["/v1/ratings"]["post"]["responses"]["201"]
    assert set(one_click["headers"]) == {
        "Location", "X-Cache", "X-Issued-By", "X-Merchant-ID", "X-Input-SHA256", "X-Request-ID"
    }
    # the rating's own, less Idempotent-Replayed: the one-click rating reads no Idempotency-Key
    assert one_click["headers"] == {k: v for k, v in rate["headers"].items() if k != "Idempotent-Replayed"}
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    client.put("/v1/merchants/m-1/profile", json=MINIMAL, headers=bearer(key))
    sent = client.post("/v1/merchants/m-1/rating", headers=bearer(key))
    assert sent.status_code == 201 and {"Location", "X-Cache"} <= set(sent.headers.keys())


def test_a_profile_the_engine_now_refuses_must_be_replaced(app: Flask, client: FlaskClient) -> None:
    """LPG in m3 was rated (as the liquid) when this profile was stored; the engine refuses it now. The
    merchant gets the engine's field errors, as POST /v1/ratings gives them, and is told to replace it."""
    key = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    bank = create_key(app, "bank-a", "bank")
    body = copy.deepcopy(MINIMAL)
    body.setdefault("energy", {})["fuels"] = [{"fuel": "lpg", "quantity": 40, "unit": "m3"}]
    put_profile(services_of(app).db, "bank-a", "m-1", json.dumps(body, sort_keys=True), by_prefix=None)
    posted = client.post("/v1/ratings", json=body, headers=bearer(bank))
    assert posted.status_code == 422 and "energy.fuels.0.unit" in posted.get_json()["errors"]

    stale = client.post("/v1/merchants/m-1/rating", headers=bearer(key))
    assert stale.status_code == 422
    assert stale.get_json()["errors"] == posted.get_json()["errors"]
    assert "PUT /v1/merchants/m-1/profile" in stale.get_json()["message"]
    assert client.get("/v1/ratings", headers=bearer(bank)).get_json()["items"] == []  # nothing issued


def test_a_bank_lists_its_own_ratings_apart_from_those_its_merchants_declared(
    app: Flask, client: FlaskClient
) -> None:
    """A merchant chose the bank's loan reference as its external_id, and its self-declared light green
    was listed above the bank's own not-green rating for that loan (security review)."""
    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    own = client.post("/v1/ratings", json=payload(external_id="loan-0001"), headers=bearer(bank)).get_json()
    declared = payload(external_id="loan-0001", name="Corner Shop")
    declared["practices"] = {"led_lighting": True, "waste_sorting": True}
    assert client.put("/v1/merchants/m-1/profile", json=declared, headers=bearer(merchant)).status_code == 200
    theirs = client.post("/v1/merchants/m-1/rating", headers=bearer(merchant)).get_json()

    def ids(query: str) -> list[str]:
        listed = client.get(f"/v1/ratings?external_id=loan-0001{query}", headers=bearer(bank))
        assert listed.status_code == 200, listed.get_json()
        return [item["id"] for item in listed.get_json()["items"]]

    assert ids("&issued_by=any") == [theirs["id"], own["id"]]
    assert ids("") == ids("&issued_by=bank") == [own["id"]]  # by default (bank integrator's review)
    assert ids("&issued_by=merchant") == ids("&merchant_id=m-1") == [theirs["id"]]
    assert ids("&merchant_id=m-2") == []
    refused = client.get("/v1/ratings?issued_by=borrower", headers=bearer(bank))
    assert refused.status_code == 422 and "issued_by" in refused.get_json()["errors"]
    both = client.get("/v1/ratings?issued_by=bank&merchant_id=m-1", headers=bearer(bank))
    assert both.status_code == 422 and "not both" in both.get_json()["errors"]["merchant_id"][0]


def test_issued_by_is_whom_a_rating_was_issued_for_not_whose_key_asked(
    app: Flask, client: FlaskClient
) -> None:
    """The README and the parameter's description said `issued_by=bank` lists "what the bank's own keys
    issued" and `merchant` the "self-declared" ones, but a bank key's one-click rating of a merchant's
    profile is listed as the merchant's (contract review): the words now say what the filter does."""
    bank = create_key(app, "bank-a", "bank")
    own = client.post("/v1/ratings", json=payload(external_id="loan-0001"), headers=bearer(bank)).get_json()
    profile = payload(external_id="loan-0001", name="Corner Shop")
    assert client.put("/v1/merchants/m-1/profile", json=profile, headers=bearer(bank)).status_code == 200
    for_merchant = client.post("/v1/merchants/m-1/rating", headers=bearer(bank)).get_json()

    def listed(query: str) -> list[dict[str, Any]]:
        return client.get(f"/v1/ratings?{query}", headers=bearer(bank)).get_json()["items"]  # type: ignore[no-any-return]

    assert [item["id"] for item in listed("issued_by=bank")] == [own["id"]]
    [theirs] = listed("issued_by=merchant")
    assert theirs["id"] == for_merchant["id"] and theirs["merchant_id"] == "m-1"
    assert theirs["requested_by"] == listed("issued_by=bank")[0]["requested_by"]  # the same bank key asked
    parameters = client.get("/openapi.json").get_json()["paths"]["/v1/ratings"]["get"]["parameters"]
    [issued_by] = [p for p in parameters if p.get("name") == "issued_by"]
    assert "issued for the bank itself" in issued_by["description"]
    assert "by a bank key on the merchant's profile" in issued_by["description"]


def test_a_bank_never_reuses_a_rating_its_merchant_declared_for_the_same_input(
    app: Flask, client: FlaskClient
) -> None:
    """A borrower's key declared the very body the bank then sent (the bank's loan reference included), and
    the bank's 201 handed back the merchant's rating: listed as the borrower's, requested by its key, and
    missing from ``issued_by=bank`` (security review). With the cache emptied the database decides, so the
    test clears it between the two requests."""
    def forget() -> None:
        services_of(app).cache = MemoryCache(100, erased=services_of(app).erased)

    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    body = payload(external_id="loan-777")
    assert client.put("/v1/merchants/m-1/profile", json=body, headers=bearer(merchant)).status_code == 200
    theirs = client.post("/v1/merchants/m-1/rating", headers=bearer(merchant)).get_json()
    forget()
    answer = client.post("/v1/ratings", json=body, headers=bearer(bank))
    assert answer.status_code == 201 and answer.headers["X-Cache"] == "miss"
    assert answer.get_json()["id"] != theirs["id"]
    listed = client.get("/v1/ratings?external_id=loan-777&issued_by=bank", headers=bearer(bank)).get_json()
    assert [item["id"] for item in listed["items"]] == [answer.get_json()["id"]]
    forget()
    again = client.post("/v1/ratings", json=body, headers=bearer(bank))  # the bank's own is reused
    assert again.headers["X-Cache"] == "hit" and again.get_json()["id"] == answer.get_json()["id"]
    forget()
    mine = client.post("/v1/merchants/m-1/rating", headers=bearer(merchant)).get_json()
    assert mine["id"] == theirs["id"]  # and the merchant's own stays its own
