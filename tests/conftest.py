"""Shared fixtures: apps from the factory, API keys, a payload factory, and the live servers.

Every app gets its own SQLite file (copied from a migrated template, so migrations run once per session)
and the in-process cache unless a test asks for the live Redis/PostgreSQL fixtures. The rating engine is
loaded once per session and handed to each app's engine slot lazily, so tests that never rate never load it.
"""

from __future__ import annotations

import ast
import copy
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import structlog
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from rating_model import stale_compiled_modules
from service import create_app
from service.auth import generate_key
from service.engine_slot import EngineSlot
from service.extensions import Services
from service.records import api_keys, migrate
from tests.live_services import live_postgres_url, live_redis_url, redis_db_index  # noqa: F401 - fixtures

_SESSION_ENGINE: list[Any] = []
_PACKAGE = Path(__file__).resolve().parents[1] / "rating_model"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test stale compiled engine modules, and keep structlog from caching a module's logger."""
    _refuse_stale_compiled_modules()
    _loggers_not_cached(config)


def _refuse_stale_compiled_modules() -> None:
    """Refuse to test stale compiled engine modules (setup.py compiles them in place on install).

    Python imports ``inventory.cpython-311-*.so`` before ``inventory.py``: after an edit to the source,
    the tests would pass or fail on the old code. Stale means built from other content than the ``.py``
    (:func:`rating_model.stale_compiled_modules`, the check the package itself makes when imported), not
    an older modification time, which a checkout or a copy changes without changing the code.
    """
    stale = stale_compiled_modules()
    if stale:
        names = ", ".join(f"{name}.py" for name in stale)
        pytest.exit(f"rating_model/{names} changed after it was compiled: run `make install-test` "
                    "(or install with RATING_MODEL_NO_EXTENSIONS=1 for plain Python)", returncode=4)


def _loggers_not_cached(config: pytest.Config) -> None:
    """structlog configured as the service configures it, but without binding a module's logger for good at
    its first use, from before collection to the end of the session.

    A module's logger bound at its first use keeps the level filter and processors configured then
    (``capture_logs`` only swaps the processors of the configuration current when it starts): after a first
    use under an app configured at a higher level, a later test in the same worker that captured the
    module's warnings saw none of them, and which files shared a worker decided (CI failed
    test_unsigned_ratings and test_merchant_page_logs so; reproduced with a first use under an app at
    ``LOG_LEVEL=ERROR``). The patch is made here, not in a session fixture, because test modules build apps
    at collection, before any fixture runs, and a logger first used then was cached all the same (CI at
    92b4184). The service keeps the cache: a process has one app and one configuration."""
    configure = structlog.configure

    def uncached(*args: Any, **kwargs: Any) -> None:
        configure(*args, **{**kwargs, "cache_logger_on_first_use": False})

    structlog.configure = uncached
    config.add_cleanup(lambda: setattr(structlog, "configure", configure))


def _compiled_modules() -> frozenset[str]:
    """The ``rating_model`` modules setup.py compiles (its ``COMPILED`` tuple, read without running it)."""
    tree = ast.parse((_PACKAGE.parent / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "COMPILED" for t in node.targets):
            return frozenset(f"rating_model.{name}" for name in ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED tuple")


COMPILED_MODULES = _compiled_modules()


class _GuardedMonkeyPatch(pytest.MonkeyPatch):
    """``monkeypatch`` that refuses to patch a module mypyc compiles, or a class defined in one.

    A compiled module's calls to its own functions (and to the other compiled modules) are bound at build
    time: a patched global is never called by them, and a test that patches one silently compares the code
    with itself. Pass the replacement as a parameter instead (as ``improvements.improvements`` takes
    ``search``).
    """

    def setattr(self, target: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(target, str):
            owner = target.rsplit(".", 1)[0]
        elif isinstance(target, type):
            owner = target.__module__
        else:
            owner = target.__name__ if isinstance(target, ModuleType) else ""
        if owner in COMPILED_MODULES:
            pytest.fail(f"monkeypatch.setattr on {owner}, which setup.py compiles with mypyc: the compiled "
                        "code never calls the replacement; pass it as a parameter instead", pytrace=False)
        super().setattr(target, *args, **kwargs)


@pytest.fixture
def monkeypatch() -> Iterator[pytest.MonkeyPatch]:
    """pytest's ``monkeypatch``, refusing what the compiled engine ignores (:class:`_GuardedMonkeyPatch`)."""
    patcher = _GuardedMonkeyPatch()
    yield patcher
    patcher.undo()


def session_engine() -> Any:
    """The default rating engine, loaded at most once per test session."""
    if not _SESSION_ENGINE:
        from rating_model.engine import Engine

        _SESSION_ENGINE.append(Engine.load())
    return _SESSION_ENGINE[0]


def batch_agrees_with_api(cell: Any, body: dict[str, Any], name: str, path: tuple[str, ...]) -> bool:
    """Whether a batch result column's cell says what the rating ``body`` of ``POST /v1/ratings`` says at
    ``path``: the same value, but for the two columns that say more (docs/batch-and-spark.md). Scope 3 is
    empty where no category has data (the API: 0 with ``categories_included`` empty), and the attribution
    factor has 12 significant figures where the API rounds to 6 decimals. ``missing`` is the API's list
    comma-separated, empty for none."""
    value: Any = body
    for key in path:
        value = None if value is None else value[key]
    if name == "scope3_tco2e" and not body["emissions"]["scope3"]["categories_included"]:
        return cell is None and value == 0.0
    if name == "attribution_factor" and cell is not None and value is not None:
        return bool(round(cell, 6) == value)
    if name == "missing":  # the API's list, comma-separated (empty for none)
        return bool(cell == (",".join(value) or None))
    return bool(cell == value)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GREENRATE_ variable of the developer's shell leaks into a test's app."""
    for name in list(os.environ):
        if name.startswith("GREENRATE_") or name == "PROMETHEUS_MULTIPROC_DIR":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database to copy for each app."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    db = create_engine(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(tmp_path: Path, sqlite_template: Path) -> Iterator[AppFactory]:
    """Build apps: ``make_app(RATE_LIMIT="5 per minute", ...)``; SQLite + in-process cache by default."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        config: dict[str, Any] = {"TESTING": True, "KEY_CACHE_SECONDS": 0.0, "ACCESS_LOG": False}
        if "DATABASE_URL" not in overrides:
            db_file = tmp_path / f"app{len(made)}.sqlite3"
            shutil.copyfile(sqlite_template, db_file)
            config["DATABASE_URL"] = f"sqlite:///{db_file}"
        config.update(overrides)
        app = create_app(config)
        app.extensions["greenrate"].engines = EngineSlot(loader=session_engine)
        made.append(app)
        return app

    yield factory
    for app in made:
        services_of(app).db.dispose()


def services_of(app: Flask) -> Services:
    return app.extensions["greenrate"]  # type: ignore[no-any-return]


def create_key(app: Flask, tenant: str = "bank-a", role: str = "bank", merchant_id: str | None = None) -> str:
    """A new API key stored in the app's database; returns the secret."""
    new = generate_key()
    api_keys.insert_key(
        services_of(app).db,
        prefix=new.prefix,
        key_hash=new.key_hash,
        tenant=tenant,
        role=role,
        merchant_id=merchant_id,
    )
    return new.key


def insert_keys(db: Any, tenant: str, roles: tuple[str, ...]) -> dict[str, str]:
    """One new key per role for ``tenant`` straight into a database (for servers started outside pytest)."""
    keys = {}
    for role in roles:
        new = generate_key()
        api_keys.insert_key(db, prefix=new.prefix, key_hash=new.key_hash, tenant=tenant, role=role)
        keys[role] = new.key
    return keys


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def bank_key(app: Flask) -> str:
    return create_key(app, "bank-a", "bank")


BASE_PAYLOAD: dict[str, Any] = {
    "company": {
        "name": "Hangzhou Green Noodle House",
        "country": "CN",
        "region": "CN-ZJ",
        "industry_code": "5610",
        "employees": 12,
        "annual_revenue": 3_200_000,
        "currency": "CNY",
        "reporting_year": 2024,
        "floor_area_m2": 180,
        "external_id": "loan-0001",
    },
    "energy": {
        "electricity_kwh": 42_000,
        "fuels": [{"fuel": "natural_gas", "quantity": 5200, "unit": "m3"}],
    },
    "practices": {"led_lighting": True, "e_invoicing": True},
    "data_source": "energy_bills",
}


def payload(**company_overrides: Any) -> dict[str, Any]:
    """A valid rating request; keyword arguments override company fields."""
    body = copy.deepcopy(BASE_PAYLOAD)
    body["company"].update(company_overrides)
    return body


@pytest.fixture
def redis_url(live_redis_url: str) -> Iterator[str]:  # noqa: F811 - the fixture from live_services
    """The live Redis test database (``TEST_REDIS_URL``'s, else 15), flushed before and after the test.

    The URL must name its database index: ``flushdb`` on a URL without one would empty database 0, where a
    machine's own Redis keeps its data.
    """
    import redis

    redis_db_index(live_redis_url)  # fails unless the URL names a database
    client = redis.Redis.from_url(live_redis_url)
    client.flushdb()
    yield live_redis_url
    client.flushdb()
    client.close()


@pytest.fixture
def postgres_url(live_postgres_url: str) -> Iterator[str]:  # noqa: F811
    """This session's PostgreSQL database, emptied (schema dropped) before the test."""
    db = create_engine(live_postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with db.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    db.dispose()
    yield live_postgres_url
