"""Refrigerants recharged (schema 1.13, factor set cn-2024.6): Scope 1 fugitive emissions, kg x GWP100.

A GHG auditor's review: a restaurant's or a cold store's refrigerant leaks were missing from Scope 1, and the
disclosure said greenrate never collects them. The values here are worked out by hand from IPCC AR5 WG1
Table 8.A.1 (HFC-32 677, HFC-125 3170, HFC-134a 1300, HFC-143a 4800, HCFC-22 1760, CO2 1) and the ASHRAE 34
mass fractions of the blends, independently of the factor file.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rating_model.engine import Engine
from rating_model.exceptions import FactorNotFoundError, InvalidInputError
from rating_model.factors import load_factor_set
from rating_model.inventory import compute_inventory
from rating_model.operating_data import REFRIGERANT_GASES, RefrigerantUse, adopt_practices
from rating_model.operating_data_reader import parse_operating_data
from schemas.operating_data import OperatingDataSchema

ENGINE = Engine.load()
AR5 = {"HFC-32": 677, "HFC-125": 3170, "HFC-134a": 1300, "HFC-143a": 4800}
#: the GWP100 each gas should have: single gases straight from Table 8.A.1, blends by mass fraction
EXPECTED_GWP = {
    "R-32": 677,
    "R-134a": 1300,
    "R-744": 1,
    "R-22": 1760,
    "R-410A": 0.5 * AR5["HFC-32"] + 0.5 * AR5["HFC-125"],
    "R-404A": 0.44 * AR5["HFC-125"] + 0.52 * AR5["HFC-143a"] + 0.04 * AR5["HFC-134a"],
    "R-407C": 0.23 * AR5["HFC-32"] + 0.25 * AR5["HFC-125"] + 0.52 * AR5["HFC-134a"],
    "R-507A": 0.5 * AR5["HFC-125"] + 0.5 * AR5["HFC-143a"],
}
RESTAURANT: dict[str, Any] = {
    "company": {"name": "Hotpot House", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                "employees": 20, "annual_revenue": 6_000_000, "currency": "CNY", "reporting_year": 2023,
                "floor_area_m2": 300},
    "energy": {"electricity_kwh": 120_000,
               "fuels": [{"fuel": "natural_gas", "quantity": 9000, "unit": "m3"}]},
    "transport": {"fleet": []},
    "resources": {"water_m3": 2000, "waste_t": 20, "waste_recycled_t": 5},
    "previous_year": {"energy": {"electricity_kwh": 130_000,
                                 "fuels": [{"fuel": "natural_gas", "quantity": 9500, "unit": "m3"}]}},
    "data_source": "energy_bills",
}


def _with(refrigerants: list[dict[str, Any]] | None) -> dict[str, Any]:
    payload = copy.deepcopy(RESTAURANT)
    if refrigerants is not None:
        payload["refrigerants"] = refrigerants
    return payload


def _rate(payload: dict[str, Any]) -> dict[str, Any]:
    return ENGINE.rate(ENGINE.parse(payload)).to_dict()


def test_every_gwp_is_the_ar5_value_or_its_blend() -> None:
    singles = load_factor_set(None).singles
    for gas, gwp in EXPECTED_GWP.items():
        record = singles["refrigerant." + gas]
        assert record.value == pytest.approx(gwp, rel=1e-12), gas
        assert (record.unit, record.gwp_basis, record.scope) == ("kgCO2e/kg", "AR5", 1)
        assert "Table 8.A.1" in record.source and record.source_url
    # every gas the API takes is priced, or refused by the set with its reason (R-290, R-600a)
    refused = {"R-290", "R-600a"}
    assert set(EXPECTED_GWP) | refused == set(REFRIGERANT_GASES)
    assert not any("refrigerant." + gas in singles for gas in refused)


def test_the_set_gwp_basis_is_the_one_of_its_other_co2e_records() -> None:
    """AR5, as the DESNZ proxies declare: a rating's CO2e figures stand on one IPCC report."""
    fs = load_factor_set(None)
    bases = {r.gwp_basis for r in fs.records if "CO2e/" in r.unit and r.gwp_basis != "n/a"}
    assert bases == {"AR5"}


@pytest.mark.parametrize("gas", sorted(set(EXPECTED_GWP) - {"R-22"}))
def test_a_recharge_is_scope1_at_kg_times_gwp(gas: str) -> None:
    plain = compute_inventory(parse_operating_data(_with([])))
    inv = compute_inventory(parse_operating_data(_with([{"gas": gas, "recharged_kg": 4.5}])))
    expected = 4.5 * EXPECTED_GWP[gas] / 1000.0
    assert inv.scope1_tco2e - plain.scope1_tco2e == pytest.approx(expected, rel=1e-9)
    assert inv.scope2_location_tco2e == plain.scope2_location_tco2e
    assert inv.total_tco2e == pytest.approx(plain.total_tco2e + expected, rel=1e-12)
    (line,) = [line for line in inv.line_items if line.path == "refrigerants.0"]
    assert (line.scope, line.category, line.unit, line.quantity) == (1, "fugitive_refrigerant", "kg", 4.5)
    assert line.tco2e == pytest.approx(expected, rel=1e-12)
    ref = next(ref for ref in inv.factors if ref.id == line.factor_id)
    assert ref.gwp_basis == "AR5" and ref.value == pytest.approx(EXPECTED_GWP[gas])


def test_a_cold_store_by_hand() -> None:
    """12 kg of R-404A and 3 kg of R-410A topped up: 12 x 3942.8 + 3 x 1923.5 = 53,084.1 kgCO2e."""
    plain = compute_inventory(parse_operating_data(_with([])))
    inv = compute_inventory(parse_operating_data(_with([
        {"gas": "R-404A", "recharged_kg": 12}, {"gas": "R-410A", "recharged_kg": 3},
    ])))
    assert inv.scope1_tco2e - plain.scope1_tco2e == pytest.approx(53.0841, rel=1e-9)
    assert inv.scope12_market_tco2e - plain.scope12_market_tco2e == pytest.approx(53.0841, rel=1e-9)


def test_r22_is_reported_beside_the_scopes_not_in_them() -> None:
    """HCFC-22 is a Montreal Protocol gas: the GHG Protocol keeps it out of the scopes (reported apart)."""
    plain = compute_inventory(parse_operating_data(_with([])))
    inv = compute_inventory(parse_operating_data(_with([{"gas": "R-22", "recharged_kg": 10}])))
    assert inv.scope1_tco2e == plain.scope1_tco2e and inv.total_tco2e == plain.total_tco2e
    assert not [line for line in inv.line_items if line.path.startswith("refrigerants")]
    (said,) = [text for text in inv.not_available if "R-22" in text]
    assert "17.600 tCO2e" in said and "not in Scope 1" in said
    assert any("R-22" in text and "未计入范围一" in text for text in inv.not_available_zh)


@pytest.mark.parametrize("gas", ["R-290", "R-600a"])
def test_a_gas_without_a_cited_gwp_is_refused_naming_the_field(gas: str) -> None:
    data = parse_operating_data(_with([{"gas": "R-32", "recharged_kg": 1}, {"gas": gas, "recharged_kg": 2}]))
    with pytest.raises(FactorNotFoundError) as err:
        compute_inventory(data)
    assert err.value.field == "refrigerants.1.gas"
    assert "Table 8.A.1" in err.value.message
    # nothing leaked, nothing to price: a wide export's zero is not refused
    zero = compute_inventory(parse_operating_data(_with([{"gas": gas, "recharged_kg": 0}])))
    assert zero.scope1_tco2e == compute_inventory(parse_operating_data(_with([]))).scope1_tco2e


def test_a_set_before_cn_2024_6_refuses_a_recharge() -> None:
    data = parse_operating_data(_with([{"gas": "R-410A", "recharged_kg": 1}]))
    with pytest.raises(FactorNotFoundError) as err:
        compute_inventory(data, factor_set_version="cn-2024.5")
    assert err.value.field == "refrigerants.0.gas" and "cn-2024.6 on" in err.value.message


def test_left_out_changes_no_figure_only_the_words() -> None:
    """Leaving refrigerants out rates as before schema 1.13 did (no figure moves, nothing is estimated),
    and the disclosure says refrigerant leaks are left out of Scope 1 instead of "never collected". (Its
    neutrality too here, burning gas without credits; a business neutral otherwise is not, with them left
    out: see test_operational_neutrality_needs_the_refrigerants_answered_and_their_leaks_covered.)"""
    left_out, none = _rate(_with(None)), _rate(_with([]))
    for key in ("score", "grade", "contributions", "pillars", "green_loan", "neutrality", "data_quality"):
        assert left_out[key] == none[key], key
    for key in ("scope1", "scope2_location", "scope2_market", "total", "line_items", "factors", "missing",
                "estimated"):
        assert left_out["emissions"][key] == none["emissions"][key], key
    said = left_out["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
    assert any("leaves out fugitive emissions (refrigerant leaks" in text for text in said)
    answered = none["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
    assert not any("refrigerant" in text for text in answered)
    assert all("refrigerant" not in text for text in said if text.startswith("not collected"))


def test_a_leak_adds_to_scope1_but_not_to_the_change_on_last_year() -> None:
    """previous_year carries no refrigerants: the like-for-like comparison leaves them out, so topping up
    does not read as an increase in the business's own energy emissions."""
    none = _rate(_with([]))
    leaked = _rate(_with([{"gas": "R-404A", "recharged_kg": 10}]))
    assert leaked["emissions"]["scope1"] == pytest.approx(none["emissions"]["scope1"] + 39.428, abs=1e-3)
    assert leaked["neutrality"]["reduction"] == none["neutrality"]["reduction"]
    assert leaked["neutrality"]["change_pct"] == none["neutrality"]["change_pct"] is not None


def test_operating_data_keeps_the_answer_and_adopting_practices_carries_it() -> None:
    data = parse_operating_data(_with([{"gas": "R-32", "recharged_kg": 1.5}]))
    assert data.refrigerants == (RefrigerantUse("R-32", 1.5),)
    assert data.to_dict()["refrigerants"] == [{"gas": "R-32", "recharged_kg": 1.5}]
    assert parse_operating_data(_with([])).to_dict()["refrigerants"] == []  # an answer: none recharged
    assert "refrigerants" not in parse_operating_data(_with(None)).to_dict()
    assert adopt_practices(data, ["led_lighting"]).refrigerants == data.refrigerants


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"gas": "R-12", "recharged_kg": 1}, "refrigerants.0.gas"),
        ({"gas": "R-410A", "recharged_kg": -1}, "refrigerants.0.recharged_kg"),
        ({"gas": "R-410A", "recharged_kg": 2e6}, "refrigerants.0.recharged_kg"),
        ({"gas": "R-410A"}, "refrigerants.0.recharged_kg"),
        ({"gas": "R-410A", "recharged_kg": 1, "charge_kg": 5}, "refrigerants.0.charge_kg"),
    ],
)
def test_both_layers_refuse_a_bad_item(item: dict[str, Any], field: str) -> None:
    payload = _with([item])
    with pytest.raises(InvalidInputError) as err:
        parse_operating_data(payload)
    assert err.value.field == field
    errors = OperatingDataSchema().validate(payload)
    assert "refrigerants" in errors and 0 in errors["refrigerants"]


def _neutral_candidate(refrigerants: list[dict[str, Any]] | None,
                       offsets_tco2e: float = 0.0) -> dict[str, Any]:
    """A tea shop on green power in Guangdong (heat not asked), burning nothing, without vehicles: a
    market-based Scope 1+2 of zero from its energy, and every other Scope 1 and 2 input answered."""
    payload = _with(refrigerants)
    payload["company"]["region"] = "CN-GD"
    payload["energy"] = {"electricity_kwh": 20_000, "green_electricity_kwh": 20_000, "fuels": []}
    del payload["previous_year"]
    if offsets_tco2e:
        payload["offsets"] = [{"standard": "CCER", "tco2e": offsets_tco2e, "type": "removal"}]
    return _rate(payload)


def test_operational_neutrality_needs_the_refrigerants_answered_and_their_leaks_covered() -> None:
    """Fugitive emissions are Scope 1 (GHG Protocol Corporate Standard ch. 4), and a neutrality claim
    covers the whole Scope 1+2 boundary (ISO 14068-1, PAS 2060): refrigerants left out, whose disclosure
    says Scope 1 leaves out refrigerant leaks, had been "operationally neutral" all the same. A recharge is
    in market-based Scope 1+2, so it must be covered by the credits retired like any other emission."""
    left_out = _neutral_candidate(None)
    assert left_out["emissions"]["scope1"] == left_out["emissions"]["scope2_market"] == 0.0
    said = left_out["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
    assert any("leaves out fugitive emissions" in text for text in said)
    assert left_out["neutrality"]["operationally_neutral"] is False
    assert left_out["neutrality"]["net_scope12_after_credits"] == 0.0  # the figures are as they were
    assert _neutral_candidate([])["neutrality"]["operationally_neutral"] is True
    leaked = [{"gas": "R-410A", "recharged_kg": 3}]  # 3 x 1923.5 = 5.7705 tCO2e
    assert _neutral_candidate(leaked)["neutrality"]["operationally_neutral"] is False
    assert _neutral_candidate(leaked, 5.77)["neutrality"]["operationally_neutral"] is False
    covered = _neutral_candidate(leaked, 5.7705)["neutrality"]
    assert covered["operationally_neutral"] is True and covered["offsets_tco2e"] == 5.7705
    # credits covering the leak do not make up for an answer left out
    credits_alone = _neutral_candidate(None, 10.0)["neutrality"]
    assert credits_alone["surplus_credits_tco2e"] == 10.0 and not credits_alone["operationally_neutral"]


def test_r22_recharged_is_outside_the_claim_as_it_is_outside_scope_1() -> None:
    """HCFC-22 is reported beside the scopes, not in them (a Montreal Protocol gas the GHG Protocol keeps
    out), so the neutrality claim, which is of market-based Scope 1+2, neither counts nor needs it: the
    answer is given, and its CO2e stays said among what the inventory leaves out."""
    rated = _neutral_candidate([{"gas": "R-22", "recharged_kg": 2}])
    assert rated["neutrality"]["operationally_neutral"] is True
    assert any("R-22" in text for text in rated["emissions"]["not_available"])
