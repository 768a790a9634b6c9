"""PostgreSQL that stops answering: the connection stays open, nothing comes back (service.records.answers).

Unlike a cut (tests/faults/test_postgres_outage.py) or a terminated backend (test_postgres_terminated.py),
nothing tells the client the server is gone: a server process stopped or stuck while its host's kernel
still acknowledges, or a pooler in front of a server that hangs. The statement timeout is the server's, and
a silent server sends no cancellation: a request on a pooled connection waited for ever (with gunicorn's
sync workers, until the worker was killed and the client's connection closed without an answer). Here the
proxy in front of the session's real PostgreSQL holds every byte, or only the server's answers once the
COMMIT is sent; each request must answer a clean 503 on its own, and the next, once the server answers
again, must succeed without a restart.
"""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, event, exc, text
from werkzeug.test import TestResponse

from service.lost_answers import NOT_KNOWN, UNREACHED
from service.records import migrate
from service.records.answers import ANSWER_MARGIN_SECONDS, AnsweredConnection
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.faults.servers import CuttableProxy
from tests.faults.servers import answered as within
from tests.faults.test_postgres_outage import through

pytestmark = [pytest.mark.slow, pytest.mark.integration]

#: the request's own bound: a statement timeout of 1 s plus the margin, then a reconnection's connect timeout
#: of 2 s (libpq's least) through a proxy that still holds: far below this
_ANSWERED_WITHIN = 20.0


def stored(direct: Engine) -> set[str]:
    with direct.connect() as conn:
        return {row[0] for row in conn.exec_driver_sql("SELECT id FROM ratings")}


def answered(send: Any) -> TestResponse:
    """``send()``'s response, within :data:`_ANSWERED_WITHIN` (:func:`tests.faults.servers.answered`)."""
    response: TestResponse = within(send, _ANSWERED_WITHIN, "a database that stopped answering")
    return response


def refused_count() -> float:
    labels = {"method": "POST", "route": "/v1/ratings", "status": "503"}
    return REGISTRY.get_sample_value("greenrate_http_requests_total", labels) or 0.0


@pytest.mark.parametrize("silent", ["pooled connection", "commit's answer"])
def test_a_database_that_stops_answering_is_a_503_and_the_next_request_succeeds(
    make_app: AppFactory, postgres_url: str, direct: Engine, proxy: CuttableProxy, silent: str
) -> None:
    app = make_app(DATABASE_URL=through(postgres_url, proxy.port), DATABASE_TIMEOUT_SECONDS=1,
                   KEY_CACHE_SECONDS=300.0, RETRY_AFTER_SECONDS=4)
    client = app.test_client()
    key = create_key(app)
    assert client.post("/v1/ratings", json=payload(employees=1), headers=bearer(key)).status_code == 201
    before, refused_before = stored(direct), refused_count()
    if silent == "pooled connection":
        proxy.hold()  # the pooled connection's next statement (the checkout's ping) gets no answer
    else:
        # the COMMIT reaches the server, which commits; its answer never comes back
        event.listen(services_of(app).db, "commit", lambda conn: proxy.hold(answers_only=True), once=True)

    def send() -> TestResponse:
        return client.post("/v1/ratings", json=payload(employees=2), headers=bearer(key))

    refused = answered(send)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "4", refused.data
    assert set(refused.json) == {"code", "status", "message", "request_id"}  # the one error body
    assert refused_count() == refused_before + 1
    proxy.release()
    if silent == "pooled connection":
        assert refused.json["message"] == UNREACHED
        assert stored(direct) == before  # nothing of it
    else:
        assert refused.json["message"].startswith(NOT_KNOWN)  # the server has it
        assert len(stored(direct) - before) == 1
    again = send()  # the same request, at once, on the same app: the pool gave the silent connection up
    assert again.status_code == 201, again.data
    assert stored(direct) == before | {again.json["id"]}  # one rating for the input, whichever made it
    assert client.get("/readyz").status_code == 200


def test_a_statement_past_its_timeout_is_cancelled_by_the_server_before_the_client_gives_up(
    make_app: AppFactory, postgres_url: str, direct: Engine
) -> None:
    """The client's deadline is the statement timeout plus a margin: a server that answers cancels the
    statement itself and says so, and the connection is kept."""
    db = services_of(make_app(DATABASE_URL=postgres_url, DATABASE_TIMEOUT_SECONDS=1)).db
    with db.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert isinstance(dbapi, AnsweredConnection) and dbapi.answer_within == 1 + ANSWER_MARGIN_SECONDS
        with pytest.raises(exc.OperationalError) as cancelled:
            conn.execute(text("SELECT pg_sleep(2)"))
        assert getattr(cancelled.value.orig, "sqlstate", None) == "57014"  # query_canceled, by the server
        assert not cancelled.value.connection_invalidated
        conn.rollback()
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_a_migration_waits_for_its_long_statements(make_app: AppFactory, postgres_url: str) -> None:
    """A migration runs without the statement timeout (an index on millions of ratings takes minutes), so
    the client's deadline on answers is lifted with it, and put back after."""
    db = services_of(make_app(DATABASE_URL=postgres_url, DATABASE_TIMEOUT_SECONDS=1)).db
    with migrate._migration_session(db, 5.0, lambda line: None) as conn:
        # longer than the engine's deadline (1 s + the margin): given up, were it still in force
        conn.execute(text("SELECT pg_sleep(:s)"), {"s": 1 + ANSWER_MARGIN_SECONDS + 0.5})
        conn.rollback()
        dbapi = conn.connection.dbapi_connection
    assert isinstance(dbapi, AnsweredConnection) and dbapi.answer_within == 1 + ANSWER_MARGIN_SECONDS
