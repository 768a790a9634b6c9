"""A PostgreSQL server that cannot take writes answers 503 with ``Retry-After``, not 500 (DBA review).

A read-only server (a standby after a failover, ``default_transaction_read_only`` set while a disk fills)
refuses writes with SQLSTATE 25006, which psycopg raises as an ``InternalError``: it was answered 500, a bug.
A full disk (53100) is an ``OperationalError`` and kept its 503; both are checked against the real server.
"""

from __future__ import annotations

import psycopg
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, payload, services_of

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_app(make_app: AppFactory, postgres_url: str) -> Flask:
    app = make_app(DATABASE_URL=postgres_url, RETRY_AFTER_SECONDS=7)
    migrate.upgrade(services_of(app).db)
    return app


def _refused(response: TestResponse) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "7"
    assert response.get_json()["message"].startswith("The records cannot be reached now")


def test_a_read_only_database_answers_503_to_writes_and_still_serves_reads(pg_app: Flask) -> None:
    client = pg_app.test_client()
    key = create_key(pg_app)
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert issued.status_code == 201
    name = services_of(pg_app).settings.database_url.rsplit("/", 1)[1]
    with psycopg.connect(services_of(pg_app).settings.database_url, autocommit=True) as owner:
        owner.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    services_of(pg_app).db.dispose()
    try:
        _refused(client.post("/v1/ratings", json=payload(name="Another shop"), headers=bearer(key)))
        assert client.get(issued.headers["Location"], headers=bearer(key)).status_code == 200
    finally:
        with psycopg.connect(services_of(pg_app).settings.database_url, autocommit=True) as owner:
            owner.execute("SET default_transaction_read_only = off")
            owner.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        services_of(pg_app).db.dispose()
    again = client.post("/v1/ratings", json=payload(name="Another shop"), headers=bearer(key))
    assert again.status_code == 201  # writable again: the next request is served


def test_a_full_disk_answers_503(pg_app: Flask) -> None:
    client = pg_app.test_client()
    key = create_key(pg_app)
    with services_of(pg_app).db.begin() as conn:  # what PostgreSQL raises when it cannot extend a file
        conn.exec_driver_sql(
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$"
        )
        conn.exec_driver_sql("CREATE TRIGGER disk_full BEFORE INSERT ON ratings EXECUTE FUNCTION disk_full()")
    _refused(client.post("/v1/ratings", json=payload(), headers=bearer(key)))
