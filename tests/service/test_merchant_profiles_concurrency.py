"""Concurrent PUTs of one merchant profile: every one answers 200 and one of the bodies sent is kept.

Storing used to be a DELETE then an INSERT: on PostgreSQL two transactions that both found no row both
inserted, and the second failed on the primary key (a 500). The threads start together at a barrier, on
fresh merchant ids (no row yet: the racy case), round after round.
"""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from service.records import migrate
from service.records.profiles import get_profile
from tests.conftest import AppFactory, bearer, create_key, services_of
from tests.service.test_merchants_api import MINIMAL

_THREADS = 8
_ROUNDS = 10


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def backend_app(request: pytest.FixtureRequest, make_app: AppFactory) -> Flask:
    """An app on SQLite (the default), or on this session's live PostgreSQL database, migrated from empty."""
    if request.param == "sqlite":
        return make_app()
    # a connection per thread, as a worker of _THREADS threads gets (GREENRATE_THREADS)
    app = make_app(DATABASE_URL=request.getfixturevalue("postgres_url"), DATABASE_POOL_SIZE=_THREADS)
    migrate.upgrade(services_of(app).db)
    return app


def _body(n: int) -> dict[str, Any]:
    body = copy.deepcopy(MINIMAL)
    body["company"]["name"] = f"Corner Shop {n}"
    body["company"]["employees"] = n + 1
    return body


def test_concurrent_puts_of_one_profile_all_succeed(backend_app: Flask) -> None:
    key = create_key(backend_app, "bank-a", "bank")
    bodies = [_body(n) for n in range(_THREADS)]
    for round_ in range(_ROUNDS):
        merchant_id = f"m-{round_}"
        barrier = threading.Barrier(_THREADS)

        def put(
            body: dict[str, Any], merchant_id: str = merchant_id, barrier: threading.Barrier = barrier
        ) -> int:
            client = backend_app.test_client()
            barrier.wait(timeout=30)
            response = client.put(f"/v1/merchants/{merchant_id}/profile", json=body, headers=bearer(key))
            return response.status_code

        with ThreadPoolExecutor(_THREADS) as pool:
            statuses = list(pool.map(put, bodies))
        assert statuses == [200] * _THREADS, (round_, statuses)
        stored = get_profile(services_of(backend_app).db, "bank-a", merchant_id)
        assert stored is not None and json.loads(stored.profile_json) in bodies
