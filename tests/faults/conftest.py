"""Fixtures the fault tests share: a Redis of their own to kill, the test database reached directly (past
any proxy) and a cuttable proxy in front of it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, create_engine

from service.records import migrate
from service.records.database import database_url
from tests.faults.servers import CuttableProxy, OwnRedis
from tests.live_services import free_port


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    """A redis-server on a free port, killed at the end: a test may kill and restart it."""
    server = OwnRedis(free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def direct(postgres_url: str) -> Iterator[Engine]:
    """The test database, migrated, reached without the proxy: what was really written."""
    engine = create_engine(database_url(postgres_url))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[CuttableProxy]:
    """A proxy in front of the test database that a test can cut or hold."""
    parts = urlsplit(postgres_url)
    server = CuttableProxy(parts.port or 5432, parts.hostname or "127.0.0.1")
    yield server
    server.close()
