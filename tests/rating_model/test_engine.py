"""The one call that rates: end-to-end properties of ``Engine.rate`` on the packaged model and standard."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from rating_model.actions import apply_change
from rating_model.engine import Engine
from rating_model.exceptions import ArtifactError, FactorNotFoundError
from rating_model.standard import load_standard, parse_standard
from tests.rating_model.strategies import payloads

ENGINE = Engine.load()
FULL: dict[str, Any] = {
    "company": {"name": "Cafe Verde", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                "employees": 8, "annual_revenue": 3_000_000, "currency": "CNY", "reporting_year": 2022,
                "floor_area_m2": 120},
    "energy": {"electricity_kwh": 60_000, "fuels": [{"fuel": "natural_gas", "quantity": 8000, "unit": "m3"}]},
    "transport": {"fleet": [{"fuel": "gasoline", "vehicles": 2}]},
    "resources": {"water_m3": 900, "waste_t": 6, "waste_recycled_t": 1},
    "practices": {"e_invoicing": True, "digital_ordering": True, "led_lighting": False},
    "data_source": "energy_bills",
}
MINIMAL: dict[str, Any] = {
    "company": {"name": "Noodle bar", "country": "CN", "region": "CN-SC", "industry_code": "5610",
                "employees": 4, "annual_revenue": 900_000, "currency": "CNY", "reporting_year": 2023},
}


def rate(payload: dict[str, Any]) -> dict[str, Any]:
    return ENGINE.rate(ENGINE.parse(payload)).to_dict()


def test_points_add_up_to_the_score_and_pillars() -> None:
    r = rate(FULL)
    total = r["base_points"] + sum(c["points"] for c in r["contributions"])
    assert r["score"] == pytest.approx(total, abs=1e-9)
    assert sum(p["score"] for p in r["pillars"]) == pytest.approx(r["score"] - r["base_points"], abs=0.05)
    assert {c["indicator"] for c in r["contributions"]} == set(ENGINE.standard.indicators)
    assert all(0 <= c["points"] <= c["max_points"] for c in r["contributions"])
    assert r["grade"] == ENGINE.standard.grade_for(r["score"])


def test_rating_is_deterministic_and_json_round_trips() -> None:
    first = rate(FULL)
    assert json.loads(json.dumps(first)) == first
    assert rate(copy.deepcopy(FULL)) == first


def test_minimal_input_still_rates_with_every_estimate_flagged() -> None:
    r = rate(MINIMAL)
    assert set(r["data_quality"]["estimated_fields"]) >= {"energy.electricity_kwh", "energy.fuels"}
    assert r["data_quality"]["pcaf_score"] == 4
    assert r["data_quality"]["completeness"] < 0.5
    assert any(c["estimated"] for c in r["contributions"])
    assert r["emissions"]["scope2_location"] > 0 and r["emissions"]["scope1"] > 0


def test_electricity_bill_instead_of_kwh_is_estimated_with_the_tariff() -> None:
    payload = copy.deepcopy(MINIMAL)
    payload["energy"] = {"electricity_spend": 65_000}
    r = rate(payload)
    assert "energy.electricity_kwh" in r["data_quality"]["estimated_fields"]
    assert r["data_quality"]["pcaf_score"] == 4  # data source 'estimated' is 4 already; the floor is 3


def test_each_improvement_is_what_re_rating_gives() -> None:
    data = ENGINE.parse(FULL)
    rating = ENGINE.rate(data)
    assert rating.improvements, "a middling cafe must have something to improve"
    gains = [i.score_gain for i in rating.improvements]
    assert gains == sorted(gains, reverse=True) and min(gains) > 0
    top = rating.improvements[0]
    changed = apply_change(data, ENGINE.standard.actions[top.action].change)
    assert changed is not None
    again = ENGINE.rate(changed)
    assert again.score - rating.score == pytest.approx(top.score_gain, abs=0.011)
    assert again.grade == top.grade_after


def test_path_to_next_grade_is_verified() -> None:
    data = ENGINE.parse(FULL)
    rating = ENGINE.rate(data)
    path = rating.path_to_next_grade
    if not path["reachable"]:
        pytest.skip("no path for this business under the current model")
    changed = data
    grades = []
    for action in path["actions"]:
        changed = apply_change(changed, ENGINE.standard.actions[action].change) or changed
        grades.append(ENGINE.standard.rank(ENGINE.rate(changed).grade))
    target = ENGINE.standard.rank(path["target_grade"])
    assert grades[-1] <= target
    assert all(g > target for g in grades[:-1]), "the path stops at the first step that reaches the grade"


def test_more_green_electricity_never_lowers_the_score() -> None:
    data = ENGINE.parse(FULL)
    scores = []
    for green in (0, 10_000, 30_000, 60_000):
        changed = replace(data, energy=replace(data.energy, green_electricity_kwh=float(green)))
        scores.append(ENGINE.rate(changed).score)
    assert scores == sorted(scores)


def test_a_country_without_factors_needs_a_grid_factor() -> None:
    payload = copy.deepcopy(FULL)
    payload["company"] = {**payload["company"], "country": "KE", "region": None}
    del payload["company"]["region"]
    with pytest.raises(FactorNotFoundError):
        rate(payload)
    payload["energy"]["grid_factor"] = {"kgco2e_per_kwh": 0.1, "source": "Kenya grid study 2022"}
    r = rate(payload)
    assert r["emissions"]["scope2_location"] == pytest.approx(60_000 * 0.1 / 1000, rel=1e-6)


def test_a_model_that_contradicts_the_standard_is_refused() -> None:
    doc = copy.deepcopy(dict(load_standard().document))
    doc["pillars"][0]["indicators"][0]["direction"] = "increasing"
    with pytest.raises(ArtifactError, match="contradict"):
        Engine(parse_standard(doc), ENGINE.artifact)


def test_loan_data_gives_financed_emissions_and_eligibility() -> None:
    payload = copy.deepcopy(FULL)
    payload["loan"] = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                       "borrower_equity_plus_debt": 2_000_000}
    r = rate(payload)
    fe = r["financed_emissions"]
    assert fe["attribution_factor"] == pytest.approx(0.25)
    assert fe["scope12_tco2e"] == pytest.approx(
        0.25 * (r["emissions"]["scope1"] + r["emissions"]["scope2_location"]), rel=1e-3)
    assert r["green_loan"]["category"] in (None, "energy_efficiency")


def test_issb_summary_has_the_five_parts_with_statuses() -> None:
    summary = rate(FULL)["issb_summary"]
    assert list(summary) == ["governance", "strategy", "risk_management", "metrics_and_targets",
                             "basis_of_preparation"]
    for part in summary.values():
        for item in part.values():
            assert item["status"] in ("disclosed", "not_applicable", "not_available")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_any_valid_input_rates(payload: dict[str, Any]) -> None:
    r = rate(payload)
    assert 0 <= r["score"] <= 100
    total = r["base_points"] + sum(c["points"] for c in r["contributions"])
    assert r["score"] == pytest.approx(total, abs=1e-9)
    assert r["neutrality"]["offsets_tco2e"] >= 0
    assert r["emissions"]["total"] >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads())
def test_declared_directions_hold_for_green_actions(payload: dict[str, Any]) -> None:
    """Adopting any practice, recycling more, buying green power: the score never goes down."""
    data = ENGINE.parse(payload)
    base = ENGINE.rate(data).score
    for change in ({"set_practice": "led_lighting"}, {"set_practice": "environmental_policy"},
                   {"raise_recycling_rate_by": 0.3}, {"raise_renewable_electricity_share_by": 0.5},
                   {"set_target_pct_per_year": 5.0}):
        changed = apply_change(data, change)
        if changed is not None:
            assert ENGINE.rate(changed).score >= base - 1e-9, change


def test_installing_solar_never_lowers_the_score() -> None:
    data = ENGINE.parse(FULL)
    scores = [ENGINE.rate(replace(data, energy=replace(data.energy, onsite_renewable_kwh=float(kwh)))).score
              for kwh in (0, 5_000, 20_000, 80_000)]
    assert scores == sorted(scores)
