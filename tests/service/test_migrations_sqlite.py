"""Migrations on SQLite from an empty database, and the migrated schema equals the declared tables."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from service.records import migrate
from service.records.tables import metadata


def assert_schema_matches_tables(db: Engine) -> None:
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], diff


def test_upgrade_from_empty_and_back(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert {"api_keys", "ratings"} <= set(inspect(db).get_table_names())
    assert_schema_matches_tables(db)
    migrate.downgrade(db, "base")
    assert set(inspect(db).get_table_names()) == {"alembic_version"}
    db.dispose()
