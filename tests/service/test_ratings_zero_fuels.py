"""``POST /v1/ratings`` with a fuel oil entry of 0: rated as the flat path rates it, not refused.

A quantity of 0 emits nothing, so the missing fuel-oil factor does not matter; a positive quantity is still
a 422 naming the entry's field and the factor set's reason. tests/rating_model/test_flat_zero_fuels.py
checks that the batch's flat rows agree.
"""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import bearer, payload

OIL = {"fuel": "fuel_oil", "quantity": 0, "unit": "t"}


def test_a_fuel_oil_entry_of_zero_is_rated(client: FlaskClient, bank_key: str) -> None:
    with_zero = payload()
    with_zero["energy"]["fuels"].append(dict(OIL))
    rated = client.post("/v1/ratings", json=with_zero, headers=bearer(bank_key))
    assert rated.status_code == 201, rated.json
    gas_only = client.post("/v1/ratings", json=payload(external_id="loan-0002"), headers=bearer(bank_key))
    assert gas_only.status_code == 201
    for key in ("score", "grade", "knock_outs", "emissions"):
        assert rated.json[key] == gas_only.json[key], key


def test_only_zeros_with_fuel_oil_still_answer_nothing(client: FlaskClient, bank_key: str) -> None:
    """Standard 1.7.0: a fuel list whose every quantity is 0 is fuels not reported, fuel oil's 0 included."""
    zeros = payload()
    zeros["energy"]["fuels"] = [{"fuel": "natural_gas", "quantity": 0, "unit": "m3"}, dict(OIL)]
    rated = client.post("/v1/ratings", json=zeros, headers=bearer(bank_key))
    assert rated.status_code == 201, rated.json
    assert "fuels_not_reported" in [k["id"] for k in rated.json["knock_outs"]]


def test_a_positive_quantity_of_fuel_oil_is_still_refused(client: FlaskClient, bank_key: str) -> None:
    burnt = payload()
    burnt["energy"]["fuels"].append({**OIL, "quantity": 2})
    refused = client.post("/v1/ratings", json=burnt, headers=bearer(bank_key))
    assert refused.status_code == 422
    assert "no emission factor for 'fuel_oil'" in " ".join(refused.json["errors"]["energy.fuels.1.fuel"])
