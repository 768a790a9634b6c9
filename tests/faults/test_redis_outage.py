"""Redis killed during a sustained stream of ratings, then started again on the same port.

The cache only accelerates: while Redis is gone every rating is still issued (no 5xx) and recorded, and
once Redis is back the same app (not restarted) caches again as soon as its circuit breaker half-opens.
"""

from __future__ import annotations

import pytest
import redis

from service.records import migrate
from tests.conftest import AppFactory, bearer, create_key, payload, services_of
from tests.faults.servers import OwnRedis, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]
REQUESTS = 90  # distinct companies; Redis dies after a third, returns after two thirds


def cached_entries(url: str) -> int:
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        return len(client.keys("*rating:v2:*"))
    finally:
        client.close()


def test_ratings_flow_through_a_redis_crash_and_caching_resumes(
    make_app: AppFactory, postgres_url: str, own_redis: OwnRedis
) -> None:
    app = make_app(
        DATABASE_URL=postgres_url,
        REDIS_URL=own_redis.url,
        REDIS_TIMEOUT_MS=250,  # a refused connection fails at once; a loaded CI host needs slack
        CACHE_BREAKER_FAILURES=2,
        CACHE_BREAKER_RESET_SECONDS=0.2,
        KEY_CACHE_SECONDS=300.0,
    )
    migrate.upgrade(services_of(app).db)
    client = app.test_client()
    key = create_key(app)
    issued: list[str] = []
    statuses: list[int] = []
    cached_before_crash = 0
    for i in range(REQUESTS):
        if i == REQUESTS // 3:
            cached_before_crash = cached_entries(own_redis.url)
            own_redis.kill()
        if i == 2 * REQUESTS // 3:
            own_redis.start()  # same port, empty: the app is not restarted
        response = client.post("/v1/ratings", json=payload(employees=i + 1), headers=bearer(key))
        statuses.append(response.status_code)
        if response.status_code == 201:
            issued.append(response.json["id"])
    assert statuses == [201] * REQUESTS  # no 5xx, nothing refused, while Redis was gone too
    assert len(set(issued)) == REQUESTS
    assert cached_before_crash == REQUESTS // 3
    with services_of(app).db.connect() as conn:
        stored = {row[0] for row in conn.exec_driver_sql("SELECT id FROM ratings")}
    assert stored == set(issued)  # every rating recorded, the ones issued without Redis included
    # Caching resumed by itself: the ratings issued after the restart are in the new Redis (the first
    # few may have been skipped while the breaker was still open).
    resumed = cached_entries(own_redis.url)
    assert 0 < resumed <= REQUESTS - 2 * REQUESTS // 3
    wait_until(lambda: client.get("/readyz").json["status"] == "ok", "readiness back to ok")
    repeat = client.post("/v1/ratings", json=payload(employees=REQUESTS), headers=bearer(key))
    assert (
        repeat.status_code == 201 and repeat.headers["X-Cache"] == "hit" and repeat.json["id"] == issued[-1]
    )
