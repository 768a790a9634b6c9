"""``POST /v1/ratings``, ``GET /v1/ratings/{id}``, ``GET /v1/ratings``: through the test client."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from rating_model.estimation import bill_too_large
from rating_model.isic import industry_code_problem
from rating_model.operating_data import BELOW_MINIMUM
from schemas.rating import RatingSchema
from service.auth import hash_key
from service.records import api_keys
from tests.conftest import bearer, create_key, payload, services_of
from tests.service.tampering import app_key


def test_post_rates_and_records(app: Flask, client: FlaskClient, bank_key: str) -> None:
    response = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == f"/v1/ratings/{body['id']}"
    assert response.headers["X-Cache"] == "miss"
    assert response.headers["Cache-Control"] == "no-store"
    assert body["id"].startswith("rt_") and body["external_id"] == "loan-0001"
    assert 0 <= body["score"] <= 100 and body["grade"] in ("dark_green", "green", "light_green", "not_green")
    issued, valid = (datetime.fromisoformat(body[k]) for k in ("issued_at", "valid_until"))
    assert (valid - issued).days == 365
    RatingSchema().load(body)  # the response is exactly the documented contract
    with services_of(app).db.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT result_json, input_json, tenant, requester_prefix FROM ratings"
        ).one()
    assert row.result_json == response.get_data(as_text=True)
    assert row.tenant == "bank-a" and row.requester_prefix == bank_key[:11]
    assert json.loads(row.input_json)["company"]["external_id"] == "loan-0001"


def test_identical_input_returns_the_same_rating(client: FlaskClient, bank_key: str) -> None:
    first = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    # Same content, different key order and an explicit null: the canonical input is the same.
    reordered = json.loads(json.dumps(payload()), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    reordered["loan"] = None
    second = client.post("/v1/ratings", json=reordered, headers=bearer(bank_key))
    assert second.status_code == 201 and second.headers["X-Cache"] == "hit"
    assert second.data == first.data and second.headers["Location"] == first.headers["Location"]
    different = client.post("/v1/ratings", json=payload(employees=13), headers=bearer(bank_key))
    assert different.headers["X-Cache"] == "miss" and different.json["id"] != first.json["id"]


def test_an_exact_repeat_is_served_from_the_cache_but_not_as_another_content_type(
    client: FlaskClient, bank_key: str
) -> None:
    body = json.dumps(payload()).encode()
    json_type = {**bearer(bank_key), "Content-Type": "application/json"}
    first = client.post("/v1/ratings", data=body, headers=json_type)
    repeat = client.post("/v1/ratings", data=body, headers=json_type)
    assert repeat.status_code == 201 and repeat.headers["X-Cache"] == "hit" and repeat.data == first.data
    text_type = {**bearer(bank_key), "Content-Type": "text/plain"}
    as_text = client.post("/v1/ratings", data=body, headers=text_type)
    assert as_text.status_code == 415  # the same bytes, but not sent as JSON: refused, not served
    other_key = {**json_type, **bearer(create_key(client.application, "bank-b"))}
    elsewhere = client.post("/v1/ratings", data=body, headers=other_key)
    assert elsewhere.headers["X-Cache"] == "miss" and elsewhere.json["id"] != first.json["id"]  # per tenant


def test_fetched_rating_is_byte_for_byte_the_issued_one(client: FlaskClient, bank_key: str) -> None:
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key))
    fetched = client.get(issued.headers["Location"], headers=bearer(bank_key))
    assert fetched.status_code == 200 and fetched.data == issued.data
    assert fetched.mimetype == "application/json"


def test_missing_rating_is_404(client: FlaskClient, bank_key: str) -> None:
    response = client.get("/v1/ratings/rt_doesnotexist", headers=bearer(bank_key))
    assert response.status_code == 404 and response.json["message"] == "Rating not found."
    assert client.get("/v1/ratings/" + "x" * 41, headers=bearer(bank_key)).status_code == 404


def test_list_paginates_newest_first_and_filters(client: FlaskClient, bank_key: str) -> None:
    ids = [
        client.post(
            "/v1/ratings", json=payload(external_id=f"c-{i % 2}", employees=10 + i), headers=bearer(bank_key)
        ).json["id"]
        for i in range(5)
    ]
    page = client.get("/v1/ratings?limit=2", headers=bearer(bank_key)).json
    assert [item["id"] for item in page["items"]] == ids[::-1][:2] and page["limit"] == 2
    seen = [item["id"] for item in page["items"]]
    while page["next_cursor"]:
        page = client.get(f"/v1/ratings?limit=2&cursor={page['next_cursor']}", headers=bearer(bank_key)).json
        seen += [item["id"] for item in page["items"]]
    assert seen == ids[::-1]
    item = client.get("/v1/ratings?limit=1", headers=bearer(bank_key)).json["items"][0]
    assert set(item) == {
        "id", "external_id", "issued_at", "valid_until", "score", "grade", "versions", "merchant_id",
        "issued_by", "requested_by", "input_sha256", "code_revision",
    }
    filtered = client.get("/v1/ratings?external_id=c-1", headers=bearer(bank_key)).json
    assert [i["id"] for i in filtered["items"]] == [ids[3], ids[1]] and filtered["next_cursor"] is None


def test_engine_refusals_are_422_keyed_by_field_path(client: FlaskClient, bank_key: str) -> None:
    body = payload()
    body["energy"]["green_electricity_kwh"] = 50_000  # more than electricity_kwh: the engine's rule
    response = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert response.status_code == 422
    assert "energy.green_electricity_kwh" in response.json["errors"]
    mismatch = client.post("/v1/ratings", json=payload(region="US-CA"), headers=bearer(bank_key))
    assert mismatch.status_code == 422 and "company.region" in mismatch.json["errors"]


def test_a_reporting_year_after_the_year_of_issue_is_422_on_every_way_in(
    app: Flask, client: FlaskClient, bank_key: str
) -> None:
    """A year not yet begun has no bills: its figures are a plan, and a rating of them, valid for a year
    from today, read to a bank like one of a year measured. The engine takes 1990 to 2100 (it reads no
    clock), and a merchant had a rating on "2099" data with data_source energy_bills (adversarial review).
    The service refuses a reporting year after the year of issue (UTC) wherever a rating is issued or a
    profile stored; this year (a year in progress) is still rated."""
    this_year = datetime.now(UTC).year
    later = this_year + 2  # after the year of issue even if the test runs across a New Year
    refused = client.post("/v1/ratings", json=payload(reporting_year=later), headers=bearer(bank_key))
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["company.reporting_year"]
    items = [payload(reporting_year=later), payload()]
    batch = client.post("/v1/ratings/batch", json={"items": items}, headers=bearer(bank_key)).json
    assert [r["status"] for r in batch["results"]] == [422, 201]
    assert list(batch["results"][0]["error"]["errors"]) == ["company.reporting_year"]
    merchant = create_key(app, "bank-a", "merchant", merchant_id="m-1")
    stored = client.put("/v1/merchants/m-1/profile", json=payload(reporting_year=later),
                        headers=bearer(merchant))
    assert stored.status_code == 422 and list(stored.json["errors"]) == ["company.reporting_year"]
    assert client.post("/v1/ratings", json=payload(reporting_year=this_year),
                       headers=bearer(bank_key)).status_code == 201


def test_a_credit_vintage_after_the_year_of_issue_is_422_naming_the_credit(
    client: FlaskClient, bank_key: str
) -> None:
    """Credits of vintage 2099 were netted in net_scope12_after_credits (adversarial review): no credit is
    issued for a year not yet begun. A vintage after the reporting year is taken: credits offsetting a year
    are often retired after it."""
    this_year = datetime.now(UTC).year
    credits = [{"standard": "CCER", "tco2e": 1.0, "type": "avoidance", "vintage": this_year},
               {"standard": "VCS", "tco2e": 1.0, "type": "removal", "vintage": this_year + 2}]
    body = {**payload(reporting_year=this_year - 1), "offsets": credits}
    refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["offsets.1.vintage"]
    body["offsets"] = credits[:1]  # this year's vintage, after the reporting year: taken
    assert client.post("/v1/ratings", json=body, headers=bearer(bank_key)).status_code == 201


def test_a_bill_above_the_kwh_bound_once_converted_is_422_naming_the_bill(
    client: FlaskClient, bank_key: str
) -> None:
    """The schema takes a bill up to 1e13; at the standard's tariff that is 1.5e13 kWh, above the 1e12 a
    typed electricity_kwh is refused beyond: the engine's words, keyed by the bill."""
    body = payload()
    body["energy"] = {"electricity_spend": 1e13}
    refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert refused.status_code == 422
    assert refused.json["errors"] == {"energy.electricity_spend": [bill_too_large(0.65)]}


def test_an_industry_code_not_in_isic_rev_4_is_422_naming_the_field(
    client: FlaskClient, bank_key: str
) -> None:
    """Only its division had been checked: 9999 (division 99 has the one class 9900) was rated. The 422
    says what the engine says (rating_model.isic); 4799 is a class of the list, and rates."""
    for code in ("9999", "4735"):
        refused = client.post("/v1/ratings", json=payload(industry_code=code), headers=bearer(bank_key))
        assert refused.status_code == 422
        assert refused.json["errors"] == {"company.industry_code": [industry_code_problem(code)]}
    rated = client.post("/v1/ratings", json=payload(industry_code="4799"), headers=bearer(bank_key))
    assert rated.status_code == 201, rated.json


def test_request_log_line_has_no_company_data_or_key(make_app, capsys) -> None:
    from tests.conftest import create_key

    app = make_app(ACCESS_LOG=True)
    key = create_key(app)
    app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key) | {"X-Request-ID": "trace-1"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "trace-1" and line["tenant"] == "bank-a" and line["status"] == 201
    assert line["route"] == "/v1/ratings" and line["cache"] == "miss" and line["model_version"]
    assert line["duration_ms"] > 0
    text = json.dumps(lines)
    assert "Noodle" not in text and key not in text and key[:11] not in text


def test_list_items_carry_the_same_moments_as_the_rating(client: FlaskClient, bank_key: str) -> None:
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank_key)).json
    item = client.get("/v1/ratings", headers=bearer(bank_key)).json["items"][0]
    assert (item["issued_at"], item["valid_until"]) == (rating["issued_at"], rating["valid_until"])
    assert item["issued_at"].endswith("Z")


def test_list_items_say_which_key_requested_them_and_for_which_merchant(
    app: Flask, client: FlaskClient
) -> None:
    """For a bank's audit: the key (id and prefix, never the secret) whose request issued each rating."""
    bank = create_key(app, "bank-a", "bank")
    merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-7")
    assert client.post("/v1/ratings", json=payload(), headers=bearer(bank)).status_code == 201
    profile = "/v1/merchants/shop-7/profile"
    assert client.put(profile, json=payload(employees=99), headers=bearer(merchant)).status_code == 200
    assert client.post("/v1/merchants/shop-7/rating", headers=bearer(merchant)).status_code == 201
    assert client.post("/v1/merchants/shop-7/rating", headers=bearer(bank)).status_code == 201  # same one
    items = client.get("/v1/ratings?issued_by=any", headers=bearer(bank)).json["items"]
    db = services_of(app).db
    records = {key: api_keys.find_active_key(db, hash_key(key)) for key in (bank, merchant)}
    ids = {key: record.id for key, record in records.items() if record is not None}
    assert [(i["merchant_id"], i["requested_by"]) for i in items] == [
        ("shop-7", {"key_id": ids[merchant], "prefix": merchant[:11], "role": "merchant"}),  # the bank's
        (None, {"key_id": ids[bank], "prefix": bank[:11], "role": "bank"}),  # click reused the merchant's
    ]


def test_a_loan_in_a_third_currency_needs_its_rate_and_then_has_financed_emissions(
    client: FlaskClient, bank_key: str
) -> None:
    """Never a silent ``financed_emissions: null`` for a loan the bank gave: a 422 naming the field."""
    body = payload()
    body["loan"] = {"amount": 50_000, "outstanding": 40_000, "currency": "USD",
                    "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 300_000}
    refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["loan.fx_to_cny"]
    body["loan"]["fx_to_cny"] = 7.1
    rated = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert rated.status_code == 201
    financed = rated.get_json()["financed_emissions"]
    assert financed["outstanding_cny"] == 40_000 * 7.1
    # the balance sheet is the CNY company's (engine 1.9): USD 40,000 at 7.1 against CNY 300,000
    assert financed["attribution_factor"] == round(40_000 * 7.1 / 300_000, 6)


def test_a_rated_loan_carries_what_recomputes_its_factor_within_the_contract(
    client: FlaskClient, bank_key: str
) -> None:
    """A PCAF analyst checking one loan: ``financed_emissions`` named no attribution basis nor the balance
    sheet divided by, so the bank could not recompute the factor from the rating it stored (the batch's
    results could). The answer to the POST, and the rating read back, carry them within the contract."""
    from tests.service.contract import contract_errors

    spec = client.get("/openapi.json").get_json()
    published = spec["components"]["schemas"]["FinancedEmissions"]["properties"]
    assert published["attribution_basis"]["enum"] == ["equity_plus_debt", "total_assets", "none"]
    assert published["outstanding_basis"]["enum"] == ["outstanding", "amount"]
    assert published["attribution_denominator_cny"]["type"] == published["loan_fx_to_cny"]["type"] == "number"
    body = payload()
    body["loan"] = {"amount": 50_000, "currency": "USD", "fx_to_cny": 7.1,
                    "use_of_proceeds": "energy_efficiency", "borrower_total_assets": 400_000}
    rated = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert rated.status_code == 201 and contract_errors(spec, "/v1/ratings", "post", rated) == []
    financed = rated.get_json()["financed_emissions"]
    assert {key: financed[key] for key in ("attribution_basis", "attribution_denominator_cny",
                                           "loan_fx_to_cny", "outstanding_basis")} == {
        "attribution_basis": "total_assets", "attribution_denominator_cny": 400_000.0,
        "loan_fx_to_cny": 7.1, "outstanding_basis": "amount"}
    assert financed["attribution_factor"] == round(
        financed["outstanding_cny"] / financed["attribution_denominator_cny"], 6)
    read = client.get(rated.headers["Location"], headers=bearer(bank_key))
    assert read.get_json()["financed_emissions"] == financed
    assert contract_errors(spec, "/v1/ratings/{rating_id}", "get", read) == []


def test_a_balance_sheet_of_0_is_refused_with_the_batch_rows_words(
    client: FlaskClient, bank_key: str
) -> None:
    """Review L2: the API answered a balance sheet of 0 or less with marshmallow's bounds only, where a
    batch row said why (PCAF divides by it) and what to send; one text now, the engine's."""
    for key, value in (("borrower_equity_plus_debt", 0), ("borrower_equity_plus_debt", -300_000),
                       ("borrower_total_assets", 0.0)):
        body = payload()
        body["loan"] = {"amount": 50_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                        key: value}
        refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
        assert refused.status_code == 422
        assert refused.get_json()["errors"] == {f"loan.{key}": [BELOW_MINIMUM[f"loan.{key}"]]}
    assert "a negative book equity counts as 0, so send the debt alone" in BELOW_MINIMUM[
        "loan.borrower_equity_plus_debt"]


def test_equity_plus_debt_above_total_assets_is_rated_and_flagged_in_the_basis(
    client: FlaskClient, bank_key: str
) -> None:
    """Only a negative book equity (counted as 0: the debt alone) puts equity + debt above total assets;
    the API rates the loan, dividing by equity + debt as the batch does, and its basis says to check
    both figures (the batch's ``equity_debt_above_assets`` flags the same loans)."""
    body = payload()
    body["loan"] = {"amount": 50_000, "outstanding": 40_000, "currency": "CNY",
                    "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 400_000,
                    "borrower_total_assets": 320_000}
    rated = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert rated.status_code == 201
    financed = rated.get_json()["financed_emissions"]
    assert financed["attribution_factor"] == round(40_000 / 400_000, 6)
    assert "equity + debt 400,000 is above total assets 320,000 (CNY)" in financed["basis"]
    assert "otherwise one of the two figures is wrong, check both" in financed["basis"]


def test_every_field_error_comes_back_in_one_answer(client: FlaskClient, bank_key: str) -> None:
    """An unknown unit is reported with the request's other field errors, not in a second round."""
    body = payload(employees=0, country="China")
    body["energy"]["fuels"][0]["unit"] = "parsecs"
    body["practices"]["led_lighting"] = "yes"
    refused = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert set(errors) == {
        "company.employees", "company.country", "energy.fuels.0.unit", "practices.led_lighting"
    }
    assert "unknown unit 'parsecs'" in errors["energy.fuels.0.unit"][0]
    fits_not = payload()
    fits_not["energy"]["fuels"] = [{"fuel": "coal", "quantity": 10, "unit": "L"}]  # known, but not for coal
    answered = client.post("/v1/ratings", json=fits_not, headers=bearer(bank_key))
    assert answered.status_code == 422 and list(answered.get_json()["errors"]) == ["energy.fuels.0.unit"]


def test_a_ratings_cursor_tells_nothing_of_other_tenants_and_works_only_in_its_own(
    app: Flask, client: FlaskClient, bank_key: str
) -> None:
    """The cursor names the page's last rating by its random id, not the service-wide sequence number."""
    import base64

    from schemas.fields import Cursor
    from service.records.ratings import list_ratings

    ids = [
        client.post("/v1/ratings", json=payload(employees=20 + i), headers=bearer(bank_key)).json["id"]
        for i in range(3)
    ]
    cursor = client.get("/v1/ratings?limit=1", headers=bearer(bank_key)).json["next_cursor"]
    assert base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() == f"v2:{ids[-1]}"
    other = create_key(app, "bank-b", "bank")
    refused = client.get(f"/v1/ratings?cursor={cursor}", headers=bearer(other))  # not bank-b's rating
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"cursor": ["Not a valid cursor."]}
    # a cursor of the earlier form (the sequence number) is refused: accepted, it let a bank binary-search
    # the service-wide sequence with crafted cursors (security review)
    newest = list_ratings(services_of(app).db, "bank-a", limit=1, key=app_key(app))[0][0]
    legacy = client.get(f"/v1/ratings?cursor={Cursor.encode(newest.seq)}", headers=bearer(bank_key))
    assert legacy.status_code == 422
    assert "earlier release" in legacy.get_json()["errors"]["cursor"][0]


def test_external_id_is_listed_as_stored_and_a_blank_one_is_refused(
    client: FlaskClient, bank_key: str
) -> None:
    """" loan-sp " was stored trimmed but the filter was not, so the bank found nothing by the reference
    it had sent; "" was stored and could never be listed (client review)."""
    sent = client.post("/v1/ratings", json=payload(external_id=" loan-sp "), headers=bearer(bank_key))
    assert sent.status_code == 201 and sent.get_json()["external_id"] == "loan-sp"
    for query in ("%20loan-sp%20", "loan-sp"):
        listed = client.get(f"/v1/ratings?external_id={query}", headers=bearer(bank_key)).get_json()
        assert [item["id"] for item in listed["items"]] == [sent.get_json()["id"]], query
    for blank in ("", "   "):
        refused = client.post("/v1/ratings", json=payload(external_id=blank), headers=bearer(bank_key))
        assert refused.status_code == 422, blank
        assert "company.external_id" in refused.get_json()["errors"]


def _key_id(app: Flask, key: str) -> int:
    found = services_of(app).keys.resolve(hash_key(key))
    assert found is not None and found.key_id is not None
    return found.key_id


def test_request_log_lines_say_which_key_asked_for_which_rating(make_app, capsys) -> None:
    """For an auditor: who asked for which rating, with which key, when. A cache hit is recorded nowhere
    else (``requested_by`` names the key whose request issued the rating), nor is a read: the access line
    named the tenant and the route only (``/v1/ratings/<rating_id>``), so a hit by another key of the bank,
    a read of a rating or a batch's hits left no trace of the key or of the rating (audit review)."""
    app = make_app(ACCESS_LOG=True)
    first, second = create_key(app), create_key(app)
    client = app.test_client()
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(first)).json["id"]
    assert client.post("/v1/ratings", json=payload(), headers=bearer(second)).headers["X-Cache"] == "hit"
    assert client.get(f"/v1/ratings/{issued}", headers=bearer(second)).status_code == 200
    items = {"items": [payload(), {"company": {}}]}
    assert client.post("/v1/ratings/batch", json=items, headers=bearer(second)).status_code == 200
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    access = [(line["key_id"], line["rating_id"], line.get("rating_ids"))
              for line in lines if line.get("event") == "request"]
    one, two = _key_id(app, first), _key_id(app, second)
    assert access == [
        (one, issued, None), (two, issued, None), (two, issued, None), (two, None, [issued, None]),
    ]
