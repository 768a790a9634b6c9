"""The year of issue as a bound on the years an input names: a year not yet begun cannot be rated.

The engine reads no clock (a rating re-derives from its input alone, whenever it is verified) and takes
any year from 1990 to 2100, so whoever issues a rating passes the year of issue in: the API as it issues
(:mod:`service.ratings.issuing`), a merchant profile as it is stored, and the loan-book batch, the Spark
job and the portfolio jobs for every row (:func:`rating_model.batch.rate_frame`'s ``issue_year``). One
function, so that every way in refuses the same years with the same field and the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rating_model.exceptions import InvalidInputError

if TYPE_CHECKING:
    from datetime import date

    from rating_model.operating_data import OperatingData

__all__ = ["check_not_after_issue", "check_not_after_reporting_date"]


def check_not_after_issue(data: OperatingData, year_of_issue: int) -> None:
    """Refuse a reporting year, or a carbon credit's vintage, after ``year_of_issue`` (the UTC year of
    the moment of issue): a year not yet begun has no bills, and no credit has been issued for it.

    A rating of "2099" data, valid for a year from today and saying ``energy_bills``, read to a bank like
    one of a year measured, and credits of vintage 2099 were counted towards
    ``net_scope12_after_credits`` (adversarial review); a loan book's row of 2099 was rated into a
    portfolio's figures the same way. A vintage after the reporting year is taken: credits are often
    retired after the year they offset. Checked where a rating is issued or a profile stored, never when
    one is verified or read back. The year of issue itself, a year in progress, is rated.

    :raises InvalidInputError: keyed ``company.reporting_year`` or ``offsets.<i>.vintage``, answered 422
        like the engine's refusals (a batch row's ``error`` says the same, ``field: reason``).
    """
    if data.company.reporting_year > year_of_issue:
        raise InvalidInputError(
            "company.reporting_year",
            f"must not be after {year_of_issue}, the year of issue: a year not yet begun has no figures to "
            "rate",
        )
    for index, offset in enumerate(data.offsets):
        if offset.vintage is not None and offset.vintage > year_of_issue:
            raise InvalidInputError(
                f"offsets.{index}.vintage",
                f"must not be after {year_of_issue}, the year of issue: no credit has been issued for a year "
                "not yet begun",
            )


def check_not_after_reporting_date(data: OperatingData, as_of: date) -> None:
    """Refuse a reporting year, or a carbon credit's vintage, after the year of ``as_of``, the reporting
    date of a loan book (``POST /v1/portfolios``' ``as_of``).

    PCAF reports financed emissions as of a reporting date: the outstanding amounts then, and each
    borrower's emissions and balance sheet of its latest year ended by then, or an earlier one. A row of a
    later year (2026 figures in a book as of 31 December 2025) is of a year the reporting date does not
    cover, and summing it into that date's figures mixes periods; it is refused, as the year of issue
    refuses a year not yet begun (:func:`check_not_after_issue`, checked first), in the same field. The
    year of ``as_of`` itself is taken: a reporting date within a year (30 June) may report on the year in
    progress, and ``by_reporting_year`` says which years were summed.

    :raises InvalidInputError: keyed ``company.reporting_year`` or ``offsets.<i>.vintage``.
    """
    year = as_of.year
    if data.company.reporting_year > year:
        raise InvalidInputError(
            "company.reporting_year",
            f"must not be after {year}, the year of the portfolio's reporting date as_of "
            f"{as_of.isoformat()}: figures of a later year are not as of that date",
        )
    for index, offset in enumerate(data.offsets):
        if offset.vintage is not None and offset.vintage > year:
            raise InvalidInputError(
                f"offsets.{index}.vintage",
                f"must not be after {year}, the year of the portfolio's reporting date as_of "
                f"{as_of.isoformat()}: no credit of that vintage existed then",
            )
