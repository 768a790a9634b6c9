"""The portfolio summary's Scope 3 data quality (engine 2.12): PCAF Part A reports a book's Scope 3 and its
data quality apart from Scopes 1+2, so the outstanding-weighted score of the financed Scope 3 stands beside
the Scopes 1+2 one, over the loans that have a financed Scope 3, in the book and in each breakdown.

A PCAF analyst's review: a book whose Scopes 1+2 rest on verified inventories (score 1) read 1 for its
Scope 3 too, which greenrate prices at average factors (option 2b, 3 at best).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from rating_model.portfolio import summarize
from schemas.portfolio import PortfolioSummarySchema
from tests.rating_model.test_portfolio import loan
from tests.rating_model.test_portfolio import results as _results

SCORE3 = "financed_scope3_pcaf_score"


def _loan(division: str, outstanding: float, scope3: float | None, pcaf: int, pcaf3: int | None,
          borrower: str) -> dict[str, Any]:
    row = loan(borrower, "green", 60.0, outstanding, (10.0, scope3), (20.0, 20.0, 12.0, scope3 or 0.0), pcaf,
               False, attribution=0.5)
    row[SCORE3] = pcaf3
    row["industry_code"], row["sector"] = f"{division}10", "restaurants" if division == "56" else "retail"
    row["attribution_basis"] = "equity_plus_debt"
    return row


# A: greenrate's computed Scope 3 (3) beside computed Scopes 1+2 (2); B: no Scope 3 (no Scope 3 score);
# C: a verified inventory with Scope 3 (1 and 1); D: nothing outstanding (weighs nothing)
BOOK = [
    _loan("56", 1_000_000, 2.0, 2, 3, "A"),
    _loan("56", 3_000_000, None, 2, None, "B"),
    _loan("47", 3_000_000, 1.0, 1, 1, "C"),
    _loan("47", 0.0, 1.0, 1, 3, "D"),
]


_TEXT = ("industry_code", "sector", "attribution_basis")


def results(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """test_portfolio's result rows with the engine 2.12 column and the text columns by_industry reads."""
    frame = _results([{k: v for k, v in r.items() if k not in _TEXT} for r in rows])
    for column in _TEXT:
        frame[column] = pd.array([r[column] for r in rows], dtype="string")
    frame[SCORE3] = pd.array([r.get(SCORE3) for r in rows], dtype="Int64")
    return frame


def test_the_book_gives_the_financed_scope3_its_own_outstanding_weighted_score() -> None:
    s = summarize([results(BOOK)])
    assert s["pcaf_data_quality"]["value"] == round((1 * 2 + 3 * 2 + 3 * 1) / 7, 2)  # Scopes 1+2: 1.57
    scope3 = s["pcaf_data_quality_scope3"]
    assert scope3["value"] == round((1 * 3 + 3 * 1) / 4, 2)  # A and C only: 1.5
    assert "over the 2 loans with outstanding > 0 and a financed Scope 3" in scope3["basis"]
    assert "before engine 2.12" not in scope3["basis"]
    industry = s["by_industry"]["values"]
    assert (industry["56"]["pcaf_data_quality"], industry["56"]["pcaf_data_quality_scope3"]) == (2.0, 3.0)
    assert (industry["47"]["pcaf_data_quality"], industry["47"]["pcaf_data_quality_scope3"]) == (1.0, 1.0)
    assert "pcaf_data_quality_scope3" in s["by_industry"]["basis"]
    basis = s["financed_emissions"]["by_attribution_basis"]["values"]
    assert basis["equity_plus_debt"]["pcaf_data_quality_scope3"] == 1.5
    assert basis["none"]["pcaf_data_quality_scope3"] is None  # an empty group
    assert PortfolioSummarySchema().validate(s) == {}


def test_a_book_without_scope3_has_no_scope3_score() -> None:
    s = summarize([results([BOOK[1]])])
    assert s["pcaf_data_quality"]["value"] == 2.0 and s["pcaf_data_quality_scope3"]["value"] is None
    assert s["by_industry"]["values"]["56"]["pcaf_data_quality_scope3"] is None


def test_results_rated_before_engine_2_12_leave_their_scope3_unscored_and_say_so() -> None:
    """Results without financed_scope3_pcaf_score (rated before engine 2.12) still summarise: their loans'
    one score was of Scopes 1+2 and 3 together, which is not Scope 3's own, so none is counted and the
    basis says how many loans with a financed Scope 3 were left out."""
    s = summarize([results(BOOK).drop(columns=[SCORE3])])
    assert s["pcaf_data_quality"]["value"] == 1.57
    scope3 = s["pcaf_data_quality_scope3"]
    assert scope3["value"] is None
    assert "3 loans with a financed Scope 3 are of results rated before engine 2.12" in scope3["basis"]
    assert s["by_industry"]["values"]["47"]["pcaf_data_quality_scope3"] is None
