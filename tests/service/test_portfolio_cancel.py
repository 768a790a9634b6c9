"""``DELETE /v1/portfolios/{id}``: cancel a job (queued at once, running at its next chunk), delete its files.

A bank integrator's review found no way to cancel a job: a book uploaded by mistake took the tenant's
share of the workers until it was rated. Now a queued or running job becomes ``cancelled`` (migration
0015) and frees its place at once; a finished one keeps its status and summary and loses its files.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import MetaData, Table, create_engine, insert, select
from sqlalchemy.exc import IntegrityError

from schemas.portfolio import PortfolioJobSchema
from service.engine_slot import EngineSlot
from service.model_watch import ModelWatcher
from service.portfolios import runner
from service.portfolios.queue import portfolio_queue
from service.portfolios.recovery import recover
from service.portfolios.retention import purge_expired
from service.portfolios.runner import RunContext
from service.records import migrate
from service.records import portfolios as records
from service.records.database import database_url
from service.records.portfolios import Worker
from tests.conftest import AppFactory, bearer, create_key, services_of, session_engine
from tests.service.test_portfolios import CHUNK_ROWS, as_file, book, upload, work

pytestmark = pytest.mark.integration


@pytest.fixture
def app(make_app: AppFactory, redis_url: str, tmp_path: Path) -> Iterator[Flask]:
    yield make_app(
        REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"), PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        PORTFOLIO_JOBS_PER_TENANT=1, PORTFOLIO_RETENTION_DAYS=30, RATE_LIMIT="100000 per minute",
    )
    runner._CONTEXT.clear()


def _directory(app: Flask, job_id: str) -> Path:
    return Path(services_of(app).settings.portfolio_dir) / job_id


def _delete(client: FlaskClient, key: str, job_id: str) -> Any:
    return client.delete(f"/v1/portfolios/{job_id}", headers=bearer(key))


def test_a_queued_job_is_cancelled_at_once_and_frees_the_tenants_place(app: Flask, tmp_path: Path) -> None:
    client, key = app.test_client(), create_key(app)
    content = as_file(book(250), "book.csv", tmp_path)
    job_id = upload(client, key, content).json["id"]
    assert upload(client, key, as_file(book(30), "other.csv", tmp_path)).status_code == 429  # its one place

    cancelled = _delete(client, key, job_id)
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled" and cancelled.json["finished_at"] is not None
    assert cancelled.json["files_purged_at"] is not None and not _directory(app, job_id).exists()
    assert PortfolioJobSchema().validate(cancelled.json) == {}
    spec = client.get("/openapi.json").json
    assert "delete" in spec["paths"]["/v1/portfolios/{portfolio_id}"]
    assert client.get(f"/v1/portfolios/{job_id}", headers=bearer(key)).json == cancelled.json
    assert _delete(client, key, job_id).json == cancelled.json  # again: the same answer
    results = client.get(f"/v1/portfolios/{job_id}/results", headers=bearer(key))
    assert results.status_code == 409 and "cancelled" in results.json["message"]

    # its place is free at once; the same book again is a new job, not the cancelled one
    again = upload(client, key, as_file(book(250), "book.csv", tmp_path))
    assert again.status_code == 202 and again.json["id"] != job_id
    assert again.headers["Idempotent-Replayed"] == "false"
    assert work(app)  # the worker takes both queue entries: the cancelled one is nothing to do
    s = services_of(app)
    stayed = records.get_job(s.db, job_id)
    assert stayed is not None and (stayed.status, stayed.attempt, stayed.rows_done) == ("cancelled", 0, 0)
    assert not _directory(app, job_id).exists()
    done = records.get_job(s.db, again.json["id"])
    assert done is not None and done.status == "completed"


def test_only_the_tenants_bank_keys_cancel_its_jobs(app: Flask, tmp_path: Path) -> None:
    client, key = app.test_client(), create_key(app)
    job_id = upload(client, key, as_file(book(30), "b.csv", tmp_path)).json["id"]
    stranger = create_key(app, tenant="bank-b")
    foreign, missing = _delete(client, stranger, job_id), _delete(client, stranger, "pf_" + "0" * 32)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json["message"] == missing.json["message"]
    assert _delete(client, stranger, "not-an-id").status_code == 404
    for role in ("analyst", "merchant"):
        other = create_key(app, role=role, merchant_id="m-1" if role == "merchant" else None)
        assert _delete(client, other, job_id).status_code == 403
    assert client.get(f"/v1/portfolios/{job_id}", headers=bearer(key)).json["status"] == "queued"
    assert _directory(app, job_id).exists()


@pytest.mark.parametrize("when", ["rating_a_chunk", "counting_rows"])
def test_a_running_job_stops_at_its_next_chunk(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """The DELETE arrives while the worker rates chunk 0 (the run stops before chunk 1, recording nothing),
    or while it counts the book's rows (the book is deleted under it: the run ends, not as a failure)."""
    client, key = app.test_client(), create_key(app)
    job_id = upload(client, key, as_file(book(3 * CHUNK_ROWS), "book.csv", tmp_path)).json["id"]
    s = services_of(app)
    written: list[int] = []
    write_part, count_rows = runner.storage.write_part, runner.storage.count_rows

    def part_then_cancel(files: Any, index: int, *args: Any) -> None:
        if index == 0:
            assert _delete(client, key, job_id).json["status"] == "cancelled"
        written.append(index)
        write_part(files, index, *args)

    def cancel_then_count(path: Path, limit: int) -> int:
        assert _delete(client, key, job_id).status_code == 200
        return count_rows(path, limit)

    if when == "rating_a_chunk":
        monkeypatch.setattr(runner.storage, "write_part", part_then_cancel)
    else:
        monkeypatch.setattr(runner.storage, "count_rows", cancel_then_count)
    context = RunContext(s.settings, s.db, EngineSlot(loader=session_engine), ModelWatcher(0.0, erased=None))
    # the CSV reader is closed when the run stops reading early (a ResourceWarning, an error here, had it not)
    outcome = runner.run_portfolio(context, job_id, Worker("inline", os.uname().nodename, os.getpid()))
    gc.collect()
    assert outcome == "cancelled"
    assert written == ([0] if when == "rating_a_chunk" else [])  # chunks 1 and 2 were never rated
    job = records.get_job(s.db, job_id)
    assert job is not None and (job.status, job.chunks_done, job.rows_done) == ("cancelled", 0, 0)
    assert job.error is None and job.files_purged_at is not None
    assert not _directory(app, job_id).exists()  # the part it wrote after the DELETE too
    # no sweep takes a cancelled job for one whose worker died
    connection = Redis.from_url(s.settings.redis_url)
    assert recover(s.db, portfolio_queue(s.settings, connection), s.settings,
                   host="elsewhere", pid=1, now=datetime.now(UTC)) == []
    connection.close()
    assert records.unfinished_of(s.db, "bank-a") == 0


def test_a_finished_job_keeps_its_summary_and_loses_its_files(app: Flask, tmp_path: Path) -> None:
    client, key = app.test_client(), create_key(app)
    job_id = upload(client, key, as_file(book(120), "book.csv", tmp_path)).json["id"]
    assert work(app)
    assert (_directory(app, job_id) / "results.parquet").exists()
    deleted = _delete(client, key, job_id)
    assert deleted.status_code == 200
    assert deleted.json["status"] == "completed" and deleted.json["summary"]["rows"]["total"] == 120
    assert deleted.json["results"] is None and deleted.json["files_purged_at"] is not None
    assert not _directory(app, job_id).exists()
    gone = client.get(f"/v1/portfolios/{job_id}/results?format=csv", headers=bearer(key))
    assert gone.status_code == 410 and "DELETE" in gone.json["message"]
    assert _delete(client, key, job_id).json == deleted.json
    assert purge_expired(services_of(app).db, services_of(app).settings,
                         now=datetime(2100, 1, 1, tzinfo=UTC)) == []  # nothing left for the retention


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_status_constraint_takes_cancelled_and_a_downgrade_says_it_was(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = (database_url(request.getfixturevalue("postgres_url")) if backend == "postgresql"
           else f"sqlite:///{tmp_path}/m.sqlite3")
    db = create_engine(url)
    migrate.upgrade(db)
    row = {
        "tenant": "bank-a", "file_name": "book.csv", "file_format": "csv", "file_bytes": 10,
        "chunk_rows": 100, "rows_done": 0, "chunks_done": 0, "attempt": 0, "recoveries": 0,
        "created_at": datetime(2026, 12, 1, tzinfo=UTC),
    }
    with db.begin() as conn:
        jobs = Table("portfolio_jobs", MetaData(), autoload_with=conn)
        conn.execute(insert(jobs), [{**row, "id": "pf_1", "status": "cancelled"}])
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(insert(jobs), [{**row, "id": "pf_2", "status": "paused"}])
    migrate.downgrade(db, "0014")
    with db.connect() as conn:
        status, error = conn.execute(select(jobs.c.status, jobs.c.error)).one()
    assert status == "failed" and "cancelled" in error
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(insert(jobs), [{**row, "id": "pf_3", "status": "cancelled"}])
    migrate.upgrade(db)
    db.dispose()
