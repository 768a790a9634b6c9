"""Fixtures the service tests share beyond tests/conftest.py."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.records import migrate
from tests.conftest import AppFactory, services_of

#: the two databases a records test runs on: SQLite always, this session's PostgreSQL when it is reachable
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


@pytest.fixture(params=BACKENDS)
def make_backend_app(request: pytest.FixtureRequest, make_app: AppFactory) -> AppFactory:
    """Apps on SQLite (a file each), or all on this session's PostgreSQL database, migrated."""
    if request.param == "sqlite":
        return make_app
    url = request.getfixturevalue("postgres_url")

    def factory(**overrides: Any) -> Flask:
        app = make_app(**{"DATABASE_URL": url, **overrides})
        migrate.upgrade(services_of(app).db)
        return app

    return factory
