"""Integration: the service against the real Redis and PostgreSQL servers (they run in `make test`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import redis
from flask import Flask
from sqlalchemy import create_engine, inspect
from werkzeug.test import TestResponse

from service.cache import CachedRating, CacheEntry
from service.records import migrate
from service.records.database import database_url
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.live_services import RedisServer, free_port, redis_db_index, start_redis, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def live_app(make_app: AppFactory, postgres_url: str, redis_url: str) -> AppFactory:
    """Apps on this session's PostgreSQL database (migrated from empty) and the test Redis database."""

    def factory(**overrides: object) -> object:
        config = {"DATABASE_URL": postgres_url, "REDIS_URL": redis_url, **overrides}
        app = make_app(**config)
        migrate.upgrade(services_of(app).db)
        return app

    return factory  # type: ignore[return-value]


@pytest.fixture
def throwaway_redis() -> Iterator[RedisServer]:
    """A redis-server of our own on a free port: the one test that stops Redis stops this one."""
    server = start_redis()
    yield server
    server.stop()


def test_postgres_migrations_from_an_empty_database(postgres_url: str) -> None:
    from tests.service.test_migrations_sqlite import assert_schema_matches_tables

    db = create_engine(database_url(postgres_url))
    assert inspect(db).get_table_names() == []
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision()
    assert_schema_matches_tables(db)
    migrate.downgrade(db, "base")
    assert set(inspect(db).get_table_names()) == {"alembic_version"}
    db.dispose()


def test_postgres_migrations_run_without_the_services_statement_timeout(
    make_app: AppFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's engine carries its request timeout (1 s here) on every connection; a migration's
    index on three million ratings was cancelled after it (operations review). Each migration step sees
    no statement timeout, and the service's own connections keep theirs."""
    from alembic import command

    db = services_of(make_app(DATABASE_URL=postgres_url, DATABASE_TIMEOUT_SECONDS=1)).db
    seen: list[str] = []
    for name in ("upgrade", "downgrade"):
        real = getattr(command, name)

        def step(cfg: Any, revision: str, _real: Any = real) -> None:
            conn = cfg.attributes["connection"]
            seen.append(conn.exec_driver_sql("SHOW statement_timeout").scalar())
            conn.rollback()  # Alembic begins a transaction per migration on a connection outside one
            _real(cfg, revision)

        monkeypatch.setattr(command, name, step)
    migrate.upgrade(db)
    migrate.downgrade(db, "0009")
    migrate.upgrade(db)
    assert seen == ["0", "0", "0"]
    with db.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "1s"


def test_postgres_ratings_issued_before_engine_versions_are_kept_but_not_reused(postgres_url: str) -> None:
    from tests.service.test_migrations_sqlite import assert_earlier_ratings_kept_but_not_reused

    db = create_engine(database_url(postgres_url))
    assert_earlier_ratings_kept_but_not_reused(db)
    db.dispose()


def test_postgres_ratings_artifacts_and_audit_trail_are_append_only(postgres_url: str) -> None:
    from tests.service.test_migrations_sqlite import assert_records_append_only

    db = create_engine(database_url(postgres_url))
    assert_records_append_only(db)
    migrate.downgrade(db, "base")
    with db.connect() as conn:  # the trigger function goes with the last guard
        found = conn.exec_driver_sql("SELECT count(*) FROM pg_proc WHERE proname = 'greenrate_append_only'")
        assert found.scalar() == 0
    db.dispose()


def test_postgres_key_expiry_is_undone_safely(postgres_url: str) -> None:
    from tests.service.test_migrations_sqlite import assert_key_expiry_undone_safely

    db = create_engine(database_url(postgres_url))
    assert_key_expiry_undone_safely(db)
    db.dispose()


def test_readyz_on_an_empty_postgres_database_says_to_migrate(
    make_app: AppFactory, postgres_url: str
) -> None:
    app = make_app(DATABASE_URL=postgres_url)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "greenrate db upgrade" in response.json["errors"]["database"][0]
    migrate.upgrade(services_of(app).db)
    assert app.test_client().get("/readyz").json["checks"]["database"]["status"] == "ok"


def test_redis_on_a_unix_socket_caches_and_limits(make_app: AppFactory, tmp_path: Path) -> None:
    """``unix://`` URLs are accepted by the configuration, so the cache and the limiter must both work."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for this test (apt-get install redis-server)")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(socket.exists, "redis-server's socket", timeout=20.0)
        app = make_app(REDIS_URL=f"unix://{socket}?db=2", RATE_LIMIT="2 per minute")
        client = app.test_client()
        key = create_key(app)
        first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
        second = client.post("/v1/ratings", json=payload(), headers=bearer(key))
        assert (first.status_code, second.headers["X-Cache"]) == (201, "hit")
        assert client.get("/v1/ratings", headers=bearer(key)).status_code == 429
        assert client.get("/readyz").json["checks"]["cache"]["status"] == "ok"
        stored = redis.Redis(unix_socket_path=str(socket), db=2)
        assert stored.keys("*rating:v2:bank-a:*") and stored.keys("*LIMITER*")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_hit_after_miss_same_id_and_byte_for_byte(live_app: AppFactory, redis_url: str) -> None:
    app = live_app()
    client = app.test_client()
    key = create_key(app)
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    second = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert second.data == first.data
    cached = [k for k in redis.Redis.from_url(redis_url).keys("*rating:v2:bank-a:*")]
    assert len(cached) == 1
    fetched = client.get(first.headers["Location"], headers=bearer(key))
    assert fetched.data == first.data  # stored in PostgreSQL as text, returned as is
    with services_of(app).db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 1


def test_a_new_worker_reuses_what_another_issued(live_app: AppFactory) -> None:
    first_app, second_app = live_app(), live_app()
    key = create_key(first_app)
    first = first_app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key))
    second = second_app.test_client().post("/v1/ratings", json=payload(), headers=bearer(key))
    assert second.headers["X-Cache"] == "hit" and second.json["id"] == first.json["id"]



def test_a_rating_cached_by_the_engine_before_is_not_handed_out_by_this_one(
    live_app: AppFactory, redis_url: str
) -> None:
    """During a rolling deploy from engine 2.10, its web workers and this release's share Redis: an entry
    2.10 cached (signed with the same secret, as that release signs it) is never this release's answer for
    the same input, nor does this release's entry displace it (an SRE's upgrade walk, H3)."""
    app = live_app()
    client = app.test_client()
    key = create_key(app)
    new = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert new.status_code == 201 and new.headers["X-Cache"] == "miss"
    connection = redis.Redis.from_url(redis_url)
    (current,) = connection.keys("*rating:v2:bank-a:*")
    parts = current.decode().split(":")
    assert parts[-2] == new.json["versions"]["engine"] != "2.10"
    older = ":".join([*parts[:-2], "2.10", parts[-1]])  # the same input, as engine 2.10 keyed it
    body = new.data.replace(f'"engine":"{parts[-2]}"'.encode(), b'"engine":"2.10"')
    assert body != new.data
    expires = int(time.time()) + 3600
    services_of(app).cache.put_many([CacheEntry(older, CachedRating("rt_" + "0" * 32, body), 3600, expires)])
    connection.delete(current)  # so that this release finds no entry of its own for the input
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert again.status_code == 201 and again.json["id"] == new.json["id"]  # from its records, not 2.10's
    assert again.json["versions"]["engine"] == parts[-2]
    assert sorted(k.decode().split(":")[-2] for k in connection.keys("*rating:v2:bank-a:*")) == sorted(
        ["2.10", parts[-2]])  # both releases' entries, side by side


def test_redis_stopped_mid_test_ratings_still_served(
    live_app: AppFactory, throwaway_redis: RedisServer
) -> None:
    app = live_app(REDIS_URL=throwaway_redis.url, REDIS_TIMEOUT_MS=100)
    client = app.test_client()
    key = create_key(app)
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert first.status_code == 201 and client.get("/readyz").json["status"] == "ok"

    throwaway_redis.stop()

    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert again.status_code == 201 and again.json["id"] == first.json["id"]  # from the records
    new = client.post("/v1/ratings", json=payload(employees=99), headers=bearer(key))
    assert new.status_code == 201 and new.headers["X-Cache"] == "miss"
    assert client.get(new.headers["Location"], headers=bearer(key)).status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "degraded"
    # The rate limiter fell back to memory instead of failing requests.
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200


def test_redis_on_a_closed_port(live_app: AppFactory) -> None:
    app = live_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/15", REDIS_TIMEOUT_MS=50)
    client = app.test_client()
    key = create_key(app)
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201


def test_rate_limit_on_redis_is_shared_by_workers(live_app: AppFactory) -> None:
    first, second = live_app(RATE_LIMIT="3 per minute"), live_app(RATE_LIMIT="3 per minute")
    key = create_key(first)
    statuses = [
        app.test_client().get("/v1/ratings", headers=bearer(key)).status_code
        for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]


def test_every_rate_limit_key_is_under_the_redis_namespace(make_app: AppFactory, redis_url: str) -> None:
    """README: GREENRATE_REDIS_NAMESPACE prefixes every cache and rate-limit key, so deployments can share
    a Redis. The /v1 limit's keys were prefixed, but the budgets (PDFs, new keys, the merchant page, batch
    items) were not: two deployments spent one another's (contract review)."""
    from service.limits import hit_budget

    first, second = (make_app(REDIS_URL=redis_url, REDIS_NAMESPACE=name) for name in ("deploy-a", "deploy-b"))
    for app in (first, second):
        with app.test_request_context():
            assert hit_budget("1 per hour", "pdf", "bank-a") is None
    with first.test_request_context():
        assert hit_budget("1 per hour", "pdf", "bank-a") is not None  # its own budget is spent
    admin = create_key(second, "keys-a", "admin")
    created = second.test_client().post("/v1/keys", json={"role": "bank"}, headers=bearer(admin))
    assert created.status_code == 201
    keys = sorted(k.decode() for k in redis.Redis.from_url(redis_url).keys("*"))
    assert any("/api-key-creation/" in k for k in keys) and any("/pdf/" in k for k in keys), keys
    assert all(k.startswith(("LIMITS:LIMITER/deploy-a/", "LIMITS:LIMITER/deploy-b/")) for k in keys), keys


def test_tenant_isolation_on_postgres(live_app: AppFactory) -> None:
    app = live_app()
    client = app.test_client()
    bank_a, bank_b = create_key(app, "bank-a"), create_key(app, "bank-b")
    rating = client.post("/v1/ratings", json=payload(), headers=bearer(bank_a))
    assert client.get(rating.headers["Location"], headers=bearer(bank_b)).status_code == 404
    assert client.get("/v1/ratings", headers=bearer(bank_b)).json["items"] == []


def test_database_down_is_503_and_nothing_is_cached(live_app: AppFactory, redis_url: str) -> None:
    app = live_app(KEY_CACHE_SECONDS=300)
    client = app.test_client()
    key = create_key(app)
    assert client.get("/v1/ratings", headers=bearer(key)).status_code == 200
    services = services_of(app)
    real = services.db
    services.db = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone")
    response = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert redis.Redis.from_url(redis_url).keys("*rating:v2:*") == []
    services.db = real
    with real.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 0


def test_code_ahead_of_its_postgres_schema_answers_503_and_hides_bound_values(
    live_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deployed before `greenrate db upgrade` (here: the database taken back to 0005): every query fails
    with PostgreSQL's undefined-column error. That is a 503 saying so, not a 500 whose log line held the
    statement with its bound values, the key's hash among them (operator review): the engine hides bound
    values from every error message."""
    app = live_app()
    key = create_key(app)
    client = app.test_client()
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code == 201
    db = services_of(app).db
    assert db.hide_parameters
    migrate.downgrade(db, "0005")
    capsys.readouterr()
    behind = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert behind.status_code == 503 and behind.headers["Retry-After"]
    assert "not at the schema this release needs" in behind.json["message"]
    logged = capsys.readouterr()
    assert "schema_mismatch" in logged.out + logged.err and "key_hash" not in logged.out + logged.err
    migrate.upgrade(db)
    assert client.post("/v1/ratings", json=payload(), headers=bearer(key)).status_code in (200, 201)


def test_after_a_restore_the_cache_is_cleared_so_no_unrecorded_rating_is_handed_out(
    live_app: AppFactory, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database restored from a backup lacked a rating Redis still held: a repeat was answered ``hit``
    with an id nobody could fetch, list or verify (operations review). ``greenrate cache clear`` empties
    the cached ratings (and only them), so the repeat is rated and recorded again."""
    from click.testing import CliRunner
    from sqlalchemy import text

    from service.cli import main
    from tests.service.tampering import guard_lifted

    app = live_app()
    client = app.test_client()
    key = create_key(app)
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    with services_of(app).db.begin() as conn, guard_lifted(conn, "ratings"):  # the restore of a backup
        conn.execute(text("DELETE FROM ratings"))  # taken before this rating
    stale = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert stale.headers["X-Cache"] == "hit"  # what the cache alone cannot know
    assert client.get(first.headers["Location"], headers=bearer(key)).status_code == 404
    limiter = redis.Redis.from_url(redis_url)
    limits_before = limiter.keys("*LIMITER*")
    monkeypatch.setenv("GREENRATE_REDIS_URL", redis_url)
    monkeypatch.setenv("GREENRATE_DATABASE_URL", str(services_of(app).settings.database_url))
    cleared = CliRunner().invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "deleted 1 cached rating(s) under greenrate:rating:" in cleared.output
    assert limiter.keys("*LIMITER*") == limits_before and limits_before  # rate limits are not the cache
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert again.headers["X-Cache"] == "miss" and again.get_json()["id"] != first.get_json()["id"]
    assert client.get(again.headers["Location"], headers=bearer(key)).status_code == 200
    limiter.close()


def test_the_test_redis_url_may_name_any_database_but_must_name_one() -> None:
    """``TEST_REDIS_URL`` points the tests at any database index it names; one naming none (database 0,
    where a machine's own Redis keeps its data) is refused before anything is flushed."""
    assert redis_db_index("redis://127.0.0.1:6379/12") == 12
    assert redis_db_index("redis://127.0.0.1:6379/15") == 15
    assert redis_db_index("redis://127.0.0.1:6379?db=3") == 3
    with pytest.raises(pytest.fail.Exception, match="names no database index"):
        redis_db_index("redis://127.0.0.1:6379")


def test_a_second_test_session_on_this_redis_database_stops_before_flushing_it(redis_url: str) -> None:
    """Two test sessions on one Redis database (``make test`` and a run of one file, both on the default 15)
    flushed it under each other before and after every test, and one's burst workers ran the other's
    queued portfolio jobs against their own records (finding nothing to do): CI failed four portfolio tests
    that pass alone, a job vanished (NoSuchJobError) or left queued (a 429 from the tenant's unfinished
    jobs). Now the second session stops at once, naming this one, and this one's keys stay."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.set("this-session", "kept")
        second = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/service/test_cache_breaker.py::test_a_redis_entry_of_the_format_before_is_a_miss"],
            cwd=Path(__file__).resolve().parents[2], env={**os.environ, "TEST_REDIS_URL": redis_url},
            capture_output=True, text=True, timeout=120,
        )
        assert second.returncode != 0, second.stdout[-2000:]
        assert "is in use by another test session" in second.stdout, second.stdout[-2000:]
        assert f":{os.getpid()}" in second.stdout  # this session, by its process id
        assert client.get("this-session") == b"kept"  # nothing flushed
    finally:
        client.close()


def test_every_timestamp_is_utc_whatever_the_servers_time_zone(
    live_app: AppFactory, postgres_url: str
) -> None:
    """A database whose sessions default to Asia/Shanghai: /v1/models had answered ``+08:00`` while ratings
    said ``Z``. The service pins its sessions to UTC and writes every moment with ``Z``."""
    from sqlalchemy import text
    from sqlalchemy.pool import NullPool

    from service.models import register_packaged_default

    name = postgres_url.rsplit("/", 1)[1]
    admin = create_engine(database_url(postgres_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET timezone = 'Asia/Shanghai'")
    try:
        with admin.connect() as conn:  # a session of its own, not pinned: the database's default holds
            assert conn.execute(text("SHOW timezone")).scalar() == "Asia/Shanghai"
        app = live_app()
        services = services_of(app)
        with services.db.connect() as conn:
            assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
        assert register_packaged_default(services.db)  # a model and its "register" event
        client = app.test_client()  # type: ignore[attr-defined]
        analyst, keys_admin = create_key(app, "bank-a", "analyst"), create_key(app, "bank-a", "admin")
        models = client.get("/v1/models", headers=bearer(analyst)).json["items"]
        events = client.get("/v1/model-events", headers=bearer(analyst)).json["items"]
        keys = client.get("/v1/keys", headers=bearer(keys_admin)).json["items"]
        moments = [m["created_at"] for m in models] + [e["at"] for e in events]
        moments += [k["created_at"] for k in keys]
        rating = client.post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
        assert rating.status_code == 201, rating.json
        moments += [rating.json["issued_at"], rating.json["valid_until"]]
        assert len(moments) >= 5
        assert all(moment.endswith("Z") and "+" not in moment for moment in moments), moments
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" RESET timezone')
        admin.dispose()


def test_a_cache_entry_written_by_someone_else_is_a_miss(live_app: AppFactory, redis_url: str) -> None:
    """A reproducibility review overwrote a cached rating in Redis with a dark_green grade under its real id:
    the repeat POST served it as a hit. Entries are signed over their key, id and body: a forged entry, or
    one tenant's entry copied under another tenant's key, is a miss, and the recorded rating is served."""
    app = live_app()
    client = app.test_client()
    bank_a, bank_b = create_key(app, "bank-a"), create_key(app, "bank-b")
    first = client.post("/v1/ratings", json=payload(), headers=bearer(bank_a))
    other = client.post("/v1/ratings", json=payload(), headers=bearer(bank_b))
    store = redis.Redis.from_url(redis_url)
    (key_a,) = store.keys("*rating:v2:bank-a:*")
    (key_b,) = store.keys("*rating:v2:bank-b:*")
    signed = store.get(key_a)
    assert signed is not None and first.data in signed
    forged = signed.replace(b'"grade":"', b'"grade":"dark_green","was":"', 1)
    store.set(key_a, forged)
    again = client.post("/v1/ratings", json=payload(), headers=bearer(bank_a))
    assert again.status_code == 201 and again.data == first.data and b'"was"' not in again.data
    assert store.get(key_a) == signed  # the forged entry was replaced by the recorded rating
    store.set(key_b, signed)  # bank-a's genuine entry under bank-b's key
    theirs = client.post("/v1/ratings", json=payload(), headers=bearer(bank_b))
    assert theirs.json["id"] == other.json["id"] != first.json["id"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'greenrate_cache_errors_total{operation="integrity"}' in metrics


class CachedIssue(NamedTuple):
    """A rating issued to bank-a and the Redis entry the service cached it under."""

    response: TestResponse
    store: redis.Redis
    key: bytes
    value: bytes


def issue_and_read_entry(app: Flask, api_key: str, redis_url: str) -> CachedIssue:
    """Issue the test payload's rating with ``api_key`` (bank-a's) and read back its one v2 entry."""
    response = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(api_key))
    assert response.status_code == 201, response.json
    store = redis.Redis.from_url(redis_url)
    (entry_key,) = store.keys("*rating:v2:bank-a:*")
    value = store.get(entry_key)
    assert isinstance(value, bytes)
    return CachedIssue(response, store, entry_key, value)


def test_a_cache_entry_kept_past_its_ratings_validity_is_not_served(
    live_app: AppFactory, redis_url: str
) -> None:
    """A security review made an entry permanent (PERSIST) to serve it past its rating's validity: the
    entry signs that end, the ``valid_until`` of the rating, and one read past it is a miss whose key the
    recorded answer takes again. Moved past the end here by rewriting the entry as the service would sign
    it with an earlier end (the review's PERSIST only waits longer)."""
    app = live_app()
    client = app.test_client()
    key = create_key(app, "bank-a")
    first, store, entry_key, value = issue_and_read_entry(app, key, redis_url)
    valid_until = datetime.fromisoformat(first.json["valid_until"].replace("Z", "+00:00"))
    assert int.from_bytes(value[32:40], "big") == int(valid_until.timestamp())
    sign = services_of(app).cache._signed  # type: ignore[attr-defined]
    ended = sign(entry_key.decode(), CachedRating(first.json["id"], first.data), int(time.time()) - 1)
    store.set(entry_key, ended)
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert again.status_code == 201 and again.json["id"] == first.json["id"]  # from the records: still valid
    assert store.get(entry_key) == value and store.ttl(entry_key) > 0  # the entry written again, with its TTL
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'greenrate_cache_errors_total{operation="expired"}' in metrics


def test_an_erased_ratings_entry_written_back_to_redis_is_a_miss_once_the_worker_has_looked(
    live_app: AppFactory, redis_url: str
) -> None:
    """A security review saved a rating's signed entry, had the rating erased (`greenrate ratings erase`
    deletes the entry) and wrote the entry back: it verified and was handed out, the erased id and body,
    until the rating's validity ended. The erasure is recorded; once the worker has read it (its next look,
    driven here), the entry is a miss, deleted and counted, and the input is rated anew: the records no
    longer hold the erased rating to reuse, and the new rating takes the key."""
    from prometheus_client import REGISTRY

    from service.model_watch import watcher
    from tests.service.test_rating_erasure import erase

    app = live_app(MODEL_POLL_SECONDS=3600)  # no look of its own during the test: driven below
    client = app.test_client()
    key = create_key(app, "bank-a")
    first, store, entry_key, saved = issue_and_read_entry(app, key, redis_url)
    result = erase(app, first.json["id"], "--reason", "Court order 2026-125", redis_url=redis_url)
    assert result.exit_code == 0 and "deleted its cached copy from Redis" in result.output, result.output
    assert store.exists(entry_key) == 0
    store.set(entry_key, saved, ex=3600)  # written back
    # the window (docs/operations.md): until the worker looks again, the signed entry is served
    stale = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert stale.headers["X-Cache"] == "hit" and stale.json["id"] == first.json["id"]

    def erased_misses() -> float:
        found = REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": "erased"})
        return found or 0.0

    before = erased_misses()
    services = services_of(app)
    watcher(app).check(services.db, services.engines, force=True)
    replayed = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert replayed.status_code == 201 and replayed.headers["X-Cache"] == "miss"
    assert replayed.json["id"] != first.json["id"]
    assert erased_misses() == before + 1
    now_cached = store.get(entry_key)
    assert isinstance(now_cached, bytes) and replayed.json["id"].encode() in now_cached
    store.set(entry_key, saved, ex=3600)  # written back again, over the new rating's entry
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert again.headers["X-Cache"] == "hit" and again.json["id"] == replayed.json["id"]  # from the records
    assert erased_misses() == before + 2
    store.close()
