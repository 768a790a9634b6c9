"""Redis that stops answering (a proxy in front of a redis-server of our own holds every byte), then answers.

tests/faults/test_redis_outage.py kills Redis: every call is refused at once. A Redis that is stuck, or
slower than ``GREENRATE_REDIS_TIMEOUT_MS`` (a long command, a host swapping, a network that drops packets),
refuses nothing: each call waits out its socket timeout. The cache, the rate limits and budgets and the
portfolio queue must each give up within their timeout, so that ratings, reads and key creation are still
answered (from the database) and an upload is refused with a clean 503; and once Redis answers again, the
same app caches again.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY
from werkzeug.test import TestResponse

from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.faults.servers import CuttableProxy, OwnRedis, wait_until
from tests.faults.servers import answered as within

pytestmark = [pytest.mark.slow, pytest.mark.integration]

#: far above what a request waits on a silent Redis (a few timeouts of 100 ms, the queue's 1 s), far below
#: gunicorn's worker timeout
_ANSWERED_WITHIN_SECONDS = 5.0


def cache_errors(operation: str) -> float:
    return REGISTRY.get_sample_value("greenrate_cache_errors_total", {"operation": operation}) or 0.0


def answered(send: Callable[[], TestResponse]) -> TestResponse:
    """``send()``'s answer in time (:func:`tests.faults.servers.answered`)."""
    return within(send, _ANSWERED_WITHIN_SECONDS, "a service whose Redis went silent")


def test_a_redis_that_stops_answering_costs_each_request_its_timeouts_and_caching_resumes(
    make_app: AppFactory, postgres_url: str, own_redis: OwnRedis, tmp_path: Path
) -> None:
    proxy = CuttableProxy(own_redis.port)
    store = redis.Redis(port=own_redis.port)
    try:
        app = make_app(DATABASE_URL=postgres_url, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/0",
                       REDIS_TIMEOUT_MS=100, CACHE_BREAKER_FAILURES=2, CACHE_BREAKER_RESET_SECONDS=0.2,
                       KEY_CACHE_SECONDS=300.0, PORTFOLIO_DIR=str(tmp_path / "portfolios"),
                       RETRY_AFTER_SECONDS=3)
        migrate.upgrade(services_of(app).db)
        client = app.test_client()
        key, admin = create_key(app), create_key(app, role="admin")

        def rate(employees: int) -> TestResponse:
            return client.post("/v1/ratings", json=payload(employees=employees), headers=bearer(key))

        first = rate(1)
        assert first.status_code == 201 and len(store.keys("*rating:v2:*")) == 1
        get_errors = cache_errors("get")
        proxy.hold()

        repeat = answered(lambda: rate(1))
        assert repeat.status_code == 201 and repeat.json["id"] == first.json["id"]  # from the records
        assert cache_errors("get") > get_errors  # counted
        assert answered(lambda: rate(2)).status_code == 201
        assert answered(lambda: client.get(first.headers["Location"], headers=bearer(key))).status_code == 200
        created = answered(lambda: client.post("/v1/keys", json={"role": "bank"}, headers=bearer(admin)))
        assert created.status_code == 201, created.json
        ready = answered(lambda: client.get("/readyz"))
        assert ready.status_code == 200 and ready.json["checks"]["cache"]["status"] == "degraded"
        book = io.BytesIO(b"borrower_id,company__name\nb-1,Lotus Tea House\n")
        refused = answered(lambda: client.post("/v1/portfolios", data={"file": (book, "book.csv")},
                                               headers=bearer(key), content_type="multipart/form-data"))
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "3", refused.json
        assert refused.json["message"] == "The job queue is unreachable; the loan book was not accepted."
        assert list((tmp_path / "portfolios").glob("*")) == []  # nothing of it kept

        proxy.release()  # the same app, not restarted: the breaker's next trial finds Redis again
        wait_until(lambda: client.get("/readyz").json["checks"]["cache"]["status"] == "ok", "Redis back")
        assert rate(3).status_code == 201 and len(store.keys("*rating:v2:*")) >= 2  # cached again
        assert rate(3).headers["X-Cache"] == "hit"
    finally:
        store.close()
        proxy.close()
