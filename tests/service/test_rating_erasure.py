"""``greenrate ratings erase``: a court-ordered erasure deletes the record and its cached copy; the guard
stays armed.

docs/operations.md had the owner lift the append-only guard and DELETE the row by hand; the cache kept
answering an identical request with the erased id (``X-Cache: hit``) for up to the rating's validity.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
import redis
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from rating_model.artifact import ScorecardArtifact
from rating_model.standard import DEFAULT_STANDARD, load_standard
from service.cli import main
from service.model_watch import engine_for, watcher
from service.models import register_packaged_default
from service.ratings import erasure
from service.records import activation, migrate, registry
from service.records.append_only import guard_lifted
from service.records.database import as_utc
from service.records.erasure_tables import rating_erasures
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.service.model_fixtures import variant_document


def erase(app: Flask, *args: str, redis_url: str | None = None) -> Result:
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    if redis_url:
        env["GREENRATE_REDIS_URL"] = redis_url
    return CliRunner().invoke(main, ["ratings", "erase", *args], env=env, catch_exceptions=False)


def _erasure_event(result: Result) -> dict[str, Any]:
    (line,) = [line for line in result.stderr.splitlines() if '"rating_erased"' in line]
    event: dict[str, Any] = json.loads(line)
    return event


def _still_append_only(app: Flask) -> None:
    """Every other rating is guarded again: UPDATE and DELETE are refused."""
    db = services_of(app).db
    for statement in (update(ratings).values(score=1.0), delete(ratings)):
        with pytest.raises(DBAPIError, match="ratings is append-only"), db.begin() as conn:
            conn.execute(statement)


def test_erasing_a_rating_deletes_it_logs_why_and_keeps_the_guard(make_app: AppFactory) -> None:
    app = make_app()
    client = app.test_client()
    key = create_key(app)
    erased = client.post("/v1/ratings", json=payload(), headers=bearer(key)).get_json()["id"]
    kept = client.post("/v1/ratings", json=payload(name="Other shop"), headers=bearer(key)).get_json()["id"]
    result = erase(app, erased, "--reason", "Court order 2026-117")
    assert result.exit_code == 0, result.output
    assert f"erased {erased} (tenant bank-a, issued " in result.output
    assert "GREENRATE_REDIS_URL is not set: each caches in its own memory" in result.output
    assert "within GREENRATE_MODEL_POLL_SECONDS (5 s here)" in result.output
    event = _erasure_event(result)
    assert event["rating_id"] == erased and event["tenant"] == "bank-a" and event["issued_by"] == "bank"
    digest = hashlib.sha256(b"Court order 2026-117").hexdigest()[:16]
    assert event["reason_sha256"] == digest and event["reason_length"] == 20
    assert "Court order" not in json.dumps(event) and "reason" not in event and "merchant_id" not in event
    assert f"the reason's sha256 {digest}" in result.output and event["actor"].startswith("cli/")
    assert event["level"] == "warning" and event["cache"] == "in-process"
    # recorded in the same transaction, with what the log line says and nothing more: the line is the row
    (recorded,) = _recorded_erasures(app)
    row = {k: as_utc(v).isoformat() if isinstance(v, datetime) else v for k, v in recorded.items()}
    assert row.pop("seq") == 1
    assert row == {k: v for k, v in event.items() if k not in ("event", "level", "timestamp", "cache")}
    assert row["rating_id"] == erased and row["reason_length"] == 20
    assert as_utc(recorded["issued_at"]) <= as_utc(recorded["erased_at"]) <= datetime.now(UTC)
    assert client.get(f"/v1/ratings/{erased}", headers=bearer(key)).status_code == 410  # erased: not 404
    assert client.get(f"/v1/ratings/{kept}", headers=bearer(key)).status_code == 200
    _still_append_only(app)
    again = erase(app, erased, "--reason", "Court order 2026-117")
    assert again.exit_code == 1 and "no rating" not in again.output  # erased, not never issued
    moment = "%Y-%m-%d %H:%M:%S UTC"
    assert (f"{erased} (tenant bank-a) was already erased on {recorded['erased_at']:{moment}} by "
            f"{recorded['actor']} (reason sha256 {digest}); issued {recorded['issued_at']:{moment}}: nothing "
            "was erased again") in again.output
    assert len(_recorded_erasures(app)) == 1  # nothing erased, nothing recorded
    refused = pytest.raises(DBAPIError, match="rating_erasures is append-only")
    with refused, services_of(app).db.begin() as conn:
        conn.execute(delete(rating_erasures))


def test_erasing_twice_tells_an_erased_rating_from_one_never_recorded(make_app: AppFactory) -> None:
    """Run twice, the erasure said "no rating ... is recorded in this database: nothing was erased", the
    words for an id never issued, to the CLI and to :func:`erasure.erase_rating`'s callers alike (``None``
    for both), though the records say when and by whom it was erased (audit review)."""
    app = make_app()
    client, key = app.test_client(), create_key(app)
    db = services_of(app).db
    rating_id = client.post("/v1/ratings", json=payload(), headers=bearer(key)).get_json()["id"]
    first = erasure.erase_rating(db, rating_id, reason="Court order 2026-117", actor="cli/first")
    assert isinstance(first, erasure.ErasedRating)
    again = erasure.erase_rating(db, rating_id, reason="Court order 2026-118", actor="cli/second")
    assert again == erasure.AlreadyErased(first.recorded)  # the first erasure, as recorded
    never = "rt_" + "0" * 32
    assert erasure.erase_rating(db, never, reason="Court order 2026-117", actor="cli/first") is None
    assert len(_recorded_erasures(app)) == 1
    unknown = erase(app, never, "--reason", "Court order 2026-117")
    assert unknown.exit_code == 1 and "already erased" not in unknown.output
    assert (f"no rating {never} is recorded in this database, and none of that id was erased from it: "
            "nothing was erased") in unknown.output
    twice = erase(app, rating_id, "--reason", "Court order 2026-117")
    assert twice.exit_code == 1 and f"{rating_id} (tenant bank-a) was already erased on " in twice.output
    assert " by cli/first (reason sha256 " in twice.output and "nothing was erased again" in twice.output


def _recorded_erasures(app: Flask) -> list[dict[str, Any]]:
    with services_of(app).db.connect() as conn:
        return [dict(row) for row in conn.execute(select(rating_erasures)).mappings()]


def _poll(app: Flask) -> None:
    """The worker's next look at the registry and the erasures, as the interval's first request makes it."""
    services = services_of(app)
    watcher(app).check(services.db, services.engines, force=True)


def _hits(app: Flask, operation: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": operation}) or 0.0


def test_a_worker_caching_in_its_own_memory_stops_handing_out_an_erased_rating_at_its_next_look(
    make_app: AppFactory,
) -> None:
    """Without Redis each worker caches in its own memory, which the erasure command cannot reach: workers
    kept handing the erased id out until restarted. Once the worker has read the recorded erasure, the hit
    is a miss (counted, dropped), the records no longer have the rating, and the input is rated anew."""
    app = make_app(MODEL_POLL_SECONDS=3600)  # no look of its own during the test: driven below
    client = app.test_client()
    key = create_key(app)
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    repeat = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert repeat.headers["X-Cache"] == "hit" and repeat.get_json()["id"] == first.get_json()["id"]
    assert erase(app, first.get_json()["id"], "--reason", "Court order 2026-120").exit_code == 0
    # the window: until the worker looks again, its cache hands out what it held
    stale = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert stale.headers["X-Cache"] == "hit" and stale.get_json()["id"] == first.get_json()["id"]
    before = _hits(app, "erased")
    _poll(app)
    assert services_of(app).erased.ids == {first.get_json()["id"]}
    after = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert after.status_code == 201 and after.headers["X-Cache"] == "miss"
    assert after.get_json()["id"] != first.get_json()["id"]
    assert _hits(app, "erased") == before + 1
    again = client.post("/v1/ratings", json=payload(), headers=bearer(key))  # the new rating is cached
    assert again.headers["X-Cache"] == "hit" and again.get_json()["id"] == after.get_json()["id"]
    assert _hits(app, "erased") == before + 1


def _cached_then_erased(app: Flask, key: str) -> str:
    """A rating cached by a repeat request, then erased (the worker's interval not passed since): its id."""
    client = app.test_client()
    first = client.post("/v1/ratings", json=payload(), headers=bearer(key)).get_json()["id"]
    repeat = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert repeat.headers["X-Cache"] == "hit" and repeat.get_json()["id"] == first
    assert erase(app, first, "--reason", "Court order 2026-128").exit_code == 0
    stale = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert stale.headers["X-Cache"] == "hit"  # the window: no look yet
    return first


def test_a_readiness_probe_that_takes_the_interval_s_look_follows_the_erasures_too(
    make_app: AppFactory,
) -> None:
    """/readyz takes the same look a /v1 request takes when the interval has passed: it had read the model
    only and restarted the interval, so the next requests, finding no look due, kept serving the erased
    rating from the cache for another interval."""
    app = make_app(MODEL_POLL_SECONDS=3600)
    key = create_key(app)
    client = app.test_client()
    erased = _cached_then_erased(app, key)
    watcher(app)._next_check = 0.0  # the interval passes
    assert client.get("/readyz").status_code == 200
    assert not watcher(app).due()  # the probe took the interval's look
    assert services_of(app).erased.ids == {erased}
    after = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert after.status_code == 201 and after.headers["X-Cache"] == "miss"
    assert after.get_json()["id"] != erased


def test_the_look_a_rollback_forces_follows_the_erasures_too(make_app: AppFactory) -> None:
    """A promotion or rollback through the API forces the worker's look (not waiting for the interval): it
    follows the erasures like any other look, so the next request misses the erased rating."""
    app = make_app(MODEL_POLL_SECONDS=3600)
    db = services_of(app).db
    register_packaged_default(db)
    key, analyst = create_key(app), create_key(app, "bank-a", "analyst")
    erased = _cached_then_erased(app, key)
    variant = ScorecardArtifact.from_dict(variant_document("erasure"))
    registry.register(db, variant, source="cli", actor="t", reason="a variant to roll back")
    activation.activate(db, variant.version, actor="t", reason="promoted elsewhere",
                        fits=partial(engine_for, load_standard(DEFAULT_STANDARD)))
    client = app.test_client()
    done = client.post(f"/v1/models/{variant.version}/rollback", json={"reason": "INC-8 grades jumped"},
                       headers=bearer(analyst))
    assert done.status_code == 200, done.get_json()
    assert services_of(app).erased.ids == {erased}
    after = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    assert after.status_code == 201 and after.headers["X-Cache"] == "miss"
    assert after.get_json()["id"] != erased


def test_the_erased_ids_are_read_again_only_when_the_erasures_change(make_app: AppFactory) -> None:
    """Each look reads one aggregate (count and highest seq); the ids themselves only when it moved."""
    app = make_app(MODEL_POLL_SECONDS=3600)
    client = app.test_client()
    key = create_key(app)
    ids = [client.post("/v1/ratings", json=payload(name=f"Shop {n}"), headers=bearer(key)).get_json()["id"]
           for n in range(3)]
    erased = services_of(app).erased
    _poll(app)
    loads = erased.loads
    assert erased.ids == frozenset() and erased.marker == (0, 0)
    statements: list[str] = []
    event.listen(services_of(app).db, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: statements.append(sql))
    _poll(app)
    _poll(app)
    assert erased.loads == loads
    assert not [sql for sql in statements if "rating_erasures" in sql and "count" not in sql.lower()]
    assert erase(app, ids[0], "--reason", "Court order 2026-121").exit_code == 0
    _poll(app)
    assert erased.loads == loads + 1 and erased.ids == {ids[0]}
    _poll(app)
    assert erased.loads == loads + 1
    assert erase(app, ids[1], "--reason", "Court order 2026-122").exit_code == 0
    assert erase(app, ids[2], "--reason", "Court order 2026-123").exit_code == 0
    _poll(app)
    assert erased.loads == loads + 2 and erased.ids == set(ids)
    assert erased.marker is not None and erased.marker[0] == 3
    # the owner removes a row (or a restore brings back an older table): the count moves, the ids follow
    with services_of(app).db.begin() as conn, guard_lifted(conn, "rating_erasures", ("DELETE",)):
        conn.execute(delete(rating_erasures).where(rating_erasures.c.rating_id == ids[2]))
    _poll(app)
    assert erased.loads == loads + 3 and erased.ids == {ids[0], ids[1]}


def test_a_look_that_cannot_read_the_erasures_keeps_the_ids_held(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database down, or a schema without the table: the worker keeps what it read (the cache serves as
    before for erasures it has not read) and reads again at a later look."""
    import structlog

    from service import model_watch

    def fresh_logger() -> None:
        """A logger made now, first used under capture_logs: the module's may have been cached at another
        test's configuration, which capture_logs cannot see (the whole suite's order passed it one)."""
        monkeypatch.setattr(model_watch, "_log", structlog.get_logger("greenrate.models"))

    app = make_app(MODEL_POLL_SECONDS=3600)
    client = app.test_client()
    rating_id = client.post("/v1/ratings", json=payload(), headers=bearer(create_key(app))).get_json()["id"]
    assert erase(app, rating_id, "--reason", "Court order 2026-124").exit_code == 0
    _poll(app)
    erased = services_of(app).erased
    assert erased.ids == {rating_id}
    db = services_of(app).db
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE rating_erasures RENAME TO rating_erasures_away")
    fresh_logger()
    with capture_logs() as logs:
        _poll(app)
    assert erased.ids == {rating_id}
    (failed,) = [e for e in logs if e["log_level"] == "warning"]
    # the exception's class, never its message (which names the statement and may quote its values)
    assert failed == {"event": "erasures_check_failed", "log_level": "warning", "error": "OperationalError"}
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE rating_erasures_away RENAME TO rating_erasures")
    _poll(app)
    assert erased.ids == {rating_id}
    # a look whose read of the active model failed does not try the erasures (a database down would be
    # waited for twice): the next erasure is read at the next look that reaches the registry
    other = app.test_client().post("/v1/ratings", json=payload(name="Other shop"),
                                   headers=bearer(create_key(app))).get_json()["id"]
    assert erase(app, other, "--reason", "Court order 2026-127").exit_code == 0
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE active_model RENAME TO active_model_away")
    fresh_logger()
    with capture_logs() as logs:
        _poll(app)
    (failed,) = [e for e in logs if e["log_level"] == "warning"]
    assert failed == {"event": "model_check_failed", "log_level": "warning", "error": "OperationalError"}
    assert erased.ids == {rating_id}
    with db.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE active_model_away RENAME TO active_model")
    _poll(app)
    assert erased.ids == {rating_id, other}


@pytest.mark.parametrize("reason", ["", "  ", "."])
def test_an_erasure_needs_a_reason(make_app: AppFactory, reason: str) -> None:
    app = make_app()
    rating = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
    result = erase(app, rating.get_json()["id"], "--reason", reason)
    assert result.exit_code == 2 and "reason" in result.output
    with services_of(app).db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 1


@pytest.mark.integration
def test_an_erased_rating_is_no_longer_handed_out_from_redis(
    make_app: AppFactory, postgres_url: str, redis_url: str
) -> None:
    """A merchant's rating (one click on its profile) is erased: its cached copy goes, so the next click is
    rated anew; the bank's rating of the same input (cached under the tenant's own scope) stays cached."""
    app = make_app(DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    migrate.upgrade(services_of(app).db)
    client = app.test_client()
    bank = create_key(app)
    merchant = create_key(app, role="merchant", merchant_id="shop-7")
    one_click = "/v1/merchants/shop-7/rating"
    profile = client.put("/v1/merchants/shop-7/profile", json=payload(), headers=bearer(merchant))
    assert profile.status_code == 200
    by_bank = client.post("/v1/ratings", json=payload(), headers=bearer(bank)).get_json()["id"]
    by_merchant = client.post(one_click, headers=bearer(merchant)).get_json()["id"]
    repeat = client.post(one_click, headers=bearer(merchant))
    assert repeat.headers["X-Cache"] == "hit" and repeat.get_json()["id"] == by_merchant

    result = erase(app, by_merchant, "--reason", "Court order 2026-118", redis_url=redis_url)
    assert result.exit_code == 0, result.output
    assert "tenant bank-a, merchant shop-7" in result.output
    assert "deleted its cached copy from Redis" in result.output
    event = _erasure_event(result)
    assert event["cache"] == "evicted" and event["issued_by"] == "merchant"
    assert "shop-7" not in json.dumps(event) and "Court order" not in json.dumps(event)
    cached = redis.Redis.from_url(redis_url)
    assert cached.keys("greenrate:rating:v2:bank-a/merchant/shop-7:*") == []
    assert len(cached.keys("greenrate:rating:v2:bank-a:*")) == 1
    cached.close()
    after = client.post(one_click, headers=bearer(merchant))
    assert after.headers["X-Cache"] == "miss" and after.get_json()["id"] != by_merchant
    bank_repeat = client.post("/v1/ratings", json=payload(), headers=bearer(bank))
    assert bank_repeat.headers["X-Cache"] == "hit" and bank_repeat.get_json()["id"] == by_bank
    with services_of(app).db.connect() as conn:  # the trigger is enabled again, not only re-created
        enabled = conn.exec_driver_sql(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'ratings_append_only'"
        ).scalar()
    assert enabled == "O"
    _still_append_only(app)


@pytest.mark.integration
def test_an_erasure_with_redis_down_says_how_to_clear_the_cache(
    make_app: AppFactory, postgres_url: str
) -> None:
    app = make_app(DATABASE_URL=postgres_url)
    migrate.upgrade(services_of(app).db)
    rating = app.test_client().post("/v1/ratings", json=payload(), headers=bearer(create_key(app)))
    rating_id = rating.get_json()["id"]
    result = erase(app, rating_id, "--reason", "Court order 2026-119", redis_url="redis://127.0.0.1:1/0")
    assert result.exit_code == 1
    assert f"erased {rating_id}" in result.output and "greenrate cache clear" in result.output
    assert _erasure_event(result)["cache"] == "ConnectionError"
    with services_of(app).db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 0


def test_the_logged_digest_of_a_reason_is_the_one_docs_operations_md_computes() -> None:
    """sha256 of the reason's UTF-8 text without surrounding spaces, first 16 hex digits: an operator
    matches the reason kept with the order by `printf %s ... | sha256sum | cut -c1-16`."""
    from service.ratings.erasure import reason_digest

    assert reason_digest("Court order 2026-117") == "beb5fa24b40d600a"
    assert reason_digest("  Court order 2026-117\n") == "beb5fa24b40d600a"
    assert reason_digest("法院裁定 2026-117") == hashlib.sha256("法院裁定 2026-117".encode()).hexdigest()[:16]


def test_a_redis_key_of_the_erased_rating_is_the_one_issuing_uses() -> None:
    """The key is rebuilt from the record as issuing builds it (service.cache.cache_key with the caller's
    scope): a bank's rating under the tenant, a merchant key's under the tenant narrowed to the merchant."""
    from datetime import UTC, datetime

    from service.auth import Principal
    from service.cache import cache_key
    from service.ratings.erasure import ErasedRating
    from service.records.erasures import Erasure

    versions = {"model": "m", "standard": "s", "factor_set": "f", "schema": "1.6", "engine": "1.7"}
    for merchant_id, principal in (
        (None, Principal(1, "gr_x", "bank-a", "bank")),
        ("shop-7", Principal(2, "gr_y", "bank-a", "merchant", "shop-7")),
    ):
        now = datetime.now(UTC)
        recorded = Erasure("rt_1", "bank-a", principal.role, now, now, "0" * 16, 12, "cli/dpo")
        erased = ErasedRating(recorded, merchant_id, "h" * 64, versions)
        assert erased.cache_key("ns") == cache_key("ns", principal.scope, versions, "h" * 64)


def test_an_erased_rating_says_it_was_erased_to_its_bank_and_to_verify(make_app: AppFactory) -> None:
    """A bank's auditor, a year on, fetched a rating a loan was granted on and got "Rating not found.", and
    `greenrate ratings verify` "no rating ... is recorded": the same as for an id never issued (a typo, a
    forged reference), though the records hold the erasure (audit review). The bank's keys now get 410 with
    when it was issued and erased; another tenant and a merchant key (whose merchant the erasure does not
    name) still get 404, and verify names the erasure."""
    app = make_app()
    client = app.test_client()
    key = create_key(app)
    issued = client.post("/v1/ratings", json=payload(), headers=bearer(key))
    erased, kept_copy = issued.get_json()["id"], issued.data  # the answer a bank keeps in its loan file
    etag = client.get(f"/v1/ratings/{erased}", headers=bearer(key)).headers["ETag"]
    digest = hashlib.sha256(kept_copy).hexdigest()
    assert etag == f'"{digest}"'
    result = erase(app, erased, "--reason", "Court order 2026-117")
    assert result.exit_code == 0
    assert (f"its body's sha256 {digest} (the ETag it was served with) is recorded too: a copy the bank kept "
            "whose bytes hash to it is the rating as issued") in result.output
    assert _erasure_event(result)["result_sha256"] == digest
    (recorded,) = _recorded_erasures(app)
    assert recorded["result_sha256"] == digest
    when = {k: as_utc(recorded[k]).strftime("%Y-%m-%dT%H:%M:%SZ") for k in ("issued_at", "erased_at")}
    for path in (f"/v1/ratings/{erased}", f"/v1/ratings/{erased}/disclosure"):
        gone = client.get(path, headers=bearer(key))
        assert gone.status_code == 410, gone.json
        assert gone.json["message"] == (
            f"This rating was issued on {when['issued_at']} and erased from the records on "
            f"{when['erased_at']} by the operator (greenrate ratings erase), so it can no longer be served. "
            f"Its body's SHA-256 was {digest} (the ETag it was served with): a copy whose bytes hash to it "
            "is the rating as issued."
        )
        assert client.get(path, headers=bearer(create_key(app, "bank-b"))).status_code == 404
        merchant = create_key(app, "bank-a", "merchant", merchant_id="shop-7")
        assert client.get(path, headers=bearer(merchant)).status_code == 404
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    verify = CliRunner().invoke(main, ["ratings", "verify", erased], env=env)
    assert verify.exit_code == 1
    assert (f"{erased} (tenant bank-a) was erased on {recorded['erased_at']:%Y-%m-%d %H:%M:%S} UTC by "
            f"{recorded['actor']} (reason sha256 {recorded['reason_sha256']}); issued "
            f"{recorded['issued_at']:%Y-%m-%d %H:%M:%S} UTC: its record is no longer held, so nothing can be "
            f"verified; its body's sha256 was {digest} (the ETag it was served with): a copy whose bytes "
            "hash to it is the rating as issued") in " ".join(verify.output.split())
    again = erase(app, erased, "--reason", "Court order 2026-117")
    assert f"its body's sha256 was {digest}" in " ".join(again.output.split())


def test_an_erasure_recorded_before_0026_names_no_digest(make_app: AppFactory) -> None:
    """An erasure recorded without the body's digest (by the command of a release before migration 0026,
    during a rolling deploy, or by hand) is answered as before: no digest is made up for it."""
    app = make_app()
    client, key = app.test_client(), create_key(app)
    rating_id = client.post("/v1/ratings", json=payload(), headers=bearer(key)).get_json()["id"]
    db = services_of(app).db
    with db.begin() as conn:
        issued_at = conn.execute(select(ratings.c.issued_at).where(ratings.c.id == rating_id)).scalar_one()
        with guard_lifted(conn, "ratings", ("DELETE",)):
            conn.execute(delete(ratings).where(ratings.c.id == rating_id))
        conn.execute(rating_erasures.insert().values(
            rating_id=rating_id, tenant="bank-a", issued_by="bank", issued_at=issued_at,
            erased_at=datetime.now(UTC), reason_sha256="0" * 16, reason_length=20, actor="sql/dpo",
        ))
    gone = client.get(f"/v1/ratings/{rating_id}", headers=bearer(key))
    assert gone.status_code == 410
    message = gone.json["message"]
    assert message.endswith("so it can no longer be served.") and "SHA-256" not in message
    env = {"GREENRATE_DATABASE_URL": str(services_of(app).settings.database_url)}
    verify = CliRunner().invoke(main, ["ratings", "verify", rating_id], env=env)
    assert verify.exit_code == 1 and "nothing can be verified" in verify.output
    assert "body's sha256" not in verify.output
