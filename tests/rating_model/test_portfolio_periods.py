"""The period of a book's emissions: each loan's row says its borrower's reporting year, and the summary
splits the book by it.

A credit committee's review: a loan book of SMEs rated from their 2021, 2022 and 2023 figures summed the
three years into one financed-emissions total in "tCO2e" with no year anywhere, in the summary or the
results, so the committee could not say what period the figure it discloses covers (IFRS S2 B62 asks for
the financed emissions of a reporting period; PCAF Part A, each borrower's most recent year).
"""

from __future__ import annotations

import pandas as pd
import pytest

from rating_model.batch import rate_frame
from rating_model.loan_book import iter_loan_book
from tests.conftest import session_engine

YEAR = "reporting_year"


@pytest.fixture(scope="module")
def rated() -> tuple[pd.DataFrame, pd.DataFrame]:
    book = next(iter_loan_book(60, seed=11, chunk_rows=10_000))
    book.loc[4, "company__employees"] = -3  # refused: no year of its own said
    # a second loan to a borrower without a balance sheet: both attribute the whole borrower (capped once)
    alone = book.index[book[["loan__borrower_equity_plus_debt", "loan__borrower_total_assets"]].isna().all(
        axis=1) & book["loan__outstanding"].notna()][0]
    second = book.loc[[alone]].assign(loan__outstanding=book.at[alone, "loan__outstanding"] / 2)
    book = pd.concat([book, second], ignore_index=True)
    return book, rate_frame(book, session_engine())


def test_each_result_row_says_the_reporting_year_its_emissions_are_of(
    rated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    book, out = rated
    ok = out["error"].isna()
    assert str(out[YEAR].dtype) == "Int64"
    assert out.loc[ok, YEAR].tolist() == book.loc[ok, "company__reporting_year"].astype(int).tolist()
    assert out.loc[~ok, YEAR].isna().all()
    assert book["company__reporting_year"].nunique() > 1  # a book of several years, as a bank's is
