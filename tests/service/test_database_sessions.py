"""What every PostgreSQL session of the service carries: its name, and TCP probes that find a dead server.

A DBA review: sessions showed no application name in ``pg_stat_activity`` (nobody could tell whose query
held a lock), and a server cut off by a network partition was only noticed when gunicorn killed the worker.
"""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import Engine

from service.commands import database
from service.config import load_settings
from service.records.database import create_db_engine

pytestmark = pytest.mark.integration


def _application_name(db: Engine) -> str:
    with db.connect() as conn:
        name = conn.exec_driver_sql(
            "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        ).scalar()
    return str(name)


def test_sessions_name_the_service_or_the_command(postgres_url: str) -> None:
    settings = load_settings({"DATABASE_URL": postgres_url})
    service = create_db_engine(settings)
    assert _application_name(service) == "greenrate"
    service.dispose()
    with database(settings) as command:
        assert _application_name(command) == "greenrate-cli"
    own = create_db_engine(load_settings({"DATABASE_URL": f"{postgres_url}?application_name=reports"}))
    assert _application_name(own) == "reports"  # the URL's own word is kept
    own.dispose()


def test_sessions_probe_an_idle_connection_and_give_up_on_unacknowledged_data(postgres_url: str) -> None:
    db = create_db_engine(load_settings({"DATABASE_URL": postgres_url}))
    with db.connect() as conn:
        fd = conn.connection.driver_connection.pgconn.socket  # type: ignore[union-attr]
        probe = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)  # a duplicate of the session's socket
        try:
            assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 10
            assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 5
            assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
            assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 25_000
        finally:
            probe.close()
    db.dispose()


def test_a_worker_holds_one_connection_per_thread_and_opens_no_more(postgres_url: str) -> None:
    """Each sync worker (one request at a time) had a pool of 5 plus 5 overflow: 9 workers could ask for 90
    of PostgreSQL's 100 connections. A second checkout now waits for the first, then gives up."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    db = create_db_engine(load_settings({"DATABASE_URL": postgres_url, "DATABASE_TIMEOUT_SECONDS": 1},
                                        environ={}))
    with db.connect() as held:
        held.exec_driver_sql("SELECT 1")
        with pytest.raises(PoolTimeout), db.connect():
            pass
    db.dispose()
