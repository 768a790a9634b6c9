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
