"""A loan book's reporting date (``as_of``): PCAF reports financed emissions as of a date.

A PCAF analyst's review: a portfolio's figures said no date they were as of, so the outstanding amounts
(PCAF: at the reporting date) and the borrowers' years (each one's latest year by then) could not be
checked against one; a row of figures after the date was summed in like any other. The engine reads no
clock: the date is passed in, and a row of a later year is refused in its own ``error``; the summary says
the date, how it was chosen and how far each loan's emissions lag it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rating_model.batch import rate_frame
from rating_model.exceptions import InvalidInputError
from rating_model.flat import payloads_from_frame
from rating_model.issue_year import check_not_after_reporting_date
from rating_model.loan_book import iter_loan_book
from rating_model.portfolio import summarize
from schemas.portfolio import PortfolioSummarySchema
from tests.conftest import session_engine

YEAR = "company__reporting_year"


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    frame = next(iter_loan_book(40, seed=5, chunk_rows=10_000))
    assert set(frame[YEAR].astype(int)) == {2021, 2022, 2023}  # a book of several years, as a bank's is
    return frame


def test_a_row_of_a_year_after_the_reporting_date_is_that_rows_error(book: pd.DataFrame) -> None:
    frame = book.head(6).copy()
    frame.loc[1, YEAR] = 2024
    frame.loc[2, YEAR] = 2023
    out = rate_frame(frame, session_engine(), issue_year=2026, as_of=date(2023, 12, 31))
    assert out["error"].notna().tolist() == [False, True, False, False, False, False]
    assert out.loc[1, "error"] == (
        "company.reporting_year: must not be after 2023, the year of the portfolio's reporting date as_of "
        "2023-12-31: figures of a later year are not as of that date"
    )
    assert out.loc[1, "refused_outstanding_cny"] > 0  # still on the ledger: counted in the coverage
    # the year of as_of itself is taken (a mid-year date may report on the year in progress)
    assert rate_frame(frame, session_engine(), as_of=date(2024, 6, 30))["error"].isna().all()
    assert rate_frame(frame, session_engine())["error"].isna().all()  # no date: none checked


def test_a_credit_vintage_after_the_reporting_date_is_refused_naming_the_credit(book: pd.DataFrame) -> None:
    payload = next(payloads_from_frame(book.head(1).drop(columns=["borrower_id"])))
    payload["company"]["reporting_year"] = 2023
    payload["offsets"] = [{"standard": "CCER", "tco2e": 1.0, "type": "avoidance", "vintage": 2024}]
    data = session_engine().parse(payload)
    check_not_after_reporting_date(data, date(2024, 1, 1))
    with pytest.raises(InvalidInputError) as refusal:
        check_not_after_reporting_date(data, date(2023, 12, 31))
    assert list(refusal.value.errors) == ["offsets.0.vintage"]


def test_the_summary_says_its_date_and_how_far_the_loans_emissions_lag_it(book: pd.DataFrame) -> None:
    out = rate_frame(book, session_engine(), as_of=date(2023, 12, 31))
    loans = out[out["error"].isna() & out["outstanding_cny"].notna()]
    counts = loans["reporting_year"].astype(int).value_counts()
    s = summarize([out.iloc[:15], out.iloc[15:]], as_of=date(2023, 12, 31), as_of_source="given at upload")
    assert PortfolioSummarySchema().validate(s) == {}
    figure = s["as_of"]
    assert figure["value"] == "2023-12-31" and figure["unit"] == "date (ISO 8601)"
    assert "(given at upload)" in figure["basis"]
    assert (f"of the {len(loans)} loans, {counts[2023]} have emissions of 2023, {counts[2022]} of 2022 and "
            f"{counts[2021]} of an earlier year") in figure["basis"]
    assert "as_of" not in summarize([out])  # a book summarised without a date says none
