"""The SQLAlchemy engine: SQLite by default, PostgreSQL through ``GREENRATE_DATABASE_URL``.

One pooled engine per process (gunicorn worker); requests borrow a connection for the one statement or
transaction they need and give it back. Short connect and statement timeouts turn a dead or hung
database into a quick 503 with ``Retry-After`` instead of a worker stuck until gunicorn kills it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    create_engine,
    event,
    exc,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, ExceptionContext, make_url

from service.config.settings import Settings
from service.records import tables
from service.records.tables import schema_compatibility


class DatabaseUnavailable(exc.OperationalError):
    """An error the driver classes otherwise, but which means the database cannot take the statement now.

    A server that became read-only (a standby after a failover, or ``default_transaction_read_only`` set
    while a disk fills) refuses every write with SQLSTATE 25006, which psycopg raises as an
    ``InternalError``: the service answered 500, a bug, where it is an outage that retrying after it ends
    mends. :func:`create_db_engine` raises this ``OperationalError`` in its place, so the handlers of
    :data:`UNAVAILABLE_ERRORS` answer 503 with ``Retry-After``.
    """


#: Errors that mean "the database cannot be reached, answered too slowly or cannot take writes now", not
#: "a bug": 503. A full disk (53100) and the other resource errors of class 53 are ``OperationalError``s
#: already; a read-only server's 25006 becomes one (:class:`DatabaseUnavailable`).
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)

#: SQLSTATEs of an unavailable database that the driver raises as another class than OperationalError.
_UNAVAILABLE_SQLSTATES = frozenset({"25006"})  # read_only_sql_transaction


#: How SQLite ("no such table", "no such column", "table t has no column named c") and PostgreSQL
#: ("relation ... does not exist", "column ... does not exist") say the schema is not this code's.
_SCHEMA_BEHIND = ("no such table", "no such column", "has no column named", "does not exist")


def schema_behind(error: BaseException) -> bool:
    """Whether a database error says a table or column this code needs is missing: the database is at
    another revision (deployed before `greenrate db upgrade`, or taken down), not down or slow."""
    return isinstance(error, exc.DBAPIError) and any(words in str(error) for words in _SCHEMA_BEHIND)


def count_ratings_where(db: Engine, condition: ColumnElement[bool]) -> int | None:
    """How many ratings meet ``condition``; ``None`` where the schema lacks a column it reads (a database
    at an earlier migration) or the ratings table itself. One scan: for a command, never a request (what
    ``greenrate db upgrade`` and ``downgrade`` say of the ratings a migration adds to or takes from)."""
    query = select(func.count()).select_from(tables.ratings).where(condition)
    try:
        with db.connect() as conn:
            return int(conn.execute(query).scalar_one())
    except exc.SQLAlchemyError:
        return None


#: The largest value an ``Integer`` id column holds: 64-bit in SQLite, 32-bit on PostgreSQL. A page cursor
#: beyond it cannot follow any id, and binding it fails (OverflowError, DataError) instead of matching
#: nothing.
_LARGEST_ID = {"sqlite": 2**63 - 1}
_LARGEST_ID_DEFAULT = 2**31 - 1


def largest_id(db: Engine) -> int:
    """The largest id an ``Integer`` id column of ``db`` can hold (:data:`_LARGEST_ID`)."""
    return _LARGEST_ID.get(db.dialect.name, _LARGEST_ID_DEFAULT)


def as_utc(moment: datetime) -> datetime:
    """A stored moment as an aware UTC datetime.

    SQLite hands back naive ones (every stored moment is UTC); PostgreSQL aware ones in the session's time
    zone, which :func:`create_db_engine` pins to UTC, but an aware moment in any other zone is converted
    too rather than passed on with its offset (a ``+08:00`` in an API that says ``Z`` everywhere else).
    """
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def database_url(raw: str) -> URL:
    """Parse the URL; plain ``postgresql://`` means psycopg 3, the driver this project ships."""
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


#: libpq's TCP keepalive and user timeout (PostgreSQL): a server cut off by a network partition, or whose
#: host died, sends no reset, and a session waiting for its answer waited until gunicorn killed the worker
#: (an HTML 500) or, for a pooled idle session, until its next use failed. The kernel now probes a session
#: idle for 10 s every 5 s and drops it after 3 unanswered probes, or once data sent has gone unacknowledged
#: for 25 s: the request fails with an OperationalError (503), below gunicorn's 30 s worker timeout.
TCP_KEEPALIVE: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 25_000,  # milliseconds
}


def create_db_engine(
    settings: Settings, *, statement_timeout_seconds: int | None = None, application_name: str = "greenrate"
) -> Engine:
    """A pooled engine for the configured database, with timeouts from the settings.

    :param statement_timeout_seconds: PostgreSQL's statement timeout for this engine's sessions (0: none)
        instead of ``GREENRATE_DATABASE_TIMEOUT_SECONDS``, which still bounds connecting and waiting for a
        pooled connection: the commands' audit queries (``GREENRATE_DATABASE_COMMAND_TIMEOUT_SECONDS``).
    :param application_name: how its sessions show in ``pg_stat_activity`` and the server's log (the web
        workers ``greenrate``, the commands and the portfolio workers their own), so that a DBA can tell
        whose query holds a lock. A value given in the URL's query (``?application_name=``), like the
        keepalive settings, is kept.
    """
    url = database_url(settings.database_url)
    timeout = settings.database_timeout_seconds
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout)
    statement_timeout = timeout if statement_timeout_seconds is None else statement_timeout_seconds
    connect_args: dict[str, Any] = {
        "connect_timeout": max(timeout, 2),  # libpq ignores values below 2 seconds
        # The session's time zone is pinned: timestamptz values come back in it, and a server or role
        # default (or PGTZ) of Asia/Shanghai had made /v1/models answer +08:00 where ratings say Z.
        "options": f"-c statement_timeout={statement_timeout * 1000} -c timezone=UTC",
    }
    defaults: dict[str, Any] = {"application_name": application_name, **TCP_KEEPALIVE}
    connect_args.update({name: value for name, value in defaults.items() if name not in url.query})
    engine = create_engine(
        url,
        # An error's message must not carry the statement's values (a key's hash, a business's operating
        # data) into the error log.
        hide_parameters=True,
        # As many connections as the worker serves requests at once (GREENRATE_DATABASE_POOL_SIZE, by
        # default GREENRATE_THREADS), and never more: the overflow had let each sync worker, which serves
        # one request at a time, hold up to 10, so 9 workers could ask a server of max_connections 100
        # for 90. A request that finds them all busy waits up to the timeout, then answers 503.
        pool_size=settings.database_pool_size,
        max_overflow=0,
        pool_timeout=timeout,
        pool_pre_ping=True,  # a restarted server costs one failed checkout, not one failed request
        pool_recycle=1800,
        connect_args=connect_args,
    )
    event.listen(engine, "handle_error", _as_unavailable, retval=True)
    # A server that stops answering cancels nothing: each session gives it up past its statement timeout
    # (service.records.answers). A dialect event: no per-statement dispatch.
    from service.records.answers import connector

    event.listen(engine, "do_connect", connector(statement_timeout))
    return engine


def _as_unavailable(context: ExceptionContext) -> BaseException | None:
    """Raise :class:`DatabaseUnavailable` for an outage the driver classes as another error."""
    original = context.original_exception
    if getattr(original, "sqlstate", None) not in _UNAVAILABLE_SQLSTATES:
        return None
    if isinstance(context.sqlalchemy_exception, exc.OperationalError):
        return None
    return DatabaseUnavailable(context.statement, None, original, hide_parameters=True)


def _sqlite_engine(url: URL, timeout: int) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, hide_parameters=True, connect_args={"timeout": timeout, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets several gunicorn workers read while one writes; foreign keys are off by default.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout * 1000}")
        cursor.close()

    return engine


def encoding_problem(conn: Connection) -> str | None:
    """Why this PostgreSQL database cannot hold what the service stores, or ``None`` (SQLite: always).

    Ratings, company names and labels are Unicode (Chinese place names, an emoji in a shop's name); a
    database created in another encoding (EUC_CN, SQL_ASCII, LATIN1) refuses or mangles what it cannot
    encode: one in EUC_CN answered 500 for an emoji in a name (DBA review). It cannot be changed in place.
    """
    if conn.dialect.name != "postgresql":
        return None
    encoding = conn.exec_driver_sql("SHOW server_encoding").scalar()
    if encoding == "UTF8":
        return None
    return (
        f"the database's encoding is {encoding}, not UTF8: it cannot store every rating, name and label "
        "(emoji, Chinese beyond its set); create a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8' "
        "TEMPLATE template0) and restore into it"
    )


@dataclass(frozen=True)
class Compatibility:
    """Which code can serve the schema at ``revision``: that of ``oldest_compatible`` and of every revision
    after it up to ``revision``; ``history`` is every revision from the first, oldest first (what code that
    cannot read the newer release's migrations needs to place its own revision)."""

    revision: str
    oldest_compatible: str
    history: tuple[str, ...]

    def serves(self, revision: str) -> bool:
        """Whether the code of ``revision`` can serve this schema."""
        return revision in self.history[self.history.index(self.oldest_compatible):]


def recorded_compatibility(conn: Connection) -> Compatibility | None:
    """The row the migration runner wrote with the last migration, or ``None`` (a database below 0012,
    or migrated some other way than ``greenrate db upgrade``)."""
    if not inspect(conn).has_table(schema_compatibility.name):
        return None
    t = schema_compatibility
    row = conn.execute(select(t.c.revision, t.c.oldest_compatible, t.c.history)).first()
    if row is None:
        return None
    history = tuple(row.history.split())
    if row.oldest_compatible not in history:  # not as the runner writes it: trust none of it
        return None
    return Compatibility(row.revision, row.oldest_compatible, history)


@dataclass(frozen=True)
class SchemaStatus:
    """Whether this code can serve the database: ``problem`` says why not (``None``: it can), and
    ``newer`` says so when it serves a schema a newer release migrated, which it knows compatible."""

    problem: str | None = None
    newer: str | None = None


def schema_status(db: Engine) -> SchemaStatus:
    """Whether this code can serve this database's schema, and if not why, and how to fix it.

    A database never migrated, or behind :data:`~service.records.tables.SCHEMA_REVISION`, answers queries
    with errors that look like an outage (SQLite's "no such table" is an ``OperationalError``): refused,
    naming the fix. A database a newer release migrated is served when the migration runner recorded that
    this code's revision can serve it (expand/contract: every migration since is additive, so a rolling
    deploy keeps the old release's workers serving while the new ones start), and refused otherwise. So is a
    PostgreSQL database in another encoding than UTF8 (:func:`encoding_problem`). Connection errors
    propagate: they are outages, reported as such by the caller.
    """
    ours = tables.SCHEMA_REVISION
    with db.connect() as conn:
        encoding = encoding_problem(conn)
        if encoding is not None:
            return SchemaStatus(problem=encoding)
        current = (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if inspect(conn).has_table("alembic_version")
            else None
        )
        recorded = None if current in (None, ours) else recorded_compatibility(conn)
    if current == ours:
        return SchemaStatus()
    if current is None:
        return SchemaStatus(
            problem=f"the database has no greenrate tables: run `greenrate db upgrade` (to {ours})"
        )
    if recorded is not None and recorded.revision == current and ours in recorded.history:
        if recorded.serves(ours):
            return SchemaStatus(
                newer=f"schema at revision {current}, migrated by a newer release, which this code "
                f"(revision {ours}) can serve: the oldest revision whose code can is "
                f"{recorded.oldest_compatible}"
            )
        return SchemaStatus(
            problem=f"the database schema is at revision {current}, migrated by a newer release; code at "
            f"revision {ours} cannot serve it (the oldest revision whose code can is "
            f"{recorded.oldest_compatible}): replace these workers with that release's, or go back down "
            f"with that release (`greenrate db downgrade {ours}`)"
        )
    return SchemaStatus(
        problem=f"the database schema is at revision {current}, this code needs {ours}: "
        "run `greenrate db upgrade`"
    )
