"""The disclosure and the VSME export, built from a rating and its input alone (no service, no re-rating)."""

from __future__ import annotations

import json
from typing import Any

from rating_model.disclosure import IFRS_S2_SECTIONS, build_disclosure
from rating_model.engine import Engine
from rating_model.vsme import vsme_export
from tests.conftest import session_engine

MINIMAL: dict[str, Any] = {
    "company": {
        "name": "Corner Shop",
        "country": "CN",
        "region": "CN-GD",
        "industry_code": "4711",
        "employees": 60,
        "annual_revenue": 2_000_000,
        "currency": "CNY",
        "reporting_year": 2024,
    },
    "energy": {"electricity_spend": 20_000},
    "resources": {"waste_t": 3.0, "hazardous_waste_t": 0.5, "waste_recycled_t": 1.0},
    "practices": {"waste_sorting": True, "iso14001": True},
    "data_source": "estimated",
}


def _rated(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    engine: Engine = session_engine()
    data = engine.parse(body)
    rating = {"id": "rt_x", **engine.rate(data).to_dict()}
    return json.loads(json.dumps(rating)), json.loads(data.canonical_json())


def test_disclosure_states_what_was_estimated_and_keeps_gross_figures() -> None:
    rating, operating = _rated(MINIMAL)
    doc = build_disclosure(rating, operating)
    assert all(doc[s] == rating["issb_summary"][s] for s in IFRS_S2_SECTIONS)
    assert "energy.electricity_kwh" in doc["data_quality"]["statement"]
    assert doc["inventory"]["total"] == rating["emissions"]["total"]
    assert doc["rating"]["id"] == "rt_x" and doc["company"]["region"] == "CN-GD"


def test_vsme_waste_split_thresholds_and_certifications() -> None:
    rating, operating = _rated(MINIMAL)
    points = vsme_export(rating, operating)["datapoints"]
    assert points["B7"]["non_hazardous_waste_t"]["value"] == 2.5
    assert points["B7"]["circular_economy_principles"]["value"] == ["waste_sorting"]
    assert points["B1"]["certifications"]["value"] == ["ISO 14001"]
    assert points["B8"]["employee_turnover_rate"]["status"] == "not_available"  # 60 >= 50: required, not held
    assert points["B10"]["gender_pay_gap"]["status"] == "not_applicable"  # under 150 employees
    assert points["B6"]["water_withdrawal_m3"]["status"] == "not_available"
    b3 = points["B3"]
    assert b3["total_energy_mwh"]["value"] == rating["emissions"]["energy_mwh"]
    assert b3["scope3_tco2e"]["value"] == rating["emissions"]["scope3"]["total"]  # waste: category 5
    assert b3["scope1_tco2e"]["value"] == rating["emissions"]["scope1"]
