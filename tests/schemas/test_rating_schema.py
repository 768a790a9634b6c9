"""The published rating schema is the engine's real output: strict loads of varied ratings."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.rating import RatingSchema
from tests.conftest import BASE_PAYLOAD, session_engine

SERVICE_FIELDS = {
    "id": "rt_0123456789abcdef0123456789abcdef",
    "external_id": None,
    "issued_at": "2026-01-01T00:00:00Z",
    "valid_until": "2027-01-01T00:00:00Z",
}


def variants() -> list[dict[str, Any]]:
    minimal = {
        "company": {
            k: BASE_PAYLOAD["company"][k]
            for k in (
                "name",
                "country",
                "industry_code",
                "employees",
                "annual_revenue",
                "currency",
                "reporting_year",
            )
        }
    }
    rich = copy.deepcopy(BASE_PAYLOAD)
    rich["energy"]["green_electricity_kwh"] = 20_000
    rich["energy"]["onsite_renewable_kwh"] = 5_000
    rich["transport"] = {
        "fleet": [{"fuel": "diesel", "vehicles": 2, "km": 30_000}],
        "business_travel": [{"mode": "rail", "passenger_km": 8_000}],
    }
    rich["resources"] = {"water_m3": 900, "waste_t": 4, "waste_recycled_t": 2}
    rich["offsets"] = [{"standard": "CCER", "tco2e": 5, "type": "removal", "vintage": 2023}]
    rich["targets"] = [{"scopes": [1, 2], "base_year": 2022, "target_year": 2030, "reduction_pct": 40}]
    rich["previous_year"] = {"energy": {"electricity_kwh": 48_000}}
    loan = copy.deepcopy(BASE_PAYLOAD)
    loan["loan"] = {
        "amount": 1_000_000,
        "currency": "CNY",
        "use_of_proceeds": "energy_efficiency",
        "outstanding": 800_000,
        "borrower_equity_plus_debt": 5_000_000,
    }
    spend_only = copy.deepcopy(BASE_PAYLOAD)
    spend_only["energy"] = {"electricity_spend": 30_000}
    spend_only["data_source"] = "estimated"
    return [minimal, BASE_PAYLOAD, rich, loan, spend_only]


@pytest.mark.parametrize("index", range(5))
def test_engine_ratings_load_strictly(index: int) -> None:
    engine = session_engine()
    body = {**SERVICE_FIELDS, **engine.rate(engine.parse(variants()[index])).to_dict()}
    RatingSchema().load(body)


def test_unknown_fields_are_contract_drift() -> None:
    engine = session_engine()
    body = {**SERVICE_FIELDS, **engine.rate(engine.parse(BASE_PAYLOAD)).to_dict(), "surprise": 1}
    with pytest.raises(ValidationError) as info:
        RatingSchema().load(body)
    assert "surprise" in info.value.messages


def test_the_financed_emissions_fields_say_what_they_count() -> None:
    """A green-loan officer's review: the API's ``financed_emissions`` fields had no description, so a bank
    reading ``scope12_tco2e`` for a borrower that bought green power could not tell which Scope 2 it holds
    (location-based, as the batch column says), nor that ``pcaf_score`` is the loan's score (5 without a
    balance sheet, where ``data_quality.pcaf_score`` keeps the borrower's) and is the Scopes 1+2 score
    that PCAF weights by outstanding (Box 8), Scope 3's being reported apart by PCAF and not scored by
    greenrate."""
    from schemas.rating import DataQualitySchema, FinancedEmissionsSchema

    fields = FinancedEmissionsSchema().fields

    def said(name: str) -> str:
        return str(fields[name].metadata.get("description", ""))

    assert "location-based" in said("scope12_tco2e") and "never netted" in said("scope12_tco2e")
    assert "location-based" in said("tco2e_per_cny_million_lent")
    assert "outstanding / (equity + debt)" in said("attribution_factor") and "1" in said("attribution_factor")
    score = said("pcaf_score")
    assert "5" in score and "balance sheet" in score and "data_quality.pcaf_score" in score
    assert "Scopes 1+2" in score and "Scope 3" in score
    assert "loan.outstanding" in said("outstanding_cny") and "loan.amount" in said("outstanding_cny")
    assert "financed_emissions.pcaf_score" in str(
        DataQualitySchema().fields["pcaf_score"].metadata.get("description", ""))


def test_the_scope3_pcaf_score_is_a_nullable_1_to_5_field_that_older_ratings_lack() -> None:
    """Schema 1.13's ``financed_emissions.scope3_pcaf_score``: an integer 1-5 or null (no Scope 3), said in
    the contract; a rating stored before schema 1.13 has no such key and still loads (served as stored)."""
    from schemas.rating import FinancedEmissionsSchema

    engine = session_engine()
    body = copy.deepcopy(BASE_PAYLOAD)
    body["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                    "borrower_equity_plus_debt": 2_000_000}
    without = engine.rate(engine.parse(body)).to_dict()["financed_emissions"]
    assert without["scope3_tco2e"] is None and without["scope3_pcaf_score"] is None
    body["resources"] = {"water_m3": 900}  # Scope 3 category 1, priced by greenrate: option 2b
    financed = engine.rate(engine.parse(body)).to_dict()["financed_emissions"]
    assert financed["scope3_tco2e"] is not None and financed["scope3_pcaf_score"] == 3
    schema = FinancedEmissionsSchema()
    for score in (None, 1, 3, 5):
        assert schema.load({**financed, "scope3_pcaf_score": score})["scope3_pcaf_score"] == score
    for wrong in (0, 6):
        with pytest.raises(ValidationError) as info:
            schema.load({**financed, "scope3_pcaf_score": wrong})
        assert "scope3_pcaf_score" in info.value.messages
    older = {k: v for k, v in financed.items() if k != "scope3_pcaf_score"}
    assert "scope3_pcaf_score" not in schema.load(older)
    said = str(schema.fields["scope3_pcaf_score"].metadata["description"])
    assert "option 2b" in said and "Null when no Scope 3" in said and "schema 1.13" in said


def test_what_reproduces_the_factor_is_typed_and_said_and_older_ratings_lack_it() -> None:
    """Schema 1.14 (a PCAF analyst's review): ``financed_emissions`` carries the batch's
    ``attribution_basis``, ``attribution_denominator_cny``, ``loan_fx_to_cny`` and ``outstanding_basis``,
    each typed and described in the contract; a rating stored before has none and still loads."""
    from schemas.rating import FinancedEmissionsSchema

    engine = session_engine()
    body = copy.deepcopy(BASE_PAYLOAD)
    body["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                    "borrower_total_assets": 2_000_000}
    financed = engine.rate(engine.parse(body)).to_dict()["financed_emissions"]
    assert (financed["attribution_basis"], financed["attribution_denominator_cny"],
            financed["loan_fx_to_cny"], financed["outstanding_basis"]) == ("total_assets", 2e6, 1.0, "amount")
    schema = FinancedEmissionsSchema()
    assert schema.load(financed) == financed
    assert schema.load({**financed, "attribution_basis": "none", "attribution_denominator_cny": None})
    for name, wrong in (("attribution_basis", "evic"), ("outstanding_basis", "drawn"),
                        ("attribution_denominator_cny", "2e6x"), ("loan_fx_to_cny", None)):
        with pytest.raises(ValidationError) as info:
            schema.load({**financed, name: wrong})
        assert name in info.value.messages
    added = ("attribution_basis", "attribution_denominator_cny", "loan_fx_to_cny", "outstanding_basis")
    older = {k: v for k, v in financed.items() if k not in added}
    assert not set(added) & set(schema.load(older))
    for name in added:
        said = str(schema.fields[name].metadata["description"])
        assert "schema 1.14" in said, name
    assert "min(1, `outstanding_cny` / this)" in str(
        schema.fields["attribution_denominator_cny"].metadata["description"])
    assert "attribution_denominator_cny" in str(schema.fields["attribution_factor"].metadata["description"])
    # the loan's score says what its 5 rests on, by the key that now states it
    assert "5 without a balance sheet (`attribution_basis` `none`" in str(
        schema.fields["pcaf_score"].metadata["description"])
