"""Alembic environment: run by ``greenrate db upgrade`` (service.records.migrate), never by hand-written SQL.

The caller hands over an open connection in ``config.attributes["connection"]``, outside any transaction,
so migrations use the same URL parsing and driver as the service itself (and the session settings and
migration lock :func:`service.records.migrate.upgrade` gives the connection).

Each migration runs in a transaction of its own: a lock an ALTER TABLE takes is held until its own
migration commits, not until the last pending one has, and a migration may build an index outside any
transaction (``CREATE INDEX CONCURRENTLY`` in ``autocommit_block``; see the README beside this file).
After each one, in its transaction, the runner records which releases' code can serve the schema it
leaves (:func:`service.records.migrate.record_compatibility`).
"""

from __future__ import annotations

from alembic import context

from service.records.migrate import record_compatibility
from service.records.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `greenrate db upgrade`, which provides the connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    transaction_per_migration=True,
    # in each migration's transaction: which releases' code can serve the schema it leaves (rolling deploys)
    on_version_apply=record_compatibility,
)
with context.begin_transaction():
    context.run_migrations()
