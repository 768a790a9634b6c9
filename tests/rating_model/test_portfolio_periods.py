"""The period of a book's emissions: each loan's row says its borrower's reporting year, and the summary
splits the book by it.

A credit committee's review: a loan book of SMEs rated from their 2021, 2022 and 2023 figures summed the
three years into one financed-emissions total in "tCO2e" with no year anywhere, in the summary or the
results, so the committee could not say what period the figure it discloses covers (IFRS S2 B62 asks for
the financed emissions of a reporting period; PCAF Part A, each borrower's most recent year).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rating_model.batch import RESULT_COLUMNS, rate_frame
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from schemas.portfolio import PortfolioSummarySchema
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


def test_the_summary_splits_the_financed_emissions_by_reporting_year_and_adds_up(
    rated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, out = rated
    s = summarize([out.iloc[:25], out.iloc[25:]])
    table = s["by_reporting_year"]
    loans = out[out["error"].isna() & out["outstanding_cny"].notna()]
    years = sorted(str(y) for y in loans[YEAR].unique())
    assert list(table["values"]) == years
    for year, group in loans.groupby(loans[YEAR].astype(str)):
        row = table["values"][str(year)]
        assert row["loans"] == len(group)
        assert row["outstanding"] == pytest.approx(group["outstanding_cny"].sum(), abs=0.01)
    assert s["financed_emissions"]["over_attribution"]["borrowers"]["value"] == 1
    # the over-attribution is taken out of the years as out of the total: the years add up to it
    for key in ("scope12", "scope3"):
        total = s["financed_emissions"][key]["value"]
        assert sum(r[f"financed_{key}"] for r in table["values"].values()) == pytest.approx(total, abs=1e-3)
    assert sum(r["outstanding"] for r in table["values"].values()) == pytest.approx(s["outstanding"]["value"])
    # the period is said where the totals are read
    said = ", ".join(years)
    for key in ("scope12", "scope3"):
        assert f"reporting years {said}" in s["financed_emissions"][key]["basis"]
    assert f"reporting years {said}" in s["intensity"]["basis"]
    assert "reporting year" in table["basis"] and table["unit"]
    # and it reaches the bank: the response schema keeps only the sections it declares
    assert PortfolioSummarySchema().dump(s)["by_reporting_year"] == table


def test_results_written_before_the_column_are_counted_under_unknown(
    rated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, out = rated
    s = summarize([out.drop(columns=[YEAR])])
    values = s["by_reporting_year"]["values"]
    assert list(values) == ["unknown"] and values["unknown"]["loans"] == s["loans"]["value"]
    assert "not said" in s["financed_emissions"]["scope12"]["basis"]
    assert np.isfinite(s["financed_emissions"]["scope12"]["value"])


def test_the_revenue_intensity_column_says_it_is_of_the_total_with_scope_3(
    rated: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """A loan officer's reading: intensity_per_cny_million, "tCO2e per CNY million revenue", read as Scopes
    1+2 beside tco2e_per_cny_million_lent (Scopes 1+2) and the book's intensity; it is total_tco2e, with the
    Scope 3 categories that have data, so two borrowers' intensities differ by what Scope 3 each gave."""
    book, out = rated
    ok = out["error"].isna()
    revenue = book.loc[ok, "company__annual_revenue"].astype(float) / 1e6  # the book's rows are in CNY
    assert (book.loc[ok, "company__currency"] == "CNY").all()
    assert (out.loc[ok, "intensity_per_cny_million"] * revenue).tolist() == pytest.approx(
        out.loc[ok, "total_tco2e"].tolist(), rel=1e-5, abs=1e-3)  # 6 decimals per CNY million
    meaning = next(c.meaning for c in RESULT_COLUMNS if c.name == "intensity_per_cny_million")
    assert "total_tco2e" in meaning and "Scope 3" in meaning
