"""The disclosure's reported-inventory section (disclosure 1.2), read from the stored rating alone."""

from __future__ import annotations

import pytest

from rating_model.disclosure import build_disclosure
from rating_model.disclosure_reported import NEVER_SCORED, reported_inventory
from tests.rating_model.test_engine import FULL
from tests.rating_model.test_reported import LOAN, REPORTED, rated


def test_the_section_copies_the_rating_s_comparison_and_names_the_loan_s_source() -> None:
    rating = rated(loan=LOAN, reported_emissions=REPORTED)
    section = build_disclosure(rating, FULL)["reported_emissions"]
    assert section == reported_inventory(rating)
    compared = rating["reported_emissions"]
    for key in ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "scope3_tco2e", "verified",
                "verifier", "pcaf_option", "computed_scope12_tco2e", "difference_scope12_pct"):
        assert section[key] == compared[key], key
    assert section["scope12_location_tco2e"] == 48.0
    assert (section["financed_emissions_source"], section["financed_pcaf_score"]) == (
        rating["financed_emissions"]["emissions_source"], rating["financed_emissions"]["pcaf_score"])
    assert section["statement"].endswith(NEVER_SCORED)


@pytest.mark.parametrize(("difference", "said"), [
    (12.5, "48.0 tCO2e, 12.5% above greenrate's computation from the activity data (42.6667 tCO2e)."),
    (-4.0, "48.0 tCO2e, 4.0% below greenrate's computation from the activity data (42.6667 tCO2e)."),
    (0.0, "48.0 tCO2e, within 0.05% of greenrate's computation from the activity data (42.6667 tCO2e)."),
    (None, "48.0 tCO2e; greenrate computed none from the activity data, so no difference is given."),
])
def test_the_statement_says_which_side_the_reported_figure_is_on(difference: float | None, said: str) -> None:
    rating = rated(reported_emissions=REPORTED)
    rating["reported_emissions"].update(computed_scope12_tco2e=42.6667, difference_scope12_pct=difference)
    statement = reported_inventory(rating)["statement"]
    assert said in statement
    assert "No loan was rated with this request: no financed emissions are attributed." in statement


def test_a_rating_stored_before_schema_1_11_was_not_reported_and_its_loan_attributed_the_computed() -> None:
    """Such a rating has no ``reported_emissions`` key (the request could not carry one) and its financed
    emissions no ``emissions_source`` (they attributed greenrate's inventory)."""
    rating = rated(loan=LOAN)
    del rating["reported_emissions"], rating["financed_emissions"]["emissions_source"]
    section = reported_inventory(rating)
    assert section["status"] == "not_reported" and section["scope1_tco2e"] is None
    assert section["financed_emissions_source"] == "computed"
    assert section["statement"].startswith("The business reported no inventory of its own")


def test_the_statement_names_the_financed_scope3_s_own_score_where_the_rating_has_one() -> None:
    """Schema 1.13: the loan's PCAF score is of Scopes 1 + 2, and the financed Scope 3 has its own
    (``financed_emissions.scope3_pcaf_score``); the statement said only the first, beside a verified
    inventory's 1 that greenrate's computed Scope 3 does not share. A rating before schema 1.13 has no
    Scope 3 score and is said as before."""
    rating = rated(loan=LOAN, reported_emissions=REPORTED)  # verified Scopes 1 + 2, Scope 3 computed
    financed = rating["financed_emissions"]
    assert (financed["pcaf_score"], financed["scope3_pcaf_score"]) == (1, 3)
    said = ("The loan's financed emissions attribute the business's reported figures (PCAF data-quality "
            "score 1 of 5 for Scopes 1 + 2, on the business's verified figures: PCAF option 1a; the "
            "financed Scope 3 scores 3 of 5 on its own).")
    assert said in reported_inventory(rating)["statement"]
    del financed["scope3_pcaf_score"], financed["attribution_basis"]  # as stored before schema 1.13
    assert ("The loan's financed emissions attribute the business's reported figures (PCAF data-quality "
            "score 1 of 5).") in reported_inventory(rating)["statement"]


@pytest.mark.parametrize(("loan", "reported", "said"), [
    ({**LOAN, "borrower_equity_plus_debt": None}, None,
     "greenrate's computed inventory (PCAF data-quality score 5 of 5 for Scopes 1 + 2, as no balance sheet "
     "was given: with only the outstanding amount known PCAF scores 5, whatever the emissions data; the "
     "financed Scope 3 scores 5 of 5 on its own)."),
    (LOAN, None,
     "greenrate's computed inventory (PCAF data-quality score 3 of 5 for Scopes 1 + 2, on emissions "
     "greenrate computed from the activity data: PCAF option 2a, 2 at best and no better than the "
     "business's own data-quality score; the financed Scope 3 scores 3 of 5 on its own)."),
    (LOAN, {**REPORTED, "verified": False, "verifier": None},
     "the business's reported figures (PCAF data-quality score 2 of 5 for Scopes 1 + 2, on the business's "
     "unverified figures: PCAF option 1b; the financed Scope 3 scores 3 of 5 on its own)."),
])
def test_the_statement_says_what_the_loan_s_pcaf_score_rests_on(
    loan: dict[str, object], reported: dict[str, object] | None, said: str
) -> None:
    """A PCAF analyst's review: "PCAF data-quality score 5 of 5" beside greenrate's computed inventory did
    not say whether the 5 was the business's data or the balance sheet the bank did not send. From schema
    1.14 the rating's ``attribution_basis`` tells them apart, and the statement says what the score rests
    on; a rating stored before has no such key and is said as before."""
    rating = rated(loan=loan, reported_emissions=reported)
    statement = reported_inventory(rating)["statement"]
    assert f"The loan's financed emissions attribute {said}" in statement
    del rating["financed_emissions"]["attribution_basis"]
    assert ", as no balance sheet" not in reported_inventory(rating)["statement"]
    assert ", on " not in reported_inventory(rating)["statement"].split("attribute", 1)[1]
