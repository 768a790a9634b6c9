"""The business's own reported inventory beside greenrate's: what the rating's ``reported_emissions`` says.

A bank that holds a borrower's verified GHG report wants two things from a rating: the loan's financed
emissions on the reported figures (PCAF option 1a, score 1; :func:`rating_model.green_loan.financed_emissions`
attributes them), and a check of those figures against an independent computation from the activity data.
A wide gap is what a credit officer asks about: another boundary (a second site, the fleet left out), another
period, other factors, or an error on either side. greenrate says how wide; it sets no threshold, since no
source gives one for a small business's inventory, and it never scores the reported figures: the score reads
the activity data, so a business cannot report its way to a better grade.
"""

from __future__ import annotations

from typing import Any

from rating_model.inventory import Inventory
from rating_model.operating_data import ReportedEmissions
from rating_model.rounding import round_float

#: what the rating says of the reported figures, whatever they are
NOTE = (
    "The business's own inventory for the reporting year, as reported. The score, the grade and every "
    "emissions figure of the rating are computed by greenrate from the activity data with the pinned "
    "factors, never from these figures. With a loan, financed_emissions attributes them instead "
    "(emissions_source): PCAF option 1a (score 1) when verified, 1b (score 2) when not, with the borrower's "
    "balance sheet given (5 without). "
    "difference_scope12_pct compares them with greenrate's Scope 1 + Scope 2 location-based: a wide gap "
    "may be another boundary, period or factor, or an error on either side, and is worth asking about."
)


def reported_difference_pct(reported: ReportedEmissions, computed_scope12_tco2e: float) -> float | None:
    """The reported Scope 1 + 2 location-based against the computed one, (reported - computed) / computed
    in percent to 0.1; ``None`` when greenrate computed nothing (the API's and the batch's alike)."""
    if computed_scope12_tco2e <= 0:
        return None
    own12 = reported.scope1_tco2e + reported.scope2_location_tco2e
    return round_float((own12 - computed_scope12_tco2e) / computed_scope12_tco2e * 100.0, 1)


def reported_section(reported: ReportedEmissions | None, inventory: Inventory) -> dict[str, Any] | None:
    """The rating's ``reported_emissions`` (schema 1.11): the figures as given, their PCAF option and
    the comparison with the computed inventory; ``None`` when the business reported none."""
    if reported is None:
        return None
    computed12 = inventory.scope12_location_tco2e  # what a loan attributes without a report
    return {
        "scope1_tco2e": reported.scope1_tco2e,
        "scope2_location_tco2e": reported.scope2_location_tco2e,
        "scope2_market_tco2e": reported.scope2_market_tco2e,
        "scope3_tco2e": reported.scope3_tco2e,
        "verified": reported.verified,
        "verifier": reported.verifier,
        "pcaf_option": reported.pcaf_option,
        "computed_scope12_tco2e": round_float(computed12, 4),
        "difference_scope12_pct": reported_difference_pct(reported, computed12),
        "note": NOTE,
    }
