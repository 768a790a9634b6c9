"""What every ``greenrate`` command shares: its settings and its database, their failures as one line.

A command is a short process (in tests, one call of many in a process), so its database pool is closed when
it ends; a bad setting is one line naming the variable, and :data:`MIGRATE_HINT` ends every message about a
database that may not be migrated yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from service.config import ConfigError, Settings, load_settings
from service.records.database import create_db_engine

MIGRATE_HINT = "has `greenrate db upgrade` run?"


def command_settings() -> Settings:
    """The ``GREENRATE_`` settings, or the command stops with the offending variable named."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Engine]:
    """The configured database for one command, its pool closed when the command ends."""
    engine = create_db_engine(settings or command_settings())
    try:
        yield engine
    finally:
        engine.dispose()
