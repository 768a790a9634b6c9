"""Migrating a PostgreSQL database that is in use: runs that start together, long readers, index builds.

A DBA review found that ``greenrate db upgrade`` ran every pending migration in one transaction without a
lock timeout, so an ALTER TABLE queued behind a long reader held every later query of the table behind it
until the end of the run; that three containers starting at once on an empty database raced (two failed
with ``IntegrityError ... pg_type_typname_nsp_index``); and that 0008 built its index with a plain CREATE
INDEX, which holds every new rating back for the whole build.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, insert, inspect, text

from service.records import migrate
from service.records.database import database_url, recorded_compatibility
from service.records.tables import ratings
from tests.conftest import session_engine
from tests.live_services import wait_until
from tests.service.test_migrations_sqlite import (
    assert_code_revisions_added_and_removed,
    assert_erasures_added_and_removed,
    assert_key_idempotency_added_and_removed,
    assert_schema_matches_tables,
    rating_row,
)
from tests.service.test_rolling_deploys import (
    HEAD,
    NEXT,
    RECORD,
    NextRelease,
    assert_no_code_before_the_record_is_named,
    assert_the_release_before_follows_the_next_ones_declaration,
    next_release,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.integration


@pytest.fixture
def db(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url(postgres_url))
    yield engine
    engine.dispose()


def _rating(rating_id: str) -> dict[str, Any]:
    row = rating_row(rating_id, "bank-a", datetime.now(UTC))
    row["engine_version"] = session_engine().versions["engine"]
    return row


def _index_valid(db: Engine, name: str) -> bool | None:
    with db.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            (name,),
        ).scalar()
    return None if found is None else bool(found)


def test_upgrades_started_together_on_an_empty_database_take_turns(postgres_url: str) -> None:
    """Three containers starting at once: each runs `greenrate db upgrade`, and all three succeed."""
    engines = [create_engine(database_url(postgres_url)) for _ in range(3)]
    start = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def run(engine: Engine) -> None:
        start.wait()
        try:
            migrate.upgrade(engine)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert migrate.current_revision(engines[0]) == migrate.head_revision()
    for engine in engines:
        engine.dispose()


def test_an_upgrade_waits_for_the_run_holding_the_migration_lock(db: Engine, postgres_url: str) -> None:
    said: list[str] = []
    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (migrate.MIGRATION_LOCK_KEY,))
        upgrading = threading.Thread(target=lambda: migrate.upgrade(db, say=said.append))
        upgrading.start()

        wait_until(lambda: bool(said), "the upgrade waiting for the migration lock")
        assert inspect(db).get_table_names() == []  # nothing done while the other run holds it
        holder.execute("SELECT pg_advisory_unlock(%s)", (migrate.MIGRATION_LOCK_KEY,))
        upgrading.join(60)
    assert not upgrading.is_alive()
    assert migrate.current_revision(db) == migrate.head_revision()
    assert said == ["another greenrate migration is running on this database: waiting for it to finish"]
    with db.connect() as conn:  # the lock went with the run (pg_locks is the whole server's: this database's)
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).scalar()
    assert held == 0


def test_a_migration_behind_a_long_reader_gives_up_its_lock_wait_and_tries_again(
    db: Engine, postgres_url: str
) -> None:
    """0006 alters ratings (ACCESS EXCLUSIVE) while a report reads it: each wait ends after the lock timeout
    (the queries queued behind the ALTER go on), the run tries again, and finally says why it stopped;
    0001 to 0005, each committed on its own, stay applied."""
    migrate.upgrade(db, "0005")
    reader = psycopg.connect(postgres_url)
    reader.execute("SELECT count(*) FROM ratings")  # its transaction holds ACCESS SHARE on ratings
    pauses: list[int] = []
    said: list[str] = []
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            migrate.upgrade(db, lock_timeout_seconds=0.2, attempts=3, pause=pauses.append, say=said.append)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            outcome.append(exc)

    upgrading = threading.Thread(target=run)
    upgrading.start()
    upgrading.join(30)
    try:
        assert not upgrading.is_alive(), "the migration waited behind the reader without giving up"
    finally:
        reader.rollback()
        upgrading.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], migrate.MigrationLockTimeout), outcome
    message = str(outcome[0])
    assert "after revision 0005 waited 0.2 s for a lock" in message
    assert "gave up after 3 attempts, the database is at revision 0005" in message
    assert "GREENRATE_MIGRATION_LOCK_TIMEOUT_SECONDS" in message
    assert pauses == [1, 2] and len(said) == 2 and "(attempt 2 of 3)" in said[0]
    assert migrate.current_revision(db) == "0005"

    reader.execute("SELECT count(*) FROM ratings")
    retried: list[int] = []

    def reader_done(attempt: int) -> None:
        retried.append(attempt)
        reader.rollback()

    migrate.upgrade(db, lock_timeout_seconds=0.2, pause=reader_done, say=said.append)
    reader.close()
    assert retried == [1]
    assert migrate.current_revision(db) == migrate.head_revision()
    with db.connect() as conn:  # the pooled connection is back to the engine's own settings
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"


def test_the_merchant_index_is_built_without_holding_new_ratings_back(db: Engine) -> None:
    """0008's index is built CONCURRENTLY: while the build waits for a transaction that was writing when
    it started, another rating is written within a short lock timeout (a plain CREATE INDEX's SHARE lock,
    queued behind the first writer, held it back)."""
    migrate.upgrade(db, "0007")
    writer = db.connect()
    writer.execute(insert(ratings), [_rating("rt_open")])  # not committed yet
    upgrading = threading.Thread(target=lambda: migrate.upgrade(db, "0008"))
    upgrading.start()
    try:
        with db.connect() as watcher:

            def building() -> bool:
                found = watcher.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND query ILIKE :building"),
                    {"building": "CREATE INDEX%ix_ratings_tenant_merchant_id_seq%"},
                ).scalar()
                watcher.rollback()  # a new look each time, and no open transaction for the build to wait on
                return bool(found)

            wait_until(building, "the index build waiting for the open transaction")
        with db.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            conn.execute(insert(ratings), [_rating("rt_meanwhile")])
    finally:
        writer.commit()
        writer.close()
        upgrading.join(60)
    assert not upgrading.is_alive()
    assert migrate.current_revision(db) == "0008"
    assert _index_valid(db, "ix_ratings_tenant_merchant_id_seq") is True


def test_an_index_a_failed_concurrent_build_left_invalid_is_built_again(db: Engine) -> None:
    """A CREATE INDEX CONCURRENTLY that fails leaves an INVALID index of its name behind (queries never use
    it, writes keep maintaining it); the next attempt drops it and builds the index the migration names."""
    migrate.upgrade(db, "0007")
    with db.begin() as conn:  # what a build cancelled half-way leaves (simulated: the catalog says so)
        conn.exec_driver_sql("CREATE INDEX ix_ratings_tenant_merchant_id_seq ON ratings (tenant)")
        conn.exec_driver_sql(
            "UPDATE pg_index SET indisvalid = false "
            "WHERE indexrelid = 'ix_ratings_tenant_merchant_id_seq'::regclass"
        )
    assert _index_valid(db, "ix_ratings_tenant_merchant_id_seq") is False
    migrate.upgrade(db)
    assert _index_valid(db, "ix_ratings_tenant_merchant_id_seq") is True
    assert_schema_matches_tables(db)  # with its three columns
    migrate.downgrade(db, "0007")
    assert _index_valid(db, "ix_ratings_tenant_merchant_id_seq") is None


def test_the_key_idempotency_index_is_built_valid_and_dropped_again(db: Engine) -> None:
    """0017 builds its unique index CONCURRENTLY (every request's key lookup reads api_keys meanwhile): it
    is valid, and it holds one key per admin key and Idempotency-Key; 0016 and 0017 go down cleanly."""
    assert_key_idempotency_added_and_removed(db)
    assert _index_valid(db, "ix_api_keys_created_by_idempotency_key") is True
    migrate.downgrade(db, "0016")
    assert _index_valid(db, "ix_api_keys_created_by_idempotency_key") is None
    migrate.upgrade(db)


@pytest.mark.parametrize(("index", "below"), [
    ("ix_api_keys_tenant_id", "0021"),  # 0022: every request's key lookup reads api_keys meanwhile
    ("ix_rating_erasures_rating_id_seq", "0022"),  # 0023: the web workers poll the erasures meanwhile
])
def test_an_index_built_concurrently_is_valid_and_dropped_again(db: Engine, index: str, below: str) -> None:
    """0022 and 0023 build their index CONCURRENTLY, the tables being read meanwhile: valid at the head,
    gone below its revision, and built again."""
    migrate.upgrade(db)
    assert _index_valid(db, index) is True
    assert_schema_matches_tables(db)
    migrate.downgrade(db, below)
    assert _index_valid(db, index) is None
    migrate.upgrade(db)
    assert _index_valid(db, index) is True


def test_the_indexes_of_the_registry_listings_are_built_valid_and_dropped_again(db: Engine) -> None:
    """0024 builds the model registry listings' four indexes CONCURRENTLY (every worker polls the registry
    meanwhile): valid at the head, gone below it, and built again."""
    names = ("ix_model_events_version_id", "ix_model_comparisons_challenger_id",
             "ix_model_comparisons_champion_id", "ix_model_comparisons_champion_at")
    migrate.upgrade(db)
    assert [_index_valid(db, name) for name in names] == [True] * 4
    assert_schema_matches_tables(db)
    migrate.downgrade(db, "0023")
    assert [_index_valid(db, name) for name in names] == [None] * 4
    migrate.upgrade(db)
    assert [_index_valid(db, name) for name in names] == [True] * 4


def test_code_revisions_are_added_and_removed(db: Engine) -> None:
    """0019 on PostgreSQL: two nullable columns, a catalog change; the v1 signatures outlive a downgrade."""
    assert_code_revisions_added_and_removed(db)


def test_erasures_are_added_and_removed(db: Engine) -> None:
    """0020 on PostgreSQL: a new table under 0009's trigger function (TRUNCATE refused too); its triggers go
    with it on the way down."""
    assert_erasures_added_and_removed(db)
    with db.connect() as conn:
        triggers = conn.exec_driver_sql(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'rating_erasures'::regclass AND NOT tgisinternal "
            "ORDER BY tgname"
        ).scalars().all()
    assert triggers == ["rating_erasures_append_only", "rating_erasures_no_truncate"]
    migrate.downgrade(db, "0019")
    with db.connect() as conn:
        left = conn.exec_driver_sql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'rating_erasures%%'")
        assert left.scalar() == 0
    migrate.upgrade(db)


def test_no_code_before_the_record_is_named(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_no_code_before_the_record_is_named(db, monkeypatch)


@pytest.mark.parametrize("compatible", [True, False])
def test_the_release_before_follows_the_next_ones_declaration(
    db: Engine, next_release: NextRelease, compatible: bool  # noqa: F811
) -> None:
    assert_the_release_before_follows_the_next_ones_declaration(db, next_release, compatible)


def test_the_compatibility_is_written_in_the_migrations_own_transaction(
    db: Engine, next_release: NextRelease, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """A run that fails once NEXT's row is written (a crash, a lost connection) leaves neither NEXT's
    table, nor its revision, nor its row: the database still says what HEAD's code can serve."""
    migrate.upgrade(db)
    next_release(False)
    record = migrate.record_compatibility

    def record_then_fail(**hook: Any) -> None:
        record(**hook)
        if hook["heads"] == {NEXT}:
            raise RuntimeError(f"the run stops right after writing {NEXT}'s compatibility")

    monkeypatch.setattr(migrate, "record_compatibility", record_then_fail)  # env.py imports it per run
    with pytest.raises(RuntimeError, match="right after writing"):
        migrate.upgrade(db)
    assert migrate.current_revision(db) == HEAD and not inspect(db).has_table("rollout_probe")
    with db.connect() as conn:
        recorded = recorded_compatibility(conn)
    assert recorded is not None and (recorded.revision, recorded.oldest_compatible) == (HEAD, RECORD)
