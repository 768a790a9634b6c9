"""A PostgreSQL database in another encoding than UTF8 is refused by name, not served until an emoji fails.

A DBA review: a database created in EUC_CN migrated and served, and answered 500 for a shop whose name
had an emoji (EUC_CN cannot hold it). Readiness now says what is wrong, and `greenrate db upgrade` refuses
to migrate such a database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from click.testing import CliRunner

from service.cli import main
from tests.conftest import AppFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def euc_cn_url(live_postgres_url: str) -> Iterator[str]:
    """A database of this test session's own in EUC_CN (named like the session's, so a dead session's copy
    is dropped by the next one), dropped at the end."""
    server, _ = live_postgres_url.rsplit("/", 1)
    name = f"greenrate_test_euc_cn_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'EUC_CN' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
        )
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_readiness_refuses_a_database_not_in_utf8(make_app: AppFactory, euc_cn_url: str) -> None:
    from service.records import migrate
    from tests.conftest import services_of

    app = make_app(DATABASE_URL=euc_cn_url)
    migrate.upgrade(services_of(app).db)  # at this code's revision: only the encoding is wrong
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    (detail,) = response.get_json()["errors"]["database"]
    assert detail.startswith("the database's encoding is EUC_CN, not UTF8") and "ENCODING 'UTF8'" in detail


def test_db_upgrade_refuses_a_database_not_in_utf8(euc_cn_url: str) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"GREENRATE_DATABASE_URL": euc_cn_url})
    assert result.exit_code == 1
    assert "migration refused: the database's encoding is EUC_CN, not UTF8" in result.output
    with psycopg.connect(euc_cn_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)
