"""PostgreSQL unreachable mid-stream (a proxy we control is cut), then back: 503s, nothing half-written.

The app talks to the session's real PostgreSQL through an in-process TCP proxy; cutting it drops every
pooled connection and refuses new ones, as a crashed or partitioned server would, without touching the
server itself. Rows are counted on a direct connection, so both sides are counted independently.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine

from service.records import migrate
from service.records.database import database_url
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.faults.servers import CuttableProxy, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username + '@' if parts.username else ''}127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def test_database_outage_is_503_with_retry_after_and_recovers_alone(
    make_app: AppFactory, postgres_url: str, proxy: CuttableProxy
) -> None:
    direct = create_engine(database_url(postgres_url))
    migrate.upgrade(direct)
    app = make_app(
        DATABASE_URL=through(postgres_url, proxy.port),
        DATABASE_TIMEOUT_SECONDS=1,
        KEY_CACHE_SECONDS=300.0,  # the key is known before the outage: the write itself must fail
        RETRY_AFTER_SECONDS=2,
    )
    client = app.test_client()
    key = create_key(app)
    answers: list[tuple[int, str | None]] = []

    def rate(i: int) -> int:
        response = client.post("/v1/ratings", json=payload(employees=i + 1), headers=bearer(key))
        if response.status_code == 201:
            answers.append((201, response.json["id"]))
        else:
            answers.append((response.status_code, None))
            assert response.status_code == 503, response.data
            assert response.headers["Retry-After"] == "2"
            body = response.json
            assert body["code"] == 503 and body["request_id"] == response.headers["X-Request-ID"]
        return response.status_code

    assert [rate(i) for i in range(10)] == [201] * 10
    proxy.cut()
    assert [rate(i) for i in range(10, 20)] == [503] * 10  # every request during the outage, none hangs
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"]
    proxy.restore()
    # No restart, no intervention: the pool reconnects on its own (pre-ping drops the dead connections).
    recovered: list[int] = []
    wait_until(
        lambda: recovered.append(rate(len(answers))) or recovered[-1] == 201, "first 201 after the outage"
    )
    assert [rate(i) for i in range(30, 40)] == [201] * 10
    assert client.get("/readyz").status_code == 200
    issued = {rating_id for status, rating_id in answers if status == 201}
    with direct.connect() as conn:
        stored = {row[0] for row in conn.exec_driver_sql("SELECT id FROM ratings")}
    direct.dispose()
    assert stored == issued  # every 201 has its row, and no refused request left one behind
    assert len(issued) == sum(1 for status, _ in answers if status == 201) >= 21
    services_of(app).db.dispose()
