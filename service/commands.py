"""What every ``greenrate`` command shares: its settings and its database, their failures as one line.

A command is a short process (in tests, one call of many in a process), so its database pool is closed when
it ends; a bad setting is one line naming the variable, and a database error is said by its cause
(:func:`database_failure`, raised as one line by :func:`database_error`): :data:`MIGRATE_HINT` ends a
message about a database that may not be migrated yet, and only such a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from service.config import load_settings
from service.config.settings import Settings
from service.config.values import ConfigError
from service.instance import left_in_working_directory
from service.records.database import create_db_engine, schema_behind

MIGRATE_HINT = "has `greenrate db upgrade` run?"

#: PostgreSQL's SQLSTATEs of a statement cancelled (by the statement timeout, or by hand) and of a lock
#: not granted within ``lock_timeout``.
_QUERY_CANCELED = "57014"
_LOCK_NOT_AVAILABLE = "55P03"


def command_settings() -> Settings:
    """The ``GREENRATE_`` settings, or the command stops with the offending variable named; a warning on
    stderr when ``./instance`` holds a database or secret the command no longer reads there
    (:mod:`service.instance`)."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    warning = left_in_working_directory(settings)
    if warning:
        click.echo(f"warning: {warning}", err=True)
    return settings


@contextmanager
def database(settings: Settings | None = None) -> Iterator[Engine]:
    """The configured database for one command, its pool closed when the command ends.

    Its statements have the commands' own timeout (``GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS``, 10
    minutes by default), not the service's few seconds: `greenrate model drift` and `ratings verify
    --sample` over millions of ratings were cancelled after 3 s, and said to check the migrations.
    """
    settings = settings or command_settings()
    engine = create_db_engine(
        settings,
        statement_timeout_seconds=settings.database_command_timeout_seconds,
        application_name="greenrate-cli",
    )
    try:
        yield engine
    finally:
        engine.dispose()


def database_failure(exc: SQLAlchemyError) -> str:
    """A database error as a command says it: its type and its real cause.

    A statement cancelled by the statement timeout names the setting to raise; a lock not granted says a
    session holds the table; a missing table or column asks whether the migrations ran; anything else
    (the database down, a refusal) gives the driver's first line.
    """
    name = type(exc).__name__
    cause = getattr(exc, "orig", None)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == _QUERY_CANCELED and "statement timeout" in str(cause):
        seconds = _command_timeout()
        return (
            f"{name}: a statement ran past the commands' statement timeout ({seconds}); raise "
            "GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS for this run (0: none)"
        )
    if sqlstate == _LOCK_NOT_AVAILABLE:
        return f"{name}: a lock was not granted in time: another session holds the table; try again"
    if schema_behind(exc):
        return f"{name} ({MIGRATE_HINT})"
    first_line = next(iter(str(cause or "").strip().splitlines()), "")
    return f"{name}: {first_line}" if first_line else name


def database_error(exc: SQLAlchemyError) -> click.ClickException:
    """A database error as the one line a command stops with (``raise database_error(exc) from None``)."""
    return click.ClickException(f"database error: {database_failure(exc)}")


def _command_timeout() -> str:
    try:
        seconds = load_settings().database_command_timeout_seconds
    except ConfigError:
        return "GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS"
    return f"{seconds} s, GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS"
