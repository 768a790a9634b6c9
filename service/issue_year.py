"""The year of issue: the one clock that bounds the years a rated input may name.

A rating of a year not yet begun is refused everywhere one is issued or recorded
(:func:`rating_model.issue_year.check_not_after_issue`, which reads no clock): ``POST /v1/ratings``, its
batch and the one-click as they issue, a merchant profile as it is stored, and every row of a loan book
rated by ``greenrate batch rate``, the Spark job or a portfolio job. They all take the year from here, so
that none can judge by another clock (a local time zone, a year read at another moment of the same book).
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["year_of_issue"]


def year_of_issue(moment: datetime | None = None) -> int:
    """The UTC year of ``moment`` (an aware datetime, the moment of issue), or of now when ``None``.

    A loan book reads it once, before its first row, so that a book rated across midnight on 31 December
    is judged by one year from its first row to its last.
    """
    return (datetime.now(UTC) if moment is None else moment.astimezone(UTC)).year
