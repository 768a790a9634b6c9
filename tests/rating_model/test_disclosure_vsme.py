"""The disclosure and the VSME export, built from a rating and its input alone (no service, no re-rating)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rating_model.disclosure import IFRS_S2_SECTIONS, build_disclosure
from rating_model.engine import Engine
from rating_model.vsme import vsme_export
from tests.conftest import BASE_PAYLOAD, session_engine

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


# -- regressions from the disclosure review -------------------------------------------------------------

# The payload of the API tests, with a bit of every section the summaries read.
RICH: dict[str, Any] = {
    **BASE_PAYLOAD,
    "company": {**BASE_PAYLOAD["company"], "name": "Lotus Tea"},
    "energy": {
        **BASE_PAYLOAD["energy"],
        "green_electricity_kwh": 10_000,
        "onsite_renewable_kwh": 5_000,
    },
    "transport": {
        "business_travel": [{"mode": "flight_domestic", "passenger_km": 20_000}],
        "fleet": [{"fuel": "diesel", "vehicles": 2}],
    },
    "resources": {"waste_t": 2, "hazardous_waste_t": 0.5, "waste_recycled_t": 1, "water_m3": 300},
    "practices": {"green_products_share": 0.0, "iso14001": True, "climate_responsible_person": True},
    "loan": {
        "amount": 500_000,
        "currency": "CNY",
        "use_of_proceeds": "general_working_capital",
        "borrower_total_assets": 2_000_000,
    },
    "data_source": "energy_bills",
}


def _with(body: dict[str, Any], **sections: Any) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(body))
    out.update(sections)
    return out


def test_a_zero_green_products_share_is_reported_as_zero_not_as_missing() -> None:
    rating, _ = _rated(RICH)
    summary = rating["issb_summary"]
    opportunities = summary["strategy"]["opportunities"]
    assert opportunities["status"] == "disclosed" and opportunities["value"].startswith("0%")
    assert summary["metrics_and_targets"]["climate_opportunities"]["value"] == 0.0
    unanswered, _ = _rated(_with(RICH, practices={"iso14001": True}))
    assert unanswered["issb_summary"]["strategy"]["opportunities"]["status"] == "not_available"


def test_only_a_green_use_of_proceeds_counts_as_climate_capital_deployment() -> None:
    general, _ = _rated(RICH)
    item = general["issb_summary"]["metrics_and_targets"]["capital_deployment"]
    assert item["status"] == "not_available" and "value" not in item
    assert "general_working_capital" in item["note"] and "not a green category" in item["note"]
    green, _ = _rated(_with(RICH, loan={**RICH["loan"], "use_of_proceeds": "energy_efficiency"}))
    item = green["issb_summary"]["metrics_and_targets"]["capital_deployment"]
    assert item["status"] == "disclosed"
    assert item["value"] == {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
    none, _ = _rated(_with(RICH, loan=None))
    assert none["issb_summary"]["metrics_and_targets"]["capital_deployment"]["status"] == "not_available"


def test_the_standard_passed_decides_which_uses_of_proceeds_are_green() -> None:
    from rating_model.estimation import fill_missing
    from rating_model.issb import issb_summary

    engine: Engine = session_engine()
    data = engine.parse(_with(RICH, loan={**RICH["loan"], "use_of_proceeds": "energy_efficiency"}))
    ev = engine.evaluate(fill_missing(data, engine.standard))
    its_own = issb_summary(data, ev.inventory, ev.quality, engine.standard.green_uses)
    no_green_category = issb_summary(data, ev.inventory, ev.quality, green_uses=())
    assert its_own["metrics_and_targets"]["capital_deployment"]["status"] == "disclosed"
    assert no_green_category["metrics_and_targets"]["capital_deployment"]["status"] == "not_available"


def test_summary_figures_are_the_inventory_figures_to_the_same_decimals() -> None:
    rating, operating = _rated(RICH)
    metrics = rating["issb_summary"]["metrics_and_targets"]
    em = rating["emissions"]
    assert metrics["scope1_tco2e"]["value"] == em["scope1"]
    assert metrics["scope2_location_tco2e"]["value"] == em["scope2_location"]
    assert metrics["scope2_market_tco2e"]["value"] == em["scope2_market"]
    assert metrics["scope3_tco2e"]["value"] == em["scope3"]["total"]
    assert metrics["energy_mwh"]["value"] == em["energy_mwh"]
    assert metrics["ghg_intensity_per_cny_million"]["value"] == em["intensities"]["per_cny_million_revenue"]
    inv = build_disclosure(rating, operating)["inventory"]
    assert metrics["scope1_tco2e"]["value"] == inv["scope1"]
    assert metrics["scope3_tco2e"]["value"] == inv["scope3"]


def test_inventory_shows_a_scope_the_rating_does_not_disclose_as_none_never_zero() -> None:
    rating, operating = _rated(_with(RICH, transport=None, resources=None))
    assert rating["issb_summary"]["metrics_and_targets"]["scope3_tco2e"]["status"] == "not_available"
    inv = build_disclosure(rating, operating)["inventory"]
    assert inv["scope3"] is None and inv["status"]["scope3"] == "not_available"
    assert inv["scope1"] == rating["emissions"]["scope1"] and inv["status"]["scope1"] == "disclosed"
    # Scopes 1 and 2 follow the summary's status the same way, whatever it says.
    rating["issb_summary"]["metrics_and_targets"]["scope2_market_tco2e"] = {
        "status": "not_available",
        "note": "x",
    }
    inv = build_disclosure(rating, operating)["inventory"]
    assert inv["scope2_market"] is None and inv["scope2_location"] == rating["emissions"]["scope2_location"]
    # A rating stored without a summary still shows an uncovered Scope 3 as not available.
    del rating["issb_summary"]
    assert build_disclosure(rating, operating)["inventory"]["scope3"] is None


def test_vsme_balance_sheet_total_is_in_the_companys_currency() -> None:
    """Engine 1.9 reads the loan's balance sheet in ``company.currency`` (the borrower's statement, like its
    turnover), but B1 still labelled it with the loan's currency: a EUR company's EUR 3 M of total assets
    beside a CNY loan was exported as CNY 3 M. A rating of an engine before 1.9, which read it in the loan's
    currency, is exported as that rating read it."""
    body = _with(
        RICH,
        company={**RICH["company"], "currency": "EUR", "fx_to_cny": 7.8, "annual_revenue": 400_000},
        loan={**RICH["loan"], "currency": "CNY", "borrower_total_assets": 3_000_000},
    )
    rating, operating = _rated(body)
    b1 = vsme_export(rating, operating)["datapoints"]["B1"]
    assert b1["balance_sheet_total"]["value"] == 3_000_000
    assert b1["balance_sheet_total"]["unit"] == "EUR" == b1["turnover"]["unit"]
    # the attribution divided by it in EUR: CNY 500k over EUR 3 M at 7.8
    assert rating["financed_emissions"]["attribution_factor"] == pytest.approx(500_000 / (3_000_000 * 7.8),
                                                                               abs=1e-6)
    earlier = {**rating, "versions": {**rating["versions"], "engine": "1.8"}}
    b1 = vsme_export(earlier, operating)["datapoints"]["B1"]
    assert b1["balance_sheet_total"]["unit"] == "CNY"


def test_vsme_intensities_of_a_turnover_in_another_currency_name_the_rate_they_rest_on() -> None:
    """Per CNY million of a EUR turnover: the note had named ``company.fx_to_cny`` but not its value, which
    no other part of the rating or the export states."""
    company = {**RICH["company"], "currency": "EUR", "fx_to_cny": 7.8, "annual_revenue": 400_000}
    body = _with(RICH, company=company)
    rating, operating = _rated(body)
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    for intensity in ("ghg_intensity", "ghg_intensity_scope1_2_3"):
        assert "the turnover in EUR is converted to CNY at company.fx_to_cny, 7.8 CNY per EUR" in (
            b3[intensity]["note"]), intensity
    cny = vsme_export(*_rated(RICH))["datapoints"]["B3"]
    assert "per EUR" not in cny["ghg_intensity"]["note"] and "CNY per CNY" not in cny["ghg_intensity"]["note"]
    # the rate as given, every figure of it (six significant figures had said 7.12346 for 7.1234567)
    precise = _with(RICH, company={**company, "fx_to_cny": 7.1234567})
    b3 = vsme_export(*_rated(precise))["datapoints"]["B3"]
    assert "company.fx_to_cny, 7.1234567 CNY per EUR" in b3["ghg_intensity"]["note"]


def test_vsme_b1_has_every_required_datapoint_of_the_basic_module() -> None:
    rating, operating = _rated(RICH)
    b1 = vsme_export(rating, operating)["datapoints"]["B1"]
    required = {
        "reporting_option",
        "omitted_disclosures",
        "basis",
        "subsidiaries",
        "legal_form",
        "industry_code",
        "balance_sheet_total",
        "turnover",
        "employees",
        "country",
        "site_geolocation",
        "certifications",
    }
    assert required <= set(b1)
    assert b1["legal_form"]["status"] == "not_available" and b1["legal_form"]["note"]
    assert b1["subsidiaries"]["status"] == "not_available" and b1["subsidiaries"]["note"]
    # "individual" is greenrate's assumption, as the IFRS S2 reporting entity says: nothing asks for it
    assert b1["basis"]["value"] == "individual" and b1["basis"]["note"].startswith("Assumed by greenrate")


def test_vsme_b2_practices_leave_governance_to_the_ifrs_summary() -> None:
    """A climate-responsible person is governance (IFRS S2 para 6), not a B2 transition practice."""
    rating, operating = _rated(RICH)
    b2 = vsme_export(rating, operating)["datapoints"]["B2"]
    assert b2["practices"]["value"] == ["iso14001"]
    assert rating["issb_summary"]["governance"]["oversight"]["status"] == "disclosed"


def test_material_mass_flows_are_asked_of_manufacturing_and_construction_only() -> None:
    statuses = {}
    for code in ("5610", "2220", "4100"):  # a restaurant, a plastics maker, a builder
        body = json.loads(json.dumps(MINIMAL))
        body["company"]["industry_code"] = code
        rating, operating = _rated(body)
        statuses[code] = vsme_export(rating, operating)["datapoints"]["B7"]["material_mass_flows"]["status"]
    assert statuses == {"5610": "not_applicable", "2220": "not_available", "4100": "not_available"}


# -- regressions from the IFRS S2 / PCAF / VSME disclosure review ----------------------------------------

# A road-freight firm with certificate-backed power, no site fuel, and its fleet never answered.
FREIGHT: dict[str, Any] = {
    "company": {
        "name": "Ningbo Road Freight",
        "country": "CN",
        "region": "CN-ZJ",
        "industry_code": "4923",
        "employees": 30,
        "annual_revenue": 15_000_000,
        "currency": "CNY",
        "reporting_year": 2024,
    },
    "energy": {
        "electricity_kwh": 20_000,
        "green_electricity_kwh": 20_000,
        "green_electricity_instrument": "green_certificate",
        "fuels": [],
        "purchased_heat_gj": 0,  # none, asked in Zhejiang since standard 1.9.0
    },
    "data_source": "energy_bills",
}


def test_a_fleet_left_out_is_named_as_excluded_never_a_measured_zero() -> None:
    rating, operating = _rated(FREIGHT)
    assert "transport.fleet" in rating["emissions"]["missing"]
    assert "energy.fuels" not in rating["emissions"]["missing"]  # "fuels": [] is an answer
    assert rating["neutrality"]["operationally_neutral"] is False  # zero Scope 1+2 by omission
    summary = rating["issb_summary"]
    assert "company vehicles" in summary["metrics_and_targets"]["scope1_tco2e"]["note"]
    exclusions = summary["basis_of_preparation"]["exclusions"]["value"]
    assert any(e.startswith("Scope 1 leaves out company vehicles") for e in exclusions)
    assert any("ISIC 4923" in e for e in exclusions)  # a transport business is told it matters most
    assert "exclusions" in summary["basis_of_preparation"]["estimates"]["note"]
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    assert b3["scope1_tco2e"]["value"] == 0.0 and "company vehicles" in b3["scope1_tco2e"]["note"]
    for intensity in ("ghg_intensity", "ghg_intensity_scope1_2_3"):  # a diff review: a plain 0.0 beside it
        assert "Its Scope 1 excludes company vehicles" in b3[intensity]["note"], intensity

    answered = _rated(_with(FREIGHT, transport={"fleet": []}))[0]  # "no vehicles" is an answer
    assert "transport.fleet" not in answered["emissions"]["missing"]
    answered_b3 = vsme_export(answered, _with(FREIGHT, transport={"fleet": []}))["datapoints"]["B3"]
    assert "excludes" not in answered_b3["ghg_intensity"]["note"]
    # neutral once its refrigerants are answered too (none recharged): fugitive emissions are Scope 1
    assert answered["neutrality"]["operationally_neutral"] is False
    no_leaks = _rated(_with(FREIGHT, transport={"fleet": []}, refrigerants=[]))[0]
    assert no_leaks["neutrality"]["operationally_neutral"] is True
    assert not any("company vehicles" in e
                   for e in answered["issb_summary"]["basis_of_preparation"]["exclusions"]["value"])
    shop = _rated(_with(FREIGHT, company={**FREIGHT["company"], "industry_code": "4711"}))[0]
    exclusions = shop["issb_summary"]["basis_of_preparation"]["exclusions"]["value"]
    assert any(e.startswith("Scope 1 leaves out company vehicles") for e in exclusions)  # every business
    assert not any("ISIC" in e for e in exclusions)


def test_vsme_scope2_says_heat_left_out_as_the_ifrs_scope2_does() -> None:
    """Heat is asked in Beijing (district heat is sold there): left unanswered, the IFRS S2 Scope 2 said
    "Excludes purchased heat, not reported" while the VSME export of the same rating gave a plain 0.0."""
    body = _with(BASE_PAYLOAD, energy={"electricity_kwh": 0, "fuels": []}, transport={"fleet": []})
    body["company"] = {**BASE_PAYLOAD["company"], "region": "CN-BJ"}
    rating, operating = _rated(body)
    assert "energy.purchased_heat_gj" in rating["emissions"]["missing"]
    assert "purchased heat" in rating["issb_summary"]["metrics_and_targets"]["scope2_location_tco2e"]["note"]
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    assert b3["scope2_location_tco2e"]["value"] == 0.0
    assert "may exclude purchased heat" in b3["scope2_location_tco2e"]["note"]
    for intensity in ("ghg_intensity", "ghg_intensity_scope1_2_3"):
        assert "Its Scope 2 may exclude purchased heat" in b3[intensity]["note"], intensity

    answered = _with(body, energy={"electricity_kwh": 0, "fuels": [], "purchased_heat_gj": 0})
    rating, operating = _rated(answered)
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    assert "note" not in b3["scope2_location_tco2e"] and "exclude" not in b3["ghg_intensity"]["note"]


def test_an_explicit_no_is_disclosed_as_no_and_only_an_unanswered_question_is_not_available() -> None:
    said_no = dict.fromkeys(("climate_responsible_person", "environmental_policy", "iso14001",
                             "energy_audit", "green_procurement_policy", "waste_sorting",
                             "green_packaging"), False)
    rating, operating = _rated(_with(MINIMAL, practices=said_no))
    summary = rating["issb_summary"]
    for item in (summary["governance"]["oversight"], summary["governance"]["policy"],
                 summary["risk_management"]["process"]):
        assert item["status"] == "disclosed" and item["value"].startswith("No:"), item
    points = vsme_export(rating, operating)["datapoints"]
    assert points["B2"]["policies"] == {
        "status": "disclosed", "value": [],
        "note": "None: the business answered no to each policy asked (environmental_policy, "
                "green_procurement_policy).",
    }
    assert points["B7"]["circular_economy_principles"]["status"] == "disclosed"
    assert points["B1"]["certifications"]["status"] == "not_available"  # other labels were never asked
    assert "answered no" in points["B1"]["certifications"]["note"]

    unanswered, operating = _rated(_with(MINIMAL, practices={"environmental_policy": False}))
    summary = unanswered["issb_summary"]
    assert summary["governance"]["oversight"]["status"] == "not_available"
    assert summary["governance"]["oversight"]["note"].startswith("Not reported")
    assert summary["risk_management"]["process"]["status"] == "not_available"
    policies = vsme_export(unanswered, operating)["datapoints"]["B2"]["policies"]
    assert policies["status"] == "not_available"
    assert "answered no: environmental_policy; not answered: green_procurement_policy" in policies["note"]


def test_credits_left_out_are_not_reported_never_none_used() -> None:
    """The parser reads "offsets" left out and "offsets": [] alike (no credits), so both are not reported."""
    for body in (MINIMAL, _with(MINIMAL, offsets=[])):
        credits = _rated(body)[0]["issb_summary"]["metrics_and_targets"]["carbon_credits"]
        assert credits["status"] == "not_available"
        assert credits["note"].startswith("No carbon credits were reported")


ONE_CLICK: dict[str, Any] = {
    "company": {"name": "Corner Shop", "country": "CN", "industry_code": "4711", "employees": 3,
                "annual_revenue": 800_000, "currency": "CNY", "reporting_year": 2024},
}


def test_vsme_marks_every_figure_resting_on_an_estimate_and_carries_the_data_quality() -> None:
    """A one-click shop's sector-default 25.5 MWh had been exported as plainly disclosed, with no PCAF
    score anywhere in the export."""
    rating, operating = _rated(ONE_CLICK)
    export = vsme_export(rating, operating)
    dq = export["data_quality"]
    assert dq["pcaf_score"] == rating["data_quality"]["pcaf_score"] == 4
    assert dq["estimated_fields"] == ["energy.electricity_kwh", "energy.fuels"]
    assert dq["sector_default_fields"] == dq["estimated_fields"] and dq["bill_conversions"] == []
    b3 = export["datapoints"]["B3"]
    for name in ("total_energy_mwh", "electricity_mwh", "fuels_and_heat_mwh", "scope1_tco2e",
                 "scope2_location_tco2e", "ghg_intensity", "ghg_intensity_scope1_2_3"):
        assert b3[name]["estimated"] is True and "Estimated: rests on estimated input(s)" in b3[name]["note"]
    assert "energy.electricity_kwh (see data_quality)" in b3["electricity_mwh"]["note"]
    assert b3["renewable_electricity_mwh"]["estimated"] is False  # none was given, and none estimated
    measured = vsme_export(*_rated(FREIGHT))["datapoints"]["B3"]
    assert all(item["estimated"] is False for item in measured.values() if item["status"] == "disclosed")


def test_vsme_b3_intensity_is_scope1_and_location_scope2_whatever_scope3_data_is_given() -> None:
    """B3's intensity had been Scope 1+2+3 over turnover, so optional Scope 3 data moved it."""
    rating, operating = _rated(RICH)
    em = rating["emissions"]
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    revenue_m = RICH["company"]["annual_revenue"] / 1e6
    assert em["scope3"]["total"] > 0
    scope12 = (em["scope1"] + em["scope2_location"]) / revenue_m  # tCO2e as stored, to 4 decimals
    assert b3["ghg_intensity"]["value"] == pytest.approx(scope12, abs=1e-4)
    assert b3["ghg_intensity"]["value"] == em["intensities"]["scope12_location_per_cny_million_revenue"]
    assert b3["ghg_intensity"]["unit"] == "tCO2e per CNY million turnover"
    assert "not per euro" in b3["ghg_intensity"]["note"]
    assert b3["ghg_intensity_scope1_2_3"]["value"] == em["intensities"]["per_cny_million_revenue"]
    assert b3["ghg_intensity_scope1_2_3"]["value"] > b3["ghg_intensity"]["value"]
    no_scope3 = _with(RICH, transport={"fleet": RICH["transport"]["fleet"]}, resources={})
    assert vsme_export(*_rated(no_scope3))["datapoints"]["B3"]["ghg_intensity"]["value"] == (
        b3["ghg_intensity"]["value"])
    # a rating of an engine before 1.8 has no such intensity: the export divides its stored figures
    del rating["emissions"]["intensities"]["scope12_location_per_cny_million_revenue"]
    earlier = vsme_export(rating, operating)["datapoints"]["B3"]["ghg_intensity"]["value"]
    assert earlier == pytest.approx(b3["ghg_intensity"]["value"], abs=1e-4)


def test_vsme_renewable_electricity_is_the_kwh_given_not_the_rounded_share_times_electricity() -> None:
    body = _with(FREIGHT, energy={"electricity_kwh": 100_000, "green_electricity_kwh": 20_000,
                                  "green_electricity_instrument": "ppa", "onsite_renewable_kwh": 30_000,
                                  "fuels": []})
    b3 = vsme_export(*_rated(body))["datapoints"]["B3"]
    assert b3["renewable_electricity_mwh"]["value"] == 50.0  # had been 49.9999


def test_a_bill_converted_at_the_standards_tariff_is_not_called_a_sector_default() -> None:
    rating, operating = _rated(_with(FREIGHT, energy={"electricity_spend": 30_000, "fuels": []}))
    dq = build_disclosure(rating, operating)["data_quality"]
    assert dq["sector_default_fields"] == []
    assert dq["bill_conversions"] == [{
        "field": "energy.electricity_kwh", "from_field": "energy.electricity_spend",
        "tariff_cny_per_kwh": 0.65, "standard": rating["versions"]["standard"],
        "tariff_source": dq["bill_conversions"][0]["tariff_source"],
    }]
    source = dq["bill_conversions"][0]["tariff_source"]
    assert source.startswith("greenrate assumption, not a published figure")  # the standard's own words
    assert "sector default" not in dq["statement"]
    assert (
        "converted from the bill's amount (energy.electricity_spend) at the standard's assumed tariff of "
        "0.65 CNY/kWh"
    ) in dq["statement"]
    note = rating["issb_summary"]["basis_of_preparation"]["estimates"]["note"]
    assert "electricity: converted from the bill: electricity_spend 30000 CNY / 0.65 CNY/kWh" in note


def test_the_ifrs_energy_and_intensity_say_when_they_rest_on_estimates_or_leave_inputs_out() -> None:
    """The scopes of a one-click shop said "Includes estimated figures", but its energy total (all of it
    sector defaults) and its intensity beside them were disclosed with no word of it, as were a Beijing
    shop's energy and intensity without the purchased heat and vehicles its Scope 1 and 2 notes exclude (the
    VSME export marks the same figures ``estimated``)."""
    metrics = _rated(ONE_CLICK)[0]["issb_summary"]["metrics_and_targets"]
    for name in ("energy_mwh", "ghg_intensity_per_cny_million"):
        assert "Includes estimated figures (emissions.estimated)." in metrics[name]["note"], name
        assert "含估算数据" in metrics[name]["note_zh"], name
    beijing = _with(ONE_CLICK, company={**ONE_CLICK["company"], "region": "CN-BJ"},
                    energy={"electricity_kwh": 20_000, "fuels": []}, data_source="energy_bills")
    rating = _rated(beijing)[0]
    assert {"energy.purchased_heat_gj", "transport.fleet"} <= set(rating["emissions"]["missing"])
    metrics = rating["issb_summary"]["metrics_and_targets"]
    assert "Excludes purchased heat, not reported" in metrics["scope2_location_tco2e"]["note"]
    energy, intensity = metrics["energy_mwh"], metrics["ghg_intensity_per_cny_million"]
    assert "estimated" not in energy["note"] and "estimated" not in intensity["note"]
    assert "Excludes company vehicles and purchased heat, not reported" in energy["note"]
    assert "Excludes company vehicles and purchased heat, not reported" in intensity["note"]
    assert all("未包含企业车辆和外购热力" in item["note_zh"] for item in (energy, intensity))
    reported = _rated(_with(beijing, energy={**beijing["energy"], "purchased_heat_gj": 0},
                            transport={"fleet": []}))[0]["issb_summary"]["metrics_and_targets"]
    for name in ("energy_mwh", "ghg_intensity_per_cny_million"):
        assert "Excludes" not in reported[name]["note"] and "estimated" not in reported[name]["note"], name


def test_vsme_scopes_name_the_businesss_own_reported_inventory_beside_the_computed_figure() -> None:
    """A business that sent its own inventory (schema 1.11) had B3 disclose greenrate's computed scopes with
    no word of its own figures, which its loans attribute instead (a PCAF analyst's review)."""
    body = {**BASE_PAYLOAD, "reported_emissions": {"scope1_tco2e": 12.5, "scope2_location_tco2e": 20.0,
                                                   "scope3_tco2e": 3.5, "verified": True, "verifier": "CQC"}}
    rating, op = _rated(body)
    b3 = vsme_export(rating, op)["datapoints"]["B3"]
    assert b3["scope1_tco2e"]["value"] == rating["emissions"]["scope1"]  # the computed figure, as before
    assert "own inventory reports 12.5 tCO2e (verified by CQC)" in b3["scope1_tco2e"]["note"]
    assert "own inventory reports 20.0 tCO2e (verified by CQC)" in b3["scope2_location_tco2e"]["note"]
    assert b3["scope3_tco2e"]["status"] == "not_available"  # no Scope 3 activity data
    assert "own inventory reports 3.5 tCO2e" in b3["scope3_tco2e"]["note"]
    unverified = {**body, "reported_emissions": {"scope1_tco2e": 1.0, "scope2_location_tco2e": 2.0,
                                                 "verified": False}}
    b3 = vsme_export(*_rated(unverified))["datapoints"]["B3"]
    assert "reports 1.0 tCO2e (unverified)" in b3["scope1_tco2e"]["note"]
    assert "own inventory" not in b3["scope3_tco2e"]["note"]
    plain = vsme_export(*_rated(BASE_PAYLOAD))["datapoints"]["B3"]
    assert all("own inventory" not in str(item.get("note")) for item in plain.values())


# -- an accountant's VSME B3 review -----------------------------------------------------------------------


def test_vsme_energy_names_the_inputs_left_unreported_as_the_ifrs_energy_does() -> None:
    """A Beijing shop that answered neither purchased heat (asked there) nor its fleet: the IFRS S2 energy
    item said "Excludes company vehicles and purchased heat, not reported", while B3's total energy and its
    fuels-and-heat split beside it were plain figures, read as complete by an accountant filling in B3."""
    beijing = _with(ONE_CLICK, company={**ONE_CLICK["company"], "region": "CN-BJ"},
                    energy={"electricity_kwh": 20_000, "fuels": []}, data_source="energy_bills")
    rating, operating = _rated(beijing)
    assert {"energy.purchased_heat_gj", "transport.fleet"} <= set(rating["emissions"]["missing"])
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    for name in ("total_energy_mwh", "fuels_and_heat_mwh"):
        note = b3[name]["note"].lower()
        assert "may exclude purchased heat" in note and "company vehicles" in note, name
        assert "not a measured zero" in note, name
    assert "note" not in b3["electricity_mwh"]  # electricity was given: nothing left out of it
    answered = _with(beijing, energy={**beijing["energy"], "purchased_heat_gj": 0}, transport={"fleet": []})
    b3 = vsme_export(*_rated(answered))["datapoints"]["B3"]
    for name in ("total_energy_mwh", "fuels_and_heat_mwh"):
        assert "exclude" not in b3[name]["note"].replace("are in Scope 1", ""), name
        assert "not a measured zero" not in b3[name]["note"], name


def test_vsme_b3_splits_energy_renewable_and_not_and_gives_market_scope2_beside_location() -> None:
    """B3 asks total energy split renewable / non-renewable where it can be obtained, and a bank asks
    Scope 2 on both bases where instruments exist: the export gave renewable electricity alone and Scope 2
    location-based alone, so the accountant derived the rest by hand from the rating."""
    rating, operating = _rated(RICH)  # 10 MWh under an instrument, 5 MWh on site, fuels
    em = rating["emissions"]
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    value = {k: v.get("value") for k, v in b3.items()}
    assert value["renewable_energy_mwh"] == value["renewable_electricity_mwh"] == 15.0
    total = value["renewable_energy_mwh"] + value["non_renewable_energy_mwh"]
    assert total == pytest.approx(em["energy_mwh"])
    assert value["renewable_electricity_mwh"] + value["non_renewable_electricity_mwh"] == pytest.approx(
        em["electricity_mwh"])
    assert value["renewable_energy_mwh"] / value["total_energy_mwh"] == pytest.approx(em["renewable_share"],
                                                                                      abs=1e-6)
    assert all(b3[k]["unit"] == "MWh" for k in ("renewable_energy_mwh", "non_renewable_energy_mwh",
                                                "non_renewable_electricity_mwh"))
    market = b3["scope2_market_tco2e"]
    assert (market["status"], market["value"], market["unit"]) == ("disclosed", em["scope2_market"], "tCO2e")
    assert market["value"] < b3["scope2_location_tco2e"]["value"] and "Market-based" in market["note"]
    assert "may exclude purchased heat" in b3["non_renewable_energy_mwh"]["note"].lower()  # as the total
    # resting on estimated electricity, as the figures they are derived from
    one_click = vsme_export(*_rated(ONE_CLICK))["datapoints"]["B3"]
    assert one_click["non_renewable_energy_mwh"]["estimated"] is True
    assert one_click["non_renewable_electricity_mwh"]["estimated"] is True
    assert one_click["scope2_market_tco2e"]["estimated"] is True
    assert one_click["renewable_energy_mwh"] == {**one_click["renewable_energy_mwh"], "value": 0.0,
                                                 "estimated": False}
    reported = {**BASE_PAYLOAD, "reported_emissions": {"scope1_tco2e": 12.5, "scope2_location_tco2e": 20.0,
                                                       "scope2_market_tco2e": 18.0, "verified": False}}
    b3 = vsme_export(*_rated(reported))["datapoints"]["B3"]
    assert "own inventory reports 18.0 tCO2e (unverified)" in b3["scope2_market_tco2e"]["note"]


def test_vsme_b2_targets_say_what_the_business_did_not_state_of_them() -> None:
    """B2's targets were exported bare ({scopes, base_year, target_year, reduction_pct}) while the IFRS S2
    targets item beside them said kind, gases, netting and validation were not reported: an accountant could
    not tell an intensity target from an absolute one, nor whether anyone validated it."""
    body = _with(MINIMAL, targets=[{"scopes": [1, 2], "base_year": 2023, "target_year": 2030,
                                    "reduction_pct": 40}])
    rating, operating = _rated(body)
    item = vsme_export(rating, operating)["datapoints"]["B2"]["future_initiatives_and_targets"]
    assert item["status"] == "disclosed" and item["value"][0]["reduction_pct"] == 40
    for unstated in ("absolute or an intensity", "greenhouse gases", "validated", "base-year emissions"):
        assert unstated in item["note"], unstated
    none = vsme_export(*_rated(MINIMAL))["datapoints"]["B2"]["future_initiatives_and_targets"]
    assert none["status"] == "not_available" and "value" not in none


def test_vsme_scope3_names_the_categories_left_unreported() -> None:
    """A disclosed Scope 3 said only "Categories: cat5_waste": an accountant could not tell water and
    business travel left unreported from none, while the IFRS S2 exclusions of the same rating listed them.
    """
    rating, operating = _rated(MINIMAL)  # waste only: no water, no business travel
    assert "resources.water_m3" in rating["emissions"]["missing"]
    note = vsme_export(rating, operating)["datapoints"]["B3"]["scope3_tco2e"]["note"]
    assert note.startswith("Categories: cat5_waste. Not reported")
    assert "purchased water (category 1)" in note and "business travel (category 6)" in note
    assert "not a measured zero" in note
    full = _with(MINIMAL, resources={**MINIMAL["resources"], "water_m3": 100},
                 transport={"business_travel": [{"mode": "rail", "passenger_km": 500}]})
    note = vsme_export(*_rated(full))["datapoints"]["B3"]["scope3_tco2e"]["note"]
    assert "Not reported" not in note and note.endswith(".")


def test_the_disclosure_inventory_carries_its_line_items_which_add_up_to_its_scopes() -> None:
    """The disclosure gave the scope totals and the factors used, but not which activity each factor
    priced: an accountant tying Scope 1 to the fuel bills, or an auditor re-performing it, had to fetch
    the rating itself (disclosure 1.3)."""
    rating, operating = _rated(RICH)
    doc = build_disclosure(rating, operating)
    assert doc["disclosure_version"] == "1.3"
    inv, lines = doc["inventory"], doc["inventory"]["line_items"]
    assert lines == rating["emissions"]["line_items"] and lines
    by_scope = {
        "scope1": [x for x in lines if x["scope"] == 1],
        "scope2_location": [x for x in lines if x["scope"] == 2 and x["scope2_basis"] != "market"],
        "scope2_market": [x for x in lines if x["scope"] == 2 and x["scope2_basis"] != "location"],
        "scope3": [x for x in lines if x["scope"] == 3],
    }
    for scope, scoped in by_scope.items():
        assert sum(x["tco2e"] for x in scoped) == pytest.approx(inv[scope], abs=1e-3), scope
    sources = {f["id"] for f in doc["factor_sources"]}
    assert {x["factor_id"] for x in lines if x["factor_id"] is not None} <= sources


def test_the_disclosure_inventory_lists_the_inputs_left_unreported() -> None:
    """A Beijing shop without a heat or fleet answer: the inventory's energy_mwh and scopes read as
    complete to a program reading the JSON; only the notes' words said heat and vehicles were left out."""
    beijing = _with(ONE_CLICK, company={**ONE_CLICK["company"], "region": "CN-BJ"},
                    energy={"electricity_kwh": 20_000, "fuels": []}, data_source="energy_bills")
    rating, operating = _rated(beijing)
    inv = build_disclosure(rating, operating)["inventory"]
    assert {"energy.purchased_heat_gj", "transport.fleet"} <= set(inv["missing"])
    assert inv["missing"] == rating["emissions"]["missing"]
    answered = _with(beijing, energy={**beijing["energy"], "purchased_heat_gj": 0},
                     transport={"fleet": [], "business_travel": []},
                     resources={"water_m3": 10, "waste_t": 1})
    assert build_disclosure(*_rated(answered))["inventory"]["missing"] == []


def test_vsme_practices_answered_yes_say_which_others_were_answered_no_and_which_not_at_all() -> None:
    """A shop answering only LED lighting (yes) and energy audit (no) had B2 practices disclosed as
    ["led_lighting"] alone: an accountant could not tell the seven practices never answered from a no."""
    rating, operating = _rated(_with(MINIMAL, practices={"led_lighting": True, "energy_audit": False}))
    item = vsme_export(rating, operating)["datapoints"]["B2"]["practices"]
    assert item["status"] == "disclosed" and item["value"] == ["led_lighting"]
    assert "answered no: energy_audit" in item["note"]
    assert "not answered (unknown, not a no): e_invoicing, digital_ordering" in item["note"]
    every = _with(MINIMAL, practices={"waste_sorting": True, "green_packaging": False})
    circular = vsme_export(*_rated(every))["datapoints"]["B7"]["circular_economy_principles"]
    assert circular == {"status": "disclosed", "value": ["waste_sorting"],
                        "note": "Of the others asked, answered no: green_packaging."}


def test_vsme_employees_say_the_headcount_is_assumed() -> None:
    """B1 takes employees as a headcount or in full-time equivalents and asks which; greenrate asks for
    neither, yet the export labelled the figure "headcount" with nothing saying it was assumed."""
    rating, operating = _rated(MINIMAL)
    points = vsme_export(rating, operating)["datapoints"]
    for item in (points["B1"]["employees"], points["B8"]["employees_headcount"]):
        assert (item["value"], item["unit"]) == (60, "headcount")
        assert "assumed a headcount" in item["note"] and "full-time equivalents" in item["note"]


def test_vsme_renewable_energy_of_electricity_answered_zero_is_zero_not_unknown() -> None:
    """A business answering 0 kWh of electricity, no fuels, no heat and no vehicles had its renewable
    electricity "not available: Not derivable" beside a disclosed 0.0 MWh of electricity: a reported zero
    read as a gap, and the renewable split of its energy with it."""
    body = _with(MINIMAL, energy={"electricity_kwh": 0, "fuels": [], "purchased_heat_gj": 0},
                 transport={"fleet": []})
    rating, operating = _rated(body)
    assert rating["emissions"]["renewable_electricity_share"] is None  # no share of nothing
    b3 = vsme_export(rating, operating)["datapoints"]["B3"]
    for name in ("renewable_electricity_mwh", "non_renewable_electricity_mwh", "renewable_energy_mwh",
                 "non_renewable_energy_mwh"):
        assert (b3[name]["status"], b3[name]["value"]) == ("disclosed", 0.0), name


def test_a_business_with_no_energy_has_no_renewable_share_not_a_share_of_zero() -> None:
    """The rating's schema says ``renewable_share`` is null when no energy is reported, and the engine
    answered 0.0 (and the IFRS energy note "Renewable share 0.0%"): a reader took a business with nothing to
    share out for one using no renewables."""
    body = _with(BASE_PAYLOAD, energy={"electricity_kwh": 0, "fuels": [], "purchased_heat_gj": 0},
                 transport={"fleet": []})
    rating = _rated(body)[0]
    assert rating["emissions"]["energy_mwh"] == 0.0
    assert rating["emissions"]["renewable_share"] is None
    energy = rating["issb_summary"]["metrics_and_targets"]["energy_mwh"]
    assert "Renewable share not available (no energy reported) (VSME B3)." in energy["note"]
    assert "可再生能源占比 无（未报告能源）（VSME B3）" in energy["note_zh"]
    assert "0.0%" not in energy["note"]
