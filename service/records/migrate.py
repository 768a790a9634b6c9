"""Running the Alembic migrations programmatically (``greenrate db upgrade``, ``make run``, the tests)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An in-memory Alembic config pointing at the packaged migrations (no alembic.ini to lose)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _without_statement_timeout(conn: Connection) -> None:
    """Lift the service's statement timeout for this migration's transaction (PostgreSQL).

    ``GREENRATE_DATABASE_TIMEOUT_SECONDS`` bounds a request's queries (3 s by default, 60 at most), and
    every connection of the engine carries it: an index built on a table of three million ratings was
    cancelled after 3 s, so no setting could migrate a real-sized database, and a container that migrates
    before it serves never started (operations review). ``SET LOCAL`` ends with the transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL statement_timeout = 0"))


def upgrade(db: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` in one transaction per backend's rules."""
    cfg = alembic_config()
    with db.begin() as conn:
        _without_statement_timeout(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(db: Engine, revision: str) -> None:
    cfg = alembic_config()
    with db.begin() as conn:
        _without_statement_timeout(conn)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


#: The revision that creates each table: a downgrade below it drops the table and every row in it
#: (tests/service/test_migrations_sqlite.py holds this to what the migrations do).
TABLES_CREATED_IN: Mapping[str, str] = {
    "api_keys": "0001_initial",
    "ratings": "0001_initial",
    "models": "0002",
    "active_model": "0002",
    "model_events": "0002",
    "merchant_profiles": "0003",
    "portfolio_jobs": "0004",
    "model_comparisons": "0010",
}


def tables_dropped_by(revision: str) -> list[str]:
    """The tables a downgrade from the head to ``revision`` (``base`` or a resolved id) drops."""
    script = ScriptDirectory.from_config(alembic_config())
    kept = set() if revision == "base" else {r.revision for r in script.iterate_revisions(revision, "base")}
    return [table for table, created in TABLES_CREATED_IN.items() if created not in kept]


def downgrade_target(db: Engine, revision: str) -> str | None:
    """The revision ``greenrate db downgrade REVISION`` reaches: ``base``, a named or prefixed revision,
    or ``-N`` steps down from the database's current one; ``None`` for anything else (it cannot be told
    what such a downgrade drops, so the command refuses it)."""
    if revision == "base":
        return "base"
    named = resolved_revision(revision)
    if named is not None:
        return named
    steps = re.fullmatch(r"-([0-9]+)", revision)
    if steps is None:
        return None
    script = ScriptDirectory.from_config(alembic_config())
    at = current_revision(db)
    for _ in range(int(steps.group(1))):
        if at is None:
            return None  # below base: Alembic refuses it too
        down = script.get_revision(at).down_revision
        at = down if isinstance(down, str) or down is None else None
    return "base" if at is None else at


def rows_in(db: Engine, tables: list[str]) -> dict[str, int]:
    """How many rows each of ``tables`` holds, for those that exist."""
    present = set(inspect(db).get_table_names())
    with db.connect() as conn:
        # table names from the caller's own list (present in the schema), never from a request
        return {
            table: int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
            for table in tables
            if table in present
        }


def current_revision(db: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with db.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def resolved_revision(revision: str) -> str | None:
    """The full id of ``revision`` as Alembic reads it (``head``, an id or a unique prefix), or ``None`` for
    a relative or unknown one."""
    try:
        found = ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several types for what it cannot resolve
        return None
    return None if found is None or isinstance(found, tuple) else str(found.revision)


@functools.cache
def head_revision() -> str | None:
    """The revision this code's tables need (read once: the migrations ship with the code)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
