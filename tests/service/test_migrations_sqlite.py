"""Migrations on SQLite from an empty database, and the migrated schema equals the declared tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, Table, create_engine, delete, event, insert, inspect, select, update
from sqlalchemy.exc import DBAPIError

from service.auth import generate_key
from service.records import api_keys, migrate
from service.records.model_tables import model_comparisons, model_events, models
from service.records.rating_signatures import FORMAT, check_layout, signed
from service.records.ratings import NewRating, find_reusable, get_rating, insert_ratings, list_ratings
from service.records.tables import SCHEMA_REVISION, metadata, ratings
from service.records.tables import api_keys as api_keys_table
from tests.conftest import session_engine
from tests.service.tampering import SERVING_UNSIGNED, TEST_KEY, guard_lifted


def assert_schema_matches_tables(db: Engine) -> None:
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == [], diff


def test_the_code_names_the_head_revision_as_its_schema() -> None:
    """Readiness compares the database with SCHEMA_REVISION: a new migration must move it too."""
    assert SCHEMA_REVISION == migrate.head_revision()


def test_upgrade_from_empty_and_back(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert {"api_keys", "ratings"} <= set(inspect(db).get_table_names())
    assert_schema_matches_tables(db)
    migrate.downgrade(db, "base")
    assert set(inspect(db).get_table_names()) == {"alembic_version"}
    db.dispose()


def rating_row(rating_id: str, tenant: str, issued: datetime) -> dict[str, Any]:
    """A ratings row as migration 0005 left the table (later migrations add columns to it)."""
    versions = session_engine().versions
    return {
        "id": rating_id,
        "tenant": tenant,
        "input_hash": "h" * 64,
        "input_json": "{}",
        "result_json": f'{{"id":"{rating_id}"}}',
        "model_version": versions["model"],
        "standard_version": versions["standard"],
        "factor_set_version": versions["factor_set"],
        "schema_version": versions["schema"],
        "score": 50.0,
        "grade": "green",
        "issued_at": issued,
        "valid_until": issued + timedelta(days=365),
    }


def assert_earlier_ratings_kept_but_not_reused(db: Engine) -> None:
    """Migration 0006 on a database that already holds a rating: it stays, readable, and is never reused.

    The rating was issued by an engine whose version nobody recorded, so it is marked ``unrecorded``; the
    running engine reports another version, so an identical input is rated anew.
    """
    migrate.upgrade(db, "0005")
    issued = datetime(2026, 12, 1, tzinfo=UTC)
    versions = dict(session_engine().versions)
    row = rating_row("rt_old", "bank-a", issued)
    with db.begin() as conn:
        conn.execute(insert(Table("ratings", MetaData(), autoload_with=conn)), [row])
    migrate.upgrade(db)
    with db.connect() as conn:
        assert conn.execute(select(ratings.c.engine_version)).scalar_one() == "unrecorded"
    assert get_rating(db, "bank-a", "rt_old", key=SERVING_UNSIGNED) is not None
    assert find_reusable(db, "bank-a", ["h" * 64], versions, issued, key=SERVING_UNSIGNED) == {}
    before = {**versions, "engine": "unrecorded"}
    assert set(find_reusable(db, "bank-a", ["h" * 64], before, issued, key=SERVING_UNSIGNED)) == {"h" * 64}
    assert_schema_matches_tables(db)  # the server default used to fill the column is gone
    migrate.downgrade(db, "0005")
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 1


def test_ratings_issued_before_engine_versions_are_kept_but_not_reused(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_earlier_ratings_kept_but_not_reused(db)
    db.dispose()


def assert_key_expiry_undone_safely(db: Engine) -> None:
    """Migration 0007 down on a database whose keys are in use: a key with an expiry must neither come back
    to life nor become permanent (it is revoked), and keys that ratings point at are kept."""
    migrate.upgrade(db)
    now = datetime.now(UTC)
    ids = []
    for expires_at in (now - timedelta(hours=1), now + timedelta(days=7), None):
        new = generate_key()
        ids.append(
            api_keys.insert_key(
                db, prefix=new.prefix, key_hash=new.key_hash, tenant="t", role="bank", expires_at=expires_at
            )
        )
    row = rating_row("rt_by_key", "t", now)
    row.update(engine_version=session_engine().versions["engine"], requester_key_id=ids[0])
    with db.begin() as conn:
        conn.execute(insert(ratings), [row])
    migrate.downgrade(db, "0006")
    with db.connect() as conn:
        revoked = dict(conn.execute(select(api_keys_table.c.id, api_keys_table.c.revoked_at)).all())
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 1
    # expired: revoked as of its expiry; still running: revoked now (it must not become permanent)
    assert revoked[ids[0]] is not None and revoked[ids[1]] is not None and revoked[ids[2]] is None
    assert "expires_at" not in {c["name"] for c in inspect(db).get_columns("api_keys")}
    migrate.upgrade(db)
    assert_schema_matches_tables(db)


def _with_foreign_keys(tmp_path: Path) -> Engine:
    """A SQLite database whose connections enforce foreign keys, as the service's engine does."""
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")

    @event.listens_for(db, "connect")
    def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return db


def test_key_expiry_is_undone_safely_with_foreign_keys_on(tmp_path: Path) -> None:
    db = _with_foreign_keys(tmp_path)
    assert_key_expiry_undone_safely(db)
    db.dispose()


def assert_key_idempotency_added_and_removed(db: Engine) -> None:
    """Migrations 0016 and 0017: keys created before have no Idempotency-Key; from then on an admin key
    creates one key per Idempotency-Key (and any number without one); downgrading drops the column and the
    index and keeps every key."""
    migrate.upgrade(db, "0015")
    new = generate_key()
    actor = api_keys.insert_key(db, prefix=new.prefix, key_hash=new.key_hash, tenant="t", role="admin")
    migrate.upgrade(db)
    with db.connect() as conn:
        before = conn.execute(select(api_keys_table.c.idempotency_key)).scalars().all()
    assert before == [None]

    def create(idempotency_key: str | None) -> api_keys.Outcome:
        key = generate_key()
        outcome, _ = api_keys.insert_tenant_key(
            db, actor_id=actor, max_active=10, counted_roles=("bank",), prefix=key.prefix,
            key_hash=key.key_hash, tenant="t", role="bank", merchant_id=None, label=None, expires_at=None,
            idempotency_key=idempotency_key,
        )
        return outcome

    done, again = api_keys.Outcome.DONE, api_keys.Outcome.ALREADY_CREATED
    assert [create(k) for k in ("k-1", "k-1", None, None, "k-2")] == [done, again, done, done, done]
    migrate.downgrade(db, "0015")
    assert "idempotency_key" not in {c["name"] for c in inspect(db).get_columns("api_keys")}
    assert len(api_keys.list_keys(db, include_revoked=True)) == 5  # the admin and its four keys
    migrate.upgrade(db)
    assert_schema_matches_tables(db)


def test_key_idempotency_is_added_and_removed_with_foreign_keys_on(tmp_path: Path) -> None:
    db = _with_foreign_keys(tmp_path)
    assert_key_idempotency_added_and_removed(db)
    db.dispose()


def assert_code_revisions_added_and_removed(db: Engine) -> None:
    """Migration 0019: a rating the release before signed (``v1``, no build) is served and reused as before
    and shows its build as not recorded; a rating issued since records its build, signed in ``v2`` beside
    a ``v1`` signature the code of 0018 still accepts (a rolling deploy's old workers, a rollback), which
    downgrading to 0018 keeps; upgraded again, that rating's build is not recorded."""
    migrate.upgrade(db, "0018")
    versions = dict(session_engine().versions)
    issued = datetime.now(UTC).replace(microsecond=0)
    old = {**rating_row("rt_0018", "bank-a", issued), "engine_version": versions["engine"]}
    old.update(merchant_id=None, external_id=None, requester_key_id=None, requester_prefix=None)
    signatures = signed(TEST_KEY, {**old, "code_revision": None})
    v1_only = {k: v for k, v in signatures.items() if k != "signature_v2"}  # what the code of 0018 writes
    with db.begin() as conn:
        conn.execute(insert(Table("ratings", MetaData(), autoload_with=conn)), [{**old, **v1_only}])
    migrate.upgrade(db)
    assert_schema_matches_tables(db)
    with db.connect() as conn:
        columns = conn.execute(select(ratings.c.code_revision, ratings.c.signature_v2)).one()
    assert tuple(columns) == (None, None)
    assert get_rating(db, "bank-a", "rt_0018", key=TEST_KEY) is not None
    assert set(find_reusable(db, "bank-a", ["h" * 64], versions, issued, key=TEST_KEY)) == {"h" * 64}
    new = NewRating(
        "rt_0019", "bank-a", None, None, "i" * 64, "{}", '{"id":"rt_0019"}', versions, 60.0, "green", None,
        None, issued, issued + timedelta(days=365), code_revision="0.1.0+g" + "a" * 40,
    )
    assert insert_ratings(db, [new], TEST_KEY) == {}
    items, _ = list_ratings(db, "bank-a", limit=10, key=TEST_KEY)
    assert [(i.id, i.code_revision) for i in items] == [("rt_0019", new.code_revision), ("rt_0018", None)]
    with db.connect() as conn:
        row = conn.execute(select(ratings).where(ratings.c.id == "rt_0019")).one()._mapping
    assert row["signature"].startswith("v1:") and row["signature_v2"].startswith("v2:")
    migrate.downgrade(db, "0018")
    assert not {"code_revision", "signature_v2"} & {c["name"] for c in inspect(db).get_columns("ratings")}
    with db.connect() as conn:
        kept = conn.execute(select(Table("ratings", MetaData(), autoload_with=conn))).mappings().all()
    assert len(kept) == 2
    for kept_row in kept:  # what the code of 0018 checks: the v1 layout over the columns it has
        assert check_layout(TEST_KEY, kept_row, kept_row["result_sha256"], FORMAT).status == "valid"
    migrate.upgrade(db)
    rating = get_rating(db, "bank-a", "rt_0019", key=TEST_KEY)
    assert rating is not None and rating.result_json == new.result_json
    items, _ = list_ratings(db, "bank-a", limit=10, key=TEST_KEY)
    assert [i.code_revision for i in items] == [None, None]
    assert_schema_matches_tables(db)


def test_code_revisions_are_added_and_removed(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_code_revisions_added_and_removed(db)
    db.dispose()


def assert_erasures_added_and_removed(db: Engine) -> None:
    """Migration 0020: a new, append-only table the code before neither reads nor writes. An erasure on
    the schema before records nothing (there is nowhere to); from 0020 it is recorded with the DELETE, the
    workers' set reads it, and the record refuses UPDATE and DELETE (TRUNCATE on PostgreSQL). Downgrading
    drops the table and keeps the ratings; upgrading again starts it empty."""
    from dataclasses import asdict

    from service.ratings.erasure import erase_rating
    from service.records.database import as_utc
    from service.records.erasure_tables import rating_erasures
    from service.records.erasures import ErasedRatings

    migrate.upgrade(db, "0019")
    assert not inspect(db).has_table("rating_erasures")
    issued = datetime.now(UTC).replace(microsecond=0)
    engine_version = session_engine().versions["engine"]
    with db.begin() as conn:
        conn.execute(insert(Table("ratings", MetaData(), autoload_with=conn)), [
            {**rating_row(rating_id, "bank-a", issued), "engine_version": engine_version}
            for rating_id in ("rt_kept", "rt_erased")
        ])
    migrate.upgrade(db)
    assert_schema_matches_tables(db)
    erased = ErasedRatings()
    assert erased.refresh(db) and erased.ids == frozenset() and erased.marker == (0, 0)
    done = erase_rating(db, "rt_erased", reason=" Court order 2026-126 ", actor="cli/dpo")
    assert done is not None
    with db.connect() as conn:
        row = conn.execute(select(rating_erasures)).mappings().one()
    # what it returns (and the audit line logs) is the row it recorded
    assert {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row.items() if k != "seq"} == (
        asdict(done.recorded)
    )
    assert (row["rating_id"], row["tenant"], row["issued_by"], row["actor"]) == (
        "rt_erased", "bank-a", "bank", "cli/dpo"
    )
    assert (row["reason_sha256"], row["reason_length"]) == ("86c470fb44be5e99", 20)
    assert erased.refresh(db) and erased.ids == {"rt_erased"} and not erased.refresh(db)
    for statement in (update(rating_erasures).values(rating_id="rt_kept"), delete(rating_erasures)):
        with pytest.raises(DBAPIError, match="rating_erasures is append-only"), db.begin() as conn:
            conn.execute(statement)
    if db.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="rating_erasures is append-only"), db.begin() as conn:
            conn.exec_driver_sql("TRUNCATE rating_erasures")
    migrate.downgrade(db, "0019")
    assert not inspect(db).has_table("rating_erasures")
    with db.connect() as conn:
        assert conn.execute(select(ratings.c.id)).scalars().all() == ["rt_kept"]
    migrate.upgrade(db)
    assert_schema_matches_tables(db)
    assert erased.refresh(db) and erased.ids == frozenset()


def test_erasures_are_added_and_removed(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_erasures_added_and_removed(db)
    db.dispose()


def assert_records_append_only(db: Engine) -> None:
    """Migration 0009: issued ratings, model artifacts and the audit trail refuse UPDATE and DELETE (and
    TRUNCATE on PostgreSQL) with a message naming the table; downgrading lifts the guard, upgrading restores
    it, and a guard lifted by the owner for one change comes back."""
    migrate.upgrade(db)
    now = datetime.now(UTC)
    row = rating_row("rt_kept", "t", now)
    row.update(engine_version=session_engine().versions["engine"])
    with db.begin() as conn:
        conn.execute(insert(ratings), [row])
        conn.execute(insert(models).values(version="m-1", sha256="s" * 64, artifact_json="{}",
                                           metrics_json="{}", card_json="{}", standard="std", source="cli",
                                           created_at=now, created_by="t"))
        conn.execute(insert(model_events).values(version="m-1", action="register", reason="new", actor="t",
                                                 at=now))
        conn.execute(insert(model_comparisons).values(challenger="m-1", champion="m-1", data_json="{}",
                                                      summary_json="{}", recorded_by="t", at=now))
    changes = {
        ratings: update(ratings).values(score=99.0),
        models: update(models).values(artifact_json='{"points": 5}'),
        model_events: update(model_events).values(reason="nothing happened"),
        model_comparisons: update(model_comparisons).values(summary_json='{"auc": 0.99}'),
    }
    for table, change in changes.items():
        for statement in (change, delete(table)):
            with pytest.raises(DBAPIError, match=f"{table.name} is append-only"), db.begin() as conn:
                conn.execute(statement)
        if db.dialect.name == "postgresql":
            with pytest.raises(DBAPIError, match=f"{table.name} is append-only"), db.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {table.name} CASCADE")
    with db.connect() as conn:
        assert conn.execute(select(ratings.c.score)).scalar_one() == 50.0
        assert conn.execute(select(models.c.artifact_json)).scalar_one() == "{}"
        assert conn.execute(select(model_events.c.reason)).scalar_one() == "new"
    with db.begin() as conn, guard_lifted(conn, "ratings"):
        conn.execute(update(ratings).values(score=51.0))
    with pytest.raises(DBAPIError, match="ratings is append-only"), db.begin() as conn:
        conn.execute(update(ratings).values(score=52.0))
    with pytest.raises(RuntimeError, match="holds 1 recorded comparison"):  # the evidence is not dropped
        migrate.downgrade(db, "0008")
    with db.begin() as conn, guard_lifted(conn, "model_comparisons"):  # the owner's deliberate act
        conn.execute(delete(model_comparisons))
    migrate.downgrade(db, "0008")
    with db.begin() as conn:
        conn.execute(update(ratings).values(score=53.0))
    migrate.upgrade(db)
    with pytest.raises(DBAPIError, match="ratings is append-only"), db.begin() as conn:
        conn.execute(delete(ratings))
    assert_schema_matches_tables(db)


def test_issued_ratings_artifacts_and_the_audit_trail_are_append_only(tmp_path: Path) -> None:
    db = create_engine(f"sqlite:///{tmp_path}/m.sqlite3")
    assert_records_append_only(db)
    db.dispose()
