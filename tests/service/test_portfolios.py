"""Portfolio jobs over HTTP: upload, a real RQ worker (in-process, burst) on Redis DB 15, summary, download.

The worker here is the one ``greenrate worker`` runs (:class:`PortfolioWorker`, RQ's SimpleWorker) with
the session's engine; the killed-worker case with real processes is tests/faults/test_portfolio_worker_killed.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select, update

from rating_model.batch import rate_frame
from rating_model.flat import payloads_from_frame
from rating_model.loan_book import iter_loan_book
from schemas.portfolio import PortfolioJobSchema
from service.batch.flat_files import write_frame
from service.cli import main as cli_main
from service.engine_slot import EngineSlot
from service.model_watch import ModelWatcher
from service.portfolios import runner, storage
from service.portfolios.queue import portfolio_queue
from service.portfolios.recovery import MAX_RECOVERIES, recover
from service.portfolios.retention import purge_expired
from service.portfolios.runner import RunContext
from service.portfolios.worker_cli import PortfolioWorker
from service.records import migrate
from service.records import portfolios as records
from service.records.portfolio_tables import portfolio_jobs
from service.records.portfolios import Superseded, Worker
from tests.conftest import AppFactory, bearer, create_key, services_of, session_engine
from tests.service.contract import contract_errors
from tests.service.hostile_books import UNREADABLE_COMPRESSED

pytestmark = pytest.mark.integration
CHUNK_ROWS = 100


@pytest.fixture
def portfolio_app(make_app: AppFactory, redis_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(
        REDIS_URL=redis_url,
        PORTFOLIO_DIR=str(tmp_path / "portfolios"),
        PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        RATE_LIMIT="100000 per minute",
    )
    yield app
    runner._CONTEXT.clear()


def work(app: Flask) -> bool:
    """Run every queued job with the worker ``greenrate worker`` runs, until the queue is empty."""
    s = services_of(app)
    watcher = ModelWatcher(0.0, erased=None)
    runner.install(RunContext(s.settings, s.db, EngineSlot(loader=session_engine), watcher))
    connection = Redis.from_url(s.settings.redis_url)
    try:
        worker = PortfolioWorker([portfolio_queue(s.settings, connection)], connection=connection)
        return worker.work(burst=True, logging_level="WARNING")
    finally:
        connection.close()


def book(n: int, seed: int = 3) -> pd.DataFrame:
    return next(iter_loan_book(n, seed, chunk_rows=10_000))


def as_file(frame: pd.DataFrame, name: str, tmp_path: Path) -> tuple[io.BytesIO, str]:
    path = tmp_path / name
    write_frame(frame, path)
    return io.BytesIO(path.read_bytes()), name


def upload(client: FlaskClient, key: str, file: tuple[io.BytesIO, str] | None, **form: str) -> Any:
    data: dict[str, Any] = dict(form)
    if file is not None:
        data["file"] = file
    return client.post("/v1/portfolios", data=data, headers=bearer(key), content_type="multipart/form-data")


def test_a_loan_book_becomes_a_summary_and_results(portfolio_app: Flask, tmp_path: Path) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    loans = book(250)
    loans.loc[7, "company__employees"] = -3  # a row the engine refuses: its own error, the job goes on
    accepted = upload(client, key, as_file(loans, "book-2025.csv", tmp_path))
    assert accepted.status_code == 202, accepted.json
    job_id = accepted.json["id"]
    assert accepted.headers["Location"] == f"/v1/portfolios/{job_id}"
    assert accepted.json["status"] == "queued" and accepted.json["file"]["name"] == "book-2025.csv"
    assert accepted.json["summary"] is None and accepted.json["results"] is None
    spec = client.get("/openapi.json").json  # null summary and results too, under OpenAPI 3.0.3's rules
    assert contract_errors(spec, "/v1/portfolios", "post", accepted) == []
    # every key a job carries, null or not, is required: a generated client types an optional one as unset
    assert set(spec["components"]["schemas"]["PortfolioJob"]["required"]) == set(accepted.json)

    assert work(portfolio_app)
    done = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key))
    assert done.status_code == 200 and done.json["status"] == "completed", done.json
    assert PortfolioJobSchema().validate(done.json) == {}  # the document is what the contract says
    assert contract_errors(spec, "/v1/portfolios/{portfolio_id}", "get", done) == []
    assert done.json["progress"] == {"rows_done": 250, "rows_total": 250, "chunks_done": 3}
    summary = done.json["summary"]
    assert summary["rows"]["total"] == 250 and summary["rows"]["errors"] == 1
    assert summary["movers"] == {
        "available": False,
        "reason": "no earlier completed portfolio of this tenant to compare with",
    }
    assert done.json["model_version"] == session_engine().versions["model"]
    # every version, and the refused row's exposure beside the covered figures (a bank portfolio review)
    assert done.json["versions"] == summary["versions"] == session_engine().versions
    coverage = {name: figure["value"] for name, figure in summary["coverage"].items()}
    assert coverage["refused_rows"] == 1 and coverage["refused_loans"] == 1
    assert coverage["refused_outstanding"] == pytest.approx(float(loans.loc[7, "loan__outstanding"]))
    assert coverage["total_outstanding"] == pytest.approx(loans["loan__outstanding"].astype(float).sum())
    assert set(summary["financed_emissions"]["by_attribution_basis"]["values"]) == {
        "equity_plus_debt", "total_assets", "none"}
    assert summary["by_industry"]["values"] and summary["flags"]["borrower_data_conflict"]["value"] == 0
    # the borrower figures reach the client (the response schema keeps only the fields it declares)
    by_borrower = summary["grade_distribution"]["by_borrower"]
    rated_ids = loans["borrower_id"].drop(7).nunique()
    assert summary["borrowers"]["value"] == sum(by_borrower["values"].values()) == rated_ids

    csv = client.get(done.json["results"]["csv"], headers=bearer(key))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert contract_errors(spec, "/v1/portfolios/{portfolio_id}/results", "get", csv) == []
    assert "attachment" in csv.headers["Content-Disposition"]
    results = pd.read_csv(io.BytesIO(csv.data), dtype={"borrower_id": str})
    assert results["row"].tolist() == list(range(250))  # every row once, in order
    assert results["borrower_id"].tolist() == loans["borrower_id"].tolist()
    assert results["error"].notna().tolist() == [i == 7 for i in range(250)]
    assert "company.employees" in results.loc[7, "error"]
    accept = {**bearer(key), "Accept": "application/vnd.apache.parquet"}
    with client.get(f"/v1/portfolios/{job_id}/results", headers=accept) as parquet:  # a file: close it
        assert parquet.status_code == 200 and parquet.mimetype == "application/vnd.apache.parquet"
        assert contract_errors(spec, "/v1/portfolios/{portfolio_id}/results", "get", parquet) == []
        from_parquet = pd.read_parquet(io.BytesIO(parquet.data))
    assert from_parquet["row"].tolist() == list(range(250))
    assert from_parquet["score"].tolist() == pytest.approx(results["score"].tolist(), nan_ok=True)
    assert (
        client.get(
            f"/v1/portfolios/{job_id}/results", headers={**bearer(key), "Accept": "image/png"}
        ).status_code
        == 406
    )

    # the worker rated with the API's engine: a row through POST /v1/ratings gives the same figures
    first = next(payloads_from_frame(loans.drop(columns=["borrower_id"]).iloc[[0]]))
    rating = client.post("/v1/ratings", json=first, headers=bearer(key))
    assert rating.status_code == 201, rating.json
    assert (
        rating.json["score"] == from_parquet.loc[0, "score"]
        and rating.json["grade"] == from_parquet.loc[0, "grade"]
    )


def test_parquet_results_answer_whole_as_the_contract_says(portfolio_app: Flask, tmp_path: Path) -> None:
    """The Parquet download was served by ``send_file``: 304 to a conditional request, 206 and 416 to a
    range, with ETag, Last-Modified and Expires, none of which the contract declares (nor the CSV does): a
    bank integrator's review. Whatever the request asks, the answer is the whole file, as documented."""
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    job_id = upload(client, key, as_file(book(30), "book.parquet", tmp_path)).json["id"]
    assert work(portfolio_app)
    spec = client.get("/openapi.json").json
    path = "/v1/portfolios/{portfolio_id}/results"
    url = f"/v1/portfolios/{job_id}/results?format=parquet"
    with client.get(url, headers=bearer(key)) as whole:
        assert whole.status_code == 200 and whole.headers["Content-Length"] == str(len(whole.data))
        assert whole.headers["Content-Disposition"] == f'attachment; filename="{job_id}-results.parquet"'
        data = whole.data
    asked = [{"If-None-Match": "*"}, {"If-Modified-Since": "Wed, 21 Oct 2099 07:28:00 GMT"},
             {"Range": "bytes=0-9"}, {"Range": "bytes=999999999-"}]
    for headers in asked:
        with client.get(url, headers={**bearer(key), **headers}) as answer:
            assert answer.status_code == 200 and answer.data == data, headers
            assert contract_errors(spec, path, "get", answer) == [], headers
    assert pd.read_parquet(io.BytesIO(data))["row"].tolist() == list(range(30))


def test_a_job_names_the_key_whose_upload_created_it(portfolio_app: Flask, tmp_path: Path) -> None:
    """Every rating of the list names the key that asked for it; a portfolio job, whose results a bank's
    loan book relies on, named none over the API (its row records it), so an auditor could not tell which
    of the tenant's keys uploaded a book. A retry by another key of the tenant gets the job, still named
    by the key that created it."""
    client = portfolio_app.test_client()
    key, other = create_key(portfolio_app), create_key(portfolio_app)
    accepted = upload(client, key, as_file(book(20), "book.csv", tmp_path))
    with services_of(portfolio_app).db.connect() as conn:
        row = conn.execute(portfolio_jobs.select().where(portfolio_jobs.c.id == accepted.json["id"])).one()
    named = {"key_id": row.requester_key_id, "prefix": key[:11], "role": "bank"}
    assert row.requester_key_id is not None and accepted.json["requested_by"] == named
    retried = upload(client, other, as_file(book(20), "book.csv", tmp_path))
    assert retried.json["id"] == accepted.json["id"] and retried.json["requested_by"] == named
    fetched = client.get(accepted.headers["Location"], headers=bearer(other))
    assert fetched.json["requested_by"] == named
    spec = client.get("/openapi.json").json
    assert contract_errors(spec, "/v1/portfolios/{portfolio_id}", "get", fetched) == []
    assert "requested_by" in spec["components"]["schemas"]["PortfolioJob"]["required"]


def test_the_next_book_reports_movers_against_the_last_one(portfolio_app: Flask, tmp_path: Path) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    loans = book(150, seed=5)
    first = upload(client, key, as_file(loans, "2024.parquet", tmp_path)).json["id"]
    assert work(portfolio_app)
    later = loans.copy()
    later["energy__electricity_kwh"] = later["energy__electricity_kwh"] * 3  # every borrower uses more power
    second = upload(client, key, as_file(later, "2025.parquet", tmp_path))
    assert second.status_code == 202 and second.json["previous"] == first
    assert second.json["progress"]["rows_total"] == 150  # Parquet: counted at upload
    assert work(portfolio_app)
    movers = client.get(f"/v1/portfolios/{second.json['id']}", headers=bearer(key)).json["summary"]["movers"]
    assert movers["available"] and movers["compared_with"] == first
    rated = movers["matched"]["value"] + movers["new"]["value"]
    assert movers["matched"]["value"] > 100 and movers["new"]["value"] == 0 and rated > 100
    assert movers["falls"] and all(m["change"] < 0 for m in movers["falls"])
    assert len(movers["falls"]) == 10
    # an explicit earlier portfolio must be one of this tenant's completed ones
    other = create_key(portfolio_app, tenant="bank-b")
    refused = upload(client, other, as_file(later, "x.csv", tmp_path), previous=first)
    assert refused.status_code == 422 and refused.json["errors"] == {
        "previous": ["not a completed portfolio of this tenant"]
    }
    explicit = upload(client, key, as_file(later, "again.csv", tmp_path), previous=first)
    assert explicit.status_code == 202 and explicit.json["previous"] == first
    assert movers["compared_with_file"] == "2024.parquet"
    assert "same file name" in movers["compared_with_basis"]


def test_a_book_is_compared_with_its_own_last_run_not_another_books(portfolio_app: Flask,
                                                                    tmp_path: Path) -> None:
    """A PCAF auditor's review: a tenant with two books (a branch's, say) had each compared with whichever
    was completed last, so the movers matched unrelated borrowers. The same file name is the same book."""
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    retail = upload(client, key, as_file(book(40, seed=5), "retail.parquet", tmp_path)).json["id"]
    assert work(portfolio_app)
    sme = upload(client, key, as_file(book(40, seed=6), "sme.parquet", tmp_path))
    assert sme.json["previous"] == retail  # no earlier sme.parquet: the latest completed, as before
    assert work(portfolio_app)
    again = upload(client, key, as_file(book(40, seed=5).head(39), "retail.parquet", tmp_path))
    assert again.status_code == 202 and again.json["previous"] == retail
    assert work(portfolio_app)
    done = client.get(f"/v1/portfolios/{again.json['id']}", headers=bearer(key)).json
    movers = done["summary"]["movers"]
    assert movers["compared_with"] == retail and movers["compared_with_file"] == "retail.parquet"
    assert movers["matched"]["value"] > 30


def _nothing_kept(app: Flask) -> None:
    """A refused upload leaves no file in the portfolio directory and no job to run."""
    directory = Path(services_of(app).settings.portfolio_dir)
    assert not directory.exists() or not any(directory.iterdir())
    assert records.unfinished(services_of(app).db) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("book.xlsx", b"PK\x03\x04 not a sheet we read", "use a CSV"),
        ("book.parquet", b"this is not parquet at all", "not a readable PARQUET file"),
        ("book.csv", b"borrower_id,energy__electricty_kwh\nB1,100\n", "energy__electricty_kwh"),
        ("book.csv", b"borrower_id,company__name\n", "no rows"),
        ("book.csv", b"borrower_id,amount\nB1,3\n", "no column of the flat operating-data format"),
        ("book.csv", b"borrower_id,company__name,borrower_id\nB1,A,B2\n", "'borrower_id': appears more"),
        ("book.csv", b"borrower_id,company__name,company__name\nB1,A,B\n", "'company__name': appears more"),
    ],
)
def test_a_file_that_cannot_be_rated_is_refused_with_a_field_error(
    portfolio_app: Flask, name: str, content: bytes, expected: str
) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    response = upload(client, key, (io.BytesIO(content), name))
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == ["file"] and expected in response.json["errors"]["file"][0]
    _nothing_kept(portfolio_app)


def _book_bytes(tmp_path: Path, rows: int = 30) -> bytes:
    path = tmp_path / "book.csv"
    write_frame(book(rows), path)
    return path.read_bytes()


def _line_changed(content: bytes, index: int, change: Any) -> bytes:
    lines = content.split(b"\n")
    lines[index] = change(lines[index])
    return b"\n".join(lines)


UNREADABLE_CSV: dict[str, tuple[Any, str]] = {
    "empty": (lambda good: b"", "the file is empty"),
    "blank lines": (lambda good: b"\xef\xbb\xbf\r\n\n  \n", "the file is empty"),
    "semicolons": (lambda good: good.replace(b",", b";"), "separated by semicolons"),
    "tabs": (lambda good: good.replace(b",", b"\t"), "separated by tabs"),
    "binary": (lambda good: b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8, "binary data"),
    "utf-16": (lambda good: good[:2000].decode().encode("utf-16"), "binary data"),
    "gbk": (lambda good: good.replace(b"CN,", "中国,".encode("gbk"), 1), "not UTF-8 text"),
    "ragged later": (lambda good: _line_changed(good, 20, lambda line: line + b",x,y"),
                     "line 21 (row 19 of the results"),
    "quote never closed": (lambda good: good + b'B31,"Cafe\nB32,x\n', "line 32 (row 30 of the results"),
}


@pytest.mark.parametrize("case", list(UNREADABLE_CSV))
def test_a_csv_that_cannot_be_read_as_csv_is_refused_at_upload(
    portfolio_app: Flask, tmp_path: Path, case: str
) -> None:
    """PCAF audit L8: a book that is not comma-separated UTF-8 CSV, or has a bad line after its first row,
    was accepted (202) and failed minutes later in the worker, or was refused with its whole header quoted
    back as one unknown column (a semicolon-separated export), or with a parser's class name. The upload
    reads the book's opening megabyte (all of a book this size) as the worker will, and refuses it with 422
    in the service's one error shape, saying what is wrong; nothing is queued or kept."""
    make, expected = UNREADABLE_CSV[case]
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    response = upload(client, key, (io.BytesIO(make(_book_bytes(tmp_path))), "book.csv"))
    assert response.status_code == 422, response.json
    assert set(response.json) >= {"code", "status", "message", "errors"} and response.json["code"] == 422
    [message] = response.json["errors"]["file"]
    assert expected in message and len(message) < 400, message
    spec = client.get("/openapi.json").json
    assert contract_errors(spec, "/v1/portfolios", "post", response) == []
    _nothing_kept(portfolio_app)


def test_a_compressed_book_cut_short_past_its_first_megabyte_fails_saying_so(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """Its opening megabyte reads, so the upload is accepted (only decompressing it all would tell, and a
    small upload can hold gigabytes); the job then fails with the file's fault, where it said "internal
    error (EOFError)"."""
    import gzip

    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    whole = gzip.compress(_book_bytes(tmp_path, rows=4_500))
    accepted = upload(client, key, (io.BytesIO(whole[: len(whole) * 4 // 5]), "book.csv.gz"))
    assert accepted.status_code == 202, accepted.json
    settings = services_of(portfolio_app).settings
    job = records.get_job(services_of(portfolio_app).db, accepted.json["id"])
    assert job is not None
    source = storage.JobFiles.of(settings.portfolio_dir, job.id).input(job.file_name)
    with pytest.raises(EOFError) as cut_short:  # what the worker meets first, counting the rows
        storage.count_rows(source, 10_000_000)
    # the reason the job fails with (running the worker here is slow: RQ's teardown after a quick failure)
    assert runner._reason(cut_short.value, settings) == (
        "the loan book could not be read: Compressed file ended before the end-of-stream marker was reached")
    assert runner._reason(EOFError("Ran out of input"), settings).startswith(
        "internal error (EOFError)")


@pytest.mark.parametrize("name", list(UNREADABLE_COMPRESSED))
def test_a_compressed_book_that_cannot_be_read_is_refused_in_words(
    portfolio_app: Flask, name: str
) -> None:
    """A .csv.xz that is not xz (lzma.LZMAError), an encrypted zip (RuntimeError) and a Deflate64 or AES zip
    (NotImplementedError) were answered 500 (diff review M1): 422 in the one error shape, saying what to do,
    in the words greenrate batch rate exits 1 with."""
    content, expected = UNREADABLE_COMPRESSED[name]
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    response = upload(client, key, (io.BytesIO(content), name))
    assert response.status_code == 422, response.json
    [message] = response.json["errors"]["file"]
    assert expected in message and len(message) < 400, message
    assert contract_errors(client.get("/openapi.json").json, "/v1/portfolios", "post", response) == []
    _nothing_kept(portfolio_app)


def test_a_bz2_book_corrupt_past_its_first_megabyte_fails_saying_so(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """bz2 raises a plain OSError ("Invalid data stream") for data that does not decompress: the job had
    failed with "internal error (OSError)" where gzip, xz and zip said the book could not be read (diff
    review L1). An OSError of the system (a disk's, with an errno) is still an internal error."""
    import bz2

    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    compressed = bytearray(bz2.compress(_book_bytes(tmp_path, rows=4_500), 1))  # blocks of 100 kB
    middle = len(compressed) * 3 // 4
    compressed[middle:middle + 64] = bytes(64)
    accepted = upload(client, key, (io.BytesIO(bytes(compressed)), "book.csv.bz2"))
    assert accepted.status_code == 202, accepted.json
    settings = services_of(portfolio_app).settings
    job = records.get_job(services_of(portfolio_app).db, accepted.json["id"])
    assert job is not None
    source = storage.JobFiles.of(settings.portfolio_dir, job.id).input(job.file_name)
    with pytest.raises(OSError) as corrupt:
        storage.count_rows(source, 10_000_000)
    assert runner._reason(corrupt.value, settings) == "the loan book could not be read: Invalid data stream"
    assert runner._reason(OSError(5, "Input/output error"), settings).startswith("internal error (OSError)")


def test_an_extra_cell_on_the_first_data_row_refuses_the_upload_naming_the_line(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """pandas took the extra cell to mean the first column is an index: the job was queued and then failed
    with "internal error (ValueError)" while counting its rows (contract review)."""
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    path = tmp_path / "book.csv"
    write_frame(book(5), path)
    lines = path.read_text(encoding="utf-8").split("\n")
    columns = lines[0].count(",") + 1
    lines[1] += ",x"
    path.write_text("\n".join(lines), encoding="utf-8")
    response = upload(client, key, (io.BytesIO(path.read_bytes()), "book.csv"))
    assert response.status_code == 422, response.json
    [message] = response.json["errors"]["file"]
    assert "line 2 (row 0 of the results" in message, message
    assert f"has {columns + 1} cells where the header has {columns}" in message
    assert records.unfinished(services_of(portfolio_app).db) == []


def test_rows_are_counted_without_an_index_column(tmp_path: Path) -> None:
    """The job counts a CSV book's rows before rating it; an extra cell on the first row made pandas read
    the first column as an index, and counting one column of it raised ValueError."""
    from service.portfolios.storage import count_rows

    path = tmp_path / "book.csv"
    path.write_text("borrower_id,company__name\nB1,A,extra\nB2,B\n", encoding="utf-8")
    assert count_rows(path, 10) == 2


def test_the_upload_must_be_multipart_with_a_file(portfolio_app: Flask) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    missing = upload(client, key, None, previous="pf_x")
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    as_text = client.post(
        "/v1/portfolios",
        data={"file": "company__name\nx\n"},
        headers=bearer(key),
        content_type="multipart/form-data",
    )
    assert as_text.status_code == 422 and "file part" in as_text.json["errors"]["file"][0]
    as_json = client.post("/v1/portfolios", json={"file": "x"}, headers=bearer(key))
    assert as_json.status_code == 415
    unknown = upload(client, key, (io.BytesIO(b"company__name\nx\n"), "b.csv"), colour="green")
    assert unknown.status_code == 422 and "colour" in unknown.json["errors"]


REPEATED = "Given more than once; give it once."


def test_a_part_given_twice_is_refused_naming_it(portfolio_app: Flask, tmp_path: Path) -> None:
    """Two `file` parts (or two of a form field) are a 422 naming the field, nothing accepted, as a query
    argument given twice is: the first file was rated and the second dropped unsaid (bank review)."""
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    content = _book_bytes(tmp_path)
    twice = client.post("/v1/portfolios", headers=bearer(key), content_type="multipart/form-data",
                        data={"file": [(io.BytesIO(content), "a.csv"), (io.BytesIO(content), "b.csv")]})
    assert twice.status_code == 422, twice.json
    assert twice.json["errors"] == {"file": [REPEATED]}
    assert contract_errors(portfolio_app.test_client().get("/openapi.json").json, "/v1/portfolios", "post",
                           twice) == []
    dates = upload(client, key, (io.BytesIO(content), "a.csv"), as_of="2025-12-31")
    assert dates.status_code == 202  # one of each is accepted
    dates = client.post("/v1/portfolios", headers=bearer(key), content_type="multipart/form-data",
                        data={"file": (io.BytesIO(content), "c.csv"), "as_of": ["2025-12-31", "2024-12-31"]})
    assert dates.status_code == 422 and dates.json["errors"] == {"as_of": [REPEATED]}
    with services_of(portfolio_app).db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(portfolio_jobs)).scalar() == 1


def test_uploads_have_their_own_size_limit(make_app: AppFactory, redis_url: str, tmp_path: Path) -> None:
    app = make_app(
        REDIS_URL=redis_url,
        PORTFOLIO_DIR=str(tmp_path / "p"),
        MAX_BODY_BYTES=4096,
        PORTFOLIO_MAX_BYTES=64_000,
    )
    client = app.test_client()
    key = create_key(app)
    small = as_file(book(40), "small.csv", tmp_path)
    assert 4096 < len(small[0].getvalue()) < 64_000
    assert upload(client, key, small).status_code == 202  # above the JSON limit, within the upload limit
    response = upload(client, key, (io.BytesIO(b"company__name\n" + b"x" * 70_000), "big.csv"))
    assert response.status_code == 413 and response.json["code"] == 413


def test_roles_tenants_and_results_before_completion(portfolio_app: Flask, tmp_path: Path) -> None:
    client = portfolio_app.test_client()
    key, stranger = create_key(portfolio_app), create_key(portfolio_app, tenant="bank-b")
    analyst = create_key(portfolio_app, role="analyst")
    merchant = create_key(portfolio_app, role="merchant", merchant_id="m-1")
    job_id = upload(client, key, as_file(book(30), "b.csv", tmp_path)).json["id"]
    for other in (analyst, merchant):
        assert upload(client, other, as_file(book(30), "b.csv", tmp_path)).status_code == 403
        assert client.get(f"/v1/portfolios/{job_id}", headers=bearer(other)).status_code == 403
    for path in (f"/v1/portfolios/{job_id}", f"/v1/portfolios/{job_id}/results"):
        foreign = client.get(path, headers=bearer(stranger))
        missing = client.get(path.replace(job_id, "pf_" + "0" * 32), headers=bearer(stranger))
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json["message"] == missing.json["message"]
    early = client.get(f"/v1/portfolios/{job_id}/results", headers=bearer(key))
    assert early.status_code == 409 and "queued" in early.json["message"]
    assert client.get(f"/v1/portfolios/{job_id}/results?format=xlsx", headers=bearer(key)).status_code == 422


def test_without_redis_posting_is_503_naming_the_setting(make_app: AppFactory) -> None:
    app = make_app()
    client = app.test_client()
    key = create_key(app)
    response = upload(client, key, (io.BytesIO(b"company__name\nx\n"), "b.csv"))
    assert response.status_code == 503 and "GREENRATE_REDIS_URL" in response.json["message"]
    assert client.get("/v1/portfolios/pf_unknown", headers=bearer(key)).status_code == 404


def test_a_run_that_was_superseded_stops_and_a_dead_run_is_requeued(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """The fencing token and the sweep, without processes: the killed-worker fault test does it for real."""
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    job_id = upload(client, key, as_file(book(120), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    first = records.claim(s.db, job_id, Worker("rq-worker-gone", "elsewhere", 1))  # no such RQ worker
    assert first is not None and first.attempt == 1
    records.chunk_done(s.db, job_id, first.attempt, 0, CHUNK_ROWS)  # it finished chunk 0 ... then died
    connection = Redis.from_url(s.settings.redis_url)
    queue = portfolio_queue(s.settings, connection)
    assert recover(s.db, queue, s.settings, host=os.uname().nodename, pid=os.getpid()) == [job_id]
    assert recover(s.db, queue, s.settings, host=os.uname().nodename, pid=os.getpid()) == []  # once
    requeued = records.get_job(s.db, job_id)
    assert requeued is not None and (requeued.status, requeued.recoveries) == ("queued", 1)
    second = records.claim(s.db, job_id, Worker("inline", "h", os.getpid()))
    assert second is not None and second.attempt == 2 and second.chunks_done == 1
    with pytest.raises(Superseded):  # the first run, back from the dead, may not record anything
        records.chunk_done(s.db, job_id, first.attempt, 1, 2 * CHUNK_ROWS)
    connection.close()


def test_a_lost_queue_entry_is_sent_again_and_a_book_that_kills_workers_fails(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    client = portfolio_app.test_client()
    key = create_key(portfolio_app)
    s = services_of(portfolio_app)
    connection = Redis.from_url(s.settings.redis_url)
    queue = portfolio_queue(s.settings, connection)
    host = os.uname().nodename
    job_id = upload(client, key, as_file(book(120), "b.csv", tmp_path)).json["id"]
    connection.flushdb()  # Redis restarted without persistence: the queue entry is gone, the row is not
    assert recover(s.db, queue, s.settings, host=host, pid=os.getpid()) == []  # may be enqueueing still
    later = datetime.now(UTC) + timedelta(minutes=2)
    assert recover(s.db, queue, s.settings, host=host, pid=os.getpid(), now=later) == [job_id]
    assert work(portfolio_app)
    done = records.get_job(s.db, job_id)
    assert done is not None and done.status == "completed" and done.rows_done == 120

    doomed = upload(client, key, as_file(book(120), "b.csv", tmp_path)).json["id"]
    with s.db.begin() as conn:  # its runs already died MAX_RECOVERIES times
        conn.execute(
            update(portfolio_jobs).where(portfolio_jobs.c.id == doomed).values(recoveries=MAX_RECOVERIES)
        )
    records.claim(s.db, doomed, Worker("rq-worker-gone", "elsewhere", 1))
    assert recover(s.db, queue, s.settings, host=host, pid=os.getpid()) == []
    failed = records.get_job(s.db, doomed)
    assert failed is not None and failed.status == "failed" and "died 4 times" in (failed.error or "")
    connection.close()


def test_greenrate_worker_needs_the_redis_setting() -> None:
    result = CliRunner().invoke(cli_main, ["worker", "--burst"])
    assert result.exit_code == 1 and "GREENRATE_REDIS_URL" in result.output


def test_a_named_worker_takes_its_name_back_only_from_a_dead_namesake_on_this_host(redis_url: str) -> None:
    """RQ keeps a busy worker's name for the job timeout; a restart under that name must not wait hours."""
    import socket
    import subprocess
    import sys

    from rq import SimpleWorker

    from service.portfolios.recovery import NameTaken, free_name

    connection = Redis.from_url(redis_url)
    host = socket.gethostname()
    namesake = SimpleWorker(["greenrate-test"], connection=connection, name="w-named")
    namesake.register_birth()  # type: ignore[no-untyped-call]  # this (live) process
    with pytest.raises(NameTaken, match="w-named"):
        free_name("w-named", connection, host=host)
    with pytest.raises(NameTaken):  # another host's process cannot be checked from here
        free_name("w-named", connection, host="elsewhere")
    code = "import os; print(os.getpid())"
    gone = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    connection.hset(namesake.key, "pid", gone.stdout.strip())  # as if it had died
    restarted = SimpleWorker(["greenrate-test"], connection=connection, name="w-named")
    with pytest.raises(ValueError, match="active worker named"):  # what RQ says without free_name
        restarted.register_birth()  # type: ignore[no-untyped-call]
    free_name("w-named", connection, host=host)
    free_name("w-named", connection, host=host)  # its death is recorded: nothing more to do
    restarted.register_birth()  # type: ignore[no-untyped-call]
    restarted.register_death()  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_files_are_deleted_after_the_retention_and_the_summary_stays(
    make_app: AppFactory, redis_url: str, tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database = {"DATABASE_URL": request.getfixturevalue("postgres_url")} if backend == "postgresql" else {}
    app = make_app(
        REDIS_URL=redis_url,
        PORTFOLIO_DIR=str(tmp_path / "portfolios"),
        PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        PORTFOLIO_RETENTION_DAYS=30,
        RATE_LIMIT="100000 per minute",
        **database,
    )
    if database:  # timestamptz comparisons on the real server, not only SQLite's text
        migrate.upgrade(services_of(app).db)
    try:
        client, key = app.test_client(), create_key(app)
        old, recent = (upload(client, key, as_file(book(120, seed), f"b{seed}.csv", tmp_path)).json["id"]
                       for seed in (1, 2))
        assert work(app)
        s = services_of(app)
        finished = datetime.now(UTC) - timedelta(days=31)
        with s.db.begin() as conn:  # the first book finished 31 days ago
            conn.execute(
                update(portfolio_jobs).where(portfolio_jobs.c.id == old).values(finished_at=finished)
            )
        directory = Path(s.settings.portfolio_dir)
        assert (directory / old / "results.parquet").exists()

        assert purge_expired(s.db, s.settings) == [old]
        assert not (directory / old).exists() and (directory / recent / "results.parquet").exists()
        assert purge_expired(s.db, s.settings) == []  # marked: never purged twice

        gone = client.get(f"/v1/portfolios/{old}/results?format=csv", headers=bearer(key))
        assert gone.status_code == 410 and "30 days" in gone.json["message"], gone.json
        job = client.get(f"/v1/portfolios/{old}", headers=bearer(key)).json
        assert job["status"] == "completed" and job["summary"]["rows"]["total"] == 120
        assert job["results"] is None and job["files_purged_at"] is not None
        assert PortfolioJobSchema().validate(job) == {}
        kept = client.get(f"/v1/portfolios/{recent}/results?format=csv", headers=bearer(key))
        assert kept.status_code == 200
    finally:
        runner._CONTEXT.clear()


def test_purge_keeps_everything_when_retention_is_zero_and_says_so(
    portfolio_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    job_id = upload(client, key, as_file(book(50), "b.csv", tmp_path)).json["id"]
    assert work(portfolio_app)
    s = services_of(portfolio_app)
    with s.db.begin() as conn:
        conn.execute(update(portfolio_jobs).where(portfolio_jobs.c.id == job_id)
                     .values(finished_at=datetime.now(UTC) - timedelta(days=3650)))
    assert purge_expired(s.db, s.settings) == []
    assert (Path(s.settings.portfolio_dir) / job_id / "results.parquet").exists()

    monkeypatch.setenv("GREENRATE_DATABASE_URL", s.settings.database_url)
    monkeypatch.setenv("GREENRATE_PORTFOLIO_DIR", s.settings.portfolio_dir)
    kept = CliRunner().invoke(cli_main, ["portfolios", "purge"])
    # says so and succeeds: a daily cron job had reported a failure every day
    assert kept.exit_code == 0, kept.output
    assert "GREENRATE_PORTFOLIO_RETENTION_DAYS is 0 (keep files): no job's files were deleted" in kept.output
    assert (Path(s.settings.portfolio_dir) / job_id / "results.parquet").exists()
    monkeypatch.setenv("GREENRATE_PORTFOLIO_RETENTION_DAYS", "7")
    done = CliRunner().invoke(cli_main, ["portfolios", "purge"])
    assert done.exit_code == 0 and f"deleted the files of 1 portfolio job(s): {job_id}" in done.output
    assert not (Path(s.settings.portfolio_dir) / job_id).exists()


def test_deleting_or_purging_a_job_removes_the_borrower_ids_of_its_movers(
    portfolio_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files went on DELETE or after the retention, but the summary's top movers kept the borrower_ids
    of up to 30 borrowers for good (data-protection review); the counts stay."""
    from service.portfolios.retention import delete_files

    app, client, key = portfolio_app, portfolio_app.test_client(), create_key(portfolio_app)
    s = services_of(app)
    loans = book(150, seed=5)
    first = upload(client, key, as_file(loans, "2024.parquet", tmp_path)).json["id"]
    assert work(app)
    later = loans.assign(energy__electricity_kwh=loans["energy__electricity_kwh"] * 3)
    deleted = upload(client, key, as_file(later, "2025.parquet", tmp_path), previous=first)
    purged = upload(client, key, as_file(later, "2025.parquet", tmp_path))  # other options: another job
    assert purged.json["id"] != deleted.json["id"] and purged.json["previous"] == first
    assert work(app)
    spec = client.get("/openapi.json").json
    stored_before: dict[str, str] = {}
    for job_id, how in ((deleted.json["id"], "DELETE"), (purged.json["id"], "retention")):
        before = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key)).json["summary"]["movers"]
        assert before["falls"] and "borrowers_removed" not in before
        stored_before[job_id] = _stored_summary(app, job_id)
        assert '"borrower_id": ' in stored_before[job_id]
        if how == "DELETE":
            answer = client.delete(f"/v1/portfolios/{job_id}", headers=bearer(key))
        else:  # what the retention's sweep does to an expired job
            delete_files(s.db, s.settings, job_id, datetime.now(UTC))
            answer = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key))
        assert answer.status_code == 200 and answer.json["files_purged_at"] is not None, how
        _assert_cleared(answer.json["summary"]["movers"], before)
        assert '"borrower_id": ' not in _stored_summary(app, job_id), how
        assert PortfolioJobSchema().validate(answer.json) == {}
        assert contract_errors(spec, "/v1/portfolios/{portfolio_id}", "get", answer) == []
    assert '"borrower_id": ' not in _stored_summary(app, first)  # the first had no movers to clear

    # a job an earlier release deleted kept its ids in the database: answered without them, and removed by
    # `greenrate portfolios purge`, whatever the retention
    old = deleted.json["id"]
    with s.db.begin() as conn:
        conn.execute(update(portfolio_jobs).where(portfolio_jobs.c.id == old)
                     .values(summary_json=stored_before[old]))
    shown = client.get(f"/v1/portfolios/{old}", headers=bearer(key)).json["summary"]["movers"]
    assert shown["borrowers_removed"] and shown["falls"] == []
    monkeypatch.setenv("GREENRATE_DATABASE_URL", s.settings.database_url)
    monkeypatch.setenv("GREENRATE_PORTFOLIO_DIR", s.settings.portfolio_dir)
    once = CliRunner().invoke(cli_main, ["portfolios", "purge"])
    assert ("removed the borrower ids from the top movers of 1 portfolio job(s) whose files were deleted "
            f"before: {old}") in once.output
    assert once.exit_code == 0 and "GREENRATE_PORTFOLIO_RETENTION_DAYS is 0" in once.output
    assert json.loads(_stored_summary(app, old)) == json.loads(_stored_summary(app, purged.json["id"]))
    again = CliRunner().invoke(cli_main, ["portfolios", "purge"])
    assert "removed the borrower ids" not in again.output


def test_a_summary_without_movers_or_already_cleared_is_left_as_it_is() -> None:
    unavailable = {"rows": {"total": 3}, "movers": {"available": False, "reason": "no earlier portfolio"}}
    assert records.without_borrowers(unavailable) == unavailable
    assert records.without_borrowers({"rows": {"total": 3}}) == {"rows": {"total": 3}}
    listed = {"movers": {"available": True, "rises": [{"borrower_id": "B1"}], "falls": [],
                         "grade_changes": {"upgraded": 1, "largest": [{"borrower_id": "B1"}]}}}
    cleared = records.without_borrowers(listed)
    assert "B1" not in json.dumps(cleared) and cleared["movers"]["grade_changes"]["upgraded"] == 1
    assert records.without_borrowers(cleared) == cleared
    assert listed["movers"]["rises"] == [{"borrower_id": "B1"}]  # the one given is not changed


def _stored_summary(app: Flask, job_id: str) -> str:
    with services_of(app).db.connect() as conn:
        found = conn.execute(portfolio_jobs.select().where(portfolio_jobs.c.id == job_id)).one().summary_json
    assert isinstance(found, str)
    return found


def _assert_cleared(movers: dict[str, Any], before: dict[str, Any]) -> None:
    assert movers["borrowers_removed"] is True
    assert movers["rises"] == movers["falls"] == movers["grade_changes"]["largest"] == []
    assert movers["matched"] == before["matched"] and movers["compared_with"] == before["compared_with"]
    assert movers["grade_changes"]["transitions"] == before["grade_changes"]["transitions"]


def _results(client: FlaskClient, key: str, job_id: str) -> pd.DataFrame:
    done = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key))
    assert done.json["status"] == "completed", done.json
    accept = {**bearer(key), "Accept": "application/vnd.apache.parquet"}
    with client.get(f"/v1/portfolios/{job_id}/results", headers=accept) as parquet:
        return pd.read_parquet(io.BytesIO(parquet.data))


def test_a_job_in_several_processes_equals_one_process_also_when_resumed(
    make_app: AppFactory, redis_url: str, tmp_path: Path
) -> None:
    """GREENRATE_PORTFOLIO_PROCESSES=2 gives the rows one process gives, each once, in order; a run that
    takes over a dead one's job rates only the chunks it had not recorded, in two processes too."""
    loans = book(450)
    loans.loc[5, "company__employees"] = -3
    results: dict[str, pd.DataFrame] = {}
    # "upgraded": the dead run was of an earlier greenrate (another engine version): rated again whole;
    # "columns": of one that wrote a result column fewer under the same versions (company__external_id)
    for name, processes in (("serial", 1), ("parallel", 2), ("resumed", 2), ("upgraded", 1), ("columns", 1)):
        app = make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / name), PORTFOLIO_PROCESSES=processes,
                       PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS, RATE_LIMIT="100000 per minute")
        client, key = app.test_client(), create_key(app)
        job_id = upload(client, key, as_file(loans, "book.parquet", tmp_path)).json["id"]
        if name != "serial" and name != "parallel":  # a dead run rated and recorded chunks 0 and 1
            s = services_of(app)
            dead = records.claim(s.db, job_id, Worker("rq-worker-gone", "elsewhere", 1))
            assert dead is not None
            files = runner.JobFiles.of(s.settings.portfolio_dir, job_id)
            for index in (0, 1):
                chunk = loans.iloc[index * CHUNK_ROWS : (index + 1) * CHUNK_ROWS].reset_index(drop=True)
                part = rate_frame(chunk, session_engine(), first_row=index * CHUNK_ROWS)
                part["model_version"] = part["model_version"] + "*"  # marks the dead run's rated rows
                versions = session_engine().versions
                if name == "upgraded":
                    versions = {**versions, "engine": "0.9"}
                if name == "columns":
                    part = part.drop(columns=["company__external_id"])
                runner.storage.write_part(files, index, part, "dead-run", versions)
                records.chunk_done(s.db, job_id, dead.attempt, index, (index + 1) * CHUNK_ROWS)
            connection = Redis.from_url(s.settings.redis_url)
            assert recover(s.db, portfolio_queue(s.settings, connection), s.settings,
                           host=os.uname().nodename, pid=os.getpid()) == [job_id]
            connection.close()
        assert work(app)
        results[name] = _results(client, key, job_id)
        runner._CONTEXT.clear()
    assert results["serial"]["row"].tolist() == list(range(450))
    assert results["serial"]["error"].notna().sum() == 1
    pd.testing.assert_frame_equal(results["parallel"], results["serial"])
    resumed, serial = results["resumed"], results["serial"]
    dead_rows = resumed["row"] < 2 * CHUNK_ROWS  # kept from the dead run's parts, not rated again
    marked = resumed["model_version"].str.endswith("*").fillna(False)
    assert marked.tolist() == (dead_rows & resumed["error"].isna()).tolist()
    resumed["model_version"] = resumed["model_version"].str.removesuffix("*")
    pd.testing.assert_frame_equal(resumed, serial)
    pd.testing.assert_frame_equal(results["upgraded"], serial)  # no row of the earlier engine's parts
    pd.testing.assert_frame_equal(results["columns"], serial)  # the parts without the column, rated again


def _parquet_bytes(table: pa.Table) -> io.BytesIO:
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("tags", pa.array([["a"], [], None]), "list<"),
        ("meta", pa.array([{"a": 1}, None, {"a": 2}]), "struct<"),
        ("blob", pa.array([b"\xff\x00", b"a", None], pa.binary()), "binary"),
        ("borrower_id", pa.array(["x", "y", "z"]), "appears more than once"),
    ],
)
def test_a_parquet_book_with_nested_binary_or_repeated_columns_is_refused_at_upload(
    portfolio_app: Flask, column: str, values: pa.Array, expected: str
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    table = pa.Table.from_pandas(book(3), preserve_index=False)
    table = pa.Table.from_arrays([*table.columns, values], names=[*table.column_names, column])
    response = upload(client, key, (_parquet_bytes(table), "book.parquet"))
    assert response.status_code == 422, response.json
    message = response.json["errors"]["file"][0]
    assert message.startswith(f"column {column!r}:") and expected in message


def test_a_header_too_wide_to_read_is_refused_at_upload_with_the_limit(portfolio_app: Flask) -> None:
    import gzip

    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    wide = gzip.compress(",".join(f"c{i:06d}" for i in range(40_000)).encode() + b"\n")  # 320 KB
    response = upload(client, key, (io.BytesIO(wide), "wide.csv.gz"))
    assert response.status_code == 422
    message = "the header line has 2,001 columns; a loan book has at most 2,000"
    assert response.json["errors"]["file"] == [message]


def test_a_bad_cell_is_its_rows_error_and_the_csv_download_quotes_formulas(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    loans = book(150).astype(object).astype("string")
    loans.loc[3, "company__employees"] = "many"  # a CSV cell that is not a number
    loans.loc[120, "company__annual_revenue"] = "1,000"
    loans["branch"] = ["=HYPERLINK(\"http://evil\")", "-12.5", "@SUM(A1)"] + ["north"] * 147
    path = tmp_path / "book.csv"
    loans.to_csv(path, index=False)
    accepted = upload(client, key, (io.BytesIO(path.read_bytes()), "book.csv"))
    assert accepted.status_code == 202, accepted.json
    assert work(portfolio_app)
    done = client.get(f"/v1/portfolios/{accepted.json['id']}", headers=bearer(key)).json
    assert done["status"] == "completed", done
    csv = client.get(f"{done['results']['csv']}", headers=bearer(key))
    results = pd.read_csv(io.BytesIO(csv.data), dtype={"branch": str})
    assert results["error"].notna().tolist() == [i in (3, 120) for i in range(150)]
    assert results.loc[3, "error"] == "company.employees: must be a number"
    assert results.loc[120, "error"] == "company.annual_revenue: must be a number"
    assert results["branch"].tolist()[:4] == ["'=HYPERLINK(\"http://evil\")", "-12.5", "'@SUM(A1)", "north"]
    parquet = _results(client, key, accepted.json["id"])
    assert parquet["branch"].tolist()[:3] == loans["branch"].tolist()[:3]  # Parquet keeps the cells as given
    assert results["score"].tolist() == pytest.approx(parquet["score"].tolist(), nan_ok=True)


def test_merging_runs_keep_their_temporaries_apart(tmp_path: Path) -> None:
    """A run wrongly judged dead may still be merging when its successor merges: neither takes the other's
    half-written file for its own."""
    files = runner.JobFiles.of(tmp_path, "pf_merge")
    frame = pd.DataFrame({"row": [0, 1], "score": [50.0, 60.0]})
    runner.storage.write_part(files, 0, frame, "run-a", {"engine": "1.1"})
    other = files.root / ".results.parquet.run-b.tmp"
    other.write_bytes(b"the other run, half-way")
    assert runner.storage.merge_parts(files, 1, "run-a") == 2
    assert other.read_bytes() == b"the other run, half-way"
    assert pq.read_table(files.results).to_pandas()["row"].tolist() == [0, 1]


def test_a_tenant_has_at_most_its_share_of_jobs_and_a_long_book_fails_naming_the_limit(
    make_app: AppFactory, redis_url: str, tmp_path: Path
) -> None:
    """94 KB of xz held 2,000,000 rows, and one bank's uploads kept another's 50-row book queued behind
    them; nothing bounded either (security review)."""
    app = make_app(
        REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "p"), PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        PORTFOLIO_JOBS_PER_TENANT=2, PORTFOLIO_MAX_ROWS=50, RATE_LIMIT="100000 per minute",
    )
    client = app.test_client()
    key, other = create_key(app), create_key(app, tenant="bank-b")
    long_book = upload(client, key, as_file(book(60), "long.csv.xz", tmp_path))
    assert upload(client, key, as_file(book(20), "short.csv", tmp_path)).status_code == 202
    refused = upload(client, key, as_file(book(21), "third.csv", tmp_path))  # not a retry of short.csv
    assert refused.status_code == 429  # Retry-After: GREENRATE_RETRY_AFTER_SECONDS (test_service_refusals)
    assert refused.headers["Retry-After"] == str(services_of(app).settings.retry_after_seconds)
    assert "GREENRATE_PORTFOLIO_JOBS_PER_TENANT" in refused.json["message"]
    assert upload(client, other, as_file(book(20), "theirs.csv", tmp_path)).status_code == 202
    parquet = upload(client, other, as_file(book(60), "long.parquet", tmp_path))  # its footer says so
    assert parquet.status_code == 422 and "more than 50 rows" in parquet.json["errors"]["file"][0]
    work(app)
    failed = client.get(long_book.headers["Location"], headers=bearer(key)).json
    assert failed["status"] == "failed" and "more than 50 rows" in failed["error"], failed
    assert "GREENRATE_PORTFOLIO_MAX_ROWS" in failed["error"]
    assert upload(client, key, as_file(book(20), "next.csv", tmp_path)).status_code == 202  # jobs done


def test_the_retention_deletes_an_upload_that_was_never_recorded(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """A web worker ended between saving an upload and recording its job (gunicorn's timeout ends it
    without unwinding) left the loan book on disk with no job: no DELETE or retention reached it, and it was
    kept for good (data-protection review). Once older than the retention it goes; a recent one stays."""
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    recorded = upload(client, key, as_file(book(20), "b.csv", tmp_path)).json["id"]
    s = services_of(portfolio_app)
    settings = dataclasses.replace(s.settings, portfolio_retention_days=30)
    directory = Path(settings.portfolio_dir)
    old, fresh = "pf_" + "a" * 32, "pf_" + "b" * 32
    for name in (old, fresh):
        (directory / name).mkdir(parents=True)
        (directory / name / "input.csv").write_text("borrower_id\nZhang San\n")
    stale = (datetime.now(UTC) - timedelta(days=31)).timestamp()
    os.utime(directory / old, (stale, stale))
    os.utime(directory / recorded, (stale, stale))  # a recorded job's files wait for its own retention
    (directory / "not-a-job").mkdir()
    os.utime(directory / "not-a-job", (stale, stale))

    assert purge_expired(s.db, settings) == [old]
    assert not (directory / old).exists()
    assert (directory / fresh).exists() and (directory / recorded).exists()
    assert (directory / "not-a-job").exists()


def test_a_retention_of_zero_keeps_jobs_files_but_not_an_upload_never_recorded(
    portfolio_app: Flask, tmp_path: Path
) -> None:
    """0 keeps every job's files, and had also kept for good a loan book whose upload's request ended
    before recording its job: no job, so no DELETE, and no retention at the default 0 (docs/operations.md
    said the retention deletes it). Such a directory goes once a day old; a younger one (an upload in
    progress) and every job's files stay."""
    client, key = portfolio_app.test_client(), create_key(portfolio_app)
    recorded = upload(client, key, as_file(book(20), "b.csv", tmp_path)).json["id"]
    assert work(portfolio_app)
    s = services_of(portfolio_app)
    assert s.settings.portfolio_retention_days == 0
    directory = Path(s.settings.portfolio_dir)
    old, fresh = "pf_" + "a" * 32, "pf_" + "b" * 32
    for name in (old, fresh):
        (directory / name).mkdir(parents=True)
        (directory / name / "input.csv").write_text("borrower_id\nZhang San\n")
    ancient = (datetime.now(UTC) - timedelta(days=3650)).timestamp()
    os.utime(directory / old, ((datetime.now(UTC) - timedelta(hours=25)).timestamp(),) * 2)
    os.utime(directory / fresh, ((datetime.now(UTC) - timedelta(hours=23)).timestamp(),) * 2)
    os.utime(directory / recorded, (ancient, ancient))
    with s.db.begin() as conn:
        conn.execute(update(portfolio_jobs).where(portfolio_jobs.c.id == recorded)
                     .values(finished_at=datetime.now(UTC) - timedelta(days=3650)))

    assert purge_expired(s.db, s.settings) == [old]
    assert not (directory / old).exists() and (directory / fresh).exists()
    assert (directory / recorded / "results.parquet").exists()
    # deleted at 0: by DELETE, or under a retention the service had then (it said "by DELETE" alone)
    assert client.delete(f"/v1/portfolios/{recorded}", headers=bearer(key)).status_code == 200
    gone = client.get(f"/v1/portfolios/{recorded}/results", headers=bearer(key))
    assert gone.status_code == 410 and "or under the service's retention at the time" in gone.json["message"]


def test_the_unrecorded_sweep_survives_a_directory_deleted_under_it(
    portfolio_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every portfolio worker sweeps: another may delete a directory between the listing and the look at
    its age, which had ended this sweep with FileNotFoundError; one it cannot delete is raised (for
    :func:`purge_safely` to log), not counted as purged at every sweep with the loan book still there."""
    s = services_of(portfolio_app)
    settings = dataclasses.replace(s.settings, portfolio_retention_days=30)
    directory = Path(settings.portfolio_dir)
    gone, kept = directory / ("pf_" + "c" * 32), directory / ("pf_" + "d" * 32)
    stale = (datetime.now(UTC) - timedelta(days=31)).timestamp()
    for path in (gone, kept):
        path.mkdir(parents=True)
        os.utime(path, (stale, stale))
    looked = Path.is_dir

    def removed_meanwhile(path: Path) -> bool:
        answer = looked(path)
        if path == gone:
            path.rmdir()  # another worker's sweep, right after our listing
        return answer

    monkeypatch.setattr(Path, "is_dir", removed_meanwhile)
    assert purge_expired(s.db, settings) == [kept.name]
    monkeypatch.undo()

    stuck = directory / ("pf_" + "e" * 32)
    stuck.mkdir()
    os.utime(stuck, (stale, stale))

    def refused(path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("service.portfolios.retention.shutil.rmtree", refused)
    with pytest.raises(PermissionError):
        purge_expired(s.db, settings)
    assert stuck.exists()


@pytest.mark.parametrize("processes", [1, 2])
def test_a_row_of_a_year_not_yet_begun_is_refused_alone_and_the_book_completes(
    make_app: AppFactory, redis_url: str, tmp_path: Path, processes: int
) -> None:
    """``POST /v1/ratings`` answers 422 on a reporting year after the year of issue (UTC), but a portfolio
    rated a row dated 2099 into the bank's figures (adversarial review). The row is refused in its
    ``error``, in the API's field and words, its exposure counted as refused; the job completes with every
    other row rated, in one process or several."""
    app = make_app(REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"),
                   PORTFOLIO_PROCESSES=processes, PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
                   RATE_LIMIT="100000 per minute")
    client, key = app.test_client(), create_key(app)
    loans = book(250)
    loans.loc[130, "company__reporting_year"] = datetime.now(UTC).year + 2  # later even across a New Year
    job_id = upload(client, key, as_file(loans, "book.csv", tmp_path)).json["id"]
    try:
        assert work(app)
    finally:
        runner._CONTEXT.clear()
    results = _results(client, key, job_id)
    assert results["error"].notna().tolist() == [i == 130 for i in range(250)]
    assert results["score"].notna().sum() == 249
    refused = client.post("/v1/ratings", json=next(payloads_from_frame(
        loans.drop(columns=["borrower_id"]).iloc[[130]])), headers=bearer(key))
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["company.reporting_year"]
    [said] = refused.json["errors"]["company.reporting_year"]
    assert results.loc[130, "error"] == f"company.reporting_year: {said}"
    summary = client.get(f"/v1/portfolios/{job_id}", headers=bearer(key)).json["summary"]
    assert summary["rows"]["errors"] == 1 and summary["coverage"]["refused_loans"]["value"] == 1
