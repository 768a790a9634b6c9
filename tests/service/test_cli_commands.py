"""The ``greenrate`` command: migrations and API keys against the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect

from service import create_app
from service.cli import main
from service.records import migrate
from tests.conftest import bearer


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"GREENRATE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_db_upgrade_from_nothing(env: dict[str, str]) -> None:
    result = run(env, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"revision {migrate.head_revision()}" in result.output
    db = create_engine(env["GREENRATE_DATABASE_URL"])
    assert {"api_keys", "ratings", "alembic_version"} <= set(inspect(db).get_table_names())
    assert run(env, "db", "upgrade").exit_code == 0  # idempotent
    assert f"current: {migrate.head_revision()}" in run(env, "db", "current").output
    assert run(env, "db", "downgrade", "base").exit_code == 0
    assert set(inspect(db).get_table_names()) == {"alembic_version"}


def test_keys_create_prints_the_key_alone_on_the_last_line_and_it_works(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    result = run(env, "keys", "create", "--tenant", "bank-a", "--role", "bank", "--label", "ops")
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("gr_") and " " not in key
    app = create_app({"TESTING": True, "DATABASE_URL": env["GREENRATE_DATABASE_URL"], "ACCESS_LOG": False})
    assert app.test_client().get("/v1/ratings", headers=bearer(key)).status_code == 200

    listing = run(env, "keys", "list").output
    assert key[:11] in listing and key not in listing and "bank-a" in listing

    assert run(env, "keys", "revoke", key[:11]).output.strip() == "revoked 1 key(s)"
    assert key[:11] not in run(env, "keys", "list").output
    assert key[:11] in run(env, "keys", "list", "--all").output
    assert run(env, "keys", "revoke", key[:11]).exit_code == 1


def test_merchant_keys_need_a_merchant_id(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    assert run(env, "keys", "create", "--tenant", "t", "--role", "merchant").exit_code == 2
    assert run(env, "keys", "create", "--tenant", "t", "--role", "bank", "--merchant-id", "m").exit_code == 2
    ok = run(env, "keys", "create", "--tenant", "t", "--role", "merchant", "--merchant-id", "shop-1")
    assert ok.exit_code == 0
    assert "shop-1" in run(env, "keys", "list", "--tenant", "t").output


@pytest.mark.parametrize(
    "args",
    [
        ("--tenant", "Bank A", "--role", "bank"),
        ("--tenant", "b", "--role", "root"),
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "shop 1"),
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "shop\u200b1"),  # zero-width space
        ("--tenant", "b", "--role", "merchant", "--merchant-id", "m" * 65),
    ],
)
def test_bad_key_arguments(env: dict[str, str], args: tuple[str, ...]) -> None:
    run(env, "db", "upgrade")
    assert run(env, "keys", "create", *args).exit_code == 2


def test_keys_before_migrations_say_so(env: dict[str, str]) -> None:
    result = run(env, "keys", "list")
    assert result.exit_code == 1 and "greenrate db upgrade" in result.output


def test_bad_configuration_is_a_clean_error(env: dict[str, str]) -> None:
    result = run({"GREENRATE_DATABASE_URL": "mysql://nope"}, "keys", "list")
    assert result.exit_code == 1 and "GREENRATE_DATABASE_URL" in result.output


def test_worker_explains_an_unreachable_redis(env: dict[str, str]) -> None:
    result = run({**env, "GREENRATE_REDIS_URL": "redis://127.0.0.1:1/0"}, "worker", "--burst")
    assert result.exit_code == 1 and "cannot reach the Redis of GREENRATE_REDIS_URL" in result.output
    assert "Traceback" not in result.output
