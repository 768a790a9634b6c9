"""The portfolio summary by whose emissions the loans attribute (engine 2.8): a borrower's own reported
inventory (PCAF options 1a and 1b) or greenrate's computed one (2a at best).

A bank's PCAF analyst wants the share of financed emissions resting on reported figures beside the
outstanding-weighted score: the score alone (2.67) does not say that a third of the outstanding is on
verified inventories.
"""

from __future__ import annotations

import pandas as pd
import pytest

from rating_model.batch import rate_frame
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import PortfolioAccumulator, summarize
from tests.conftest import session_engine
from tests.rating_model.test_portfolio import loan
from tests.rating_model.test_portfolio import results as _results

SOURCE = "financed_emissions_source"


def results(rows: list[dict[str, object]], first_row: int = 0) -> pd.DataFrame:
    """test_portfolio's result rows with the engine 2.8 column the summary reads when it is there."""
    frame = _results(rows, first_row)
    frame[SOURCE] = pd.array([r.get(SOURCE) for r in rows], dtype="string")
    return frame


def _sourced(source: str, market: float | None, **kwargs: object) -> dict[str, object]:
    row = loan(**kwargs)  # type: ignore[arg-type]
    row[SOURCE] = source
    row["financed_scope2_market_tco2e"] = market
    return row


# C on computed emissions (score 2), V on a verified inventory (1), U on an unverified one (2), and X on
# a verified inventory with two loans and no balance sheet (5 each, X attributed twice: half taken out)
BOOK = [
    _sourced("computed", 3.0, borrower="C", grade="green", score=60.0, outstanding=1_000_000,
             financed=(10.0, 1.0), gross=(20.0, 20.0, 12.0, 2.0), pcaf=2, eligible=False, attribution=0.5),
    _sourced("reported_verified", None, borrower="V", grade="green", score=60.0, outstanding=2_000_000,
             financed=(30.0, 0.0), gross=(20.0, 20.0, 12.0, 0.0), pcaf=1, eligible=False, attribution=0.5),
    _sourced("reported_unverified", 4.0, borrower="U", grade="green", score=60.0, outstanding=1_000_000,
             financed=(5.0, 0.0), gross=(5.0, 5.0, 5.0, 0.0), pcaf=2, eligible=False, attribution=0.5),
    _sourced("reported_verified", None, borrower="X", grade="green", score=60.0, outstanding=500_000,
             financed=(8.0, 0.0), gross=(4.0, 4.0, 4.0, 0.0), pcaf=5, eligible=False, attribution=1.0),
    _sourced("reported_verified", None, borrower="X", grade="green", score=60.0, outstanding=500_000,
             financed=(8.0, 0.0), gross=(4.0, 4.0, 4.0, 0.0), pcaf=5, eligible=False, attribution=1.0),
]


def test_financed_emissions_split_by_emissions_source_with_each_pcaf_score() -> None:
    s = summarize([results(BOOK)])
    split = s["financed_emissions"]["by_emissions_source"]
    values = split["values"]
    assert list(values) == ["computed", "reported_verified", "reported_unverified"]
    assert [values[k]["loans"] for k in values] == [1, 3, 1]
    assert [values[k]["outstanding"] for k in values] == [1e6, 3e6, 1e6]
    # X's two loans attribute its 8 t twice: 8 taken out of the verified group, as of the book's total
    assert s["financed_emissions"]["scope12"]["value"] == pytest.approx(10.0 + 30.0 + 5.0 + 8.0)
    assert values["reported_verified"]["financed_scope12"] == pytest.approx(30.0 + 8.0)
    assert sum(v["financed_scope12"] for v in values.values()) == pytest.approx(
        s["financed_emissions"]["scope12"]["value"]
    )
    assert values["reported_verified"]["share_of_financed_scope12"] == round(38.0 / 53.0, 6)
    assert values["computed"]["share_of_outstanding"] == 0.2
    # (2 M x 1 + 1 M x 5) / 3 M; the book's own score is over all five
    assert values["reported_verified"]["pcaf_data_quality"] == round(7 / 3, 2)
    assert values["computed"]["pcaf_data_quality"] == 2.0
    assert values["reported_unverified"]["pcaf_data_quality"] == 2.0
    assert s["pcaf_data_quality"]["value"] == round((2 + 2 * 1 + 2 + 0.5 * 5 * 2) / 5, 2)
    assert "1a" in split["basis"] and "1b" in split["basis"] and "2a" in split["basis"]
    # chunked, and X's loans apart, the same
    acc = PortfolioAccumulator()
    for start, stop in ((0, 4), (4, 5)):
        acc.add(results(BOOK[start:stop], first_row=start))
    assert acc.summary() == s


def test_results_rated_before_engine_2_8_are_all_computed() -> None:
    """Results without financed_emissions_source (no reported inventory was read before) still summarise."""
    s = summarize([results(BOOK).drop(columns=[SOURCE])])
    values = s["financed_emissions"]["by_emissions_source"]["values"]
    assert values["computed"]["loans"] == 5 and values["reported_verified"]["loans"] == 0
    assert values["reported_verified"]["pcaf_data_quality"] is None


def test_results_rated_before_engine_2_8_are_said_to_keep_the_scores_they_were_rated_with() -> None:
    """Their computed loans may score 1 (a verified_report data source before engine 2.8), which the
    computed group's "score 2 at best" had described too."""
    old = results(BOOK[1:3]).drop(columns=[SOURCE])  # scored 1 and 2
    split = summarize([old])["financed_emissions"]["by_emissions_source"]
    assert split["values"]["computed"]["pcaf_data_quality"] == round((2 * 1 + 1 * 2) / 3, 2)
    assert "Here 2 of the computed loans are of such results, at the PCAF scores they were rated with" in (
        split["basis"])
    assert "Here" not in summarize([results(BOOK)])["financed_emissions"]["by_emissions_source"]["basis"]


def test_market_based_scope_2_says_which_loans_it_leaves_out() -> None:
    """A reported inventory's market-based Scope 2 is optional: its loans add nothing to the financed
    market-based figure, which had summed the rest as if it were the book's."""
    s = summarize([results(BOOK)])
    market = s["financed_emissions"]["scope2_market"]
    assert market["value"] == pytest.approx(7.0)
    assert "3 of the 5 loans attribute a reported inventory without a market-based Scope 2" in market["basis"]
    computed_only = summarize([results(BOOK[:1])])["financed_emissions"]["scope2_market"]
    assert "reported inventory" not in computed_only["basis"]


def test_the_split_of_real_results_matches_their_columns() -> None:
    """rate_frame's own columns: loans with a reported inventory beside computed ones."""
    book = next(iter_loan_book(60, seed=11, chunk_rows=10_000))
    book = book[book["loan__amount"].notna()].reset_index(drop=True)
    for column, value in (("reported_emissions__scope1_tco2e", 3.0),
                          ("reported_emissions__scope2_location_tco2e", 4.0)):
        book[column] = pd.array([value if i % 3 else None for i in range(len(book))], dtype="float64")
    book["reported_emissions__verified"] = pd.array(
        [None if i % 3 == 0 else i % 3 == 1 for i in range(len(book))], dtype="boolean")
    book["reported_emissions__verifier"] = pd.array(
        ["CQC" if i % 3 == 1 else None for i in range(len(book))], dtype="string")
    rated = rate_frame(book, session_engine())
    ok = rated["error"].isna() & rated["outstanding_cny"].notna()
    s = summarize([rated])
    values = s["financed_emissions"]["by_emissions_source"]["values"]
    for source, group in values.items():
        rows = ok & (rated["financed_emissions_source"] == source)
        assert rows.any(), source
        assert group["loans"] == int(rows.sum())
        assert group["outstanding"] == pytest.approx(rated.loc[rows, "outstanding_cny"].sum(), abs=0.01)
        weights = rated.loc[rows, "outstanding_cny"]
        dq = (weights * rated.loc[rows, "financed_pcaf_score"].astype(float)).sum() / weights.sum()
        assert group["pcaf_data_quality"] == round(dq, 2)
    verified = ok & (rated["financed_emissions_source"] == "reported_verified")
    sheet = book[["loan__borrower_equity_plus_debt", "loan__borrower_total_assets"]].notna().any(axis=1)
    assert (rated.loc[verified & sheet, "financed_pcaf_score"] == 1).all()
    gap = f"{int((ok & (rated['financed_emissions_source'] != 'computed')).sum())} of the"
    assert gap in s["financed_emissions"]["scope2_market"]["basis"]
