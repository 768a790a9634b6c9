"""A bank climate-portfolio analyst's review of the portfolio summary, finding by finding (engine 1.9).

Each test failed on the code before the fix: loans without a balance sheet hidden in the totals, refused
rows' exposure gone from the summary, no B62 breakdowns, green-loan statistics by count only, borrower
emissions summed per row, cross-row contradictions unflagged, versions unnamed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rating_model.batch import RESULT_COLUMNS, rate_frame
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from rating_model.portfolio_breakdowns import share
from tests.conftest import session_engine


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return next(iter_loan_book(240, seed=5, chunk_rows=10_000))


@pytest.fixture(scope="module")
def rated(book: pd.DataFrame) -> pd.DataFrame:
    return rate_frame(book, session_engine())


def test_exposure_and_financed_emissions_split_by_attribution_basis(book: pd.DataFrame,
                                                                    rated: pd.DataFrame) -> None:
    """Finding 1: the loans without a balance sheet (factor set to 1) carry a share of the financed
    emissions far above their share of the outstanding; the summary must show it."""
    equity = book["loan__borrower_equity_plus_debt"].notna()
    assets = book["loan__borrower_total_assets"].notna() & ~equity
    expected = np.where(equity, "equity_plus_debt", np.where(assets, "total_assets", "none"))
    assert rated["attribution_basis"].tolist() == expected.tolist()
    s = summarize([rated.iloc[:100], rated.iloc[100:]])
    split = s["financed_emissions"]["by_attribution_basis"]["values"]
    assert set(split) == {"equity_plus_debt", "total_assets", "none"}
    for basis, row in split.items():
        rows = rated["attribution_basis"] == basis
        assert row["loans"] == int(rows.sum())
        assert row["outstanding"] == pytest.approx(rated.loc[rows, "outstanding_cny"].sum(), abs=0.01)
        assert row["financed_scope12"] == pytest.approx(rated.loc[rows, "financed_scope12_tco2e"].sum(),
                                                        abs=1e-3)
    assert sum(r["financed_scope12"] for r in split.values()) == pytest.approx(
        s["financed_emissions"]["scope12"]["value"], abs=1e-3)
    none = split["none"]
    assert none["pcaf_data_quality"] == 5.0
    assert none["share_of_financed_scope12"] > 2 * none["share_of_outstanding"]
    assert none["intensity"] > split["equity_plus_debt"]["intensity"]
    words = s["financed_emissions"]["by_attribution_basis"]["basis"]
    assert "whole emissions attributed (factor set to 1, not capped" in words
    no_sheet = rated[rated["attribution_basis"] == "none"]
    assert (no_sheet["attribution_factor"] == 1.0).all() and no_sheet["attribution_capped"].isna().all()


def test_refused_rows_keep_their_exposure_and_the_summary_reconciles(book: pd.DataFrame) -> None:
    """Finding 2: a row refused for a bad employees cell or zero revenue dropped its outstanding."""
    bad = book.astype({"company__employees": "object"})
    bad.loc[3, "company__employees"] = "many"
    bad.loc[4, "company__annual_revenue"] = 0.0
    bad.loc[5, "loan__currency"] = "usd"  # the loan itself does not parse: exposure unknown
    rated = rate_frame(bad, session_engine())
    assert rated.loc[[3, 4, 5], "error"].notna().all()
    ledger = bad["loan__outstanding"].astype(float)
    assert rated.loc[3, "refused_outstanding_cny"] == ledger[3]
    assert rated.loc[4, "refused_outstanding_cny"] == ledger[4]
    assert pd.isna(rated.loc[5, "refused_outstanding_cny"])
    assert rated["refused_outstanding_cny"].notna().sum() == 2  # rated rows keep outstanding_cny
    coverage = {k: v["value"] for k, v in summarize([rated])["coverage"].items()}
    assert coverage["refused_rows"] == 3 and coverage["refused_loans"] == 2
    assert coverage["refused_without_loan_data"] == 1
    assert coverage["refused_outstanding"] == pytest.approx(ledger[3] + ledger[4])
    assert coverage["total_outstanding"] == pytest.approx(ledger.drop(index=5).sum())
    assert coverage["ratio"] == pytest.approx(coverage["covered_outstanding"] / coverage["total_outstanding"],
                                              abs=1e-6)


def test_financed_emissions_by_scope_and_by_industry(rated: pd.DataFrame) -> None:
    """Finding 3 (IFRS S2 B62): Scope 1 and Scope 2 apart, per row and in the summary; exposure, financed
    emissions and data quality by industry; the Scope 3 categories named."""
    loans = rated["outstanding_cny"].notna()
    both = rated.loc[loans, "financed_scope1_tco2e"] + rated.loc[loans, "financed_scope2_location_tco2e"]
    assert np.allclose(both, rated.loc[loans, "financed_scope12_tco2e"], atol=2e-4)
    assert rated.loc[loans, "industry_code"].notna().all() and rated.loc[loans, "sector"].notna().all()
    s = summarize([rated])
    financed = s["financed_emissions"]
    assert financed["scope1"]["value"] + financed["scope2_location"]["value"] == pytest.approx(
        financed["scope12"]["value"], abs=0.01)
    assert financed["scope2_market"]["value"] == pytest.approx(
        rated.loc[loans, "financed_scope2_market_tco2e"].sum(), abs=1e-3)
    for text in (financed["scope3"]["basis"], s["borrower_emissions"]["scope3"]["basis"]):
        assert "category 1" in text and "category 5" in text and "category 6 business travel" in text
    industries = s["by_industry"]["values"]
    divisions = rated.loc[loans, "industry_code"].str[:2]
    assert set(industries) == set(divisions)
    assert sum(r["outstanding"] for r in industries.values()) == pytest.approx(s["outstanding"]["value"])
    assert sum(r["financed_scope12"] for r in industries.values()) == pytest.approx(
        financed["scope12"]["value"], abs=1e-3)
    division = divisions.iloc[0]
    rows = loans & (rated["industry_code"].str[:2] == division)
    weights = rated.loc[rows, "outstanding_cny"]
    dq = (weights * rated.loc[rows, "financed_pcaf_score"].astype(float)).sum() / weights.sum()
    assert industries[division]["pcaf_data_quality"] == round(dq, 2)
    assert industries[division]["sector"] == rated.loc[rows, "sector"].iloc[0]


def test_green_loans_by_category_blocked_by_knock_out_and_borrowers_counted_once(
        book: pd.DataFrame, rated: pd.DataFrame) -> None:
    """Finding 4: eligible loans per use of proceeds, the green loans a knock-out denied, and green-rated
    borrowers as borrowers as well as loans."""
    green = book.index[book["loan__use_of_proceeds"] != "general_working_capital"]
    penalised = book.copy()
    penalised.loc[green[:2], "compliance__environmental_penalties_3y"] = 1
    # borrowers with two loans: the first 30, and up to five green-rated ones (not penalised here)
    rated_green = rated.index[rated["green_rated_borrower"].fillna(False)].difference(green[:2])
    again = penalised.index[:30].union(rated_green[:5])
    assert len(rated_green) >= 2
    twice = pd.concat([penalised, penalised.loc[again]], ignore_index=True)
    # second loans, told apart from rows given twice by their own ids (an identical row is counted once)
    twice.insert(1, "loan_id", pd.array([f"L{i}" for i in range(len(twice))], dtype="string"))
    rated = rate_frame(twice, session_engine())
    assert rated.loc[green[:2], "green_loan_blocked_by"].str.contains("environmental_penalty").all()
    s = summarize([rated])
    loans = s["green_loans"]
    by_category = loans["by_category"]["values"]
    assert sum(c["loans"] for c in by_category.values()) == loans["eligible"]["value"]
    eligible = rated[rated["green_loan_eligible"].fillna(False) & rated["outstanding_cny"].notna()]
    for category, row in by_category.items():
        assert row["loans"] == int((eligible["green_loan_category"] == category).sum())
    blocked = loans["blocked_by_knock_out"]
    assert blocked["loans"]["value"] == int(rated["green_loan_blocked_by"].notna().sum()) >= 2
    assert blocked["by_knock_out"]["values"]["environmental_penalty"]["loans"] >= 2
    terms = s["green_rated_borrower_terms"]
    green_rows = rated[rated["green_rated_borrower"].fillna(False)]
    assert terms["green_rated_borrower_loans"]["value"] == len(green_rows)
    assert terms["borrowers"]["value"] == green_rows["borrower_id"].nunique() < len(green_rows)


def test_a_borrower_listed_on_several_rows_counts_once_and_contradictions_are_flagged(
        book: pd.DataFrame) -> None:
    """Finding 6: 17 rows of 13 borrowers summed 17 borrowers' emissions; the rows that contradict each
    other or the loan's own terms were not flagged."""
    base = book.iloc[:13].copy()
    repeats = base.iloc[:4].copy()  # four borrowers with a second loan: 17 rows, 13 borrowers
    repeats.loc[repeats.index[0], "company__employees"] = 999  # one of them with other operating data
    repeats.loc[repeats.index[1], "loan__outstanding"] = repeats.loc[repeats.index[1], "loan__amount"] * 2
    book17 = pd.concat([base, repeats], ignore_index=True)
    book17.insert(1, "loan_id", pd.array([f"L{i}" for i in range(16)] + ["L0"], dtype="string"))
    sheet = book17["loan__borrower_equity_plus_debt"].notna()
    small = book17.index[sheet][-1]
    book17.loc[small, "loan__borrower_equity_plus_debt"] = 1_000.0  # outstanding far above equity + debt
    rated = rate_frame(book17, session_engine())
    s = summarize([rated.iloc[:9], rated.iloc[9:]])
    first13 = rated.iloc[:13]
    gross = s["borrower_emissions"]["scope1"]["value"]
    assert gross == pytest.approx(first13["scope1_tco2e"].sum(), abs=1e-3)  # 13 borrowers, not 17 rows
    conflict = rated["borrower_data_conflict"]
    # rows 3 and 16 (one borrower) differ in the balance sheet only, which is the borrower's too (PCAF audit)
    assert small == 16
    assert conflict.tolist() == [i in (0, 3, 13, 16) for i in range(17)]
    assert rated["duplicate_loan_id"].tolist() == [i in (0, 16) for i in range(17)]
    assert rated["duplicate_of_row"].tolist() == [0 if i == 16 else pd.NA for i in range(17)]
    assert rated.loc[14, "outstanding_above_amount"] and rated["outstanding_above_amount"].sum() == 1
    assert rated.loc[small, "attribution_capped"] and rated["attribution_capped"].sum() == 1
    flags = {k: v["value"] for k, v in s["flags"].items()}
    assert flags == {"attribution_capped": 1, "outstanding_above_amount": 1, "borrower_data_conflict": 4,
                     "duplicate_loan_id": 2, "duplicate_row": 0, "conflicting_borrowers": 2,
                     "duplicate_loan_ids": 1}


def test_the_summary_names_every_version(rated: pd.DataFrame) -> None:
    """Finding 7: model_version alone did not say what rated the book."""
    assert summarize([rated])["versions"] == session_engine().versions


def test_a_coverage_ratio_short_of_the_whole_never_reads_as_full_coverage(book: pd.DataFrame) -> None:
    """A reconciliation of a 35-billion book: one refused CNY 1,000 loan beside it rounded the coverage ratio
    to 1.0, which reads as the whole exposure covered (IFRS S2 B62) while refused_outstanding says not."""
    big = book.iloc[:8].astype({"company__employees": "object"})
    big["loan__amount"] = big["loan__outstanding"] = 5e9
    big["loan__borrower_equity_plus_debt"], big["loan__borrower_total_assets"] = 1e10, np.nan
    big.loc[0, ["loan__amount", "loan__outstanding"]] = 1_000.0
    big.loc[0, "company__employees"] = "many"  # refused, its exposure kept
    coverage = {k: v["value"] for k, v in summarize([rate_frame(big, session_engine())])["coverage"].items()}
    assert coverage["refused_outstanding"] == 1_000.0 and coverage["covered_outstanding"] == 3.5e10
    assert coverage["ratio"] == 0.999999
    whole = summarize([rate_frame(big.drop(index=0), session_engine())])["coverage"]["ratio"]["value"]
    assert whole == 1.0  # nothing refused: whole


def test_a_count_share_short_of_the_whole_or_above_nothing_is_said_so() -> None:
    """Counts are compared exactly: 1 of 3,000,000 is not 0, 2,999,999 of them not 1; sums of amounts keep
    plain rounding unless their caller says they are partial (two sums of one set may differ in last bits)."""
    assert share(1, 3_000_000) == 0.000001 and share(2_999_999, 3_000_000) == 0.999999
    assert share(0, 3) == 0.0 and share(3, 3) == 1.0 and share(1, 0) is None and share(1, 4) == 0.25
    assert share(1e10 - 1e-6, 1e10) == 1.0  # a float sum a hair below its total stays whole
    assert share(1.0, 3.5e10, partial=True) == 0.000001


def test_a_green_loan_too_small_to_round_above_nothing_is_not_said_as_none(book: pd.DataFrame) -> None:
    """A credit committee's review: a CNY 1,000 green loan in a 35-billion book gave green_loans
    share_by_outstanding 0.0 beside an eligible_outstanding of 1,000, which reads as no green lending; a
    positive sum of amounts is above nothing exactly (only a share's upper end has sums that differ in their
    last bits), so its share is said as at least 0.000001, as a count's is."""
    big = book.iloc[:8].copy()
    big["loan__amount"] = big["loan__outstanding"] = 5e9
    big["loan__borrower_equity_plus_debt"], big["loan__borrower_total_assets"] = 1e10, np.nan
    big["loan__use_of_proceeds"] = "general_working_capital"
    big["compliance__environmental_penalties_3y"] = 0
    big.loc[0, ["loan__amount", "loan__outstanding"]] = 1_000.0
    big.loc[0, "loan__use_of_proceeds"] = "energy_efficiency"
    s = summarize([rate_frame(big, session_engine())])
    green = s["green_loans"]
    assert green["eligible"]["value"] == 1 and green["eligible_outstanding"]["value"] == 1_000.0
    assert green["share_by_outstanding"]["value"] == 0.000001
    tables = [s["by_industry"]["values"], s["financed_emissions"]["by_attribution_basis"]["values"]]
    for group in (g for table in tables for g in table.values() if g["outstanding"] > 0):
        assert group["share_of_outstanding"] > 0
    assert share(1_000.0, 3.5e10) == 0.000001 and share(0.0, 3.5e10) == 0.0
    assert share(3.5e10 - 1e-6, 3.5e10) == 1.0  # the upper end keeps plain rounding for sums


def test_green_loans_say_that_only_the_category_of_the_declared_use_was_checked(rated: pd.DataFrame) -> None:
    """A credit committee's review: "eligible: 5 loans" read as five loans meeting the Green Loan Principles,
    where greenrate checks only that the declared use of proceeds is a green category; the project's
    benefits, its evaluation and selection, the tracking of proceeds and the reporting (GLP components 1-4)
    are for each loan's documentation to show, as the API's rationale says of one loan."""
    basis = summarize([rated])["green_loans"]["eligible"]["basis"]
    for said in ("declared use of proceeds", "component 2", "component 3", "component 4", "not checked"):
        assert said in basis, said
    meaning = next(c.meaning for c in RESULT_COLUMNS if c.name == "green_loan_eligible")
    assert "declared use of proceeds" in meaning and "GLP components 2-4" in meaning
