"""``greenrate ratings erase``: a court-ordered erasure deletes the record and its cached copy; the guard
stays armed.

docs/operations.md had the owner lift the append-only guard and DELETE the row by hand; the cache kept
answering an identical request with the erased id (``X-Cache: hit``) for up to the rating's validity.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import redis
from click.testing import CliRunner, Result
from flask import Flask
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from service.cli import main
from service.records import migrate
from service.records.tables import ratings
from tests.conftest import AppFactory, bearer, create_key, payload, services_of


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
    assert "GREENRATE_REDIS_URL is not set" in result.output
    assert "restart the service's workers" in result.output
    event = _erasure_event(result)
    assert event["rating_id"] == erased and event["tenant"] == "bank-a" and event["issued_by"] == "bank"
    digest = hashlib.sha256(b"Court order 2026-117").hexdigest()[:16]
    assert event["reason_sha256"] == digest and event["reason_length"] == 20
    assert "Court order" not in json.dumps(event) and "reason" not in event and "merchant_id" not in event
    assert f"the reason's sha256 {digest}" in result.output and event["actor"].startswith("cli/")
    assert event["level"] == "warning" and event["cache"] == "in-process"
    assert client.get(f"/v1/ratings/{erased}", headers=bearer(key)).status_code == 404
    assert client.get(f"/v1/ratings/{kept}", headers=bearer(key)).status_code == 200
    _still_append_only(app)
    again = erase(app, erased, "--reason", "Court order 2026-117")
    assert again.exit_code == 1 and "no rating" in again.output and "nothing was erased" in again.output


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

    versions = {"model": "m", "standard": "s", "factor_set": "f", "schema": "1.6", "engine": "1.7"}
    for merchant_id, principal in (
        (None, Principal(1, "gr_x", "bank-a", "bank")),
        ("shop-7", Principal(2, "gr_y", "bank-a", "merchant", "shop-7")),
    ):
        erased = ErasedRating("rt_1", "bank-a", merchant_id, datetime.now(UTC), "h" * 64, versions)
        assert erased.cache_key("ns") == cache_key("ns", principal.scope, versions, "h" * 64)
