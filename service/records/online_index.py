"""Building and dropping indexes in migrations without stopping the table's writers (PostgreSQL).

A plain ``CREATE INDEX`` holds a SHARE lock on its table while it builds: every INSERT waits for the whole
build (minutes on millions of ratings), and every query queued behind a waiting INSERT with it.
``CREATE INDEX CONCURRENTLY`` takes a lock that reads and writes do not wait for, at the price of running
outside a transaction (Alembic's ``autocommit_block``, which commits what the migration did before it) and of
leaving an INVALID index behind when it fails. So every new index of a migration goes through
:func:`create_index`, which rebuilds such a leftover; SQLite builds it as ``op.create_index`` does. Only
migrations import this module (it imports Alembic, which web workers never load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alembic import op
from sqlalchemy import text

_INVALID = text(
    "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE c.relname = :name AND c.relnamespace = current_schema()::regnamespace"
)


def create_index(name: str, table: str, columns: Sequence[str], **kw: Any) -> None:
    """``op.create_index``; on PostgreSQL ``CONCURRENTLY``, outside the migration's transaction.

    The build waits for every transaction that could still see the table without its index, however
    long (none of them waits for it): the migration's ``lock_timeout`` is lifted for it, since giving up
    would only leave an invalid index to build again. It is idempotent (an index left valid by an earlier
    attempt is kept, an invalid one dropped and built again), because what ran outside the transaction is
    not undone when the migration fails.
    """
    if op.get_context().dialect.name != "postgresql":
        op.create_index(name, table, list(columns), **kw)
        return
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        if bind.execute(_INVALID, {"name": name}).scalar():
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
        waited = bind.exec_driver_sql("SHOW lock_timeout").scalar()
        bind.exec_driver_sql("SET lock_timeout = 0")
        try:
            op.create_index(
                name, table, list(columns), postgresql_concurrently=True, if_not_exists=True, **kw
            )
        finally:
            bind.execute(text("SELECT set_config('lock_timeout', :value, false)"), {"value": waited})


def drop_index(name: str, table: str) -> None:
    """``op.drop_index``; on PostgreSQL ``CONCURRENTLY`` (it waits for the table's readers, and no query
    waits for it), and without failing when an earlier attempt dropped it already."""
    if op.get_context().dialect.name != "postgresql":
        op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
