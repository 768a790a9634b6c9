"""A PostgreSQL backend terminated in the middle of a rating's transaction (``pg_terminate_backend``).

Unlike tests/faults/test_postgres_outage.py (the network cut between requests), the server ends the very
connection a write is using, after the transaction has begun: its advisory locks are taken, the INSERT is
about to be sent. The request answers a clean 503 in the API's error shape, nothing of it is recorded, and
the next request on the same app succeeds (the pool drops the dead connection). No sleeps: the termination
is sent from a hook on the app's engine, just before the chosen statement.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.contract import contract_errors
from tests.service.test_portfolios import as_file, book

pytestmark = [pytest.mark.slow, pytest.mark.integration]


class Terminator:
    """Ends the backend of the app's connection just before the first statement ``when`` matches."""

    def __init__(self, app_db: Engine, direct: Engine) -> None:
        self.direct = direct
        self.when: Callable[[str], bool] | None = None
        self.fired = 0
        event.listen(app_db, "before_cursor_execute", self._before)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.when is not None and self.when(statement):
            self.when = None
            with self.direct.connect() as other:
                pid = cursor.connection.info.backend_pid
                other.exec_driver_sql("SELECT pg_terminate_backend(%s)", (pid,))
            self.fired += 1


def stored(direct: Engine) -> set[str]:
    with direct.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT id FROM ratings")}


@pytest.mark.parametrize(
    ("path", "statement"),
    [("/v1/ratings", "INSERT INTO ratings"), ("/v1/ratings/batch", "INSERT INTO ratings"),
     ("/v1/ratings/batch", "SELECT count(pg_advisory_xact_lock")],
)
def test_a_write_whose_connection_is_terminated_is_a_clean_503_and_the_next_succeeds(
    make_app: AppFactory, postgres_url: str, direct: Engine, path: str, statement: str
) -> None:
    app = make_app(DATABASE_URL=postgres_url, KEY_CACHE_SECONDS=300.0, RETRY_AFTER_SECONDS=3)
    client = app.test_client()
    key = create_key(app)
    terminator = Terminator(services_of(app).db, direct)

    def send(first: int) -> Any:
        if path == "/v1/ratings":
            return client.post(path, json=payload(employees=first), headers=bearer(key))
        items = [payload(employees=first + i) for i in range(4)]
        return client.post(path, json={"items": items}, headers=bearer(key))

    assert send(1).status_code in (200, 201)
    before = stored(direct)
    terminator.when = lambda sql: sql.startswith(statement)
    refused = send(10)
    assert terminator.fired == 1
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
    assert refused.json == {
        "code": 503, "status": "Service Unavailable",
        "message": "The records cannot be reached now; nothing was issued or changed.",
        "request_id": refused.headers["X-Request-ID"],
    }
    assert stored(direct) == before  # nothing of the refused request, not even one item of a batch
    # A lost connection is no storage refusing writes: the host stays in the load balancer. It had gone out
    # for 30 s (every worker's /readyz 503, "writes are failing (AdminShutdown ...)"), and a host out of the
    # balancer, or serving only cache hits, gets no write to clear it (concurrency review, H4).
    assert client.get("/readyz").status_code == 200, client.get("/readyz").json
    again = send(10)  # the same request, at once: the pool replaced the dead connection
    assert again.status_code in (200, 201), again.data
    ids = [again.json["id"]] if path == "/v1/ratings" else [r["id"] for r in again.json["results"]]
    assert stored(direct) == before | set(ids) and len(ids) == (1 if path == "/v1/ratings" else 4)


def test_a_key_created_is_answered_with_its_secret_whatever_fails_after_its_commit(
    make_app: AppFactory, postgres_url: str, direct: Engine
) -> None:
    """The creation read its key back after committing it: that read, its connection terminated, answered
    503 "nothing was issued or changed" for a key that existed, and the retry under the same
    Idempotency-Key got 409 without the secret, shown nowhere (concurrency review, H4: 1 of 8 creations
    answered 503 while PostgreSQL backends were terminated). The answer is now made of what the insert
    returned: nothing is asked of the database once the key is committed."""
    app = make_app(DATABASE_URL=postgres_url, KEY_CACHE_SECONDS=300.0)
    client = app.test_client()
    admin = create_key(app, role="admin")
    terminator = Terminator(services_of(app).db, direct)
    inserted: list[str] = []

    def after_the_insert(sql: str) -> bool:
        if sql.startswith("INSERT INTO api_keys"):
            inserted.append(sql)
            return False
        return bool(inserted)

    terminator.when = after_the_insert
    created = client.post("/v1/keys", json={"role": "bank", "label": "till"},
                          headers={**bearer(admin), "Idempotency-Key": "till-1"})
    assert inserted and created.status_code == 201, created.json
    assert terminator.fired == 0
    terminator.when = None
    listed = client.get("/v1/ratings", headers=bearer(created.json["key"]))
    assert listed.status_code == 200  # the secret answered is the key's
    with direct.connect() as conn:
        labels = [row[0] for row in conn.exec_driver_sql("SELECT label FROM api_keys WHERE role = 'bank'")]
    assert labels == ["till"]


def test_an_upload_whose_connection_is_terminated_once_its_job_is_recorded_keeps_all_of_it_or_nothing(
    make_app: AppFactory, postgres_url: str, direct: Engine, redis_url: str, tmp_path: Path
) -> None:
    """The upload read its job back after recording it, then counted the tenant's jobs, then queued it.
    That read, its connection terminated, answered 503 and removed the book's file but left the job
    recorded: queued without a queue entry and without its book, counted against the tenant's jobs, until
    the workers' sweep queued it a minute later to fail (concurrency review, H4). Whatever statement after
    the insert fails, the answer is now a job that is queued with its book, or 503 and nothing kept."""
    portfolios = tmp_path / "portfolios"
    app = make_app(DATABASE_URL=postgres_url, REDIS_URL=redis_url, PORTFOLIO_DIR=str(portfolios),
                   KEY_CACHE_SECONDS=300.0)
    key = create_key(app)
    terminator = Terminator(services_of(app).db, direct)
    inserted: list[str] = []

    def after_the_insert(sql: str) -> bool:
        if sql.startswith("INSERT INTO portfolio_jobs"):
            inserted.append(sql)
            return False
        return bool(inserted)

    terminator.when = after_the_insert
    content = as_file(book(20), "book.csv", tmp_path)
    answer = app.test_client().post("/v1/portfolios", data={"file": content}, headers=bearer(key),
                                    content_type="multipart/form-data")
    terminator.when = None
    assert inserted and terminator.fired == 1
    with direct.connect() as conn:
        jobs = [row[0] for row in conn.exec_driver_sql("SELECT id FROM portfolio_jobs")]
    kept = sorted(p.name for p in portfolios.glob("*"))
    if answer.status_code == 202:
        assert jobs == kept == [answer.json["id"]]
    else:
        assert answer.status_code == 503 and "Retry-After" in answer.headers
        assert jobs == kept == [], answer.json


def test_a_model_upload_is_answered_whatever_fails_after_its_commit(
    make_app: AppFactory, postgres_url: str, direct: Engine
) -> None:
    """The upload read its model back after committing it: that read, its connection terminated, answered
    503 for a version that was registered, and the analyst's retry got 409 "already registered" for their
    own upload (concurrency review). The answer is now made of what the insert returned, and a retry of it
    by the same key is answered 201 with the registration (``Idempotent-Replayed: true``), audited once."""
    from service.models import register_packaged_default
    from tests.service.model_fixtures import variant_document

    app = make_app(DATABASE_URL=postgres_url, KEY_CACHE_SECONDS=300.0)
    client = app.test_client()
    register_packaged_default(services_of(app).db)
    analyst = create_key(app, role="analyst")
    terminator = Terminator(services_of(app).db, direct)
    recorded: list[str] = []

    def after_the_audit_event(sql: str) -> bool:
        if sql.startswith("INSERT INTO model_events"):
            recorded.append(sql)
            return False
        return bool(recorded)

    terminator.when = after_the_audit_event
    doc = variant_document("terminated after its commit")
    created = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert recorded and created.status_code == 201, created.json
    assert terminator.fired == 0 and created.headers["Idempotent-Replayed"] == "false"
    terminator.when = None
    retried = client.post("/v1/models", json=doc, headers=bearer(analyst))
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json == created.json
    spec = client.get("/openapi.json").json
    for answer in (created, retried):  # the contract's summary, with metrics_declared_by and measured
        assert contract_errors(spec, "/v1/models", "post", answer) == [], answer.json
    with direct.connect() as conn:
        trail = conn.exec_driver_sql("SELECT action FROM model_events WHERE version = %s",
                                     (doc["version"],)).scalars().all()
    assert trail == ["upload"]
