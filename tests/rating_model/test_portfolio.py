"""The portfolio summary: hand-computed books, PCAF Box 8's worked example, chunking, and the top movers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rating_model.batch import rate_frame
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import SUMMARY_COLUMNS, PortfolioAccumulator, summarize
from rating_model.portfolio_movers import PreviousRun
from schemas.portfolio import PortfolioSummarySchema
from tests.conftest import session_engine

NA = None


def results(rows: list[dict[str, Any]], first_row: int = 0) -> pd.DataFrame:
    """Result rows with rate_frame's dtypes (only the columns the summary reads)."""
    dtypes = {
        "error": "string",
        "grade": "string",
        "financed_pcaf_score": "Int64",
        "green_loan_eligible": "boolean",
    }
    frame = pd.DataFrame(
        {
            "borrower_id": pd.array([r["borrower_id"] for r in rows], dtype="string"),
            "row": np.arange(first_row, first_row + len(rows), dtype=np.int64),
        }
    )
    for column in SUMMARY_COLUMNS:
        frame[column] = pd.array([r.get(column) for r in rows], dtype=dtypes.get(column, "float64"))
    return frame


def loan(
    borrower: str,
    grade: str,
    score: float,
    outstanding: float | None,
    financed: tuple[float, float] | None,
    gross: tuple[float, float, float, float],
    pcaf: int,
    eligible: bool | None,
    attribution: float | None = None,
    rated_green: bool | None = None,
) -> dict[str, Any]:
    s1, s2l, s2m, s3 = gross
    row = {
        "borrower_id": borrower,
        "error": NA,
        "grade": grade,
        "score": score,
        "outstanding_cny": outstanding,
        "scope1_tco2e": s1,
        "scope2_location_tco2e": s2l,
        "scope2_market_tco2e": s2m,
        "scope3_tco2e": s3,
        "total_tco2e": s1 + s2l + s3,
        "financed_pcaf_score": pcaf,
        "green_loan_eligible": eligible,
        "green_rated_borrower": rated_green,
        "attribution_factor": attribution,
    }
    if financed is not None:
        row["financed_scope12_tco2e"], row["financed_scope3_tco2e"] = financed
    return row


# A five-row book whose every figure is worked out by hand in the test below.
BOOK = [
    loan("A", "green", 60.0, 1_000_000, (10.0, 2.0), (20.0, 20.0, 18.0, 5.0), 2, True),
    # B: a general-purpose loan to a dark-green borrower: preferential terms, not a green loan
    loan("B", "dark_green", 80.0, 3_000_000, (6.0, 0.0), (4.0, 8.0, 8.0, 0.0), 3, False, rated_green=True),
    # C: no loan data; eligible says a green-use loan would be, which is not a green loan in the book
    loan("C", "not_green", 10.0, None, None, (50.0, 30.0, 30.0, 10.0), 4, True),
    {"borrower_id": "D", "error": "company.employees: must be greater than 0"},  # refused row
    loan("E", "not_green", 20.0, 1_000_000, (34.0, 8.0), (30.0, 10.0, 10.0, 3.0), 4, None),
]


def test_every_figure_of_a_small_book_by_hand() -> None:
    s = summarize([results(BOOK)])
    assert s["rows"] | {"basis": None} == {"unit": "rows", "basis": None, "total": 5, "rated": 4, "errors": 1,
                                           "duplicates": 0}
    by_count = s["grade_distribution"]["by_count"]
    assert by_count["values"] == {"dark_green": 1, "green": 1, "light_green": 0, "not_green": 2}
    assert by_count["shares"] == {"dark_green": 0.25, "green": 0.25, "light_green": 0.0, "not_green": 0.5}
    by_outstanding = s["grade_distribution"]["by_outstanding"]
    assert by_outstanding["unit"] == "CNY"
    assert by_outstanding["values"] == {"dark_green": 3e6, "green": 1e6, "light_green": 0.0, "not_green": 1e6}
    assert by_outstanding["shares"] == {"dark_green": 0.6, "green": 0.2, "light_green": 0.0, "not_green": 0.2}
    assert s["grade_distribution"]["without_loan_data"]["value"] == 1  # C
    assert s["outstanding"]["value"] == 5e6 and s["loans"]["value"] == 3
    # financed: 10 + 6 + 34 and 2 + 0 + 8 (C has no loan, D was refused)
    assert s["financed_emissions"]["scope12"]["value"] == 50.0
    assert s["financed_emissions"]["scope3"]["value"] == 10.0
    gross = {k: v["value"] for k, v in s["borrower_emissions"].items()}
    assert gross == {
        "scope1": 104.0,
        "scope2_location": 68.0,
        "scope2_market": 66.0,
        "scope3": 18.0,
        "total": 190.0,
    }
    # (1 M x 2 + 3 M x 3 + 1 M x 4) / 5 M
    assert s["pcaf_data_quality"]["value"] == 3.0
    green = s["green_loans"]  # A alone: B's terms are not a green loan, C has no loan (credit review)
    assert green["eligible"]["value"] == 1 and green["share_by_count"]["value"] == 0.333333
    assert green["eligible_outstanding"]["value"] == 1e6 and green["share_by_outstanding"]["value"] == 0.2
    terms = s["green_rated_borrower_terms"]
    assert terms["loans"]["value"] == 1 and terms["outstanding"]["value"] == 3e6
    # 50 tCO2e over CNY 5 million
    assert s["intensity"]["value"] == 10.0 and s["intensity"]["unit"] == "tCO2e per CNY million lent"


def test_every_figure_names_its_unit_and_basis() -> None:
    def figures(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, dict):
            found = [node] if "value" in node else []
            return found + [f for v in node.values() for f in figures(v)]
        return [f for v in node for f in figures(v)] if isinstance(node, list) else []

    s = summarize([results(BOOK)])
    found = figures({k: v for k, v in s.items() if k != "movers"})
    assert len(found) >= 14
    for figure in found:
        assert figure["unit"] and figure["basis"], figure
    for distribution in s["grade_distribution"]["by_count"], s["grade_distribution"]["by_outstanding"]:
        assert distribution["unit"] and distribution["basis"]


def test_pcaf_box_8_worked_example_weights_scores_by_outstanding() -> None:
    """domain.md §4 (PCAF Box 8): loans 522,425 (score 3), 187,449 (5), 82,778 (1), 108,997 (1),
    67,556 (2) and 54,762 (5) give 3.03 for the business-loan book."""
    example = [(522_425, 3), (187_449, 5), (82_778, 1), (108_997, 1), (67_556, 2), (54_762, 5)]
    book = [
        loan(f"L{i}", "green", 50.0, amount, (1.0, 0.0), (1.0, 0.0, 0.0, 0.0), score, False)
        for i, (amount, score) in enumerate(example)
    ]
    s = summarize([results(book)])
    assert s["pcaf_data_quality"]["value"] == 3.03
    assert "6 loans" in s["pcaf_data_quality"]["basis"]
    # 6 tCO2e financed over CNY 1,023,967 lent
    assert s["intensity"]["value"] == pytest.approx(round(6 / 1.023967, 4))


def test_chunks_give_the_same_summary_as_one_frame() -> None:
    whole = summarize([results(BOOK)])
    acc = PortfolioAccumulator()
    for start, stop in ((0, 2), (2, 2), (2, 5)):
        acc.add(results(BOOK[start:stop], first_row=start))
    assert acc.summary() == whole


# Two loans to X without a balance sheet (each attributed all of X's 40 + 10 tCO2e), two to Y above its
# equity + debt (0.8 and 0.7 of Y's 10 + 2), one to W at exactly its whole (0.666667 + 0.333333).
SHARED = [
    loan("X", "green", 60.0, 100.0, (40.0, 10.0), (40.0, 0.0, 0.0, 10.0), 5, False, attribution=1.0),
    loan("X", "green", 60.0, 300.0, (40.0, 10.0), (40.0, 0.0, 0.0, 10.0), 5, False, attribution=1.0),
    loan("Y", "green", 60.0, 800.0, (8.0, 1.6), (10.0, 0.0, 0.0, 2.0), 2, False, attribution=0.8),
    loan("W", "green", 60.0, 20.0, (6.66667, 0.0), (10.0, 0.0, 0.0, 0.0), 2, False, attribution=0.666667),
    loan("Y", "green", 60.0, 700.0, (7.0, 1.4), (10.0, 0.0, 0.0, 2.0), 2, False, attribution=0.7),
    loan("W", "green", 60.0, 10.0, (3.33333, 0.0), (10.0, 0.0, 0.0, 0.0), 2, False, attribution=0.333333),
]


def test_a_borrower_with_several_loans_is_attributed_at_most_once() -> None:
    s = summarize([results(SHARED)])
    financed = s["financed_emissions"]
    # X: 40 once (not 80), Y: all of its 10 (not 15), W: 10 (its factors sum to 1: untouched)
    assert financed["scope12"]["value"] == pytest.approx(60.0)
    assert financed["scope3"]["value"] == pytest.approx(10.0 + 2.0)
    over = financed["over_attribution"]
    assert over["borrowers"]["value"] == 2
    assert over["scope12"]["value"] == pytest.approx(40.0 + 5.0)
    assert over["scope3"]["value"] == pytest.approx(10.0 + 1.0)
    assert financed["loans_without_borrower_id"]["value"] == 0
    # the intensity is of the capped figure: 60 tCO2e over CNY 1,930 lent
    assert s["intensity"]["value"] == pytest.approx(round(60.0 / (1_930 / 1e6), 4))
    # a borrower's loans split across chunks are still summed together
    acc = PortfolioAccumulator()
    for start, stop in ((0, 1), (1, 4), (4, 6)):
        acc.add(results(SHARED[start:stop], first_row=start))
    assert acc.summary() == s


def test_loans_without_a_borrower_id_cannot_be_matched_and_are_counted() -> None:
    rows = results(SHARED)
    rows.loc[0, "borrower_id"] = pd.NA  # X's first loan: X has one matched loan left, at factor 1
    s = summarize([rows])
    assert s["financed_emissions"]["loans_without_borrower_id"]["value"] == 1
    assert s["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 1  # Y only
    assert s["financed_emissions"]["scope12"]["value"] == pytest.approx(40.0 + 40.0 + 10.0 + 10.0)
    no_column = summarize([results(SHARED).drop(columns=["borrower_id"])])["financed_emissions"]
    assert no_column["loans_without_borrower_id"]["value"] == 6
    assert no_column["over_attribution"]["borrowers"]["value"] == 0
    assert no_column["scope12"]["value"] == pytest.approx(105.0)


def test_an_empty_book_has_no_shares_and_no_weighted_score() -> None:
    s = summarize([])
    assert s["rows"]["total"] == 0
    assert s["pcaf_data_quality"]["value"] is None and s["intensity"]["value"] is None
    assert set(s["grade_distribution"]["by_count"]["shares"].values()) == {None}


def test_a_chunk_without_a_result_column_is_refused() -> None:
    with pytest.raises(ValueError, match="outstanding_cny"):
        PortfolioAccumulator().add(results(BOOK).drop(columns=["outstanding_cny"]))


PREVIOUS = pd.DataFrame(
    {
        "borrower_id": ["A", "B", "C", "E", "Z", "Q"],
        "score": [50.0, 85.0, 30.0, 20.0, 70.0, np.nan],  # Q was refused last time
        "grade": ["green", "dark_green", "light_green", "not_green", "green", None],
    }
)


def test_top_movers_against_the_previous_run() -> None:
    s = summarize([results(BOOK)], previous=PreviousRun.from_frame("pf_prev", PREVIOUS))
    movers = s["movers"]
    assert movers["available"] and movers["compared_with"] == "pf_prev"
    assert movers["matched"]["value"] == 4  # A, B, C, E (D was refused now)
    assert movers["new"]["value"] == 0
    assert movers["not_rated_now"]["value"] == 1  # Z; Q was not rated before
    assert [(m["borrower_id"], m["change"], m["row"]) for m in movers["rises"]] == [("A", 10.0, 0)]
    assert [(m["borrower_id"], m["change"]) for m in movers["falls"]] == [("C", -20.0), ("B", -5.0)]
    changes = movers["grade_changes"]
    assert (changes["upgraded"], changes["downgraded"], changes["unchanged"]) == (0, 1, 3)
    assert changes["transitions"] == {
        "dark_green": {"dark_green": 1},
        "green": {"green": 1},
        "light_green": {"not_green": 1},
        "not_green": {"not_green": 1},
    }
    assert changes["largest"] == [
        {
            "borrower_id": "C",
            "row": 2,
            "previous_score": 30.0,
            "score": 10.0,
            "change": -20.0,
            "previous_grade": "light_green",
            "grade": "not_green",
            "grade_steps": -1,
        }
    ]


def test_movers_keep_the_top_n_across_chunks_and_count_a_borrower_once() -> None:
    book = [
        *BOOK,
        loan("A", "dark_green", 99.0, 10.0, (0.0, 0.0), (0.0, 0.0, 0.0, 0.0), 2, True),  # A's 2nd loan
        loan("F", "green", 55.0, 10.0, (0.0, 0.0), (0.0, 0.0, 0.0, 0.0), 2, True),  # new borrower
        loan("Z", "dark_green", 90.0, 10.0, (0.0, 0.0), (0.0, 0.0, 0.0, 0.0), 2, True),
    ]  # +20, up 1 step
    acc = PortfolioAccumulator(previous=PreviousRun.from_frame("pf_prev", PREVIOUS), top_n=1)
    acc.add(results(book[:3]))
    acc.add(results(book[3:], first_row=3))
    movers = acc.summary()["movers"]
    assert [(m["borrower_id"], m["change"]) for m in movers["rises"]] == [("Z", 20.0)]
    assert [(m["borrower_id"], m["change"]) for m in movers["falls"]] == [("C", -20.0)]
    assert (
        movers["matched"]["value"] == 5
        and movers["new"]["value"] == 1
        and movers["not_rated_now"]["value"] == 0
    )
    changes = movers["grade_changes"]
    assert (changes["upgraded"], changes["downgraded"], changes["unchanged"]) == (1, 1, 3)
    # one grade step each; C's 20-point fall and Z's 20-point rise tie, the earlier row wins
    assert [m["borrower_id"] for m in changes["largest"]] == ["C"]


def test_no_movers_without_borrower_ids_or_a_previous_run() -> None:
    previous = PreviousRun.from_frame("pf_prev", PREVIOUS)
    no_ids = summarize([results(BOOK).drop(columns=["borrower_id"])], previous=previous)["movers"]
    assert no_ids["available"] is False and "borrower_id" in no_ids["reason"]
    alone = summarize([results(BOOK)], no_previous_reason="no earlier completed portfolio")["movers"]
    assert alone == {"available": False, "reason": "no earlier completed portfolio"}
    with pytest.raises(ValueError, match="borrower_id"):
        PreviousRun.from_frame("x", PREVIOUS.drop(columns=["borrower_id"]))


def test_the_summary_of_real_results_matches_their_columns() -> None:
    """The engine's own result columns feed the accumulator (names and dtypes as rate_frame writes them)."""
    book = next(iter_loan_book(300, seed=11, chunk_rows=10_000))
    book.loc[5, "company__employees"] = -3  # one refused row
    rated = rate_frame(book, session_engine())
    s = summarize([rated.iloc[:120], rated.iloc[120:]])
    ok = rated["error"].isna()
    assert s["rows"]["total"] == 300 and s["rows"]["errors"] == int((~ok).sum()) >= 1
    assert sum(s["grade_distribution"]["by_count"]["values"].values()) == int(ok.sum())
    loans = ok & rated["outstanding_cny"].notna()
    assert s["outstanding"]["value"] == pytest.approx(rated.loc[loans, "outstanding_cny"].sum(), abs=0.01)
    assert s["financed_emissions"]["scope12"]["value"] == pytest.approx(
        rated.loc[loans, "financed_scope12_tco2e"].sum(), abs=1e-3
    )
    weights = rated.loc[loans, "outstanding_cny"]
    dq = (weights * rated.loc[loans, "financed_pcaf_score"].astype(float)).sum() / weights.sum()
    assert s["pcaf_data_quality"]["value"] == round(dq, 2)
    # each loan's own score: a loan without a balance sheet is 5 whatever its borrower's data
    sheet = book[["loan__borrower_equity_plus_debt", "loan__borrower_total_assets"]].notna().any(axis=1)
    no_sheet = loans & ~sheet
    assert no_sheet.any() and (rated.loc[no_sheet, "financed_pcaf_score"] == 5).all()
    assert (rated.loc[no_sheet, "pcaf_score"] < 5).any()
    assert s["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 0  # one loan per borrower
    again = summarize([rated], previous=PreviousRun.from_frame("same", rated))["movers"]
    assert again["matched"]["value"] == int(ok.sum()) and again["rises"] == [] and again["falls"] == []
    assert again["grade_changes"]["unchanged"] == int(ok.sum())


def test_two_rated_loans_to_one_company_without_a_balance_sheet_count_its_emissions_once() -> None:
    """The engine rates each loan at factor 1 (no balance sheet); the book's total holds the company once."""
    book = next(iter_loan_book(40, seed=3, chunk_rows=10_000))
    no_sheet = book["loan__borrower_equity_plus_debt"].isna() & book["loan__borrower_total_assets"].isna()
    no_sheet &= book["loan__amount"].notna()
    first = book.index[no_sheet][0]
    twice = pd.concat([book, book.loc[[first]]], ignore_index=True)  # a second loan, same company and id
    # told apart from a row given twice by its own loan id (an identical row is the same loan, counted once)
    twice.insert(1, "loan_id", pd.array([f"L{i}" for i in range(len(twice))], dtype="string"))
    alone = rate_frame(book, session_engine())
    both = rate_frame(twice, session_engine())
    assert both["attribution_factor"].iloc[-1] == alone.loc[first, "attribution_factor"] == 1.0
    once, doubled = summarize([alone]), summarize([both])
    assert doubled["financed_emissions"]["scope12"]["value"] == pytest.approx(
        once["financed_emissions"]["scope12"]["value"], abs=1e-3
    )
    assert doubled["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 1
    assert doubled["financed_emissions"]["over_attribution"]["scope12"]["value"] == pytest.approx(
        alone.loc[first, "financed_scope12_tco2e"], abs=1e-3
    )


def test_a_blank_borrower_id_is_no_id_whatever_the_file_format() -> None:
    """Parquet keeps an empty cell as "" where CSV reads it as missing: both are loans without an id, never
    one borrower whose loans would be capped together."""
    for blank in ("", "  ", pd.NA):
        rows = results(SHARED)
        rows["borrower_id"] = pd.array([blank] * len(rows), dtype="string")
        s = summarize([rows], previous=PreviousRun.from_frame("p", rows.assign(score=1.0)))
        financed = s["financed_emissions"]
        assert financed["loans_without_borrower_id"]["value"] == 6, repr(blank)
        assert financed["over_attribution"]["borrowers"]["value"] == 0
        assert financed["scope12"]["value"] == pytest.approx(40.0 + 40.0 + 8.0 + 6.66667 + 7.0 + 3.33333)
        assert s["movers"]["matched"]["value"] == 0 and s["movers"]["new"]["value"] == 0
    padded = results(SHARED)
    padded["borrower_id"] = padded["borrower_id"] + " "  # "X " is borrower X
    assert summarize([padded])["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 2


def test_the_summary_can_be_read_twice_and_the_book_added_to_after() -> None:
    """``summary`` took the over-attribution out of the per-industry and per-basis sums themselves, so a
    second call took it out again: X's and Y's division showed 15 tCO2e of financed Scopes 1+2 where the book
    total beside it said 60 (a bank's progress report and final report of one run would disagree)."""
    rows = results(SHARED)
    rows["industry_code"] = pd.array(["4711"] * len(rows), dtype="string")
    rows["sector"] = pd.array(["retail"] * len(rows), dtype="string")
    rows["attribution_basis"] = pd.array(["none"] * len(rows), dtype="string")
    acc = PortfolioAccumulator()
    acc.add(rows.iloc[:3].reset_index(drop=True))
    first = acc.summary()
    assert acc.summary() == first
    acc.add(rows.iloc[3:].reset_index(drop=True))
    s = acc.summary()
    assert s == summarize([rows]) == acc.summary()
    total = s["financed_emissions"]["scope12"]["value"]
    assert total == pytest.approx(60.0)
    assert s["by_industry"]["values"]["47"]["financed_scope12"] == pytest.approx(total)
    assert s["financed_emissions"]["by_attribution_basis"]["values"]["none"]["financed_scope12"] == (
        pytest.approx(total)
    )


def test_borrowers_are_counted_once_beside_the_loan_rows() -> None:
    """A climate-risk analyst's reconciliation: ``movers.new`` counted loan rows while ``matched`` counted
    borrowers (two new borrowers with 5 loans gave ``new: 5``), and the grades were by loan row only, with
    no borrower count. The row counts stay; ``new_borrowers``, ``borrowers`` and ``by_borrower`` are added,
    each borrower_id once (its first rated row), across chunks."""

    def rated(borrower: str | None, grade: str, score: float) -> dict[str, Any]:
        row = loan("x", grade, score, 1_000.0, (1.0, 0.0), (1.0, 1.0, 1.0, 0.0), 2, False)
        return row | {"borrower_id": borrower}

    book = [
        rated("A", "green", 60.0),
        rated("A", "green", 60.0),  # A's second loan
        rated("N1", "dark_green", 80.0),  # N1: new, three loans over both chunks
        rated("N1", "dark_green", 80.0),
        rated("B", "dark_green", 80.0),
        rated("N1", "dark_green", 80.0),
        rated("N2", "green", 55.0),  # N2: new, two loans whose operating data (and grade) differ
        rated("N2", "not_green", 10.0),
        rated(None, "light_green", 35.0),  # no borrower_id: a borrower of its own, matched with nothing
        {"borrower_id": "R", "error": "company.employees: must be greater than 0"},  # refused: not rated
    ]
    acc = PortfolioAccumulator(previous=PreviousRun.from_frame("pf_prev", PREVIOUS))
    acc.add(results(book[:4]))
    acc.add(results(book[4:], first_row=4))
    s = acc.summary()
    grades = s["grade_distribution"]
    assert grades["by_count"]["values"] == {"dark_green": 4, "green": 3, "light_green": 1, "not_green": 1}
    assert s["borrowers"]["value"] == 5 and s["borrowers"]["unit"] == "borrowers"  # A, N1, B, N2, the row
    by_borrower = grades["by_borrower"]
    assert by_borrower["unit"] == "borrowers" and "first rated row" in by_borrower["basis"]
    # N2 once, under its first row's grade (green), as borrower_emissions counts its first row
    assert by_borrower["values"] == {"dark_green": 2, "green": 2, "light_green": 1, "not_green": 0}
    assert by_borrower["shares"] == {"dark_green": 0.4, "green": 0.4, "light_green": 0.2, "not_green": 0.0}
    assert s["borrower_emissions"]["scope1"]["value"] == 5.0  # the same five rows
    movers = s["movers"]
    assert movers["new"]["value"] == 5 and movers["new"]["unit"] == "rows"  # N1's 3 loans and N2's 2
    assert movers["new_borrowers"] | {"basis": None} == {"value": 2, "unit": "borrowers", "basis": None}
    assert movers["matched"]["value"] == 2 and movers["not_rated_now"]["value"] == 3  # A, B; C, E, Z
    assert movers["matched"]["value"] + movers["new_borrowers"]["value"] == s["borrowers"]["value"] - 1
    assert "1 rated rows without a borrower_id" in movers["basis"]

    empty = summarize([])
    assert empty["borrowers"]["value"] == 0
    assert set(empty["grade_distribution"]["by_borrower"]["shares"].values()) == {None}


def test_the_green_share_of_the_whole_book_counts_the_refused_rows_exposure() -> None:
    """A credit committee's review: ``share_by_outstanding`` divides the eligible outstanding by the rated
    loans' outstanding alone, while a bank's green-loan ratio is of the whole book it submitted, whose
    refused rows' loans are on the ledger (and in the file). ``share_by_outstanding`` keeps its meaning;
    ``share_of_book_by_outstanding`` divides by the book's known outstanding, the coverage's total, and says
    how many refused rows' outstanding could not be read (D here) and so is in neither part."""
    refused = {"borrower_id": "F", "error": "company.employees: must be greater than 0",
               "refused_outstanding_cny": 5e6}
    s = summarize([results([*BOOK, refused])])
    green = s["green_loans"]
    assert green["share_by_outstanding"]["value"] == 0.2  # 1 M of the rated loans' 5 M, as before
    assert s["coverage"]["total_outstanding"]["value"] == 1e7
    book_share = green["share_of_book_by_outstanding"]
    assert book_share["value"] == 0.1 and book_share["unit"] == "share 0-1"  # 1 M of the book's known 10 M
    assert "coverage.total_outstanding" in book_share["basis"]
    assert "coverage.refused_without_loan_data, here 1)" in book_share["basis"]  # D: its outstanding unread
    assert PortfolioSummarySchema().dump(s)["green_loans"]["share_of_book_by_outstanding"] == book_share
    # no refused exposure: the two agree
    plain = summarize([results(BOOK)])["green_loans"]
    assert plain["share_of_book_by_outstanding"]["value"] == plain["share_by_outstanding"]["value"] == 0.2
    # a wholly green rated book beside CNY 1 refused is not the whole book
    whole = summarize([results([loan("G", "green", 60.0, 1e9, (1.0, 0.0), (1.0, 1.0, 1.0, 0.0), 2, True),
                                {**refused, "refused_outstanding_cny": 1.0}])])["green_loans"]
    assert whole["share_by_outstanding"]["value"] == 1.0
    assert whole["share_of_book_by_outstanding"]["value"] == 0.999999
    # nothing known of the book's outstanding: no share
    assert summarize([results([BOOK[3]])])["green_loans"]["share_of_book_by_outstanding"]["value"] is None
