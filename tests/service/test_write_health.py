"""Readiness while the database refuses writes, and the driver's own words in the log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from service.records import migrate
from service.write_health import SHARED_FILE, WriteHealth, driver_error, forget, is_write_failure
from tests.conftest import AppFactory, bearer, create_key, payload, services_of


def test_readiness_is_unavailable_while_writes_fail_and_ok_after_one_succeeds(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite on a full disk answered 9,322 POSTs with 503 while /readyz said ok (fault-injection review)."""
    app = make_app()
    client = app.test_client()
    key = create_key(app)
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    db = services_of(app).db
    with db.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def full(dbapi: Any, _record: Any) -> None:
        dbapi.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: SQLITE_FULL

    event.listen(db, "connect", full)
    db.dispose()
    capsys.readouterr()
    refused = client.post("/v1/ratings", json=payload(employees=77), headers=bearer(key))
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    (logged,) = [e for e in events if e.get("event") == "dependency_unavailable"]
    assert logged["error"] == "OperationalError" and logged["driver_error"] == "SQLITE_FULL"
    assert logged["detail"] == "database or disk is full"

    ready = client.get("/readyz")  # reads still work: only the write signal says why it is not ready
    assert ready.status_code == 503
    (detail,) = ready.json["errors"]["database"]
    assert detail.startswith("writes are failing (SQLITE_FULL; the last 0 s ago")
    # a rating already issued is still served: reads do not clear the signal, only a write that succeeds
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).headers["X-Cache"] == "hit"
    assert client.get("/readyz").status_code == 503

    event.remove(db, "connect", full)  # room again
    db.dispose()
    assert client.post("/v1/ratings", json=payload(employees=78), headers=bearer(key)).status_code == 201
    assert client.get("/readyz").status_code == 200


def test_a_failed_write_counts_for_a_while_only() -> None:
    now = [100.0]
    writes = WriteHealth(window_seconds=30, clock=lambda: now[0])
    assert writes.problem() is None
    writes.failed("SQLITE_READONLY")
    now[0] += 12
    assert writes.problem() == "writes are failing (SQLITE_READONLY; the last 12 s ago, none succeeded since)"
    now[0] += 19  # 31 s: out of the load balancer no write comes to succeed, so it is tried again
    assert writes.problem() is None
    writes.failed("SQLITE_FULL")
    writes.succeeded()
    assert writes.problem() is None


def sqlite_error(tmp_path: Path, pragma: str, statement: str) -> OperationalError:
    """The error SQLite raises for ``statement`` on a connection that ran ``pragma`` first."""
    db = create_engine(f"sqlite:///{tmp_path}/{len(list(tmp_path.iterdir()))}.sqlite3")
    with db.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    event.listen(db, "connect", lambda dbapi, _record: dbapi.execute(pragma))
    db.dispose()
    try:
        with pytest.raises(OperationalError) as raised, db.begin() as conn:
            conn.execute(text(statement))
    finally:
        db.dispose()
    return raised.value


def test_the_drivers_name_for_storage_that_refuses_writes(tmp_path: Path) -> None:
    read_only = sqlite_error(tmp_path, "PRAGMA query_only = ON", "INSERT INTO t VALUES ('a')")
    assert driver_error(read_only) == ("SQLITE_READONLY", "attempt to write a readonly database")
    assert is_write_failure(read_only)
    full = sqlite_error(tmp_path, "PRAGMA max_page_count = 1",
                        "CREATE TABLE u AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 5000) SELECT printf('%0100d', i) AS x FROM n")
    assert driver_error(full) == ("SQLITE_FULL", "database or disk is full")
    assert is_write_failure(full)  # not an INSERT, but storage that refuses writes
    missing = sqlite_error(tmp_path, "PRAGMA query_only = OFF", "SELECT * FROM nowhere")
    assert driver_error(missing) == ("SQLITE_ERROR", "no such table: nowhere")
    assert not is_write_failure(missing)  # a read that failed: not a reason to leave the load balancer
    assert driver_error(sqlite3.Error("x")) == ("Error", None)  # not wrapped by SQLAlchemy



def test_a_write_that_found_sqlite_busy_is_not_storage_refusing_writes(tmp_path: Path) -> None:
    """SQLite's busy database is another writer's lock, as a PostgreSQL statement timeout behind one is."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x TEXT)")
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database's write lock
    db = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as raised, db.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES ('a')"))
    finally:
        db.dispose()
        holder.close()
    assert driver_error(raised.value) == ("SQLITE_BUSY", "database is locked")
    assert not is_write_failure(raised.value)

# --- shared by the workers of one host ----------------------------------------------------------------------


def test_the_workers_of_a_host_report_the_same_write_failure(tmp_path: Path) -> None:
    """Kept per worker, readiness answered 503 from the workers that had seen a failed write and 200 from
    the others: the load balancer saw the host flap during a disk-full incident."""
    now = [100.0]
    first, second = (WriteHealth(window_seconds=30, clock=lambda: now[0], shared_dir=tmp_path) for _ in "ab")
    assert first.shared and second.shared and first.problem() is second.problem() is None
    first.failed("SQLITE_FULL")
    now[0] += 12
    expected = "writes are failing (SQLITE_FULL; the last 12 s ago, none succeeded since)"
    assert first.problem() == second.problem() == expected
    recycled = WriteHealth(window_seconds=30, clock=lambda: now[0], shared_dir=tmp_path)  # a new worker
    assert recycled.problem() == expected
    second.succeeded()  # a write that succeeds anywhere on the host clears it everywhere
    assert first.problem() is second.problem() is recycled.problem() is None
    second.failed("SQLITE_READONLY")
    now[0] += 30
    assert first.problem() == "writes are failing (SQLITE_READONLY; the last 30 s ago, none succeeded since)"
    now[0] += 1  # the window is over for every worker at once
    assert first.problem() is second.problem() is None
    forget(tmp_path)  # gunicorn's start: the previous run's failure is not this run's
    assert not (tmp_path / SHARED_FILE).exists()


def test_two_apps_sharing_a_directory_answer_readiness_alike(make_app: AppFactory, tmp_path: Path) -> None:
    """Two apps on one multiprocess directory stand in for two gunicorn workers."""
    shared = tmp_path / "multiproc"
    shared.mkdir()
    failing, other = make_app(METRICS_MULTIPROC_DIR=str(shared)), make_app(METRICS_MULTIPROC_DIR=str(shared))
    key = create_key(failing)
    assert failing.test_client().post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    db = services_of(failing).db
    with db.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    event.listen(db, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
    db.dispose()
    refused = failing.test_client().post("/v1/ratings", json=payload(employees=77), headers=bearer(key))
    assert refused.status_code == 503

    answers = [app.test_client().get("/readyz") for app in (failing, other)]
    assert [a.status_code for a in answers] == [503, 503]  # the worker that saw nothing fail says so too
    assert answers[1].json["errors"]["database"] == answers[0].json["errors"]["database"]
    other_key = create_key(other)
    issued = other.test_client().post("/v1/ratings", json=payload(), headers=bearer(other_key))
    assert issued.status_code == 201  # a write that succeeds in another worker: the host takes writes
    assert [app.test_client().get("/readyz").status_code for app in (failing, other)] == [200, 200]


def test_a_directory_that_cannot_hold_the_state_leaves_it_per_process(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with capture_logs() as logged:
        first, second = (WriteHealth(shared_dir=tmp_path / "a-file") for _ in "ab")
    assert not first.shared and not second.shared
    assert [e["event"] for e in logged] == ["write_health_not_shared"] * 2  # once for each worker
    assert logged[0]["error"] == "Not a directory" and "this worker saw" in logged[0]["consequence"]
    first.failed("SQLITE_FULL")
    assert first.problem() is not None and second.problem() is None  # as before: each its own


# --- writes that waited, on PostgreSQL ----------------------------------------------------------------------


@pytest.mark.integration
def test_a_write_cancelled_for_waiting_on_a_lock_leaves_readiness_alone(
    make_app: AppFactory, postgres_url: str
) -> None:
    """A write the server cancelled at its statement timeout waited (behind an erasure's ``ALTER TABLE``, an
    index built without ``CONCURRENTLY``, a migration): nothing says the storage refuses writes, and every
    host of a shared database waits alike. Counted, the lock took every host's readiness down for 30 s at
    once, a whole outage for the balancer where a few requests had answered 503 (an SRE's review, H3)."""
    app = make_app(DATABASE_URL=postgres_url, DATABASE_TIMEOUT_SECONDS=1)
    migrate.upgrade(services_of(app).db)
    client = app.test_client()
    key = create_key(app)
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    blocker = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with blocker.connect() as conn, conn.begin():
            # what `greenrate ratings erase` takes to lift the guard: reads go on, inserts wait
            conn.exec_driver_sql("LOCK TABLE ratings IN SHARE ROW EXCLUSIVE MODE")
            with capture_logs() as logs:
                waited = client.post("/v1/ratings", json=payload(employees=77), headers=bearer(key))
            assert waited.status_code == 503 and waited.headers["Retry-After"]
            (logged,) = [e for e in logs if e["event"] == "dependency_unavailable"]
            assert logged["driver_error"] == "QueryCanceled (SQLSTATE 57014)"  # the INSERT, at its timeout
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.json
        assert client.post("/v1/ratings", json=payload(employees=77), headers=bearer(key)).status_code == 201
    finally:
        blocker.dispose()
