"""A portfolio job's reporting date, ``as_of``, over HTTP: given or defaulted, checked, applied, shown.

A PCAF analyst's review: PCAF reports financed emissions as of a reporting date (the outstanding amounts
then, each borrower's balance sheet and emissions of its latest year by then), and a job named none: not
at upload, not in its summary, not in its results. Now the upload may name it; without it the job is as
of the UTC date of the upload and says so. A row of a later year is refused in its ``error``, the default
comparison for the movers is a book as of that date or earlier, and the job, its summary and every
result row say the date.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask

from schemas.portfolio import PortfolioJobSchema
from service.portfolios import runner
from service.portfolios.storage import AS_OF_COLUMN
from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.test_portfolios import CHUNK_ROWS, _results, as_file, book, portfolio_app, upload, work

pytestmark = pytest.mark.integration
__all__ = ["portfolio_app"]  # the fixture, imported for the tests below


def test_a_book_as_of_a_date_refuses_later_years_and_says_its_date_everywhere(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    loans = book(30)
    loans.loc[3, "company__reporting_year"] = 2023
    loans.loc[4, "company__reporting_year"] = 2024  # after the reporting date's year: refused
    accepted = upload(client, key, as_file(loans, "book.csv", tmp_path), as_of="2023-12-31")
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["as_of"] == "2023-12-31" and accepted.json["as_of_given"] is True
    assert work(portfolio_app)
    done = client.get(f"/v1/portfolios/{accepted.json['id']}", headers=bearer(key)).json
    assert PortfolioJobSchema().validate(done) == {}
    assert done["as_of"] == "2023-12-31"
    summary = done["summary"]
    assert summary["as_of"]["value"] == "2023-12-31"
    assert "(given at upload)" in summary["as_of"]["basis"]
    assert summary["rows"]["errors"] == 1
    assert "2024" not in summary["by_reporting_year"]["values"]
    results = _results(client, key, done["id"])
    assert results.loc[4, "error"].startswith(
        "company.reporting_year: must not be after 2023, the year of the portfolio's reporting date as_of "
        "2023-12-31"
    )
    assert results["error"].notna().sum() == 1
    assert list(results.columns)[-1] == AS_OF_COLUMN
    assert set(results[AS_OF_COLUMN]) == {date(2023, 12, 31)}  # every row, refused ones too
    csv = client.get(f"/v1/portfolios/{done['id']}/results?format=csv", headers=bearer(key))
    exported = pd.read_csv(io.StringIO(csv.get_data(as_text=True)), dtype=str)
    assert list(exported.columns)[-1] == AS_OF_COLUMN
    assert set(exported[AS_OF_COLUMN]) == {"2023-12-31"}


def test_without_as_of_a_book_is_as_of_the_day_of_its_upload_and_says_so(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    before = datetime.now(UTC).date()
    accepted = upload(client, key, as_file(book(12), "book.csv", tmp_path))
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["as_of"] in {before.isoformat(), datetime.now(UTC).date().isoformat()}
    assert accepted.json["as_of_given"] is False
    assert work(portfolio_app)
    done = client.get(f"/v1/portfolios/{accepted.json['id']}", headers=bearer(key)).json
    assert done["summary"]["as_of"]["value"] == accepted.json["as_of"]
    assert "(not given at upload: the UTC date of the upload)" in done["summary"]["as_of"]["basis"]


@pytest.mark.parametrize(
    ("as_of", "words"),
    [
        ((datetime.now(UTC).date() + timedelta(days=2)).isoformat(), "must not be after today"),
        ("1989-12-31", "1990-01-01 or later"),
        ("31/12/2025", "Not a valid date"),
    ],
)
def test_an_as_of_in_the_future_or_unreadable_is_refused(
    portfolio_app: Flask, tmp_path: Path, as_of: str, words: str
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    refused = upload(client, key, as_file(book(5), "book.csv", tmp_path), as_of=as_of)
    assert refused.status_code == 422, refused.json
    assert words in " ".join(refused.json["errors"]["as_of"])


def test_a_book_with_its_own_column_of_the_date_is_refused(portfolio_app: Flask, tmp_path: Path) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    refused = upload(client, key, as_file(book(5).assign(**{AS_OF_COLUMN: "x"}), "book.csv", tmp_path))
    assert refused.status_code == 422, refused.json
    assert AS_OF_COLUMN in refused.json["errors"]["file"][0]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_movers_compare_with_a_book_as_of_that_date_or_earlier(
    make_app: AppFactory, redis_url: str, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """A 2023 book uploaded after the 2024 one had been compared with it by default, its movers running
    backwards; the latest reporting date comes first, not the latest upload; naming a later one is
    refused."""
    database = {"DATABASE_URL": request.getfixturevalue("postgres_url")} if backend == "postgresql" else {}
    app = make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"),
                   PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS, RATE_LIMIT="100000 per minute", **database)
    if database:  # the ordering by date on the real server, not only SQLite's
        migrate.upgrade(services_of(app).db)
    try:
        client, key = app.test_client(), create_key(app)
        loans = book(12)
        ids = {}
        for as_of in ("2023-12-31", "2024-12-31", "2022-12-31"):
            accepted = upload(client, key, as_file(loans, "book.csv", tmp_path), as_of=as_of)
            assert accepted.status_code == 202, accepted.json
            assert work(app)
            ids[as_of] = accepted.json["id"]
        previous = {as_of: client.get(f"/v1/portfolios/{job}", headers=bearer(key)).json["previous"]
                    for as_of, job in ids.items()}
        assert previous == {"2023-12-31": None, "2024-12-31": ids["2023-12-31"], "2022-12-31": None}
        # 2022's book was uploaded last; 2023's is the latest date not after mid-2024
        middle = upload(client, key, as_file(loans.head(11), "book.csv", tmp_path), as_of="2024-06-30")
        assert middle.json["previous"] == ids["2023-12-31"], middle.json
        named = upload(client, key, as_file(loans.head(10), "book.csv", tmp_path), as_of="2023-12-31",
                       previous=ids["2024-12-31"])
        assert named.status_code == 422, named.json
        assert "after this book's as_of 2023-12-31" in named.json["errors"]["previous"][0]
    finally:
        runner._CONTEXT.clear()
