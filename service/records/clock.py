"""The database's clock for the model governance records: one clock, whichever app host writes them.

A model's ``created_at``, ``active_model.activated_at``, an audit event's ``at`` and a recorded comparison's
``at`` had each been the writing host's ``datetime.now``: two app hosts whose clocks drift apart could date a
promotion before the comparison it rested on, and the promotion gate reads these moments (a comparison
counts only while its champion has been active since before it was recorded, and for
``GREENRATE_MODEL_COMPARISON_VALID_DAYS``). The moment is now taken by the statement that writes it, from
the database's clock, and handed back with ``RETURNING``; the gate asks the same clock for "now".

No column default was changed (no migration): a writer of an earlier release still sends its own clock,
which a server default would not have overridden, and on SQLite a changed default means rebuilding
``models`` and ``model_events``, which drops their append-only triggers (migration 0009). On SQLite the
database's clock is the clock of the host running the process, the only host that can write its file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from service.records.database import as_utc


class _DatabaseNow(FunctionElement[datetime]):
    """The database's current time, as each dialect says it (:func:`database_now`)."""

    type = DateTime(timezone=True)
    inherit_cache = True
    name = "database_now"


@compiles(_DatabaseNow)
def _now_standard(element: _DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(_DatabaseNow, "postgresql")
def _now_postgresql(element: _DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str:
    # the moment the value is computed, after the write's lock is taken; now() is the transaction's start
    return "clock_timestamp()"


@compiles(_DatabaseNow, "sqlite")
def _now_sqlite(element: _DatabaseNow, compiler: SQLCompiler, **kw: Any) -> str:
    # CURRENT_TIMESTAMP has whole seconds; %f gives milliseconds, padded to the six digits SQLAlchemy writes
    # (its DateTime text), so stored moments of both kinds compare as text in the order they happened
    return "strftime('%Y-%m-%d %H:%M:%f000', 'now')"


def database_now() -> _DatabaseNow:
    """The database's clock, as a value to write in an INSERT or UPDATE (read it back with RETURNING)."""
    return _DatabaseNow()


def database_time(conn: Connection) -> datetime:
    """What the database's clock reads now, as an aware UTC datetime."""
    return as_utc(conn.execute(select(database_now())).scalar_one())
