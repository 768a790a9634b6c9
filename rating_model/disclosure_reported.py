"""The disclosure's section on the business's own reported inventory (disclosure 1.2).

Since engine 2.8 a rating request may carry the borrower's own GHG inventory (``reported_emissions``): the
rating compares it with greenrate's computation and a loan's financed emissions attribute it (PCAF option
1a or 1b) instead of the computed one. The disclosure showed only greenrate's inventory, so a bank or an
auditor reading it could not see the figures the loan's financed emissions rest on, whether they were
verified and by whom, or how far they are from greenrate's. Like the rest of the disclosure the section is
read from the stored rating (its ``reported_emissions`` and ``financed_emissions``), never re-rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rating_model.green_loan import COMPUTED_BEST_PCAF_SCORE
from rating_model.rounding import round_tco2e

#: the section's ``status``: the rating carries the business's inventory, or none was sent (a rating issued
#: before schema 1.11 has no ``reported_emissions`` key: the request could not carry one then)
REPORTED_STATUSES = ("reported", "not_reported")

#: copied from the rating's ``reported_emissions``: the figures as the business gave them, then their
#: verification and the comparison the rating made
_FIGURES = ("scope1_tco2e", "scope2_location_tco2e", "scope2_market_tco2e", "scope3_tco2e")
_COMPARED = ("verified", "verifier", "pcaf_option", "computed_scope12_tco2e", "difference_scope12_pct")

NEVER_SCORED = (
    "The score and the grade are computed from the activity data, never from the reported figures."
)


def _figure(value: float) -> str:
    """A tCO2e figure in its shortest exact form (``:g`` had printed 1234567 as 1.23457e+06)."""
    return repr(float(value))


def _comparison(section: Mapping[str, Any], own12: float) -> str:
    """The reported Scope 1 + 2 against greenrate's, as the rating compared them (``section`` is the rating's
    ``reported_emissions``): which side it is on, by how much, never a judgement (no threshold is set)."""
    who = (f"verified by {section['verifier']}" if section["verified"] else "unverified")
    said = (f"The business reported its own inventory ({who}, PCAF option {section['pcaf_option']}): "
            f"Scope 1 + Scope 2 location-based {_figure(own12)} tCO2e")
    difference = section.get("difference_scope12_pct")
    if difference is None:
        return said + "; greenrate computed none from the activity data, so no difference is given."
    computed = _figure(section["computed_scope12_tco2e"])
    if difference == 0:
        # rounded to 0.1%: a 0.0 is a gap below 0.05%, not an exact match
        return said + f", within 0.05% of greenrate's computation from the activity data ({computed} tCO2e)."
    side = "above" if difference > 0 else "below"
    return (said + f", {abs(difference):.1f}% {side} greenrate's computation from the activity data "
            f"({computed} tCO2e).")


def _grounds(source: str, pcaf_score: int | None, attribution_basis: str | None) -> str:
    """What the loan's PCAF score rests on, said after it ("" for a rating before schema 1.14, which names
    no attribution basis: its 5 could be a missing balance sheet or the business's data)."""
    if attribution_basis is None:
        return ""
    if attribution_basis == "none":
        return (", as no balance sheet was given: with only the outstanding amount known PCAF scores 5, "
                "whatever the emissions data")
    if source == "reported_verified":
        return ", on the business's verified figures: PCAF option 1a"
    if source == "reported_unverified":
        return ", on the business's unverified figures: PCAF option 1b"
    said = ", on emissions greenrate computed from the activity data: PCAF option 2a, 2 at best"
    if pcaf_score is not None and pcaf_score > COMPUTED_BEST_PCAF_SCORE:
        said += " and no better than the business's own data-quality score"
    return said


def _attribution(
    source: str | None, pcaf_score: int | None, scope3_score: int | None = None,
    attribution_basis: str | None = None,
) -> str:
    """Whose emissions the loan attributes, with its PCAF score and what that rests on (schema 1.14: the
    rating's ``attribution_basis`` tells a 5 for a missing balance sheet from the data's; a PCAF analyst's
    review); and the financed Scope 3's own score where the rating gives one (schema 1.13: PCAF reports
    Scope 3 and its data quality apart, and the loan's score is of Scopes 1 + 2)."""
    if source is None:
        return "No loan was rated with this request: no financed emissions are attributed."
    whose = "greenrate's computed inventory" if source == "computed" else "the business's reported figures"
    grounds = _grounds(source, pcaf_score, attribution_basis)
    if scope3_score is None:
        return (f"The loan's financed emissions attribute {whose} (PCAF data-quality score {pcaf_score} of 5"
                f"{grounds}).")
    return (f"The loan's financed emissions attribute {whose} (PCAF data-quality score {pcaf_score} of 5 for "
            f"Scopes 1 + 2{grounds}; the financed Scope 3 scores {scope3_score} of 5 on its own).")


def reported_inventory(rating: Mapping[str, Any]) -> dict[str, Any]:
    """The business's own reported inventory beside greenrate's, and which of the two the loan attributes.

    Parameters
    ----------
    rating:
        The rating's JSON as issued.

    Returns
    -------
    dict
        ``status`` (one of :data:`REPORTED_STATUSES`); the reported figures in tCO2e as given
        (``scope1_tco2e``, ``scope2_location_tco2e``, ``scope2_market_tco2e`` and ``scope3_tco2e``, null
        where not reported), ``scope12_location_tco2e`` (the reported Scope 1 + 2 location-based the rating
        compared), ``verified``, ``verifier`` and ``pcaf_option``; greenrate's ``computed_scope12_tco2e``
        and ``difference_scope12_pct`` as the rating gives them; the loan's ``financed_emissions_source``
        and ``financed_pcaf_score`` (null without a loan; a rating before schema 1.11 names no source, and
        attributed the computed inventory); and a ``statement`` in words, which names the financed Scope 3's
        own PCAF score where the rating has one (schema 1.13), and what the loan's score rests on where the
        rating names its ``attribution_basis`` (schema 1.14). Without a reported inventory
        every figure of the business's is null: not reported is never 0.
    """
    own = rating.get("reported_emissions")
    loan = rating.get("financed_emissions")
    source = None if loan is None else str(loan.get("emissions_source", "computed"))
    pcaf = None if loan is None else int(loan["pcaf_score"])
    # a rating before schema 1.13 has no such key, and one without a Scope 3 gives null: no Scope 3 score
    scope3 = None if loan is None else loan.get("scope3_pcaf_score")
    # nor one before schema 1.14 an attribution basis: its score is then said without its grounds
    basis = None if loan is None else loan.get("attribution_basis")
    kept = own or {}
    if own is None:
        own12 = None
        head = ("The business reported no inventory of its own with this rating: every emissions figure "
                "disclosed here is greenrate's computation from the activity data.")
    else:
        own12 = round_tco2e(own["scope1_tco2e"] + own["scope2_location_tco2e"])
        head = _comparison(own, own12)
    return {
        "status": "not_reported" if own is None else "reported",
        "unit": "tCO2e",
        **{key: kept.get(key) for key in _FIGURES},
        "scope12_location_tco2e": own12,
        **{key: kept.get(key) for key in _COMPARED},
        "financed_emissions_source": source,
        "financed_pcaf_score": pcaf,
        "statement": f"{head} {_attribution(source, pcaf, scope3, basis)} {NEVER_SCORED}",
    }
