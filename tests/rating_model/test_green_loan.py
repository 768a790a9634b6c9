"""Green-loan eligibility by the standard's rules and PCAF financed emissions (golden numbers)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from rating_model.exceptions import InvalidInputError, InvalidInputErrors
from rating_model.green_loan import assess_green_loan, financed_emissions, loan_to_cny
from rating_model.operating_data import Compliance, Loan
from rating_model.operating_data_reader import parse_operating_data
from rating_model.standard import STANDARD_DIR, load_standard
from rating_model.values import evolve

STANDARD = load_standard()
COMPANY = {"name": "x", "country": "CN", "industry_code": "5610", "employees": 5, "annual_revenue": 3e6,
           "currency": "CNY", "reporting_year": 2022}


def data_with(loan: dict[str, Any] | None) -> Any:
    payload: dict[str, Any] = {"company": COMPANY}
    if loan is not None:
        payload["loan"] = loan
    return parse_operating_data(payload, use_of_proceeds=STANDARD.use_of_proceeds)


def test_pcaf_attribution_golden_sme_example() -> None:
    """domain.md §4 SME illustration: 0.5 M outstanding / (1.2 M + 0.8 M) = 0.25; 54.4 t x 0.25 = 13.6 t."""
    data = data_with({"amount": 600_000, "outstanding": 500_000, "currency": "CNY",
                      "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 2_000_000})
    fe = financed_emissions(data, 54.4, 10.0, 2)
    assert fe is not None
    assert fe.attribution_factor == pytest.approx(0.25, rel=1e-9)
    assert fe.scope12_tco2e == pytest.approx(13.6, rel=1e-9)
    assert fe.scope3_tco2e == pytest.approx(2.5, rel=1e-9)
    assert fe.tco2e_per_cny_million_lent == pytest.approx(13.6 / 0.5, rel=1e-6)
    assert fe.pcaf_score == 2


def test_pcaf_fallbacks_are_stated() -> None:
    loan = {"amount": 100_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
            "borrower_total_assets": 400_000}
    assets = financed_emissions(data_with(loan), 40.0, 0.0, 2)
    assert assets is not None and assets.attribution_factor == pytest.approx(0.25)
    assert "total assets" in assets.basis and "loan amount used" in assets.basis
    nothing = financed_emissions(data_with({"amount": 100_000, "currency": "CNY",
                                            "use_of_proceeds": "energy_efficiency"}), 40.0, 0.0, 2)
    assert nothing is not None and nothing.attribution_factor == 1.0
    assert financed_emissions(data_with(None), 40.0, 0.0, 2) is None


def test_without_a_balance_sheet_the_whole_borrower_is_attributed_and_said_so() -> None:
    """A bank portfolio review: "capped at 1" / "handled conservatively" read as if a ratio had been capped;
    the factor is set to 1 (PCAF 3b/3c's sector factors are not held), and the basis must say so."""
    nothing = financed_emissions(data_with({"amount": 100_000, "currency": "CNY",
                                            "use_of_proceeds": "energy_efficiency"}), 40.0, 0.0, 2)
    assert nothing is not None and nothing.attribution_factor == 1.0 and nothing.attribution_basis == "none"
    assert "the borrower's whole emissions are attributed" in nothing.basis
    assert "factor set to 1, not" in nothing.basis and "conservative" not in nothing.basis
    assert not nothing.capped
    sheet = financed_emissions(data_with({"amount": 100_000, "currency": "CNY", "use_of_proceeds":
                                          "energy_efficiency", "borrower_equity_plus_debt": 50_000}),
                               40.0, 0.0, 2, (10.0, 30.0, 20.0))
    assert sheet is not None and sheet.capped and sheet.attribution_basis == "equity_plus_debt"
    assert (sheet.scope1_tco2e, sheet.scope2_location_tco2e, sheet.scope2_market_tco2e) == (10.0, 30.0, 20.0)


def test_a_loan_without_a_balance_sheet_scores_pcaf_5_whatever_the_borrowers_data() -> None:
    """PCAF Part A Table 5-4: scores 1 to 4 need equity + debt known; only the outstanding known is 5."""
    without = data_with({"amount": 100_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency"})
    verified = financed_emissions(without, 40.0, 0.0, 1)
    assert verified is not None and verified.pcaf_score == 5 and "PCAF score 5" in verified.basis
    with_assets = data_with({"amount": 100_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                             "borrower_total_assets": 400_000})
    kept = financed_emissions(with_assets, 40.0, 0.0, 3)
    assert kept is not None and kept.pcaf_score == 3  # total assets stand in for equity + debt (PCAF)


def data_reported(reported: dict[str, Any], loan: dict[str, Any] | None = None) -> Any:
    payload: dict[str, Any] = {"company": COMPANY, "reported_emissions": reported}
    if loan is not None:
        payload["loan"] = loan
    return parse_operating_data(payload, use_of_proceeds=STANDARD.use_of_proceeds)


_SHEET = {"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
          "borrower_equity_plus_debt": 2_000_000}


def test_computed_emissions_score_pcaf_2_at_best_whatever_the_data_source() -> None:
    """PCAF Part A Table 5-4: score 1 is option 1a, the borrower's own verified emissions. Emissions
    greenrate computes from energy data are option 2a, score 2, however well the data were checked (engine
    2.8: a `verified_report` borrower's score 1 had been the loan's too)."""
    computed = financed_emissions(data_with(_SHEET), 40.0, None, 1)
    assert computed is not None and computed.pcaf_score == 2 and computed.emissions_source == "computed"
    assert "PCAF option 2a, score 2 at best" in computed.basis and "reported_emissions" in computed.basis
    worse = financed_emissions(data_with(_SHEET), 40.0, None, 4)
    assert worse is not None and worse.pcaf_score == 4 and "option 2a" not in worse.basis


@pytest.mark.parametrize(("verified", "verifier", "score", "source", "option"), [
    (True, "China Quality Certification Centre", 1, "reported_verified", "1a"),
    (False, None, 2, "reported_unverified", "1b"),
])
def test_a_reported_inventory_is_attributed_with_its_pcaf_option(
    verified: bool, verifier: str | None, score: int, source: str, option: str,
) -> None:
    """Option 1a/1b: the borrower's reported Scope 1 + Scope 2 location-based is attributed instead of the
    computed figure passed in, its scopes apart too; a reported Scope 3 replaces the computed one."""
    reported: dict[str, Any] = {"scope1_tco2e": 12.0, "scope2_location_tco2e": 28.0,
                                "scope2_market_tco2e": 20.0, "scope3_tco2e": 8.0, "verified": verified}
    if verifier is not None:
        reported["verifier"] = verifier
    fe = financed_emissions(data_reported(reported, _SHEET), 99.0, 3.0, 4, (33.0, 66.0, 60.0))
    assert fe is not None and fe.emissions_source == source and fe.pcaf_score == score
    assert (fe.attribution_factor, fe.scope12_tco2e, fe.scope3_tco2e) == (0.25, 10.0, 2.0)
    assert (fe.scope1_tco2e, fe.scope2_location_tco2e, fe.scope2_market_tco2e) == (3.0, 7.0, 5.0)
    assert f"PCAF option {option}" in fe.basis and (verifier is None or verifier in fe.basis)
    assert fe.to_dict()["emissions_source"] == source


def test_a_reported_inventory_without_scope3_keeps_the_computed_scope3_and_says_so() -> None:
    data = data_reported({"scope1_tco2e": 12.0, "scope2_location_tco2e": 28.0, "verified": False}, _SHEET)
    fe = financed_emissions(data, 99.0, 4.0, 2, (33.0, 66.0, 60.0))
    assert fe is not None and fe.scope3_tco2e == 1.0 and fe.scope2_market_tco2e is None
    assert "Scope 3 not reported: greenrate's computed Scope 3 is attributed" in fe.basis
    none3 = financed_emissions(data, 99.0, None, 2)
    assert none3 is not None and none3.scope3_tco2e is None and "Scope 3 not reported" not in none3.basis


_VERIFIED_12 = {"scope1_tco2e": 12.0, "scope2_location_tco2e": 28.0, "verified": True, "verifier": "CQC"}


@pytest.mark.parametrize(("data", "scope3", "borrower", "loan_score", "scope3_score", "words"), [
    # a verified inventory without Scope 3: the loan's 1 (option 1a) is not the computed Scope 3's
    (data_reported(_VERIFIED_12, _SHEET), 4.0, 1, 1, 3, "PCAF option 2b, score 3 at best"),
    (data_with(_SHEET), 4.0, 2, 2, 3, "PCAF option 2b, score 3 at best"),
    (data_with(_SHEET), 4.0, 4, 4, 4, "no better than the borrower's data score 4"),
    (data_reported({**_VERIFIED_12, "scope3_tco2e": 8.0}, _SHEET), 4.0, 2, 1, 1, "reported Scope 3"),
    (data_reported({**_VERIFIED_12, "scope3_tco2e": 8.0, "verified": False, "verifier": None}, _SHEET),
     None, 2, 2, 2, "reported Scope 3"),
    (data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}), 4.0, 1, 5, 5,
     "scores 5 too"),
])
def test_the_financed_scope3_has_a_pcaf_score_of_its_own(
    data: Any, scope3: float | None, borrower: int, loan_score: int, scope3_score: int, words: str,
) -> None:
    """PCAF Part A reports Scope 3 and its data quality apart: greenrate's Scope 3 (travel, water, waste at
    average UK factors) is option 2b, score 3 at best, even where Scopes 1 + 2 are the borrower's verified
    inventory (score 1), and a reported Scope 3 scores as the inventory does (a PCAF analyst's review)."""
    fe = financed_emissions(data, 40.0, scope3, borrower)
    assert fe is not None and fe.pcaf_score == loan_score and fe.scope3_tco2e is not None
    assert fe.scope3_pcaf_score == scope3_score
    assert f"the financed Scope 3, reported apart as PCAF asks, scores {scope3_score}" in fe.basis
    assert words in fe.basis and "the loan's PCAF score is of Scopes 1 + 2" in fe.basis


def test_no_scope3_has_no_scope3_pcaf_score() -> None:
    fe = financed_emissions(data_with(_SHEET), 40.0, None, 2)
    assert fe is not None and fe.scope3_pcaf_score is None and "Scope 3" not in fe.basis
    assert fe.to_dict()["scope3_pcaf_score"] is None  # a member, null: not measured has no score


def test_the_rating_document_carries_the_scope3_pcaf_score_as_a_field() -> None:
    """Schema 1.13: the financed Scope 3's own score is ``financed_emissions.scope3_pcaf_score``, beside
    the Scopes 1+2 ``pcaf_score``, not only words in ``basis`` that a bank's program cannot read."""
    fe = financed_emissions(data_reported(_VERIFIED_12, _SHEET), 40.0, 4.0, 1)
    assert fe is not None
    out = fe.to_dict()
    assert (out["pcaf_score"], out["scope3_pcaf_score"]) == (1, 3)


def test_a_reported_inventory_without_a_balance_sheet_still_scores_5() -> None:
    data = data_reported({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": True,
                          "verifier": "CQC"}, {"amount": 1e5, "currency": "CNY",
                                               "use_of_proceeds": "energy_efficiency"})
    fe = financed_emissions(data, 99.0, None, 1)
    assert fe is not None and fe.pcaf_score == 5 and fe.scope12_tco2e == 2.0
    assert fe.emissions_source == "reported_verified" and "PCAF option 1a" in fe.basis


@pytest.mark.parametrize(("reported", "field", "words"), [
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": True}, "verifier", "required when"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": False, "verifier": "CQC"}, "verifier",
     "only with verified: true"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": True, "verifier": "CQC\u202e"},
     "verifier", "control characters"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": True, "verifier": "  "}, "verifier",
     "must not be blank"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0}, "verified", "missing data"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": "yes"}, "verified", "true or false"),
    ({"scope1_tco2e": -1.0, "scope2_location_tco2e": 1.0, "verified": False}, "scope1_tco2e", "at least 0"),
    ({"scope1_tco2e": 1.0, "verified": False}, "scope2_location_tco2e", "missing data"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": float("nan"), "verified": False},
     "scope2_location_tco2e", "finite"),
    ({"scope1_tco2e": 1.0, "scope2_location_tco2e": 1.0, "verified": False, "scope_1": 2}, "scope_1",
     "unknown field"),
])
def test_a_reported_inventory_is_refused_naming_the_field(
    reported: dict[str, Any], field: str, words: str,
) -> None:
    """A verified inventory (what makes a loan PCAF 1) is never taken without its verifier, nor a verifier
    beside an unverified one; bad figures are refused by path like every other input."""
    with pytest.raises((InvalidInputError, InvalidInputErrors)) as raised:
        data_reported(reported)
    error = raised.value
    items = error.items if isinstance(error, InvalidInputErrors) else [error]
    messages = {e.field: e.message for e in items}
    assert words in messages[f"reported_emissions.{field}"], messages


def test_green_use_of_proceeds_is_a_green_loan_whatever_the_grade() -> None:
    """Standard 1.3.0: eligibility by the use of proceeds, apart from the grade (GLP; domain brief s.13); a
    credit officer's coal-boiler replacement was refused under 1.2.0 for the borrower's grade."""
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "renewable_energy"})
    result = assess_green_loan(data, "green", (), STANDARD)
    assert result.eligible and result.basis == "use_of_proceeds"
    assert result.category == "renewable_energy" and result.pricing_tier == "green_tier_2"
    transition = assess_green_loan(data, "not_green", (), STANDARD)
    assert transition.eligible and transition.basis == "use_of_proceeds"
    assert transition.pricing_tier == "green_tier_4" and not transition.green_rated_borrower
    assert any("not on the grade" in line for line in transition.rationale)
    # the standards that had a minimum grade keep it, for the ratings they made
    earlier = load_standard(STANDARD_DIR / "greenrate-sme-1.2.yaml")
    assert not assess_green_loan(data, "not_green", (), earlier).eligible
    assert assess_green_loan(data, "light_green", (), earlier).eligible


def test_general_purpose_loan_is_never_a_green_loan_but_green_borrowers_get_terms() -> None:
    """A green-rated borrower's general-purpose loan was reported as eligible (basis green_rated_borrower)
    and counted among a portfolio's green loans; its terms are a separate flag now."""
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "general_working_capital"})
    green = assess_green_loan(data, "dark_green", (), STANDARD)
    assert not green.eligible and green.basis is None and green.green_rated_borrower
    assert green.category == "general_working_capital" and green.pricing_tier == "green_tier_1"
    light = assess_green_loan(data, "light_green", (), STANDARD)
    assert not light.eligible and not light.green_rated_borrower and light.pricing_tier is None
    assert light.category == "general_working_capital"


def test_knock_outs_block_green_treatment() -> None:
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "renewable_energy"})
    penalty = next(k for k in STANDARD.knock_outs if k.id == "environmental_penalty")
    result = assess_green_loan(data, "light_green", (penalty,), STANDARD)
    assert not result.eligible and result.knock_outs
    assert result.knock_outs[0].startswith("environmental_penalty")


def test_no_loan_reports_borrower_eligibility() -> None:
    result = assess_green_loan(data_with(None), "light_green", (), STANDARD)
    assert result.eligible and result.basis == "borrower" and result.pricing_tier == "green_tier_3"


def test_a_loan_in_another_currency_is_converted_at_its_own_rate_never_dropped() -> None:
    """A USD loan to a CNY business: the outstanding amount is converted at the loan's rate, the borrower's
    balance sheet is in its own currency (CNY), and the two are compared in CNY (engine 1.9)."""
    usd = {"amount": 50_000, "outstanding": 40_000, "currency": "USD", "use_of_proceeds": "energy_efficiency",
           "borrower_equity_plus_debt": 300_000}
    with pytest.raises(InvalidInputError) as refused:
        data_with(usd)
    assert refused.value.field == "loan.fx_to_cny"
    assert "neither CNY nor the company's (CNY)" in str(refused.value)
    fe = financed_emissions(data_with({**usd, "fx_to_cny": 7.2}), 54.0, 6.0, 2)
    assert fe is not None
    assert fe.attribution_factor == round(40_000 * 7.2 / 300_000, 6)
    assert fe.scope12_tco2e == pytest.approx(54.0 * 40_000 * 7.2 / 300_000)
    assert fe.outstanding_cny == pytest.approx(40_000 * 7.2)
    assert fe.tco2e_per_cny_million_lent == pytest.approx(fe.scope12_tco2e / (40_000 * 7.2 / 1e6), rel=1e-6)
    assert "the balance sheet is in the company's currency (CNY)" in fe.basis


def test_the_balance_sheet_is_in_the_companys_currency_not_the_loans() -> None:
    """The review's case: a USD 400k loan (7.1) to a CNY company with equity + debt CNY 1.5M had factor
    0.2667 (400k / 1.5M, dollars divided by yuan); it is min(2.84M / 1.5M, 1) = 1, capped, said in CNY."""
    loan = {"amount": 400_000, "currency": "USD", "fx_to_cny": 7.1, "use_of_proceeds": "energy_efficiency",
            "borrower_equity_plus_debt": 1_500_000}
    fe = financed_emissions(data_with(loan), 50.0, None, 2)
    assert fe is not None and fe.attribution_factor == 1.0 and fe.capped
    assert "capped at 1: outstanding CNY 2,840,000 exceeds the balance sheet CNY 1,500,000" in fe.basis
    # a CNY loan to an HKD company: its HKD 2M balance sheet is CNY 1.84M, against CNY 920k outstanding
    hkd = parse_operating_data(
        {"company": {**COMPANY, "currency": "HKD", "fx_to_cny": 0.92},
         "loan": {"amount": 920_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                  "borrower_equity_plus_debt": 2_000_000}},
        use_of_proceeds=STANDARD.use_of_proceeds)
    fe = financed_emissions(hkd, 50.0, None, 2)
    assert fe is not None and fe.attribution_factor == pytest.approx(0.5) and not fe.capped


def test_a_currency_has_one_rate_in_one_request() -> None:
    hkd_company = {**COMPANY, "currency": "HKD", "fx_to_cny": 0.92}
    loan = {"amount": 80_000, "currency": "HKD", "use_of_proceeds": "energy_efficiency"}

    def parse(loan: dict[str, Any]) -> Any:
        payload = {"company": hkd_company, "loan": loan}
        return parse_operating_data(payload, use_of_proceeds=STANDARD.use_of_proceeds)

    fe = financed_emissions(parse(loan), 10.0, 0.0, 2)  # the company's rate
    assert fe is not None and fe.outstanding_cny == pytest.approx(80_000 * 0.92)
    assert financed_emissions(parse({**loan, "fx_to_cny": 0.92}), 10.0, 0.0, 2) == fe
    for other, field in (({**loan, "fx_to_cny": 0.9}, "loan.fx_to_cny"),
                         ({**loan, "currency": "CNY", "fx_to_cny": 0.9}, "loan.fx_to_cny")):
        with pytest.raises(InvalidInputError) as refused:
            parse(other)
        assert refused.value.field == field


def test_the_data_completeness_knock_out_caps_the_grade_but_does_not_deny_a_green_loan() -> None:
    """Standard 1.1.0: a green business rated on few answers gets green-loan treatment at its grade."""
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency"})
    sparse = next(k for k in STANDARD.knock_outs if k.id == "insufficient_data")
    result = assess_green_loan(data, "green", (sparse,), STANDARD)
    assert result.eligible and result.basis == "use_of_proceeds" and result.pricing_tier == "green_tier_2"
    assert result.knock_outs == ()  # it denies nothing: named in the rationale, not among the blockers
    assert "caps the grade at green but does not block green-loan treatment" in result.rationale[0]
    borrower = assess_green_loan(data_with(None), "light_green", (sparse,), STANDARD)
    assert borrower.eligible and borrower.basis == "borrower"
    penalty = next(k for k in STANDARD.knock_outs if k.id == "environmental_penalty")
    both = assess_green_loan(data, "light_green", (sparse, penalty), STANDARD)
    assert not both.eligible and [k.split(":")[0] for k in both.knock_outs] == ["environmental_penalty"]
    released = load_standard(STANDARD_DIR / "greenrate-sme-1.0.yaml")  # 1.0.0: "with no knock-out"
    sparse_then = next(k for k in released.knock_outs if k.id == "insufficient_data")
    assert not assess_green_loan(data, "green", (sparse_then,), released).eligible


def test_a_one_click_rating_of_a_green_restaurant_can_be_green_loan_eligible() -> None:
    """The mission: few answers (completeness below 0.5), green electricity and practices, grade green.

    Under standard 1.7.0 the few answers include the fuel burned on site (the gas bill), which the
    fuels-left-out knock-out asks for; without it the grade stops at light green, as the coal cap does, and
    under 1.8.0 the indicators reading the fuels are missing too. In Zhejiang, where heat is sold (1.9.0),
    the answers include "no heat bought".
    """
    from rating_model.engine import Engine
    from rating_model.operating_data import PRACTICE_FLAGS

    engine = Engine.load()
    gas = {"fuels": [{"fuel": "natural_gas", "quantity": 2000, "unit": "m3"}]}
    ratings = [
        engine.rate(engine.parse({
            "company": {"name": "x", "country": "CN", "region": "CN-ZJ", "industry_code": "5610",
                        "employees": 8, "annual_revenue": 1_500_000, "currency": "CNY",
                        "reporting_year": 2024},
            "energy": {"electricity_kwh": 30_000, "green_electricity_kwh": 30_000, "purchased_heat_gj": 0,
                       **fuels},
            "transport": {"fleet": []},  # no vehicles: one more click, scored since 1.5.0
            "practices": dict.fromkeys(PRACTICE_FLAGS, True),
            "data_source": "energy_bills",
        })).to_dict()
        for fuels in (gas, {})
    ]
    rating, left_out = ratings
    assert rating["data_quality"]["completeness"] < 0.5 and rating["grade"] == "green"
    assert rating["green_loan"]["eligible"] and rating["green_loan"]["basis"] == "borrower"
    assert rating["green_loan"]["green_rated_borrower"]
    # left out, the fuels cap the grade and (1.8.0) leave the energy ratio in its missing bin
    assert left_out["grade"] == "light_green" and left_out["score"] < rating["score"]
    assert "fuels_not_reported" in [k["id"] for k in left_out["knock_outs"]]
    assert not left_out["green_loan"]["green_rated_borrower"]


def test_a_loan_with_nothing_outstanding_says_so_not_that_it_was_capped() -> None:
    for extra in ({}, {"borrower_equity_plus_debt": 500_000}):
        loan = {"amount": 1e5, "outstanding": 0, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}
        fe = financed_emissions(data_with({**loan, **extra}), 40.0, 5.0, 2)
        assert fe is not None and fe.attribution_factor == 0.0 and fe.scope12_tco2e == 0.0
        assert fe.basis == "nothing outstanding: no emissions are attributed to this loan"
        assert fe.tco2e_per_cny_million_lent is None


def test_financed_scope3_is_null_without_scope3_data_and_a_capped_attribution_says_so() -> None:
    """Credit review: a borrower with no Scope 3 data showed financed Scope 3 as a measured 0.0, and a loan
    above the balance sheet was attributed at 1 without a word."""
    data = data_with({"amount": 9_000_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                      "borrower_equity_plus_debt": 6_000_000})
    financed = financed_emissions(data, 100.0, None, 2)
    assert financed is not None and financed.scope3_tco2e is None and financed.attribution_factor == 1.0
    assert "capped at 1: outstanding 9,000,000 exceeds the balance sheet 6,000,000 (CNY)" in financed.basis
    measured = financed_emissions(data, 100.0, 0.0, 2)  # a Scope 3 category with data that comes to zero
    assert measured is not None and measured.scope3_tco2e == 0.0


def test_the_rationale_names_what_set_off_a_knock_out() -> None:
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "renewable_energy"})
    data = evolve(data, compliance=Compliance(environmental_penalties_3y=1))
    penalty = next(k for k in STANDARD.knock_outs if k.id == "environmental_penalty")
    result = assess_green_loan(data, "light_green", (penalty,), STANDARD)
    assert result.rationale == (
        f"Knock-out environmental_penalty ({penalty.name}) applies (1 environmental penalty in the last "
        f"three years; it applies from {penalty.min_penalties}): no green-loan treatment is available.",
    )
    # a blocking knock-out does not hide the others (diff review: coal and completeness went unnamed)
    coal = next(k for k in STANDARD.knock_outs if k.id == "coal_burned_on_site")
    both = assess_green_loan(data, "light_green", (penalty, coal), STANDARD)
    assert len(both.rationale) == 2 and "coal_burned_on_site" in both.rationale[1]
    assert both.knock_outs == (f"environmental_penalty: {penalty.description}",)


@pytest.mark.parametrize(("grade", "loan", "knock_out_ids", "standard_file"), [
    ("green", {"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency"}, (), None),
    ("light_green", {"amount": 1e5, "currency": "CNY", "use_of_proceeds": "general_working_capital"}, (),
     None),
    ("light_green", None, ("coal_burned_on_site",), None),
    ("not_green", None, ("insufficient_data",), None),
    ("light_green", {"amount": 1e5, "currency": "CNY", "use_of_proceeds": "renewable_energy"},
     ("environmental_penalty",), None),
    ("not_green", None, (), "greenrate-sme-1.0.yaml"),  # a grade gate (min_grade) and no Chinese names
])
def test_the_rationale_is_said_in_chinese_sentence_for_sentence(
    grade: str, loan: dict[str, Any] | None, knock_out_ids: tuple[str, ...], standard_file: str | None
) -> None:
    """A Chinese bank's credit memo had only the English rationale (a relationship manager's review):
    ``rationale_zh`` says every sentence in Chinese, with the grades, knock-outs and fuels in Chinese and
    every figure (tiers, ISIC division, penalties, use of proceeds) as the English gives it. A knock-out is
    named by its Chinese name, never its id: a 否决项 when it blocks a green loan, else a 限级条款 (a bank
    officer's review read 否决项 beside "does not block" as a contradiction)."""
    standard = STANDARD if standard_file is None else load_standard(STANDARD_DIR / standard_file)
    payload: dict[str, Any] = {"company": COMPANY, "compliance": {"environmental_penalties_3y": 1},
                               "energy": {"fuels": [{"fuel": "coal", "quantity": 500, "unit": "kg"}]}}
    if loan is not None:
        payload["loan"] = loan
    data = parse_operating_data(payload, use_of_proceeds=standard.use_of_proceeds)
    knock_outs = tuple(k for k in standard.knock_outs if k.id in knock_out_ids)
    result = assess_green_loan(data, grade, knock_outs, standard)
    assert len(result.rationale_zh) == len(result.rationale) > 0
    labels = {c.grade: c.label_zh for c in standard.cutoffs}
    for en, zh in zip(result.rationale, result.rationale_zh, strict=True):
        assert zh.endswith("。") and not any(g in zh for g in ("dark_green", "light_green", "not_green")), zh
        for token in ("green_tier_1", "green_tier_2", "green_tier_3", "green_tier_4", "energy_efficiency",
                      "renewable_energy", "general_working_capital"):
            assert (token in en) == (token in zh), (token, en, zh)
        for k in knock_outs:
            assert k.id not in zh and ((k.id in en) == (f"“{k.name_zh}”适用" in zh)), (k.id, en, zh)
            if k.id in en:
                assert zh.startswith("否决项" if k.blocks_green_loan else "限级条款"), zh
        for named in ("dark_green", "light_green", "not_green"):  # "green" is also a plain English word
            said = named.replace("_", " ") in en.lower()  # in words, as in Chinese (engine 2.13)
            assert said == (labels[named] in zh), (named, en, zh)
    assert result.to_dict()["rationale_zh"] == list(result.rationale_zh)
    if "coal_burned_on_site" in knock_out_ids:
        assert "coal burned on the premises" in result.rationale[0] and "燃烧煤炭" in result.rationale_zh[0]



@pytest.mark.parametrize("use", sorted(STANDARD.green_uses))
def test_the_chinese_rationale_names_the_green_category_in_chinese(use: str) -> None:
    """The Chinese rationale embedded the Green Loan Principles category in English ("属于《绿色贷款原则》的
    类别（Energy efficiency）", a bank officer's review): standard 1.9.0 gives each category its Chinese name
    (``glp_zh``), and a standard without one keeps the English name rather than nothing."""
    info = STANDARD.green_uses[use]
    assert re.fullmatch(r"[\u4e00-\u9fff、/和与及]+", info["glp_zh"]), info
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": use})
    result = assess_green_loan(data, "light_green", (), STANDARD)
    (said,) = [zh for zh in result.rationale_zh if zh.startswith("资金用途")]
    category = f"属于《绿色贷款原则》的“{info['glp_zh']}”类别；"
    assert category + f"对应{_CATALOGUE_ZH}一级类别“{info['cn_catalogue']}”" in said
    assert info["glp"] not in said and info["glp"] in " ".join(result.rationale)
    earlier = load_standard(STANDARD_DIR / "greenrate-sme-1.8.yaml")
    if use in earlier.green_uses:
        old = assess_green_loan(data, "light_green", (), earlier)
        assert any(f"“{info['glp']}”类别" in zh for zh in old.rationale_zh)

def test_a_loan_in_the_companys_own_foreign_currency_is_divided_as_given() -> None:
    """A USD company (7.1 CNY per USD) with a USD 100,000 loan and USD 1,000,000 equity + debt: the ratio is
    100,000 / 1,000,000 = 0.1 in dollars on both sides. Dividing the CNY outstanding (710,000) by the dollar
    balance sheet would read 0.71 (mutant GL12)."""
    usd = parse_operating_data(
        {"company": {**COMPANY, "currency": "USD", "fx_to_cny": 7.1},
         "loan": {"amount": 150_000, "outstanding": 100_000, "currency": "USD",
                  "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 1_000_000}},
        use_of_proceeds=STANDARD.use_of_proceeds)
    fe = financed_emissions(usd, 40.0, 8.0, 2, scopes=(10.0, 30.0, 25.0))
    assert fe is not None
    assert fe.attribution_factor == 0.1 and not fe.capped
    assert fe.outstanding_cny == 710_000.0
    assert fe.scope12_tco2e == pytest.approx(4.0)  # 0.1 x 40 t
    assert fe.scope3_tco2e == pytest.approx(0.8)
    scopes = (fe.scope1_tco2e, fe.scope2_location_tco2e, fe.scope2_market_tco2e)
    assert scopes == pytest.approx((1.0, 3.0, 2.5))
    assert fe.tco2e_per_cny_million_lent == pytest.approx(4.0 / 0.71, rel=1e-6)


def test_an_outstanding_equal_to_the_balance_sheet_is_attributed_whole_but_not_capped() -> None:
    """Factor exactly 1 (500,000 / 500,000) is PCAF's ratio itself: nothing was capped, and the basis must
    not say so (mutant GL11 flagged it)."""
    data = data_with({"amount": 500_000, "currency": "CNY", "use_of_proceeds": "energy_efficiency",
                      "borrower_equity_plus_debt": 500_000})
    fe = financed_emissions(data, 30.0, None, 2)
    assert fe is not None and fe.attribution_factor == 1.0 and fe.scope12_tco2e == 30.0
    assert not fe.capped and "capped" not in fe.basis


def test_a_loan_in_a_third_currency_is_never_converted_at_the_companys_rate() -> None:
    """A EUR loan to a USD company without the loan's own rate has no rate: the company's (USD) rate is not
    the euro's (mutant GL19 used it). Data built in Python reaches ``loan_to_cny`` past the parser."""
    eur = Loan(amount=100_000, currency="EUR", use_of_proceeds="energy_efficiency")
    with pytest.raises(InvalidInputError) as refused:
        loan_to_cny(eur, "USD", 7.1)
    assert refused.value.field == "loan.fx_to_cny"
    assert loan_to_cny(Loan(amount=1, currency="USD", use_of_proceeds="energy_efficiency"), "USD", 7.1) == 7.1
    assert loan_to_cny(dataclasses.replace(eur, fx_to_cny=7.8), "USD", 7.1) == 7.8


def test_an_eligible_green_loan_says_which_glp_components_greenrate_checked() -> None:
    """The rationale said "Eligible as a green loan", then asked for components 3 and 4, and never named
    component 2 (project evaluation and selection, with its environmental and social risks): a bank's
    green-finance review read it as all four Green Loan Principles components met, where greenrate checks
    the use of proceeds alone. A green-loan officer's review then found "greenrate checks the use of
    proceeds" read as the project checked: it takes the category as declared, and component 1's assessment
    of the project's environmental benefits is the loan documentation's too."""
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency"})
    result = assess_green_loan(data, "green", (), STANDARD)
    assert result.eligible
    said = " ".join(result.rationale)
    assert ("Eligible as a green loan by its declared use of proceeds (its category, under GLP component 1)"
            in said)
    assert "takes the use of proceeds as declared and checks only that its category is green" in said
    assert "checks the use of proceeds" not in said
    for component in ("environmental benefits, assessed and where feasible quantified (component 1)",
                      "project evaluation and selection", "environmental and social risks",
                      "(component 2)", "(component 3)", "(component 4)", "at least annually"):
        assert component in said, component
    zh = "".join(result.rationale_zh)
    assert "按申报的资金用途" in zh and "以申报的资金用途为准" in zh
    assert "第一项核心要素" in zh and all(f"（第{n}项）" in zh for n in "一二三四")
    general_purpose = data_with({"amount": 1e5, "currency": "CNY",
                                 "use_of_proceeds": "general_working_capital"})
    general = assess_green_loan(general_purpose, "green", (), STANDARD)
    assert not any("component" in line for line in general.rationale)


_CATALOGUE_ZH = "《绿色低碳转型产业指导目录（2024年版）》"


def test_the_catalogue_category_is_named_as_a_mapping_not_a_check_of_the_project() -> None:
    """"China catalogue: 节能降碳产业" read as the loan checked against China's green industry catalogue,
    whose eligibility is decided item by item with technical criteria; greenrate maps the loan's Green Loan
    Principles category to a top-level category (whose names the standard marks as not verified against
    the catalogue's text), and the rationale says so, naming the catalogue."""
    data = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "energy_efficiency"})
    result = assess_green_loan(data, "green", (), STANDARD)
    (said,) = [en for en in result.rationale if en.startswith("Use of proceeds")]
    assert "China's Green and Low-carbon Transition Industry Guidance Catalogue (2024)" in said
    assert "top-level category 节能降碳产业" in said
    assert "not a check of the project against the catalogue's items" in said
    (zh,) = [zh for zh in result.rationale_zh if zh.startswith("资金用途")]
    assert f"{_CATALOGUE_ZH}一级类别“节能降碳产业”" in zh and "未逐项核对" in zh


def test_equity_plus_debt_above_total_assets_is_divided_by_and_flagged() -> None:
    """Equity + debt can only be above total assets (liabilities + equity) under a negative book equity,
    which PCAF counts as 0 (the bank sends the debt alone); otherwise a figure is wrong. It had been
    accepted without a word: the loan is still attributed by equity + debt, and the basis says so."""
    loan = {"amount": 500_000, "outstanding": 400_000, "currency": "CNY",
            "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 2_500_000,
            "borrower_total_assets": 2_000_000}
    fe = financed_emissions(data_with(loan), 40.0, None, 2)
    assert fe is not None and fe.attribution_basis == "equity_plus_debt"
    assert fe.attribution_factor == pytest.approx(400_000 / 2_500_000)
    assert ("equity + debt 2,500,000 is above total assets 2,000,000 (CNY), which a balance sheet allows "
            "only under a negative book equity") in fe.basis
    for sheet, outstanding in ((2_000_000, 400_000), (1_500_000, 400_000), (2_500_000, 0)):
        fe = financed_emissions(data_with({**loan, "borrower_equity_plus_debt": sheet,
                                           "outstanding": outstanding}), 40.0, None, 2)
        assert fe is not None and ("is above total assets" in fe.basis) == (sheet > 2_000_000), sheet


def test_an_outstanding_above_the_loan_amount_is_attributed_as_given_and_flagged() -> None:
    """A green-loan officer's review: a loan of CNY 600,000 sent with 900,000 outstanding was attributed 0.45
    of the borrower without a word, where the batch flags the same row (``outstanding_above_amount``). An
    outstanding amount is disbursed minus repaid, so above the amount one figure is likely wrong (or
    interest was capitalised): the factor still divides the outstanding as given, and the basis says so."""
    loan = {"amount": 600_000, "outstanding": 900_000, "currency": "CNY",
            "use_of_proceeds": "energy_efficiency", "borrower_equity_plus_debt": 2_000_000}
    fe = financed_emissions(data_with(loan), 40.0, None, 2)
    assert fe is not None and fe.attribution_factor == pytest.approx(0.45)
    assert ("outstanding 900,000 is above the loan amount 600,000 (CNY): an outstanding amount is disbursed "
            "minus repaid, so check both") in fe.basis
    for outstanding in (600_000, 500_000, None):
        fe = financed_emissions(data_with({**loan, "outstanding": outstanding}), 40.0, None, 2)
        assert fe is not None and "above the loan amount" not in fe.basis, outstanding


@pytest.mark.parametrize(("code", "knock_out", "said", "said_zh"), [
    ("4730", "fossil_fuel_distribution", " (ISIC class 4730)", "（ISIC 行业小类 4730）"),
    ("473", "fossil_fuel_distribution", " (ISIC group 473)", "（ISIC 行业中类 473）"),
    ("0910", "excluded_activity", " (ISIC class 0910)", "（ISIC 行业小类 0910）"),
    ("0510", "excluded_activity", " (ISIC division 05)", "（ISIC 行业大类 05）"),
])
def test_a_fossil_fuel_business_is_capped_naming_its_code_and_only_extraction_is_denied_green_loans(
    code: str, knock_out: str, said: str, said_zh: str
) -> None:
    """Standard 1.12.0 excludes oilfield services (0910) with the extraction divisions, and caps fuel
    distribution (a petrol station, 4730) without denying a loan for a green use (charging points): the
    rationale names the code as the business gave it, at its level, since "ISIC division 47" would read as
    all of retail capped."""
    payload = {"company": {**COMPANY, "industry_code": code},
               "loan": {"amount": 1e5, "currency": "CNY", "use_of_proceeds": "clean_transportation"}}
    data = parse_operating_data(payload, use_of_proceeds=STANDARD.use_of_proceeds)
    rule = next(k for k in STANDARD.knock_outs if k.id == knock_out)
    result = assess_green_loan(data, "not_green", (rule,), STANDARD)
    assert result.eligible is (knock_out == "fossil_fuel_distribution")
    (en,) = [line for line in result.rationale if knock_out in line]
    assert en.startswith(f"Knock-out {knock_out} ({rule.name}) ") and said in en
    assert any(said_zh in zh for zh in result.rationale_zh)


def test_the_rationale_says_grades_and_pricing_tiers_in_words() -> None:
    """"grade light_green sets pricing tier green_tier_3" read as API keys in a credit memo (a credit
    officer's reading, engine 2.13): the grade is said by its label and the tier by its rank among the
    standard's tiers; the ids stay in their own fields (``pricing_tier``, ``category``) for the bank's
    systems."""
    transition = assess_green_loan(data_with(None), "light_green", (), STANDARD)
    said, said_zh = " ".join(transition.rationale), "".join(transition.rationale_zh)
    assert transition.pricing_tier == "green_tier_3"
    assert ("grade light green sets pricing tier 3 of 4 (tier 1 the most favourable)." in said
            and "评级浅绿对应第 3 档定价（共 4 档，第 1 档最优惠）。" in said_zh)
    assert "need grade green or better" in said
    general = data_with({"amount": 1e5, "currency": "CNY", "use_of_proceeds": "general_working_capital"})
    green = assess_green_loan(general, "dark_green", (), STANDARD)
    assert green.pricing_tier == "green_tier_1"
    assert any(s.startswith("Rated dark green: ") and "(pricing tier 1 of 4, tier 1 the most favourable)" in s
               for s in green.rationale)
    assert any("（第 1 档定价，共 4 档，第 1 档最优惠）" in s for s in green.rationale_zh)
    gated = load_standard(STANDARD_DIR / "greenrate-sme-1.0.yaml")  # a grade gate (min_grade)
    below = " ".join(assess_green_loan(data_with(None), "not_green", (), gated).rationale)
    assert ("With grade not green the borrower does not qualify for green loans (minimum grade light green)"
            in below)
    for result in (transition, green, assess_green_loan(data_with(None), "green", (), gated)):
        text = " ".join(result.rationale) + "".join(result.rationale_zh)
        assert not re.search(r"green_tier_\d|\b(dark|light|not)_green\b", text), text


def test_a_fuel_knock_out_names_its_fuels_in_words() -> None:
    """A knock-out on fuels named them by the API's codes in English ("lpg, natural_gas burned on the
    premises"), where the Chinese named them: both say them as the engine's fuel names do."""
    coal = next(k for k in STANDARD.knock_outs if k.id == "coal_burned_on_site")
    gases = dataclasses.replace(coal, fuels=("lpg", "natural_gas"))
    fuels = [{"fuel": "lpg", "quantity": 450, "unit": "kg"},
             {"fuel": "natural_gas", "quantity": 800, "unit": "m3"}]
    payload = {"company": COMPANY, "energy": {"fuels": fuels}}
    result = assess_green_loan(parse_operating_data(payload), "light_green", (gases,), STANDARD)
    assert "(LPG, natural gas burned on the premises)" in result.rationale[0]
    assert "（在经营场所燃烧液化石油气、天然气）" in result.rationale_zh[0]
