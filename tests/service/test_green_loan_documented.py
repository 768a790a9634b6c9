"""What ``green_loan`` means is said where a generated client's author reads it: on each field.

A bank integrator's review: a company with no data, scored 0 and graded not_green, with no loan, gets
``green_loan.eligible: true`` (``basis: "borrower"``: a loan financing a green category would be eligible),
and nothing in the OpenAPI document said that this is no green loan to count; ``eligible`` had no
description at all, and the warning was in docs/rating-engine.md's "Smaller items" alone. The engine's
answer is unchanged (ratings are reproduced byte for byte); the contract now says what it means.
"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests.conftest import bearer
from tests.service.contract import contract_errors

README = Path(__file__).resolve().parents[2] / "README.md"

#: A company and nothing else: no energy, no practices, no loan.
NO_DATA = {"company": {"name": "Empty Shop", "country": "CN", "industry_code": "5610", "employees": 1,
                       "annual_revenue": 1, "currency": "CNY", "reporting_year": 2024}}


def _green_loan(client: FlaskClient) -> dict[str, dict[str, object]]:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    return schemas["GreenLoan"]["properties"]  # type: ignore[no-any-return]


def test_every_green_loan_field_says_what_it_means(client: FlaskClient) -> None:
    properties = _green_loan(client)
    assert set(properties) >= {"eligible", "basis", "category", "pricing_tier", "green_rated_borrower",
                               "rationale", "knock_outs"}
    described = {name: len(str(schema.get("description", ""))) for name, schema in properties.items()}
    assert [name for name, length in described.items() if length < 40] == []


def test_eligible_without_a_loan_is_documented_as_no_green_loan_to_count(
    client: FlaskClient, bank_key: str
) -> None:
    """The case of the review, rated as it is, and the words on the fields a bank's system branches on."""
    answer = client.post("/v1/ratings", json=NO_DATA, headers=bearer(bank_key))
    assert contract_errors(client.get("/openapi.json").get_json(), "/v1/ratings", "post", answer) == []
    rating = answer.get_json()
    assert (rating["score"], rating["grade"], rating["financed_emissions"]) == (0, "not_green", None)
    assert (rating["green_loan"]["eligible"], rating["green_loan"]["basis"]) == (True, "borrower")

    properties = _green_loan(client)
    eligible, basis = str(properties["eligible"]["description"]), str(properties["basis"]["description"])
    assert "`basis: borrower`" in eligible and "must never be counted" in eligible
    assert "Count as green loans only `eligible: true` with `basis: use_of_proceeds`" in eligible
    assert "never that there is a green loan to count" in basis
    assert "not the terms of any loan granted" in str(properties["pricing_tier"]["description"])


def test_the_readme_contract_says_it_too() -> None:
    text = README.read_text(encoding="utf-8")
    contract = text[text.index("## The contract and the docs page"):text.index("## Configuration")]
    assert '`basis: "borrower"`' in contract and "never count it as a green loan" in contract
