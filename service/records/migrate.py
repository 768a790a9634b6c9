"""Running the Alembic migrations programmatically (``greenrate db upgrade``, ``make run``, the tests)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An in-memory Alembic config pointing at the packaged migrations (no alembic.ini to lose)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(db: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction per backend's rules."""
    cfg = alembic_config()
    with db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(db: Engine, revision: str) -> None:
    cfg = alembic_config()
    with db.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current_revision(db: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with db.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The revision this code's tables need (read once: the migrations ship with the code)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_problem(db: Engine) -> str | None:
    """Why this database's schema cannot serve this code, or ``None`` when it is at the head revision.

    A database that was never migrated, or is at another revision (behind, or migrated by a newer release),
    answers every query with errors that look like an outage (SQLite's "no such table" is an
    ``OperationalError``); readiness and start-up say what is actually wrong, and how to fix it. Connection
    errors propagate: they are outages, reported as such by the caller.
    """
    try:
        with db.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        if exc.connection_invalidated or not _missing_table(exc):
            raise
        current = None
    head = head_revision()
    if current == head:
        return None
    if current is None:
        return f"the database has no greenrate tables: run `greenrate db upgrade` (to revision {head})"
    return f"the database schema is at revision {current}, this code needs {head}: run `greenrate db upgrade`"


def _missing_table(exc: DBAPIError) -> bool:
    """Whether the query failed because ``alembic_version`` does not exist (not because of the connection)."""
    message = str(exc.orig).lower()
    return "alembic_version" in message and ("no such table" in message or "does not exist" in message)
