"""Retrying ``POST /v1/portfolios``: the same upload is answered with its job, never a second one.

A bank integrator's review: the same file posted again after a client timeout became a second job, and a
third attempt was refused with 429, the tenant's share of jobs taken by its own duplicates. Now the same
bytes with the same options, while their job is queued or running, get that job back
(``Idempotent-Replayed: true``); an ``Idempotency-Key`` names one job for good; two identical uploads at
the same moment record one job (the unique indexes of migration 0014, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from sqlalchemy import MetaData, Table, create_engine, func, insert, select

from schemas.portfolio import PortfolioJobSchema
from service.portfolios import jobs, runner
from service.records import migrate
from service.records.portfolio_tables import portfolio_jobs
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.test_portfolios import CHUNK_ROWS, as_file, book, work

pytestmark = pytest.mark.integration


def _app(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None, **settings: Any
) -> Flask:
    app = make_app(
        REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"), PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        RATE_LIMIT="100000 per minute", **({"DATABASE_URL": database} if database else {}), **settings,
    )
    if database:
        migrate.upgrade(services_of(app).db)
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    yield request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    runner._CONTEXT.clear()


def _post(app: Flask, key: str, content: bytes, name: str = "book.csv", headers: dict[str, str] | None = None,
          **form: str) -> Any:
    return app.test_client().post(
        "/v1/portfolios", data={"file": (io.BytesIO(content), name), **form},
        headers={**bearer(key), **(headers or {})}, content_type="multipart/form-data",
    )


def _jobs(app: Flask) -> int:
    with services_of(app).db.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(portfolio_jobs)).scalar_one())


def _directories(app: Flask) -> list[str]:
    return sorted(p.name for p in Path(services_of(app).settings.portfolio_dir).glob("*"))


def _bytes(rows: int, seed: int, tmp_path: Path, name: str = "book.csv") -> bytes:
    return as_file(book(rows, seed), name, tmp_path)[0].getvalue()


def test_a_retried_upload_gets_its_queued_job_back_and_never_a_429(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None
) -> None:
    """The review's repro: 202 pf_a, then 202 pf_b (a second job), then 429. Now one job, three answers."""
    app = _app(make_app, redis_url, tmp_path, database, PORTFOLIO_JOBS_PER_TENANT=2)
    key = create_key(app)
    content = _bytes(120, 3, tmp_path)
    first = _post(app, key, content)
    assert first.status_code == 202
    for _ in range(3):  # more attempts than the tenant's share of jobs
        again = _post(app, key, content)
        assert again.status_code == 202, again.json
        assert again.json["id"] == first.json["id"] and again.headers["Location"] == first.headers["Location"]
        assert again.headers["Idempotent-Replayed"] == "true"
    assert _jobs(app) == 1
    assert first.headers["Idempotent-Replayed"] == "false"
    assert first.json["file"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert PortfolioJobSchema().validate(first.json) == {}
    assert _directories(app) == [first.json["id"]]  # a retry's copy of the upload is not kept

    # the tenant's second slot is still free for another book, and a retry of a job is never refused
    other = _post(app, key, _bytes(120, 4, tmp_path))
    assert other.status_code == 202 and other.json["id"] != first.json["id"]
    assert _post(app, key, _bytes(120, 5, tmp_path)).status_code == 429  # a third book: the limit holds
    assert _post(app, key, content).json["id"] == first.json["id"]  # at the limit: its own job back
    # same bytes, other options: the file's type by name, or another comparison, is another upload
    gzipped = _post(app, key, content, name="book.csv.gz")
    assert gzipped.status_code == 429 and _jobs(app) == 2
    # another tenant's identical book is its own
    theirs = _post(app, create_key(app, tenant="bank-b"), content)
    assert theirs.status_code == 202 and theirs.headers["Idempotent-Replayed"] == "false"

    assert work(app)
    done = app.test_client().get(first.headers["Location"], headers=bearer(key)).json
    assert done["status"] == "completed"
    # finished: the same book uploaded again is rated again (a bank's way to re-rate a book), compared
    # with the run before it
    rerun = _post(app, key, content)
    assert rerun.status_code == 202 and rerun.headers["Idempotent-Replayed"] == "false"
    assert rerun.json["id"] != first.json["id"] and rerun.json["previous"] is not None
    explicit = _post(app, key, content, previous=first.json["id"])  # other options than the rerun's
    assert explicit.status_code == 202 and explicit.json["id"] != rerun.json["id"]
    assert _post(app, key, content, previous=first.json["id"]).json["id"] == explicit.json["id"]


def test_an_idempotency_key_names_one_job_for_good(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None
) -> None:
    app = _app(make_app, redis_url, tmp_path, database)
    key = create_key(app)
    content, other = _bytes(120, 3, tmp_path), _bytes(120, 4, tmp_path)
    upload_id = {"Idempotency-Key": "2f1c6c1e-7d1e-4c55-9d7a-33b1f0e7c001"}
    first = _post(app, key, content, headers=upload_id)
    assert first.status_code == 202 and first.headers["Idempotent-Replayed"] == "false"
    quoted = _post(app, key, content, headers={"Idempotency-Key": f'"{upload_id["Idempotency-Key"]}"'})
    assert quoted.json["id"] == first.json["id"] and quoted.headers["Idempotent-Replayed"] == "true"

    misused = _post(app, key, other, headers=upload_id)  # the same key for another book: a client's bug
    assert misused.status_code == 422, misused.json
    assert first.json["id"] in misused.json["errors"]["Idempotency-Key"][0]
    assert _post(app, key, content, headers=upload_id, previous="pf_" + "0" * 32).status_code == 422
    assert _jobs(app) == 1

    assert work(app)
    # finished, and still the same upload under its key: the retry that comes late gets the result
    late = _post(app, key, content, headers=upload_id)
    assert late.status_code == 202 and late.headers["Idempotent-Replayed"] == "true"
    assert late.json["id"] == first.json["id"] and late.json["status"] == "completed"
    assert late.json["summary"] is not None
    assert _post(app, key, other, headers=upload_id).status_code == 422
    # a new key is a new upload; another tenant's keys are its own
    again = _post(app, key, content, headers={"Idempotency-Key": "second-run-of-the-book"})
    assert again.headers["Idempotent-Replayed"] == "false" and again.json["id"] != first.json["id"]
    theirs = _post(app, create_key(app, tenant="bank-b"), other, headers=upload_id)
    assert theirs.status_code == 202 and theirs.headers["Idempotent-Replayed"] == "false"
    assert _jobs(app) == 3


def test_a_key_sent_with_a_book_queued_without_one_names_that_job_for_good(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None
) -> None:
    """A new Idempotency-Key on a book already queued without one (a client that added keys to its retries)
    was answered with that job but bound to nothing: the same key then took another book as a new job,
    where 422 is promised, and the keyed request, retried once its job had finished, was rated again."""
    app = _app(make_app, redis_url, tmp_path, database)
    key = create_key(app)
    content, other = _bytes(120, 3, tmp_path), _bytes(120, 4, tmp_path)
    unkeyed = _post(app, key, content)
    upload_id = {"Idempotency-Key": "book-2025-06-30"}
    keyed = _post(app, key, content, headers=upload_id)
    assert keyed.json["id"] == unkeyed.json["id"] and keyed.headers["Idempotent-Replayed"] == "true"

    misused = _post(app, key, other, headers=upload_id)
    assert misused.status_code == 422, misused.json
    assert unkeyed.json["id"] in misused.json["errors"]["Idempotency-Key"][0]
    assert work(app)
    late = _post(app, key, content, headers=upload_id)
    assert late.status_code == 202 and late.headers["Idempotent-Replayed"] == "true", late.json
    assert late.json["id"] == unkeyed.json["id"] and late.json["status"] == "completed"
    assert _jobs(app) == 1


@pytest.mark.parametrize("value", ["", '""', "   ", "x" * 256, "clé-1", "a\tb"])
def test_an_idempotency_key_that_is_no_key_is_refused(
    make_app: AppFactory, redis_url: str, tmp_path: Path, value: str
) -> None:
    app = _app(make_app, redis_url, tmp_path, None)
    refused = _post(app, create_key(app), _bytes(20, 3, tmp_path), headers={"Idempotency-Key": value})
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json["errors"], refused.json
    assert _jobs(app) == 0 and _directories(app) == []


@pytest.mark.parametrize("keyed", [False, True])
def test_identical_uploads_at_the_same_moment_record_one_job(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None, keyed: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both requests find no job to hand back and both check the book (held there until both have), so
    only the database can keep the second from being recorded: one job, and both answers name it."""
    app = _app(make_app, redis_url, tmp_path, database)
    key = create_key(app)
    content = _bytes(120, 3, tmp_path)
    both_checking = threading.Barrier(2, timeout=30)
    inspect = jobs.storage.inspect_upload

    def held(path: Path, max_rows: int) -> int | None:
        both_checking.wait()
        return inspect(path, max_rows)

    monkeypatch.setattr(jobs.storage, "inspect_upload", held)
    headers = {"Idempotency-Key": "one-upload"} if keyed else None
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: _post(app, key, content, headers=headers), range(2)))
    assert [a.status_code for a in answers] == [202, 202], [a.json for a in answers]
    assert answers[0].json["id"] == answers[1].json["id"]
    assert sorted(a.headers["Idempotent-Replayed"] for a in answers) == ["false", "true"]
    assert _jobs(app) == 1
    assert _directories(app) == [answers[0].json["id"]]


def test_jobs_recorded_by_the_code_before_the_migration_stay_jobs_of_their_own(tmp_path: Path) -> None:
    """Rolling deploy: the release before inserts jobs without the new columns, identical ones too (two
    queued jobs of one book, as it made them); the unique indexes of 0014 build over them, and take none
    of them for the same upload as a new one."""
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    migrate.upgrade(db, "0012")
    row = {
        "tenant": "bank-a", "status": "queued", "file_name": "book.csv", "file_format": "csv",
        "file_bytes": 10, "chunk_rows": 100, "rows_done": 0, "chunks_done": 0, "attempt": 0,
        "recoveries": 0, "created_at": datetime(2026, 12, 1, tzinfo=UTC),
    }
    with db.begin() as conn:
        before = Table("portfolio_jobs", MetaData(), autoload_with=conn)
        conn.execute(insert(before), [{**row, "id": "pf_old1"}, {**row, "id": "pf_old2"}])
    migrate.upgrade(db)
    with db.begin() as conn:
        conn.execute(insert(before), [{**row, "id": "pf_old3"}])  # the code before, after the migration
        assert conn.execute(select(func.count()).select_from(portfolio_jobs)).scalar_one() == 3
    db.dispose()


@pytest.mark.parametrize("queue_takes_it", [False, True])
def test_a_retry_is_answered_with_its_job_only_once_the_queue_holds_it(
    make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None, queue_takes_it: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A retry that arrives while its first upload is between recording its job and queuing it.

    The retry found the job recorded and answered it at once (202, ``Idempotent-Replayed: true``); the
    first upload's queue then refused it (Redis down), and the job was removed: the retry named a job that
    does not exist, which the client polled as a 404 (concurrency review, H4: 4 of 6 identical uploads
    during a Redis outage got a job id that was never queued). The retry now waits for the first upload to
    queue the job, or to give it up, and answers as it did: the job, or 503 with nothing accepted.
    """
    app = _app(make_app, redis_url, tmp_path, database)
    key = create_key(app)
    content = _bytes(120, 3, tmp_path)
    recorded, retry_waits, first_done = threading.Event(), threading.Event(), threading.Event()
    enqueue = jobs.enqueue

    def queue_after_the_retry_looked(queue: Any, settings: Any, job_id: str) -> None:
        recorded.set()
        assert retry_waits.wait(timeout=30)
        if not queue_takes_it:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        enqueue(queue, settings, job_id)

    def retry_waiting() -> None:  # the retry waits for the first upload: let it go on, then look again
        retry_waits.set()
        assert first_done.wait(timeout=30)

    monkeypatch.setattr(jobs, "enqueue", queue_after_the_retry_looked)
    monkeypatch.setattr(jobs, "_pause", retry_waiting, raising=False)
    headers = {"Idempotency-Key": "one-upload"}

    def first_upload() -> Any:
        try:
            return _post(app, key, content, headers=headers)
        finally:
            first_done.set()

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(first_upload)
        assert recorded.wait(timeout=30)
        retry = _post(app, key, content, headers=headers)
        retry_waits.set()  # (a retry that did not wait answered already)
        first_answer = first.result(timeout=30)
    if queue_takes_it:
        assert [first_answer.status_code, retry.status_code] == [202, 202]
        assert retry.json["id"] == first_answer.json["id"] and retry.headers["Idempotent-Replayed"] == "true"
        assert _jobs(app) == 1
    else:
        assert [first_answer.status_code, retry.status_code] == [503, 503], retry.json
        assert "Retry-After" in retry.headers
        assert _jobs(app) == 0 and _directories(app) == []
