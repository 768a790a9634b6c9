"""Alembic environment: run by ``greenrate db upgrade`` (service.records.migrate), never by hand-written SQL.

The caller hands over an open connection in ``config.attributes["connection"]``, so migrations use the
same URL parsing, driver and timeouts as the service itself.
"""

from __future__ import annotations

from alembic import context

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
)
with context.begin_transaction():
    context.run_migrations()
