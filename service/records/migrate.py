"""Running the Alembic migrations programmatically (``greenrate db upgrade``, ``make run``, the tests)."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, delete, insert, inspect, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from service.config.settings import DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS
from service.records.database import Compatibility
from service.records.tables import schema_compatibility

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """An in-memory Alembic config pointing at the packaged migrations (no alembic.ini to lose)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


#: The session-level advisory lock a migration run holds from before Alembic reads the database until it
#: is done (PostgreSQL): the image runs ``greenrate db upgrade`` as every container starts, and three
#: containers started at once on an empty database raced to create the same tables (two failed with
#: ``IntegrityError ... pg_type_typname_nsp_index``). 64 bits of a hash, as the issuing locks' keys are
#: (:func:`service.records.ratings._lock_key`), so the two never meet.
MIGRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(b"greenrate:migrations").digest()[:8], "big", signed=True)

#: How many times a migration that timed out waiting for a table's lock is tried before the run gives up.
LOCK_ATTEMPTS = 5

#: How often a run waiting for another one to finish tries the migration lock again.
_LOCK_POLL_SECONDS = 0.5

#: PostgreSQL's SQLSTATE for ``lock_timeout`` expiring (psycopg's ``LockNotAvailable``).
_LOCK_NOT_AVAILABLE = "55P03"

_log = logging.getLogger("greenrate.migrate")


class MigrationLockTimeout(RuntimeError):
    """A migration could not take a table's lock within the lock timeout, attempt after attempt."""


def _back_off(attempt: int) -> None:
    """Wait before the next attempt: 1, 2, 4, 8 ... s (at most 30), so a reader about to finish can."""
    time.sleep(min(2 ** (attempt - 1), 30))


def _say(message: str) -> None:
    _log.warning(message)


def _take_migration_lock(conn: Connection, say: Callable[[str], None]) -> None:
    """Take :data:`MIGRATION_LOCK_KEY`, trying every :data:`_LOCK_POLL_SECONDS` while another run holds it.

    Tries, not ``pg_advisory_lock``: a session waiting inside a statement (or any open transaction) is one
    that ``CREATE INDEX CONCURRENTLY`` waits for in turn, so the run building an index waited for the run
    waiting for it, until PostgreSQL cancelled one of them as a deadlock. Between tries this session is idle
    outside a transaction.
    """
    try_lock = text("SELECT pg_try_advisory_lock(:key)")
    told = False
    while True:
        taken = conn.execute(try_lock, {"key": MIGRATION_LOCK_KEY}).scalar()
        conn.commit()
        if taken:
            return
        if not told:
            say("another greenrate migration is running on this database: waiting for it to finish")
            told = True
        time.sleep(_LOCK_POLL_SECONDS)


@contextmanager
def _migration_session(
    db: Engine, lock_timeout_seconds: float, say: Callable[[str], None]
) -> Iterator[Connection]:
    """One connection for a whole migration run, outside any transaction (Alembic begins one per migration).

    On PostgreSQL it holds :data:`MIGRATION_LOCK_KEY`, so concurrent runs take turns (one waits, then finds
    the database migrated and does nothing), and carries session settings for the run: no statement
    timeout, nor the client's deadline on answers that follows it (:mod:`service.records.answers`)
    (``GREENRATE_DATABASE_TIMEOUT_SECONDS`` bounds a request's queries, and every connection of the engine
    carries it: an index built on three million ratings was cancelled after 3 s, operations review)
    and ``lock_timeout``, so that an ALTER TABLE queued behind a long reader gives up its place in the lock
    queue instead of holding every later query of the table behind it. The settings are reset and the lock
    released before the connection goes back to the pool; a connection that broke is discarded (its
    session, and so its lock, ended with it).
    """
    with db.connect() as conn:
        if conn.dialect.name != "postgresql":
            yield conn
            return
        from service.records.answers import answers_unbounded  # psycopg's: imported for PostgreSQL only

        conn.exec_driver_sql("SET statement_timeout = 0")
        with answers_unbounded(conn):  # nor does the client give up on an answer that takes long
            _take_migration_lock(conn, say)
            milliseconds = round(lock_timeout_seconds * 1000)
            conn.execute(text("SELECT set_config('lock_timeout', :value, false)"),
                         {"value": f"{milliseconds}ms"})
            # Alembic must find the connection outside a transaction to begin its own per migration
            conn.commit()
            try:
                yield conn
            finally:
                try:
                    conn.rollback()
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                    conn.exec_driver_sql("RESET lock_timeout")
                    conn.exec_driver_sql("RESET statement_timeout")  # the engine's own (connect options)
                    conn.commit()
                except SQLAlchemyError:
                    conn.invalidate()


def _lock_timed_out(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def _run(
    db: Engine,
    step: Callable[[Config, str], None],
    revision: str,
    *,
    lock_timeout_seconds: float,
    attempts: int,
    pause: Callable[[int], None],
    say: Callable[[str], None],
) -> None:
    """Run an Alembic command, trying again (from where it stopped) when a migration's lock wait timed out.

    Each migration commits on its own, so what was applied before the one that timed out stays applied,
    and the next attempt starts from there.
    """
    cfg = alembic_config()
    with _migration_session(db, lock_timeout_seconds, say) as conn:
        for attempt in range(1, attempts + 1):
            cfg.attributes["connection"] = conn
            try:
                step(cfg, revision)
                return
            except DBAPIError as exc:
                conn.rollback()
                if not _lock_timed_out(exc):
                    raise
                at = MigrationContext.configure(conn).get_current_revision()
                conn.rollback()
                waiting = (
                    f"the migration after revision {at or 'base'} waited {lock_timeout_seconds:g} s for a "
                    "lock on a table another session holds (a long query or an open transaction: see "
                    "pg_stat_activity) and gave it up, so that the queries queued behind it go on"
                )
                if attempt == attempts:
                    raise MigrationLockTimeout(
                        f"{waiting}; gave up after {attempts} attempts, the database is at revision "
                        f"{at or 'base'}. Run it again when the table is quieter, or raise "
                        "GREENRATE_MIGRATION_LOCK_TIMEOUT_SECONDS"
                    ) from exc
                say(f"{waiting}; trying again (attempt {attempt + 1} of {attempts})")
                pause(attempt)


#: What every migration must declare (a module-level ``bool``): whether the code that served the revision
#: before it keeps working on the schema it produces. True for an additive change (a new table, a nullable
#: column, an index): then whatever code served the revision before serves this one too. False for one that
#: drops, renames or changes what that code reads or writes, makes a write it issues fail, or gives a value
#: it ignores a meaning (service/migrations/README.md).
DECLARATION = "compatible_with_previous_code"

#: What a contracting migration may declare besides (a revision id): the oldest revision whose code serves
#: its schema, where that is not what the walk down the declarations finds. A column dropped in the release
#: after the one that stopped using it: the code of that release's revision serves the schema, the code
#: before it (which still reads the column) does not, though both served the revision before.
OLDEST_DECLARATION = "oldest_compatible_revision"


class UndeclaredMigration(RuntimeError):
    """A migration does not say (or says wrongly) whether the code before it can serve its schema."""


def _declared(script: Script, below: list[str]) -> str | None:
    """The oldest revision whose code serves ``script``'s schema if it says so (its own revision when not
    compatible), ``None`` when the walk goes on down (additive). ``below``: the revisions under it."""
    module = script.module
    compatible = getattr(module, DECLARATION, None)
    if not isinstance(compatible, bool):
        raise UndeclaredMigration(
            f"migration {script.revision} ({script.path}) does not declare {DECLARATION} = True or False: "
            "whether the code that served the revision before keeps working on the schema it produces "
            "(service/migrations/README.md)"
        )
    oldest = getattr(module, OLDEST_DECLARATION, None)
    if oldest is None:
        return None if compatible else script.revision
    if not compatible or oldest not in below:
        raise UndeclaredMigration(
            f"migration {script.revision} ({script.path}) declares {OLDEST_DECLARATION} = {oldest!r}: it "
            f"must name a revision below it, with {DECLARATION} = True"
        )
    return str(oldest)


def compatibility(revision: str) -> Compatibility:
    """What the migrations declare about the schema at ``revision``: going down from it, every migration
    declared compatible lets the code that served the revision before it serve too, up to the first that is
    not (or names the oldest revision itself; or the first of all, which no earlier code serves), and never
    below 0012: the code before it does not read the record, so it serves no revision but its own.

    :raises UndeclaredMigration: a migration on the way lacks the declaration, names no revision below, or
        names one below what the walk finds under it (the code of a revision a later migration broke).
    """
    chain = list(_scripts().iterate_revisions(revision, "base"))  # newest first
    ids = [script.revision for script in chain]
    # every migration checked, below the one that stops the walk too: an undeclared one is refused anywhere
    declared = [_declared(script, ids[n + 1:]) for n, script in enumerate(chain)]
    # from the first migration up: what the walk finds from each one down
    oldest = ids[-1]
    for n in reversed(range(len(chain))):
        stop = declared[n]
        if stop is None:
            continue
        if stop != ids[n] and ids.index(stop) > ids.index(oldest):
            # a name below what the walk finds under the migration: the code of that revision cannot
            # serve a schema a migration between them broke (0013 not compatible, then 0014 naming 0012)
            raise UndeclaredMigration(
                f"migration {ids[n]} ({chain[n].path}) declares {OLDEST_DECLARATION} = {stop!r}, but the "
                f"code of {stop} cannot serve the schema below it (the oldest revision whose code can "
                f"serve {ids[n + 1]} is {oldest}): it must name {oldest} or a revision after it"
            )
        oldest = stop
    # code before the revision that creates the record never reads it: it serves only a database at exactly
    # its own revision, whatever the declarations say (0007's code refuses 0012)
    reader = TABLES_CREATED_IN[schema_compatibility.name]
    if reader in ids and ids.index(oldest) > ids.index(reader):
        oldest = reader
    return Compatibility(revision, oldest, tuple(reversed(ids)))


def record_compatibility(
    ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Mapping[str, Any]
) -> None:
    """Alembic's ``on_version_apply`` hook (env.py): after each migration, up or down (or a stamp), write
    the new revision's :func:`compatibility` into ``schema_compatibility``.

    It runs inside the migration's own transaction, after Alembic moved ``alembic_version``: the row and the
    revision change together or not at all (a crash between two migrations cannot leave a row describing
    another revision). Below 0012, which creates the table, there is nowhere to write: nothing is.
    """
    conn = ctx.connection
    if conn is None or not inspect(conn).has_table(schema_compatibility.name):
        return
    conn.execute(delete(schema_compatibility))
    if len(heads) != 1:  # no revision (base), or branches: no row, and no older code serves it
        return
    found = compatibility(next(iter(heads)))
    conn.execute(
        insert(schema_compatibility).values(
            id=1,
            revision=found.revision,
            oldest_compatible=found.oldest_compatible,
            history=" ".join(found.history),
            recorded_at=datetime.now(UTC),
        )
    )


def upgrade(
    db: Engine,
    revision: str = "head",
    *,
    lock_timeout_seconds: float = DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS,
    attempts: int = LOCK_ATTEMPTS,
    pause: Callable[[int], None] = _back_off,
    say: Callable[[str], None] = _say,
) -> None:
    """Migrate the database up to ``revision``, each migration in its own transaction.

    :param lock_timeout_seconds: how long one migration waits for a table's lock (PostgreSQL; 0: no limit)
        before it is rolled back and, after ``pause(attempt)``, tried again, ``attempts`` times in all.
    :param say: where the run says that it waits (for another run, or to try again).
    :raises MigrationLockTimeout: the last attempt timed out too.
    :raises UndeclaredMigration: a migration lacks its :data:`DECLARATION`; nothing was migrated.
    """
    head = _scripts().get_current_head()
    if head is not None:
        compatibility(head)  # every migration declared, checked before any runs
    _run(db, command.upgrade, revision, lock_timeout_seconds=lock_timeout_seconds, attempts=attempts,
         pause=pause, say=say)


def downgrade(
    db: Engine,
    revision: str,
    *,
    lock_timeout_seconds: float = DEFAULT_MIGRATION_LOCK_TIMEOUT_SECONDS,
    attempts: int = LOCK_ATTEMPTS,
    pause: Callable[[int], None] = _back_off,
    say: Callable[[str], None] = _say,
) -> None:
    """Migrate down to ``revision``, as :func:`upgrade` migrates up."""
    _run(db, command.downgrade, revision, lock_timeout_seconds=lock_timeout_seconds, attempts=attempts,
         pause=pause, say=say)


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
    "schema_compatibility": "0012",
    "rating_erasures": "0020",
    "rating_requests": "0025",
}


#: Tables the migration runner keeps for itself: a downgrade that drops them loses nothing (the row of
#: ``schema_compatibility`` describes the schema being dropped, and the next upgrade writes it again).
RUNNER_TABLES = frozenset({"schema_compatibility"})


def tables_dropped_by(revision: str) -> list[str]:
    """The tables of records a downgrade from the head to ``revision`` (``base`` or a resolved id) drops
    (not :data:`RUNNER_TABLES`)."""
    script = ScriptDirectory.from_config(alembic_config())
    kept = set() if revision == "base" else {r.revision for r in script.iterate_revisions(revision, "base")}
    return [
        table
        for table, created in TABLES_CREATED_IN.items()
        if created not in kept and table not in RUNNER_TABLES
    ]


def undoes(target: str, revision: str) -> bool:
    """Whether a downgrade to ``target`` (``base`` or a resolved id) undoes migration ``revision`` (an id or
    a unique prefix, such as ``"0018"``)."""
    if target == "base":
        return True
    script = ScriptDirectory.from_config(alembic_config())
    kept = {r.revision for r in script.iterate_revisions(target, "base")}
    return resolved_revision(revision) not in kept


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
    return _scripts().get_current_head()


def _scripts() -> ScriptDirectory:
    """The packaged migrations, read from :data:`MIGRATIONS_DIR`."""
    return _scripts_in(MIGRATIONS_DIR)


@functools.cache
def _scripts_in(directory: Path) -> ScriptDirectory:
    """Read once per directory: :func:`record_compatibility` asks after every migration of a run."""
    cfg = Config()
    cfg.set_main_option("script_location", str(directory))
    return ScriptDirectory.from_config(cfg)
