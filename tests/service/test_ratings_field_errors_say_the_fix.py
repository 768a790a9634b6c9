"""POST /v1/ratings's field errors for an integrator's common mistakes say what to send instead: a code's
form and an example, not "String does not match expected pattern."; a number sent as text, not "Not a
valid number."; and bounds written as JSON numbers, not "1000000000000.0" (a plain-language review)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import bearer, payload


def _errors(client: FlaskClient, key: str, body: dict[str, Any]) -> dict[str, list[str]]:
    answer = client.post("/v1/ratings", json=body, headers=bearer(key))
    assert answer.status_code == 422, answer.get_json()
    errors: dict[str, list[str]] = answer.get_json()["errors"]
    return errors


@pytest.mark.parametrize(
    ("field", "sent", "said"),
    [
        ("region", "Zhejiang", "Must be an ISO 3166-2 subdivision code in capital letters, such as CN-ZJ for "
                               "Zhejiang, not the province's name."),
        ("region", "cn-zj", "such as CN-ZJ"),
        ("country", "cn", "Must be an ISO 3166-1 alpha-2 country code in capital letters, such as CN."),
        ("industry_code", "I56", "Must be an ISIC Rev.4 code of 2 to 4 digits, such as 5610"),
    ],
)
def test_a_code_of_the_wrong_form_is_told_its_form_and_an_example(
    client: FlaskClient, bank_key: str, field: str, sent: str, said: str
) -> None:
    body = payload(**{field: sent})
    if field == "country":
        body["company"].pop("region")  # a region must lie in the country: one refusal at a time
    messages = _errors(client, bank_key, body)[f"company.{field}"]
    assert any(said in m for m in messages), messages
    assert not any("does not match expected pattern" in m for m in messages), messages


def test_a_number_sent_as_text_is_told_to_be_a_json_number(client: FlaskClient, bank_key: str) -> None:
    body = payload(annual_revenue="3,200,000", reporting_year="2024")
    body["energy"]["electricity_kwh"] = "42000"
    body["practices"]["led_lighting"] = "yes"
    errors = _errors(client, bank_key, body)
    assert errors["company.annual_revenue"] == [
        "Must be a JSON number, such as 42000 or 12.5: not text in quotes, and without thousands separators."]
    assert errors["energy.electricity_kwh"] == errors["company.annual_revenue"]
    assert errors["company.reporting_year"] == [
        "Must be a whole JSON number, such as 12 or 2024: not text in quotes, and without a decimal point."]
    assert errors["practices.led_lighting"] == [
        "Must be true or false (JSON, not text in quotes), or null when not answered."]


def test_a_bound_is_written_as_a_json_number(client: FlaskClient, bank_key: str) -> None:
    """"Must be ... less than or equal to 1000000000000.0." printed a float's repr of a whole bound."""
    body = payload()
    body["energy"]["electricity_kwh"] = 1e13
    (message,) = _errors(client, bank_key, body)["energy.electricity_kwh"]
    assert message == "Must be greater than or equal to 0 and less than or equal to 1000000000000.", message
