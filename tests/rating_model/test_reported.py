"""A business's own reported inventory (schema 1.11, engine 2.8): compared, attributed, never scored."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rating_model.engine import Engine
from rating_model.rounding import round_float
from tests.rating_model.test_engine import FULL

ENGINE = Engine.load()
LOAN = {"amount": 1_000_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
        "borrower_equity_plus_debt": 4_000_000}
REPORTED = {"scope1_tco2e": 18.0, "scope2_location_tco2e": 30.0, "scope2_market_tco2e": 29.0,
            "verified": True, "verifier": "China Quality Certification Centre"}


def rated(**extra: Any) -> dict[str, Any]:
    body = copy.deepcopy(FULL)
    body.update(copy.deepcopy(extra))
    return ENGINE.rate(ENGINE.parse(body)).to_dict()


def test_the_rating_compares_the_reported_inventory_with_its_own() -> None:
    rating = rated(reported_emissions=REPORTED)
    section = rating["reported_emissions"]
    computed = rating["emissions"]["scope1"] + rating["emissions"]["scope2_location"]
    assert section["computed_scope12_tco2e"] == pytest.approx(computed, abs=1e-3)
    exact = section["computed_scope12_tco2e"]
    assert section["difference_scope12_pct"] == round_float((48.0 - exact) / exact * 100, 1)
    assert (section["scope1_tco2e"], section["scope2_location_tco2e"], section["scope2_market_tco2e"],
            section["scope3_tco2e"]) == (18.0, 30.0, 29.0, None)
    assert section["verified"] is True and section["verifier"] == REPORTED["verifier"]
    assert section["pcaf_option"] == "1a" and "never from these figures" in section["note"]
    assert rated()["reported_emissions"] is None


@pytest.mark.parametrize("reported", [
    REPORTED,
    {"scope1_tco2e": 0.0, "scope2_location_tco2e": 0.0, "verified": False},
    {"scope1_tco2e": 1e9, "scope2_location_tco2e": 1e9, "scope3_tco2e": 1e9, "verified": False},
])
def test_a_reported_inventory_is_never_scored(reported: dict[str, Any]) -> None:
    """The score reads the activity data: reporting a small (or any) inventory moves nothing but the
    comparison, the financed emissions and their source, and the IFRS S2 scope notes that name it."""
    plain, own = rated(loan=LOAN), rated(loan=LOAN, reported_emissions=reported)
    differing = {k for k in plain if plain[k] != own[k]}
    assert differing == {"reported_emissions", "financed_emissions", "issb_summary"}
    summary, before = own["issb_summary"]["metrics_and_targets"], plain["issb_summary"]["metrics_and_targets"]
    assert {k for k in summary if summary[k] != before[k]} <= {"scope1_tco2e", "scope2_location_tco2e",
                                                                 "scope3_tco2e"}
    assert all(summary[k].get("value") == before[k].get("value") for k in summary)
    assert own["financed_emissions"]["emissions_source"] != plain["financed_emissions"]["emissions_source"]
    factor = "attribution_factor"
    assert own["financed_emissions"][factor] == plain["financed_emissions"][factor]


def test_a_loan_attributes_the_reported_figures_at_their_pcaf_score() -> None:
    verified = rated(loan=LOAN, reported_emissions=REPORTED)["financed_emissions"]
    assert verified["emissions_source"] == "reported_verified" and verified["pcaf_score"] == 1
    assert verified["scope12_tco2e"] == 12.0  # 0.25 x (18 + 30)
    assert "verified by China Quality Certification Centre (PCAF option 1a)" in verified["basis"]
    unverified = rated(loan=LOAN, reported_emissions={**REPORTED, "verified": False, "verifier": None})
    assert unverified["financed_emissions"]["pcaf_score"] == 2
    assert unverified["reported_emissions"]["pcaf_option"] == "1b"


def test_a_verified_report_data_source_no_longer_makes_computed_emissions_pcaf_1() -> None:
    """The borrower's data score stays the standard's (verified_report 1); the loan's, on emissions greenrate
    computed, is option 2a (score 2)."""
    rating = rated(loan=LOAN, data_source="verified_report",
                   transport={"fleet": [{"fuel": "gasoline", "km": 20_000}]})
    assert rating["data_quality"]["pcaf_score"] == 1 and not rating["data_quality"]["estimated_fields"]
    financed = rating["financed_emissions"]
    assert financed["pcaf_score"] == 2 and financed["emissions_source"] == "computed"
    with_report = rated(loan=LOAN, data_source="verified_report", reported_emissions=REPORTED,
                        transport={"fleet": [{"fuel": "gasoline", "km": 20_000}]})
    assert with_report["financed_emissions"]["pcaf_score"] == 1


def test_the_credits_note_cites_the_gross_rule_where_ifrs_s2_states_it() -> None:
    """29(a)(i) asks for gross emissions; 36(e) is about credits planned toward a net target (it had been
    cited for the gross rule). A rating stored with the old note still gets its Chinese on the page."""
    from rating_model.neutrality import CREDITS_NOTE, CREDITS_NOTE_2_7
    from service.web.labels import ENGINE_TEXT_ZH

    assert "29(a)(i)" in CREDITS_NOTE and "net_scope12_after_credits" in CREDITS_NOTE
    assert rated()["neutrality"]["note"] == CREDITS_NOTE
    assert "第 29(a)(i) 段" in ENGINE_TEXT_ZH[CREDITS_NOTE] and CREDITS_NOTE_2_7 in ENGINE_TEXT_ZH


def test_a_zero_inventory_against_computed_emissions_is_said_in_the_basis() -> None:
    """Engine 2.9 (a PCAF analyst's review): a verified inventory of 0 + 0 t is attributed as reported, at
    PCAF 1, but where the activity data show emissions the basis says so."""
    zero = {"scope1_tco2e": 0.0, "scope2_location_tco2e": 0.0, "verified": True, "verifier": "CQC"}
    financed = rated(loan=LOAN, reported_emissions=zero)["financed_emissions"]
    assert financed["scope12_tco2e"] == 0.0 and financed["pcaf_score"] == 1
    assert "the reported Scope 1 + 2 is 0 while greenrate computes" in financed["basis"]
    assert "is 0 while" not in rated(loan=LOAN, reported_emissions=REPORTED)["financed_emissions"]["basis"]


def test_the_ifrs_s2_scope_notes_name_the_business_s_own_inventory() -> None:
    """Engine 2.9: the summary's Scope 1, 2 and 3 are greenrate's computation; a business with its own
    inventory (which its loans attribute) is told of it beside each scope it reported."""
    own = rated(reported_emissions={**REPORTED, "scope3_tco2e": 4.5})
    metrics = own["issb_summary"]["metrics_and_targets"]
    assert "own inventory reports 18.0 tCO2e (verified by China Quality Certification Centre)" in (
        metrics["scope1_tco2e"]["note"])
    assert "报告为 30.0 吨二氧化碳当量" in metrics["scope2_location_tco2e"]["note_zh"]
    assert "own inventory reports 4.5 tCO2e" in metrics["scope3_tco2e"]["note"]
    assert "own inventory" not in rated()["issb_summary"]["metrics_and_targets"]["scope1_tco2e"]["note"]


def test_the_ifrs_s2_scope_notes_say_the_reported_figures_and_the_rate_as_given() -> None:
    """``:g`` had printed a reported 1,234,567 tCO2e as "1.23457e+06" and cut a rate of 7.1234567 to
    "7.12346", "the rate given"; a reported Scope 3 went unsaid where greenrate computed none, though the
    loan attributes it (the VSME export says it)."""
    company = {**FULL["company"], "currency": "USD", "fx_to_cny": 7.1234567}
    rating = rated(company=company, resources={},
                   reported_emissions={"scope1_tco2e": 1_234_567.0, "scope2_location_tco2e": 2.5,
                                       "scope3_tco2e": 12.345678, "verified": False})
    summary = rating["issb_summary"]["metrics_and_targets"]
    assert "reports 1234567.0 tCO2e (unverified)" in summary["scope1_tco2e"]["note"]
    assert "报告为 1234567.0 吨二氧化碳当量" in summary["scope1_tco2e"]["note_zh"]
    assert "e+06" not in summary["scope1_tco2e"]["note"] + summary["scope1_tco2e"]["note_zh"]
    intensity = summary["ghg_intensity_per_cny_million"]
    assert "converted at 7.1234567 CNY per USD" in intensity["note"]
    assert "7.1234567 元/USD" in intensity["note_zh"]
    scope3 = summary["scope3_tco2e"]
    assert scope3["status"] == "not_available"
    assert "reports 12.345678 tCO2e (unverified), which a loan's financed emissions attribute" in (
        scope3["note"])
    assert "12.345678 吨二氧化碳当量" in scope3["note_zh"]
