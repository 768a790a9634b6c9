"""A portfolio run interrupted by a passing fault (a database blip, a full disk) resumes; it is not failed.

A fault-injection review: a PostgreSQL backend terminated mid-run (in ``set_rows_total``, a ``chunk_done``
or ``complete``) failed the job for good, "internal error (OperationalError)", although the pool had
recovered at once (the very write that recorded the failure succeeded) and the job could have resumed from
its last finished chunk, as it does after a killed worker. Now the run puts the job back to ``queued``,
saying why in ``error``; the recovery sweep re-enqueues it after a delay that grows with each retry, and
the next run resumes it. A run interrupted :data:`MAX_RECOVERIES` times before fails, saying so. A full
(or read-only) portfolio directory is treated the same way: an operator may free space meanwhile.

The worker runs in-process (``greenrate worker``'s class, burst mode); the backend is terminated from a
hook on the app's database engine just before the chosen statement (no sleeps), as in
tests/faults/test_postgres_terminated.py.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import Engine, create_engine, update
from sqlalchemy.exc import DataError, IntegrityError

from service.portfolios import runner, storage
from service.portfolios.queue import portfolio_queue
from service.portfolios.recovery import MAX_RECOVERIES, RESUME_DELAYS_SECONDS, recover
from service.records import migrate
from service.records import portfolios as records
from service.records.database import database_url
from service.records.portfolio_tables import portfolio_jobs
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.faults.test_postgres_terminated import Terminator
from tests.service.test_portfolios import _results, as_file, book, upload, work

pytestmark = [pytest.mark.slow, pytest.mark.integration]
ROWS = 450
CHUNK_ROWS = 100  # five chunks


def _app(make_app: AppFactory, redis_url: str, tmp_path: Path, database: str | None = None) -> Flask:
    app = make_app(
        REDIS_URL=redis_url, PORTFOLIO_DIR=str(tmp_path / "portfolios"), PORTFOLIO_CHUNK_ROWS=CHUNK_ROWS,
        RATE_LIMIT="100000 per minute", **({"DATABASE_URL": database} if database else {}),
    )
    if database:
        migrate.upgrade(services_of(app).db)
    return app


@pytest.fixture(autouse=True)
def _no_context_left() -> Any:
    yield
    runner._CONTEXT.clear()


def _sweep(app: Flask, after_seconds: float) -> list[str]:
    """One recovery sweep as an idle worker runs it, ``after_seconds`` from now."""
    s = services_of(app)
    connection = Redis.from_url(s.settings.redis_url)
    try:
        moment = datetime.now(UTC) + timedelta(seconds=after_seconds)
        return recover(s.db, portfolio_queue(s.settings, connection), s.settings,
                       host=os.uname().nodename, pid=os.getpid(), now=moment)
    finally:
        connection.close()


def _state(app: Flask, key: str, job_id: str) -> dict[str, Any]:
    answer = app.test_client().get(f"/v1/portfolios/{job_id}", headers=bearer(key))
    assert answer.status_code == 200
    return dict(answer.json)


def _set_recoveries(app: Flask, job_id: str, recoveries: int) -> None:
    with services_of(app).db.begin() as conn:
        conn.execute(
            update(portfolio_jobs).where(portfolio_jobs.c.id == job_id).values(recoveries=recoveries)
        )


def _resumed_whole(app: Flask, key: str, job_id: str, loans: pd.DataFrame, recoveries: int) -> None:
    """The sweep leaves the job alone until its delay has passed, then the next run completes it: every
    row of the book exactly once, in order."""
    assert _sweep(app, 1) == []  # not at once: a database still restarting would fail it again
    delay = RESUME_DELAYS_SECONDS[min(recoveries, len(RESUME_DELAYS_SECONDS) - 1)]
    assert _sweep(app, delay + 1) == [job_id]
    assert _sweep(app, delay + 1) == []  # once
    assert work(app)
    done = _state(app, key, job_id)
    assert done["status"] == "completed" and done["error"] is None, done
    assert done["progress"] == {"rows_done": ROWS, "rows_total": ROWS, "chunks_done": 5}
    results = _results(app.test_client(), key, job_id)
    assert len(results) == ROWS
    assert list(results["borrower_id"]) == list(loans["borrower_id"])


def _is_update(column: str, also: str = "") -> Callable[[str], bool]:
    return lambda sql: sql.startswith(f"UPDATE portfolio_jobs SET {column}=") and also in sql


def _nth_chunk_done(n: int) -> Callable[[str], bool]:
    seen = [0]

    def when(sql: str) -> bool:
        if sql.startswith("UPDATE portfolio_jobs SET rows_done="):  # chunk_done's (rows_done, chunks_done)
            seen[0] += 1
        return seen[0] == n

    return when


@pytest.fixture
def direct(postgres_url: str) -> Any:
    engine = create_engine(database_url(postgres_url))
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("where", "when", "chunks_done"),
    [("set_rows_total", _is_update("rows_total"), 0), ("third chunk_done", _nth_chunk_done(3), 2),
     ("complete", _is_update("status", "summary_json"), 5)],
)
def test_a_terminated_database_backend_mid_run_resumes_the_job_from_its_last_chunk(
    make_app: AppFactory, redis_url: str, postgres_url: str, direct: Engine, tmp_path: Path,
    where: str, when: Callable[[str], bool], chunks_done: int,
) -> None:
    app = _app(make_app, redis_url, tmp_path, postgres_url)
    key = create_key(app)
    loans = book(ROWS)
    job_id = upload(app.test_client(), key, as_file(loans, "book.csv", tmp_path)).json["id"]
    terminator = Terminator(services_of(app).db, direct)
    terminator.when = when
    assert work(app)
    assert terminator.fired == 1, where
    interrupted = _state(app, key, job_id)
    # the review's finding: "failed", "internal error (OperationalError)", for good
    assert interrupted["status"] == "queued", interrupted
    assert interrupted["progress"]["chunks_done"] == chunks_done
    error = interrupted["error"]
    assert error.startswith("interrupted by a database error (OperationalError)"), error
    assert "resumes from its last finished chunk" in error and f"retry 1 of {MAX_RECOVERIES}" in error
    _resumed_whole(app, key, job_id, loans, 0)


def test_a_database_that_keeps_failing_fails_the_job_saying_so(
    make_app: AppFactory, redis_url: str, postgres_url: str, direct: Engine, tmp_path: Path
) -> None:
    """A run interrupted after MAX_RECOVERIES re-queues is the last: the job fails, naming the cause."""
    app = _app(make_app, redis_url, tmp_path, postgres_url)
    key = create_key(app)
    job_id = upload(app.test_client(), key, as_file(book(ROWS), "book.csv", tmp_path)).json["id"]
    _set_recoveries(app, job_id, MAX_RECOVERIES)
    terminator = Terminator(services_of(app).db, direct)
    terminator.when = _nth_chunk_done(2)
    work(app)
    failed = _state(app, key, job_id)
    assert failed["status"] == "failed" and failed["finished_at"] is not None, failed
    assert failed["error"] == (
        f"stopped by a database error (OperationalError) after {MAX_RECOVERIES + 1} interrupted runs; "
        "not retried again: upload the book again once the service has recovered"
    )
    assert _sweep(app, 86_400) == []


def _refusing_writes(monkeypatch: pytest.MonkeyPatch, code: int, times: int) -> list[int]:
    """``storage.write_part`` refused by the disk ``times`` times from the second part on."""
    write = storage.write_part
    refused: list[int] = []

    def full(files: storage.JobFiles, index: int, *args: Any, **kwargs: Any) -> None:
        if index >= 1 and len(refused) < times:
            refused.append(index)
            raise OSError(code, os.strerror(code))
        write(files, index, *args, **kwargs)

    monkeypatch.setattr(storage, "write_part", full)
    return refused


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_disk_mid_run_leaves_the_job_to_resume_once_there_is_room(
    make_app: AppFactory, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    app = _app(make_app, redis_url, tmp_path)
    key = create_key(app)
    loans = book(ROWS)
    job_id = upload(app.test_client(), key, as_file(loans, "book.csv", tmp_path)).json["id"]
    refused = _refusing_writes(monkeypatch, code, 1)
    assert work(app) and refused == [1]
    interrupted = _state(app, key, job_id)
    assert interrupted["status"] == "queued" and interrupted["progress"]["chunks_done"] == 1, interrupted
    name = errno.errorcode[code]
    assert interrupted["error"].startswith(
        f"interrupted by a full or read-only portfolio directory ({name}: {os.strerror(code)})"
    ), interrupted["error"]
    assert str(tmp_path) not in interrupted["error"]
    _resumed_whole(app, key, job_id, loans, 0)


def test_a_disk_that_stays_full_fails_the_job_saying_so(
    make_app: AppFactory, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(make_app, redis_url, tmp_path)
    key = create_key(app)
    job_id = upload(app.test_client(), key, as_file(book(ROWS), "book.csv", tmp_path)).json["id"]
    refused = _refusing_writes(monkeypatch, errno.ENOSPC, MAX_RECOVERIES + 1)
    for attempt in range(MAX_RECOVERIES + 1):
        assert work(app)
        state = _state(app, key, job_id)
        if attempt < MAX_RECOVERIES:
            assert state["status"] == "queued" and f"retry {attempt + 1} of" in state["error"], state
            assert _sweep(app, RESUME_DELAYS_SECONDS[-1] + 1) == [job_id]
    assert len(refused) == MAX_RECOVERIES + 1
    assert state["status"] == "failed", state
    assert state["error"].startswith("stopped by a full or read-only portfolio directory (ENOSPC: ")
    assert f"after {MAX_RECOVERIES + 1} interrupted runs; not retried again" in state["error"]


@pytest.mark.parametrize("error", [IntegrityError, DataError])
def test_a_constraint_or_data_error_still_fails_the_job_at_once(
    make_app: AppFactory, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    error: type[IntegrityError] | type[DataError],
) -> None:
    """Not a passing fault: a run again would meet it again (a bug, or a value the column refuses)."""
    app = _app(make_app, redis_url, tmp_path)
    key = create_key(app)
    job_id = upload(app.test_client(), key, as_file(book(ROWS), "book.csv", tmp_path)).json["id"]

    def refused(*args: Any) -> None:
        raise error("UPDATE portfolio_jobs ...", {}, Exception("refused"))

    monkeypatch.setattr(records, "set_rows_total", refused)
    work(app)
    failed = _state(app, key, job_id)
    assert failed["status"] == "failed", failed
    assert failed["error"] == f"internal error ({error.__name__}); quote the portfolio id when reporting it"
    assert _sweep(app, 86_400) == []
