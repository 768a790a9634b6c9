"""Refrigerants through the API (schema 1.13): a recharge is a Scope 1 line with its GWP's provenance, a gas
without a cited GWP100 is a 422 on its field, and the document lists the answer (a GHG auditor's review)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import bearer, payload


def test_a_recharge_is_rated_with_its_factor_and_a_gas_without_one_is_422(
    client: FlaskClient, bank_key: str
) -> None:
    plain = client.post("/v1/ratings", json={**payload(), "refrigerants": []}, headers=bearer(bank_key))
    body = {**payload(), "refrigerants": [{"gas": "R-404A", "recharged_kg": 10}]}
    leaked = client.post("/v1/ratings", json=body, headers=bearer(bank_key))
    assert plain.status_code == leaked.status_code == 201
    emissions = leaked.json["emissions"]
    assert emissions["scope1"] - plain.json["emissions"]["scope1"] == 39.428  # 10 kg x 3942.8, rounded
    (line,) = [line for line in emissions["line_items"] if line["path"] == "refrigerants.0"]
    assert (line["scope"], line["category"], line["factor_id"]) == (1, "fugitive_refrigerant",
                                                                     "ipcc-ar5.gwp100.r404a")
    factor = next(f for f in emissions["factors"] if f["id"] == line["factor_id"])
    assert factor["gwp_basis"] == "AR5" and factor["value"] == 3942.8
    assert leaked.json["versions"]["factor_set"] == "cn-2024.6"
    propane = {**payload(), "refrigerants": [{"gas": "R-290", "recharged_kg": 1}]}
    refused = client.post("/v1/ratings", json=propane, headers=bearer(bank_key))
    assert refused.status_code == 422 and "refrigerants.0.gas" in refused.json["errors"]
    cfc = {**payload(), "refrigerants": [{"gas": "R-12", "recharged_kg": 1}]}
    unknown = client.post("/v1/ratings", json=cfc, headers=bearer(bank_key))
    assert unknown.status_code == 422 and "refrigerants" in str(unknown.json["errors"])
