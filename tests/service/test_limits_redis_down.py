"""Rate limits while Redis is down: each worker grants its share of a limit, not the whole of it.

Counted in each worker's memory at the full limit, a key could make (workers x) its limit during an
outage, and a tenant spend its budgets (workers x) over (operations review: banks share the service).
One app stands in for one of ``workers`` gunicorn workers (:func:`service.limits.share_among_workers`
is what ``post_worker_init`` calls). A 429 names the share it refused in its ``RateLimit-*`` headers.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import redis
from flask import Flask
from flask_limiter import RateLimitExceeded, RequestLimit
from limits import parse as parse_limit
from limits.strategies import FixedWindowRateLimiter
from structlog.testing import capture_logs

from service.keys import routes as key_routes
from service.limits import hit_budget, retry_after_seconds, share_among_workers, worker_share
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.test_rate_limits_documented import assert_names_its_budget

#: A port bound here and never listened on refuses every connection at once. Clear of the ephemeral
#: range (32768 and up) that the servers of other tests take their ports from.
_CLOSED_PORTS = range(18200, 18300)


@pytest.fixture
def dead_redis() -> Iterator[str]:
    """A Redis URL whose port refuses connections for as long as the test runs."""
    sock = socket.socket()
    try:
        for port in _CLOSED_PORTS:
            try:
                sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            pytest.fail(f"no port of {_CLOSED_PORTS} free to hold closed")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        sock.close()


def outage_app(make_app: AppFactory, dead_redis: str, workers: int, **overrides: object) -> Flask:
    app = make_app(REDIS_URL=dead_redis, REDIS_TIMEOUT_MS=50, **overrides)
    share_among_workers(app, workers)
    return app


def test_a_share_is_the_limit_divided_by_the_workers_rounded_up() -> None:
    assert worker_share(parse_limit("1200 per minute"), 9).amount == 134
    assert worker_share(parse_limit("10 per 2 hours"), 4).amount == 3
    assert worker_share(parse_limit("2 per minute"), 9).amount == 1  # never 0: the key is still served
    share = worker_share(parse_limit("6000 per minute"), 64, largest_cost=100)
    assert share.amount == 100  # one full batch per worker, not a refusal all outage long
    assert share.get_expiry() == 60 and worker_share(parse_limit("5 per hour"), 2).get_expiry() == 3600
    assert worker_share(parse_limit("60 per hour"), 1).amount == 60  # one process keeps the whole limit


@pytest.mark.parametrize(("workers", "allowed"), [(1, 10), (3, 4)])
def test_a_keys_allowance_while_redis_is_down_is_its_share(
    make_app: AppFactory, dead_redis: str, workers: int, allowed: int
) -> None:
    app = outage_app(make_app, dead_redis, workers, RATE_LIMIT="10 per minute")
    client = app.test_client()
    key = create_key(app)
    statuses = [client.get("/v1/ratings", headers=bearer(key)).status_code for _ in range(allowed)]
    assert statuses == [200] * allowed
    refused = client.get("/v1/ratings", headers=bearer(key))
    assert refused.status_code == 429
    assert 55 <= int(refused.headers["Retry-After"]) <= 60  # the window's end, as with Redis
    # the budget that refused it: this worker's share, as counted (not the whole limit)
    assert_names_its_budget(refused, allowed, 60)
    # the share is per key and only for /v1, as the limit itself is
    assert client.get("/v1/ratings", headers=bearer(create_key(app))).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_tenant_budgets_while_redis_is_down_are_shares(make_app: AppFactory, dead_redis: str) -> None:
    app = outage_app(make_app, dead_redis, 4)
    budget = parse_limit(key_routes.CREATE_BUDGET)  # 60 per hour: 15 for each of 4 workers
    admin = create_key(app, "bank-a", "admin")
    client = app.test_client()
    share = -(-budget.amount // 4)
    created = [client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)) for _ in range(share)]
    assert [r.status_code for r in created] == [201] * share
    refused = client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin))
    assert refused.status_code == 429
    assert budget.get_expiry() - 5 <= int(refused.headers["Retry-After"]) <= budget.get_expiry()
    assert_names_its_budget(refused, share, budget.get_expiry())

    fresh = outage_app(make_app, dead_redis, 4)  # no /v1 request has found Redis down in this one yet
    with fresh.test_request_context():
        spent = [hit_budget("10 per hour", "pdf", "bank-a") for _ in range(4)]
        assert spent[:3] == [None] * 3 and spent[3] is not None and 3595 <= spent[3] <= 3600

    with app.test_request_context():
        # a budget whose requests cost up to 100 (a batch's items) keeps one such request per worker
        assert hit_budget("200 per minute", "batch-items", "bank-a", cost=100, largest_cost=100) is None
        retry_after = hit_budget("200 per minute", "batch-items", "bank-a", cost=1, largest_cost=100)
        assert retry_after is not None and 55 <= retry_after <= 60


def test_with_redis_up_the_whole_limit_is_shared_by_the_workers(make_app: AppFactory, redis_url: str) -> None:
    """The share is for outages only: on Redis the workers count one limit together, as before."""
    first = make_app(REDIS_URL=redis_url, RATE_LIMIT="3 per minute")
    second = make_app(REDIS_URL=redis_url, RATE_LIMIT="3 per minute",
                      DATABASE_URL=services_of(first).settings.database_url)  # one database, as workers
    for app in (first, second):
        share_among_workers(app, 3)
    key = create_key(first)
    statuses = [
        app.test_client().get("/v1/ratings", headers=bearer(key)).status_code
        for app in (first, second, first, second)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_429_whose_window_redis_cannot_tell_waits_the_whole_window_and_says_so(
    make_app: AppFactory, dead_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis failing after the request was counted: ``Retry-After`` is the limit's whole window, and the log
    says why, like the other fallbacks here (it passed silently; a code review)."""
    app = make_app(REDIS_URL=dead_redis, REDIS_TIMEOUT_MS=50)
    limiter = app.extensions["limiter.greenrate"]
    item = parse_limit("5 per hour")
    breach = RateLimitExceeded(SimpleNamespace(limit=item, error_message=None))  # type: ignore[arg-type]
    with app.test_request_context("/v1/ratings"), capture_logs() as logged:
        limiter.context.view_rate_limit = RequestLimit(limiter, item, ["key:x"], True, False)
        assert retry_after_seconds(breach) == 3600
    assert [(e["event"], e["log_level"], e["reading"], e["error"]) for e in logged] == [
        ("rate_limit_storage_unavailable", "warning", "retry_after", "ConnectionError")]


def test_a_spent_budget_whose_window_redis_cannot_tell_waits_the_whole_window_and_says_so(
    make_app: AppFactory, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(REDIS_URL=redis_url)

    def gone(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection closed by server.")

    def bug(*args: object, **kwargs: object) -> None:
        raise TypeError("not a storage failure")

    with app.test_request_context("/v1/ratings"):
        assert hit_budget("1 per hour", "pdf", "bank-a") is None
        monkeypatch.setattr(FixedWindowRateLimiter, "get_window_stats", gone)
        with capture_logs() as logged:
            assert hit_budget("1 per hour", "pdf", "bank-a") == 3600
        assert [(e["event"], e["budget"], e["reading"], e["error"]) for e in logged] == [
            ("rate_limit_storage_unavailable", "pdf", "retry_after", "ConnectionError")]
        monkeypatch.setattr(FixedWindowRateLimiter, "get_window_stats", bug)
        with pytest.raises(TypeError):  # only the storage's failures fall back, not a bug
            hit_budget("1 per hour", "pdf", "bank-a")
