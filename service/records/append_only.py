"""Lifting the append-only guard of migration 0009 for one change, within the caller's transaction.

Issued ratings, model artifacts and the audit trail refuse UPDATE and DELETE in the database itself; a
change that must be made anyway (a court-ordered erasure) is the database owner's deliberate act, made in
one transaction that lifts the guard, changes the row and arms the guard again (docs/operations.md,
"Records that never change"). Other sessions never see the guard lifted: on PostgreSQL the trigger is
disabled by ``ALTER TABLE`` inside the transaction (its lock keeps other writers of the table out until the
commit, when the trigger is enabled again); SQLite's DDL is transactional too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

#: What a guard refuses: PostgreSQL has one trigger for both, SQLite one per operation.
OPERATIONS = ("UPDATE", "DELETE")


@contextmanager
def guard_lifted(conn: Connection, table: str, operations: tuple[str, ...] = OPERATIONS) -> Iterator[None]:
    """Within ``conn``'s transaction, let ``table`` take ``operations``, then guard it again.

    PostgreSQL disables and re-enables the table's one trigger (``{table}_append_only``; TRUNCATE stays
    refused by its own); SQLite has no such switch, so the triggers of ``operations`` alone are dropped and
    re-created from the SQL it keeps for them (an erasure leaves UPDATE refused throughout).
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
        return
    names = tuple(f"{table}_append_only_{operation.lower()}" for operation in operations)
    saved = [
        (name, sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).all()
        if name in names
    ]
    if len(saved) != len(names):
        raise LookupError(f"{table} lacks an append-only guard of {', '.join(operations)} (migration 0009)")
    for name, _sql in saved:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in saved:
            conn.exec_driver_sql(sql)
