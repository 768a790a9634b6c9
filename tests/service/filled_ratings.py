"""A migrated PostgreSQL database filled by one SQL statement, analysed, for tests that read query plans."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, create_engine

from service.records import migrate
from service.records.database import database_url


def filled_database(postgres_url: str, fill_sql: str, table: str = "ratings") -> Iterator[Engine]:
    """Migrate, run ``fill_sql``, ANALYZE ``table`` (the planner's statistics), yield the engine, then dispose
    of it."""
    engine = create_engine(database_url(postgres_url))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(fill_sql)
        conn.exec_driver_sql(f"ANALYZE {table}")
    yield engine
    engine.dispose()
