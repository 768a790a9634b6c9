"""Changing rows the database keeps append-only (migration 0009), as a test that simulates tampering or the
passing of time must: by lifting the guard for one statement, the way the database's owner would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection


@contextmanager
def guard_lifted(conn: Connection, table: str) -> Iterator[None]:
    """Within ``conn``'s transaction, let ``table`` be updated, then guard it again.

    PostgreSQL disables and re-enables the trigger; SQLite has no such switch, so its triggers are dropped
    and re-created from the SQL it keeps for them.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        return
    saved = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
    ).all()
    assert saved, f"{table} has no append-only guard to lift"
    for name, _sql in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in saved:
            conn.exec_driver_sql(sql)
